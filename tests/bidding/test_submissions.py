"""Handing in sealed bids: receipts, replacement, withdrawal, the deadline, and every refusal
(tampered, truncated, wrongly signed, revoked, late, oversized, foreign section) leaving what was
already accepted untouched."""

import datetime as dt
import hashlib
import io
import json
import tracemalloc
import uuid

import pytest
from cryptography import x509
from sqlalchemy import select

from bidding.certificates import authority
from bidding.sealing import keys, package
from bidding.sealing.manifest import BidData, Holder, SealingParameters
from bidding.sealing.receipts import ReceiptInvalid, verify_receipt
from bidding.submissions import rules
from bidding.submissions import service as submissions
from bidding.submissions.models import Bid
from tests.bidding.helpers import accepted_bidder, open_section
from tests.bidding.kit import (
    Kit,
    configure_holders,
    ready_section,
    resign_manifest,
    rewrite_package,
    submit,
)
from tests.conftest import START
from trading.events import OutboxEvent


@pytest.fixture
async def kit(client, people, settings, clock, tmp_path) -> Kit:
    return await ready_section(client, people, settings, clock, tmp_path)


async def test_a_bid_is_answered_with_a_receipt_anyone_can_verify_offline(client, people, kit, clock):
    sealed = kit.seal("bidder_a", "48000000.00")
    answer = await submit(client, people, kit, "bidder_a", sealed)
    assert answer.status_code == 201, answer.text
    body = verify_receipt(answer.json(), kit.ca, package_path=sealed)
    assert body["kind"] == "submitted" and body["sequence"] == 1
    assert body["section"]["id"] == kit.section_id
    assert body["bidder"]["uscc"] == people.org("builder_a").uscc
    assert body["package"]["sha256"] == hashlib.sha256(sealed.read_bytes()).hexdigest()
    assert dt.datetime.fromisoformat(body["received_at"]) == clock.now()
    forged = json.loads(answer.text)
    forged["body"]["received_at"] = (clock.now() - dt.timedelta(days=1)).isoformat()
    with pytest.raises(ReceiptInvalid):
        verify_receipt(forged, kit.ca)
    with pytest.raises(ReceiptInvalid):
        verify_receipt(answer.json(), kit.ca, package_path=kit.seal("bidder_a", "1.00"))


async def test_a_second_bid_replaces_the_first_and_the_last_one_counts(client, people, kit, clock):
    first = await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "48000000.00"))
    clock.advance(dt.timedelta(hours=1))
    second = await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "47500000.00"))
    assert second.status_code == 201
    assert second.json()["body"]["sequence"] == 2
    mine = (
        await client.get(
            f"/api/bidding/sections/{kit.section_id}/bids/mine", headers=people.headers("bidder_a")
        )
    ).json()
    assert [b["status"] for b in mine] == ["superseded", "active"]
    assert mine[1]["package_sha256"] == second.json()["body"]["package"]["sha256"]
    assert mine[0]["receipts"][0]["body"]["receipt_id"] == first.json()["body"]["receipt_id"]


async def test_a_withdrawal_is_receipted_announced_and_final_for_that_package(client, people, kit, db):
    sealed = kit.seal("bidder_a", "48000000.00")
    await submit(client, people, kit, "bidder_a", sealed)
    answer = await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids/withdrawal",
        json={"reason": "书面撤回：报价有误"},
        headers=people.headers("bidder_a"),
    )
    assert answer.status_code == 200, answer.text
    body = verify_receipt(answer.json(), kit.ca)
    assert body["kind"] == "withdrawn" and body["withdrawn_at"] is not None
    async with db.session() as session:
        events = (await session.scalars(select(OutboxEvent).where(OutboxEvent.name == "bid.withdrawn"))).all()
    assert [e.payload["organisation_id"] for e in events] == [str(people.org("builder_a").id)]
    again = await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids/withdrawal", json={}, headers=people.headers("bidder_a")
    )
    assert again.status_code == 409 and again.json()["code"] == "bid.nothing_to_withdraw"
    replayed = await submit(client, people, kit, "bidder_a", sealed)
    assert replayed.status_code == 409 and replayed.json()["code"] == "bid.package_reused"
    fresh = await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "47000000.00"))
    assert fresh.status_code == 201


