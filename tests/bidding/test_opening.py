"""The opening (开标): the whole procedure end to end with real cryptography, too few bids, key
holders who fail and bidders who decrypt their own bids (E-05), dishonest packages, revoked
certificates, and the bidders' confirmations of the record."""

import datetime as dt
import uuid

import pytest
from cryptography import x509
from sqlalchemy import select

from bidding.sealing import keys, package
from bidding.sealing.documents import verify_document
from tests.bidding.kit import (
    Kit,
    pass_deadline,
    ready_section,
    release_all,
    submit,
)
from tests.bidding.test_sealing import seal_with_inconsistent_shares
from trading.audit import offline
from trading.audit.models import AuditEvent
from trading.audit.service import verify_chain
from trading.events import OutboxEvent


@pytest.fixture
async def kit(client, people, settings, clock, tmp_path) -> Kit:
    return await ready_section(client, people, settings, clock, tmp_path)


def url(kit: Kit, tail: str = "") -> str:
    return f"/api/bidding/sections/{kit.section_id}/opening{tail}"


async def start(client, people, kit):
    answer = await client.post(url(kit), json={}, headers=people.headers("clerk"))
    assert answer.status_code == 201, answer.text
    return answer.json()


async def unseal(client, people, kit):
    answer = await client.post(url(kit, "/unseal"), headers=people.headers("clerk"))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_whole_procedure_ends_in_a_signed_opening_record(client, people, kit, clock, db):
    # Registered, accepted and paid through the bank feed (kit); now they seal and hand in.
    for username, price in (
        ("bidder_a", "48600000.00"),
        ("bidder_b", "47900000.00"),
        ("bidder_c", "49000000.00"),
    ):
        assert (await submit(client, people, kit, username, kit.seal(username, price))).status_code == 201
    clock.advance(dt.timedelta(days=1))
    # B withdraws and comes back with a new bid; A replaces its bid: the last one counts.
    withdrawn = await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids/withdrawal",
        json={"reason": "重新报价"},
        headers=people.headers("bidder_b"),
    )
    assert withdrawn.status_code == 200
    assert (
        await submit(client, people, kit, "bidder_b", kit.seal("bidder_b", "47500000.00", duration_days=500))
    ).status_code == 201
    assert (
        await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "48100000.00", duration_days=480))
    ).status_code == 201

    await pass_deadline(clock, kit)
    section = (await client.get(f"/api/sections/{kit.section_id}", headers=people.headers("clerk"))).json()
    assert section["status"] == "bidding_closed"
    started = await start(client, people, kit)
    assert started["status"] == "collecting" and started["bids_at_deadline"] == 3
    await release_all(client, people, kit)
    opening = await unseal(client, people, kit)
    assert opening["status"] == "recorded" and opening["pending_bids"] == 0

    record = (await client.get(url(kit, "/record"), headers=people.headers("bidder_c"))).json()
    body = verify_document(record, kit.ca)
    assert [(e["bidder"]["name"], e["price"], e["duration_days"], e["status"]) for e in body["entries"]] == [
        (people.org("builder_c").name, "49000000.00", 365, "valid"),
        (people.org("builder_b").name, "47500000.00", 500, "valid"),
        (people.org("builder_a").name, "48100000.00", 480, "valid"),
    ]
    assert body["summary"] == {"valid": 3, "rejected": 0, "withdrawn": 0, "lowest_price": "47500000.00"}
    checkpoint = offline.read_checkpoint(body["audit_checkpoint"])
    assert checkpoint.log_id == "audit" and checkpoint.issued_at == clock.now()
    assert all(e["key_source"] == "shares" and e["anomalies"] == [] for e in body["entries"])
    assert [h["released_shares"] for h in body["key_holders"]["holders"]] == [3, 3, 0]
    section = (await client.get(f"/api/sections/{kit.section_id}", headers=people.headers("clerk"))).json()
    assert section["status"] == "opened"

    async with db.session() as session:
        actions = (await session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))).all()
        chain = await verify_chain(session)
    for step in (
        "certificate.issued",
        "keyholders.configured",
        "keyholders.key_registered",
        "bid.uploaded",
        "bid.receipt_issued",
        "bid.withdrawn",
        "opening.started",
        "opening.share_released",
        "bid.unsealed",
        "opening.record_signed",
        "section.opened",
    ):
        assert step in actions, step
    assert actions.count("bid.unsealed") == 3
    assert chain.intact


