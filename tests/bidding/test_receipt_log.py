"""A receipt carries the audit log's checkpoint of its moment and the proof that the submission is
in it; later, a consistency proof shows the bidder that the log still holds it."""

import datetime as dt
import json

from tests.bidding.kit import ready_section, submit
from tests.bidding.test_cli import run
from trading.audit import offline


async def test_a_receipt_proves_its_submission_is_in_the_log_and_stays_there(
    client, people, settings, clock, tmp_path
):
    kit = await ready_section(client, people, settings, clock, tmp_path)
    sealed = kit.seal("bidder_a", "48000000.00")
    answer = await submit(client, people, kit, "bidder_a", sealed)
    assert answer.status_code == 201, answer.text
    log = answer.json()["body"]["log"]
    checkpoint, event = offline.check_logged_event(log, trusted_key=log["checkpoint"]["public_key"])
    assert event["action"] == "bid.uploaded"
    assert event["data"]["package_sha256"] == answer.json()["body"]["package"]["sha256"]
    assert checkpoint.tree_size == event["seq"]  # written right after the upload was logged

    receipt, ca = tmp_path / "receipt.json", tmp_path / "ca.pem"
    receipt.write_text(answer.text)
    ca.write_text((await client.get("/api/bidding/platform/certificates")).json()["ca"])
    shown = run("bid", "verify-receipt", str(receipt), "--ca", str(ca), "--package", str(sealed))
    assert shown.exit_code == 0, shown.output
    assert (
        f"in the audit log: event {event['seq']} (bid.uploaded) is in the checkpoint of size" in shown.output
    )

    # The log grows: another bid, another receipt, another checkpoint.
    clock.advance(dt.timedelta(hours=1))
    other = await submit(client, people, kit, "bidder_b", kit.seal("bidder_b", "47000000.00"))
    newer = other.json()["body"]["log"]["checkpoint"]["tree_size"]
    proof = await client.get(
        "/api/audit/logs/audit/consistency",
        params={"first": checkpoint.tree_size, "second": newer},
        headers=people.headers("bidder_a"),
    )
    assert proof.status_code == 200, proof.text
    (tmp_path / "consistency.json").write_text(proof.text)
    later = run(
        "bid",
        "verify-receipt",
        str(receipt),
        "--ca",
        str(ca),
        "--consistency",
        str(tmp_path / "consistency.json"),
    )
    assert later.exit_code == 0, later.output
    assert f"still in the audit log: the checkpoint of size {newer} signed" in later.output

    # A proof that starts anywhere else does not speak for this receipt.
    elsewhere = await client.get(
        "/api/audit/logs/audit/consistency",
        params={"first": newer, "second": newer},
        headers=people.headers("bidder_a"),
    )
    (tmp_path / "elsewhere.json").write_text(elsewhere.text)
    refused = run(
        "bid",
        "verify-receipt",
        str(receipt),
        "--ca",
        str(ca),
        "--consistency",
        str(tmp_path / "elsewhere.json"),
    )
    assert refused.exit_code == 1
    assert "starts from another checkpoint" in refused.output
    rewritten = json.loads(proof.text)
    rewritten["path"][0] = "00" * 32
    (tmp_path / "rewritten.json").write_text(json.dumps(rewritten))
    refused = run(
        "bid",
        "verify-receipt",
        str(receipt),
        "--ca",
        str(ca),
        "--consistency",
        str(tmp_path / "rewritten.json"),
    )
    assert refused.exit_code == 1
    assert "does NOT extend" in refused.output