async def test_a_retried_upload_gets_the_same_receipt(client, people, kit):
    sealed = kit.seal("bidder_a", "48000000.00")
    first = await submit(client, people, kit, "bidder_a", sealed)
    retry = await submit(client, people, kit, "bidder_a", sealed)
    assert retry.status_code == 201
    assert retry.json() == first.json()


async def test_after_the_deadline_nothing_changes(client, people, kit, clock):
    accepted = await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "48000000.00"))
    late_package = kit.seal("bidder_b", "46000000.00")
    clock.set(kit.deadline)
    late = await submit(client, people, kit, "bidder_b", late_package)
    assert late.status_code == 409
    assert late.json()["code"] == "bid.deadline_passed" and late.json()["rule"]["id"] == "C-08"
    withdraw = await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids/withdrawal", json={}, headers=people.headers("bidder_a")
    )
    assert withdraw.status_code == 409 and withdraw.json()["code"] == "bid.deadline_passed"
    replace = await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "1.00"))
    assert replace.status_code == 409
    mine = (
        await client.get(
            f"/api/bidding/sections/{kit.section_id}/bids/mine", headers=people.headers("bidder_a")
        )
    ).json()
    assert [(b["status"], b["package_sha256"]) for b in mine] == [
        ("active", accepted.json()["body"]["package"]["sha256"])
    ]


async def test_an_upload_that_ends_after_the_deadline_is_late(people, kit, clock, settings, db, tmp_path):
    """The time that counts is when the last byte arrived, by the server's clock."""
    sealed = kit.seal("bidder_a", "48000000.00")
    clock.set(kit.deadline - dt.timedelta(seconds=1))

    async def slow():
        data = sealed.read_bytes()
        yield data[:100]
        clock.advance(dt.timedelta(seconds=2))
        yield data[100:]

    async with db.session() as session, db.read_session() as reader:
        with pytest.raises(Exception) as refused:
            await submissions.submit_bid(
                session,
                settings,
                clock,
                section_id=uuid.UUID(kit.section_id),
                bidder=people.cast.identity("bidder_a"),
                chunks=slow(),
                reader=reader,
            )
    assert getattr(refused.value, "code", None) == "bid.deadline_passed"
    assert not list((settings.data_dir / "incoming").rglob("*.*"))


async def refusal(client, people, kit, username, path, code, status=422):
    answer = await submit(client, people, kit, username, path)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code, answer.text
    assert answer.json()["message"]["zh-CN"] and answer.json()["message"]["en"]
    return answer


async def test_bad_packages_are_refused_and_the_accepted_bid_is_unharmed(
    client, people, kit, settings, tmp_path
):
    good = kit.seal("bidder_a", "48000000.00")
    accepted = await submit(client, people, kit, "bidder_a", good)
    assert accepted.status_code == 201
    bidder_a = kit.bidders["bidder_a"]

    def flip(name, data):
        return data[:40] + bytes([data[40] ^ 1]) + data[41:] if name == "bid.enc" else data

    tampered = rewrite_package(kit.seal("bidder_a", "1.00"), tmp_path / "tampered.bid", flip)
    truncated = tmp_path / "truncated.bid"
    truncated.write_bytes(kit.seal("bidder_a", "1.00").read_bytes()[:-300])
    not_a_package = tmp_path / "plain.pdf"
    not_a_package.write_bytes(b"%PDF-1.4 this is a bid in clear")
    wrongly_signed = resign_manifest(
        kit.seal("bidder_a", "1.00"), tmp_path / "wrong-key.bid", lambda m: None, keys.new_signing_key()
    )
    refused = {
        tampered: "bid.package_tampered",
        truncated: "bid.package_malformed",
        not_a_package: "bid.package_malformed",
        wrongly_signed: "bid.signature_invalid",
        # Bidder B's genuine package, handed in by bidder A.
        kit.seal("bidder_b", "1.00"): "bid.foreign_bidder",
    }
    for path, code in refused.items():
        await refusal(client, people, kit, "bidder_a", path, code)

    store = submissions.blob_store(settings)
    assert not [p for p in refused if store.exists(hashlib.sha256(p.read_bytes()).hexdigest())]
    assert not [p for p in (settings.data_dir / "incoming").rglob("*") if p.is_file()]
    mine = (
        await client.get(
            f"/api/bidding/sections/{kit.section_id}/bids/mine", headers=people.headers("bidder_a")
        )
    ).json()
    assert [(b["status"], b["package_sha256"]) for b in mine] == [
        ("active", accepted.json()["body"]["package"]["sha256"])
    ]
    # The accepted package is intact: the bidder's own key still opens it.
    opened = package.read_package(submissions.blob_store(settings).path_of(mine[0]["package_sha256"]))
    key = package.bidder_content_key(opened.manifest, bidder_a.decryption_key)
    assert package.unseal(opened, key).bid_data.price_fen == 4_800_000_000