async def test_too_few_bids_fail_the_section_and_stay_sealed(client, people, kit, clock, db):
    for username in ("bidder_a", "bidder_b"):
        await submit(client, people, kit, username, kit.seal(username, "48000000.00"))
    await pass_deadline(clock, kit)
    opening = await start(client, people, kit)
    assert opening["status"] == "failed"
    assert opening["failure"]["rule"] == "C-09" and opening["entries"] == []
    section = (await client.get(f"/api/sections/{kit.section_id}", headers=people.headers("clerk"))).json()
    assert section["status"] == "failed"
    async with db.session() as session:
        failed = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.name == "section.failed"))
        ).all()
    assert [e.payload["section_id"] for e in failed] == [kit.section_id]
    wraps = await client.get(url(kit, "/shares"), headers=people.headers("clerk"))
    assert wraps.status_code == 409 and wraps.json()["code"] == "opening.not_collecting"
    signed = await client.get(url(kit, "/record"), headers=people.headers("bidder_a"))
    record = verify_document(signed.json(), kit.ca)
    assert (record["outcome"], record["rule"], record["bids_at_deadline"]) == ("failed", "C-09", 2)


async def test_nothing_opens_before_the_deadline(client, people, kit):
    await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "48000000.00"))
    early = await client.post(url(kit), json={}, headers=people.headers("clerk"))
    assert early.status_code == 409
    assert early.json()["code"] == "opening.section_not_closed" and early.json()["rule"]["id"] == "C-08"
    wraps = await client.get(url(kit, "/shares"), headers=people.headers("clerk"))
    assert wraps.status_code == 409 and wraps.json()["code"] == "opening.not_started"
    release = await client.post(
        url(kit, "/shares"),
        json={"shares": [{"bid_id": kit.section_id, "share": "AAAA"}]},
        headers=people.headers("clerk"),
    )
    assert release.status_code == 409


async def submit_three(client, people, kit):
    for username, price in (
        ("bidder_a", "48000000.00"),
        ("bidder_b", "47000000.00"),
        ("bidder_c", "46000000.00"),
    ):
        assert (await submit(client, people, kit, username, kit.seal(username, price))).status_code == 201


async def test_a_share_that_does_not_match_is_refused_and_nothing_is_taken(client, people, kit, clock):
    await submit_three(client, people, kit)
    await pass_deadline(clock, kit)
    await start(client, people, kit)
    wraps = (await client.get(url(kit, "/shares"), headers=people.headers("clerk"))).json()
    # The supervisor's key cannot open the clerk's shares; the clerk uploads made-up shares.
    with pytest.raises(ValueError):
        package.release_share(
            package.manifest_from_json(wraps["bids"][0]["manifest"]), 1, kit.holder_keys["zj_supervisor"]
        )
    bogus = [{"bid_id": item["bid_id"], "share": keys.b64(bytes([1]) + bytes(66))} for item in wraps["bids"]]
    answer = await client.post(url(kit, "/shares"), json={"shares": bogus}, headers=people.headers("clerk"))
    assert answer.status_code == 422 and answer.json()["code"] == "opening.share_invalid"
    opening = (await client.get(url(kit), headers=people.headers("clerk"))).json()
    assert [h["released_shares"] for h in opening["holders"]] == [0, 0, 0]
    outsider = await client.get(url(kit, "/shares"), headers=people.headers("cz_supervisor"))
    assert outsider.status_code == 403 and outsider.json()["code"] == "opening.not_a_holder"


