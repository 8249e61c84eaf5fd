"""The opening decrypts its bids in a process pool from PROCESS_FROM bids on, in threads below:
both give the same outcomes, and the plaintext each valid bid left is the bidder's file."""

from __future__ import annotations

import uuid

from bidding.opening.decryption import decrypt_all
from bidding.sealing.manifest import Manifest
from bidding.sealing.package import read_package
from tests.bidding.test_sealing import Parties


async def test_processes_and_threads_open_the_same_bids_the_same_way(tmp_path):
    parties = Parties(tmp_path)
    contents = [f"投标文件 {i} ".encode() * 2000 for i in range(3)]
    work, releases = [], {}
    for i, content in enumerate(contents):
        parties.seal(content, price_fen=4_000_000_000 + i, name=f"bid-{i}.sealed")
        manifest = read_package(tmp_path / f"bid-{i}.sealed").manifest
        bid_id = uuid.uuid4()
        work.append(
            (bid_id, Manifest.model_validate(manifest.model_dump(mode="json")), tmp_path / f"bid-{i}.sealed")
        )
        # The last bid has one share only: it cannot be opened.
        releases[bid_id] = parties.shares(manifest, 1, 2) if i < 2 else parties.shares(manifest, 1)

    results = {}
    for processes in (True, False):
        store = tmp_path / f"store-{processes}"
        outcomes = await decrypt_all(work, releases, {}, store, processes=processes)
        results[processes] = {bid_id: outcome for bid_id, (outcome, _) in outcomes.items()}
        for i, (bid_id, _, _) in enumerate(work[:2]):
            outcome, plain = outcomes[bid_id]
            assert outcome.status == "valid"
            assert outcome.bid_data["price_fen"] == 4_000_000_000 + i
            assert plain is not None and plain.read_bytes() == contents[i]
        outcome, plain = outcomes[work[2][0]]
        assert outcome.status == "rejected" and plain is None
        assert outcome.anomalies[0]["code"] == "bid.shares_missing"
    assert results[True] == results[False]