async def test_a_package_signed_under_a_certificate_of_another_ca_is_refused(client, people, kit, tmp_path):
    rogue_key = authority.new_key()
    rogue_ca = authority.build_root(rogue_key, START)
    bidder = kit.bidders["bidder_a"]
    forged = authority.issue_bidder(
        rogue_key,
        rogue_ca,
        bidder.signing_key.public_key(),
        uscc=bidder.uscc,
        name="江苏华建建设集团有限公司",
        at=START,
    )
    out = tmp_path / "rogue.bid"
    package.seal_bid(
        source=io.BytesIO(b"bid"),
        file_name="bid.pdf",
        bid_data=BidData(price_fen=1),
        parameters=kit.parameters,
        uscc=bidder.uscc,
        certificate_pem=authority.pem(forged),
        signing_key=bidder.signing_key,
        decryption_key=bidder.decryption_key.public_key(),
        out=out,
        sealed_at=START,
    )
    await refusal(client, people, kit, "bidder_a", out, "certificate.untrusted")


async def test_a_revoked_certificate_signs_no_more_bids(client, people, kit):
    serial = format(
        x509.load_pem_x509_certificate(kit.bidders["bidder_a"].certificate_pem.encode()).serial_number, "x"
    )
    revoked = await client.post(
        f"/api/bidding/certificates/{serial}/revoke",
        json={"reason": "key_compromise"},
        headers=people.headers("bidder_a"),
    )
    assert revoked.status_code == 200
    await refusal(client, people, kit, "bidder_a", kit.seal("bidder_a", "1.00"), "certificate.revoked")


async def test_a_package_sealed_for_another_section_is_refused(client, people, kit, tmp_path):
    other = await open_section(client, people)
    await configure_holders(client, people, other)
    from tests.bidding.kit import sealing_parameters

    other_kit = Kit(
        section_id=other,
        ca=kit.ca,
        parameters=await sealing_parameters(client, people, other, kit.ca),
        holder_keys={},
        bidders=kit.bidders,
        workdir=tmp_path,
        deadline=kit.deadline,
    )
    await refusal(client, people, kit, "bidder_a", other_kit.seal("bidder_a", "1.00"), "bid.foreign_section")


async def test_a_package_sealed_to_other_key_holders_is_refused(client, people, kit, tmp_path):
    impostors = [keys.new_x25519_key() for _ in range(3)]
    kit.parameters = SealingParameters(
        **{
            **kit.parameters.model_dump(),
            "holders": [
                Holder(
                    index=i + 1,
                    name=h.name,
                    party=h.party,
                    public_key=keys.PublicKeyInfo.of(impostors[i]).b64,
                )
                for i, h in enumerate(kit.parameters.holders)
            ],
        }
    )
    answer = await refusal(
        client, people, kit, "bidder_a", kit.seal("bidder_a", "1.00"), "bid.wrong_keyholders"
    )
    assert answer.json()["rule"]["id"] == "E-01"


async def test_an_oversized_package_is_refused_with_413_and_nothing_kept(
    client, people, kit, settings, monkeypatch
):
    sealed = kit.seal("bidder_a", "1.00", content=b"x" * 200_000)
    monkeypatch.setattr(rules, "MAX_PACKAGE_BYTES", 100_000)
    answer = await submit(client, people, kit, "bidder_a", sealed)
    assert answer.status_code == 413
    assert answer.json()["code"] == "upload.too_large"
    assert not submissions.blob_store(settings).exists(hashlib.sha256(sealed.read_bytes()).hexdigest())
    assert not [p for p in (settings.data_dir / "incoming").rglob("*") if p.is_file()]