async def test_when_key_holders_fail_bidders_decrypt_their_own_bids(client, people, kit, clock):
    """E-05: only one holder of the two needed releases; two bidders use the remedy in the window,
    the third does not and is rejected, the failure recorded as the platform's side."""
    sealed = {}
    for username, price in (
        ("bidder_a", "48000000.00"),
        ("bidder_b", "47000000.00"),
        ("bidder_c", "46000000.00"),
    ):
        sealed[username] = kit.seal(username, price)
        await submit(client, people, kit, username, sealed[username])
    await pass_deadline(clock, kit)
    await start(client, people, kit)
    await release_all(client, people, kit, holders=("clerk",))
    wrong = await client.post(
        url(kit, "/bidder-key"), json={"content_key": keys.b64(bytes(32))}, headers=people.headers("bidder_a")
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "opening.key_invalid"
    for username in ("bidder_a", "bidder_b"):
        opened = package.read_package(sealed[username])
        content_key = package.bidder_content_key(opened.manifest, kit.bidders[username].decryption_key)
        answer = await client.post(
            url(kit, "/bidder-key"),
            json={"content_key": keys.b64(content_key)},
            headers=people.headers(username),
        )
        assert answer.status_code == 200, answer.text
    during = await unseal(client, people, kit)
    assert during["status"] == "collecting" and during["pending_bids"] == 1
    assert sorted((e["price"], e["key_source"]) for e in during["entries"]) == [
        ("47000000.00", "bidder"),
        ("48000000.00", "bidder"),
    ]
    clock.advance(dt.timedelta(minutes=61))
    late = await client.post(
        url(kit, "/bidder-key"), json={"content_key": keys.b64(bytes(32))}, headers=people.headers("bidder_c")
    )
    assert late.status_code == 409 and late.json()["code"] == "opening.decryption_window_closed"
    after = await unseal(client, people, kit)
    assert after["status"] == "recorded"
    rejected = next(e for e in after["entries"] if e["status"] == "rejected")
    assert rejected["bidder"] == people.org("builder_c").name and rejected["price"] is None
    assert rejected["anomalies"][0]["code"] == "bid.shares_missing"
    assert rejected["anomalies"][0]["cause"] == "platform"


async def test_a_bidder_that_sealed_inconsistent_shares_is_rejected_as_its_own_fault(
    client, people, kit, clock, tmp_path
):
    from tests.bidding.test_sealing import Parties

    await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "48000000.00"))
    await submit(client, people, kit, "bidder_b", kit.seal("bidder_b", "47000000.00"))
    # Bidder C's tool gives holder 3 (the principal) a share of another key.
    cheat = Parties(tmp_path)
    bidder_c = kit.bidders["bidder_c"]
    cheat.signing_key, cheat.uscc, cheat.parameters = bidder_c.signing_key, bidder_c.uscc, kit.parameters
    cheat.certificate = x509.load_pem_x509_certificate(bidder_c.certificate_pem.encode())
    cheat.holders = [kit.holder_keys[h] for h in ("clerk", "zj_supervisor", "principal")]
    answer = await submit(client, people, kit, "bidder_c", seal_with_inconsistent_shares(cheat, tmp_path))
    assert answer.status_code == 201, answer.text  # the server cannot tell without the keys
    await pass_deadline(clock, kit)
    await start(client, people, kit)
    await release_all(client, people, kit, holders=("clerk", "principal"))
    opening = await unseal(client, people, kit)
    assert opening["status"] == "recorded"
    rejected = [e for e in opening["entries"] if e["status"] == "rejected"]
    assert [(e["bidder"], e["anomalies"][0]["code"], e["anomalies"][0]["cause"]) for e in rejected] == [
        (people.org("builder_c").name, "bid.shares_inconsistent", "bidder")
    ]


async def test_revocation_after_the_bid_is_noted_and_a_dated_compromise_rejects(client, people, kit, clock):
    await submit_three(client, people, kit)
    clock.advance(dt.timedelta(hours=2))
    received = clock.now() - dt.timedelta(hours=2)
    for username, body in (
        ("bidder_a", {"reason": "superseded"}),
        (
            "bidder_b",
            {"reason": "key_compromise", "invalid_since": (received - dt.timedelta(minutes=30)).isoformat()},
        ),
    ):
        certificate = x509.load_pem_x509_certificate(kit.bidders[username].certificate_pem.encode())
        answer = await client.post(
            f"/api/bidding/certificates/{certificate.serial_number:x}/revoke",
            json=body,
            headers=people.headers("clerk"),
        )
        assert answer.status_code == 200, answer.text
    await pass_deadline(clock, kit)
    await start(client, people, kit)
    await release_all(client, people, kit)
    entries = {e["bidder"]: e for e in (await unseal(client, people, kit))["entries"]}
    a, b, c = (entries[people.org(k).name] for k in ("builder_a", "builder_b", "builder_c"))
    assert a["status"] == "valid" and [x["code"] for x in a["anomalies"]] == ["bid.certificate_revoked_later"]
    assert b["status"] == "rejected" and [x["code"] for x in b["anomalies"]] == [
        "bid.certificate_compromised"
    ]
    assert c["status"] == "valid" and c["anomalies"] == []


async def test_bidders_confirm_or_object_to_the_record_within_the_window(client, people, kit, clock):
    await submit_three(client, people, kit)
    await pass_deadline(clock, kit)
    await start(client, people, kit)
    await release_all(client, people, kit)
    await unseal(client, people, kit)
    confirm = await client.post(
        url(kit, "/answers"), json={"decision": "confirm"}, headers=people.headers("bidder_a")
    )
    assert confirm.status_code == 201, confirm.text
    no_reason = await client.post(
        url(kit, "/answers"), json={"decision": "object"}, headers=people.headers("bidder_b")
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "opening.objection_reason_required"
    objection = await client.post(
        url(kit, "/answers"),
        json={"decision": "object", "comment": "我方报价的工期读错"},
        headers=people.headers("bidder_b"),
    )
    assert objection.status_code == 201
    twice = await client.post(
        url(kit, "/answers"), json={"decision": "confirm"}, headers=people.headers("bidder_b")
    )
    assert twice.status_code == 409 and twice.json()["code"] == "opening.already_answered"
    stranger = await client.post(
        url(kit, "/answers"), json={"decision": "confirm"}, headers=people.headers("developer")
    )
    assert stranger.status_code == 403
    clock.advance(dt.timedelta(minutes=31))
    late = await client.post(
        url(kit, "/answers"), json={"decision": "confirm"}, headers=people.headers("bidder_c")
    )
    assert late.status_code == 409 and late.json()["code"] == "opening.confirmation_closed"
    opening = (await client.get(url(kit), headers=people.headers("zj_supervisor"))).json()
    assert [(a["bidder"], a["decision"], a["comment"]) for a in opening["answers"]] == [
        (people.org("builder_a").name, "confirm", None),
        (people.org("builder_b").name, "object", "我方报价的工期读错"),
    ]
    assert opening["deemed_confirmed"] == [people.org("builder_c").name]


async def test_the_opening_is_shown_only_to_its_participants(client, people, kit, clock):
    await submit_three(client, people, kit)
    await pass_deadline(clock, kit)
    await start(client, people, kit)
    again = await client.post(url(kit), json={}, headers=people.headers("clerk"))
    assert again.status_code == 409 and again.json()["code"] == "opening.already_started"
    for username, status in (
        ("bidder_a", 200),
        ("developer", 404),
        ("cz_supervisor", 404),
        ("principal", 200),
    ):
        answer = await client.get(url(kit), headers=people.headers(username))
        assert answer.status_code == status, username


def test_a_stored_package_unlike_its_manifest_or_unreadable_is_rejected_as_the_platforms_fault(kit, tmp_path):
    # Defence in depth behind the package checks (which hash every stored file before the
    # opening): at decryption the stored manifest is held to the package's signed one.
    from bidding.opening.decryption import decrypt_one
    from trading.storage import BlobStore

    path = kit.seal("bidder_a", "48000000.00")
    opened = package.read_package(path)
    stored = opened.manifest.model_dump(mode="json")
    key = package.bidder_content_key(opened.manifest, kit.bidders["bidder_a"].decryption_key)

    def outcome(manifest, at):
        return decrypt_one(uuid.uuid4(), at, manifest, {}, key, BlobStore(tmp_path / "plain"))

    changed = outcome({**stored, "sealed_at": "2026-01-01T00:00:00Z"}, path)
    missing = outcome(stored, tmp_path / "missing.bid")
    for rejected, code in ((changed, "bid.package_changed"), (missing, "bid.package_unreadable")):
        assert (rejected.status, rejected.plaintext_sha256) == ("rejected", None)
        assert [(a["code"], a["cause"]) for a in rejected.anomalies] == [(code, "platform")]
    intact = outcome(stored, path)
    assert (intact.status, intact.bid_data["price_fen"]) == ("valid", 4_800_000_000)