async def test_only_a_qualified_bidder_with_a_secured_deposit_may_bid(client, people, kit, tmp_path):
    # The developer never registered; bidder C of another section is accepted but has not paid.
    outsider = await submit(client, people, kit, "developer", kit.seal("bidder_a", "1.00"))
    assert outsider.status_code == 403 and outsider.json()["code"] == "bid.not_qualified"
    other = await open_section(client, people)
    await configure_holders(client, people, other)
    await accepted_bidder(client, people, other, "bidder_c")
    unpaid = await client.post(
        f"/api/bidding/sections/{other}/bids",
        content=b"irrelevant",
        headers={**people.headers("bidder_c"), "Content-Type": "application/octet-stream"},
    )
    assert unpaid.status_code == 409 and unpaid.json()["code"] == "bid.deposit_not_secured"


async def test_oversight_sees_how_many_bids_but_not_whose_until_the_deadline(client, people, kit, clock):
    await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "48000000.00"))
    await submit(client, people, kit, "bidder_b", kit.seal("bidder_b", "47000000.00"))
    before = (
        await client.get(f"/api/bidding/sections/{kit.section_id}/bids", headers=people.headers("clerk"))
    ).json()
    assert before["active_bids"] == 2 and before["sealed"] is True and before["bids"] == []
    other_sector = await client.get(
        f"/api/bidding/sections/{kit.section_id}/bids", headers=people.headers("cz_supervisor")
    )
    assert other_sector.status_code == 404
    clock.set(kit.deadline)
    after = (
        await client.get(
            f"/api/bidding/sections/{kit.section_id}/bids", headers=people.headers("zj_supervisor")
        )
    ).json()
    assert after["sealed"] is False and len(after["bids"]) == 2


async def test_a_fifty_megabyte_bid_is_accepted(client, people, kit):
    content = b"".join(hashlib.sha256(str(i).encode()).digest() * 32 for i in range(50 * 1024))
    assert len(content) == 50 * (1 << 20)
    sealed = kit.seal("bidder_a", "48000000.00", content=content)
    answer = await submit(client, people, kit, "bidder_a", sealed)
    assert answer.status_code == 201, answer.text
    assert answer.json()["body"]["package"]["size"] > 50 * (1 << 20)


async def test_the_upload_is_streamed_not_held_in_memory(people, kit, settings, clock, db):
    """50 MB through the submission use case with the memory it allocates traced: a few chunks."""
    content_path = kit.workdir / "big.pdf"
    with content_path.open("wb") as out:
        for i in range(50):
            out.write(hashlib.sha256(str(i).encode()).digest() * 32768)
    bidder = kit.bidders["bidder_a"]
    sealed = kit.workdir / "big.bid"
    with content_path.open("rb") as source:
        package.seal_bid(
            source=source,
            file_name="big.pdf",
            bid_data=BidData(price_fen=1),
            parameters=kit.parameters,
            uscc=bidder.uscc,
            certificate_pem=bidder.certificate_pem,
            signing_key=bidder.signing_key,
            decryption_key=bidder.decryption_key.public_key(),
            out=sealed,
            sealed_at=START,
        )

    async def chunks():
        with sealed.open("rb") as source:
            while block := source.read(256 * 1024):
                yield block

    tracemalloc.start()
    try:
        async with db.session() as session, db.read_session() as reader:
            receipt = await submissions.submit_bid(
                session,
                settings,
                clock,
                section_id=uuid.UUID(kit.section_id),
                bidder=people.cast.identity("bidder_a"),
                chunks=chunks(),
                reader=reader,
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert receipt.body["package"]["size"] > 50 * (1 << 20)
    assert peak < 16 * (1 << 20), f"peak {peak / (1 << 20):.1f} MiB"
    async with db.session() as session:
        bid = await session.scalar(select(Bid).where(Bid.id == receipt.bid_id))
    assert bid is not None and bid.status == "active"
