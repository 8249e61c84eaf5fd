"""Stored packages held to their receipts (E-05): a byte flipped on the platform's disk is found
before unsealing, the bidder is told and hands the same package in again, or the bid is deemed
withdrawn, never rejected as the bidder's fault."""

import datetime as dt
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner
from litestar.cli._utils import LitestarEnv
from sqlalchemy import select

from bidding.cli import bids_group
from bidding.submissions import packages
from bidding.submissions.service import blob_store
from tests.bidding.kit import Kit, pass_deadline, ready_section, release_all, submit
from tests.bidding.test_opening import start, unseal, url
from trading.audit.models import AuditEvent
from trading.events import OutboxEvent


@pytest.fixture
async def kit(client, people, settings, clock, tmp_path) -> Kit:
    return await ready_section(client, people, settings, clock, tmp_path)


async def three_bids(client, people, kit):
    sealed = {}
    for username, price in (
        ("bidder_a", "48600000.00"),
        ("bidder_b", "47900000.00"),
        ("bidder_c", "49000000.00"),
    ):
        sealed[username] = kit.seal(username, price)
        answer = await submit(client, people, kit, username, sealed[username])
        assert answer.status_code == 201, answer.text
        sealed[username + ":sha256"] = answer.json()["body"]["package"]["sha256"]
    return sealed


def flip_a_byte(settings, digest):
    path = blob_store(settings).path_of(digest)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


async def checks(client, people, kit, username):
    answer = await client.get(
        f"/api/bidding/sections/{kit.section_id}/bids/package-checks", headers=people.headers(username)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def hand_in(client, people, kit, username, bid_id, content):
    return await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids/{bid_id}/package",
        content=content,
        headers={**people.headers(username), "Content-Type": "application/octet-stream"},
    )


async def test_the_deadline_check_runs_once_and_a_flipped_byte_is_found_and_told(
    app, client, people, kit, clock, settings, db
):
    sealed = await three_bids(client, people, kit)
    too_early = await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids/package-check", headers=people.headers("clerk")
    )
    assert (too_early.status_code, too_early.json()["code"]) == (409, "bid.package_check_too_early")
    await pass_deadline(clock, kit)
    assert await packages.check_at_deadlines(db.sessionmaker, settings=settings, at=clock.now()) == 1
    assert (
        await packages.check_at_deadlines(db.sessionmaker, settings=settings, at=clock.now()) == 0
    )  # another instance
    assert {c["result"] for c in await checks(client, people, kit, "clerk")} == {"intact"}

    flip_a_byte(settings, sealed["bidder_a:sha256"])
    env = LitestarEnv(app_path="trading.app:create_app", app=app, cwd=Path.cwd())
    command = await anyio.to_thread.run_sync(
        lambda: CliRunner().invoke(bids_group, ["check-packages", "--section", kit.section_id], obj=env)
    )
    assert command.exit_code == 1
    assert command.output.count(" corrupted ") == 1 and "damaged packages found" in command.output
    answer = await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids/package-check", headers=people.headers("clerk")
    )
    assert answer.status_code == 200, answer.text
    assert sorted(c["result"] for c in answer.json()) == ["corrupted", "intact", "intact"]
    mine = await checks(client, people, kit, "bidder_a")
    assert [(c["trigger"], c["result"]) for c in mine] == [
        ("deadline", "intact"),
        ("request", "corrupted"),  # the command
        ("request", "corrupted"),  # the API
    ]
    assert mine[-1]["expected_sha256"] == sealed["bidder_a:sha256"] != mine[-1]["found_sha256"]
    assert [c["result"] for c in await checks(client, people, kit, "bidder_b")] == ["intact"] * 3
    async with db.session() as session:
        told = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.name == "bid.package_corrupted"))
        ).all()
        logged = await session.scalar(select(AuditEvent).where(AuditEvent.action == "bid.package_corrupted"))
    assert [e.payload["bid_id"] for e in told] == [mine[-1]["bid_id"]] * 2
    assert logged.data["result"] == "corrupted"


async def test_the_bidder_hands_in_the_same_package_again_and_its_bid_is_opened(
    client, people, kit, clock, settings
):
    sealed = await three_bids(client, people, kit)
    await pass_deadline(clock, kit)
    flip_a_byte(settings, sealed["bidder_a:sha256"])
    await start(client, people, kit)
    await release_all(client, people, kit)
    opening = await unseal(client, people, kit)
    # Found before unsealing: bidder A's bid waits, the others are read out.
    assert opening["status"] == "collecting" and opening["pending_bids"] == 1
    mine = await checks(client, people, kit, "bidder_a")
    assert [(c["trigger"], c["result"]) for c in mine] == [("opening", "corrupted")]
    bid_id = mine[0]["bid_id"]

    other = await hand_in(client, people, kit, "bidder_a", bid_id, sealed["bidder_b"].read_bytes())
    assert (other.status_code, other.json()["code"]) == (409, "bid.package_not_as_received")
    not_mine = await hand_in(client, people, kit, "bidder_b", bid_id, sealed["bidder_a"].read_bytes())
    assert not_mine.status_code == 404
    again = await hand_in(client, people, kit, "bidder_a", bid_id, sealed["bidder_a"].read_bytes())
    assert again.status_code == 200, again.text
    assert again.json()["result"] == "restored"

    opening = await unseal(client, people, kit)
    assert opening["status"] == "recorded"
    body = (await client.get(url(kit, "/record"), headers=people.headers("bidder_a"))).json()["body"]
    entry = next(e for e in body["entries"] if e["bid_id"] == bid_id)
    assert (entry["status"], entry["price"]) == ("valid", "48600000.00")
    assert [(a["code"], a["cause"], a["remedy"]) for a in entry["anomalies"]] == [
        ("bid.package_restored", "platform", "handed_in_again")
    ]
    late = await hand_in(client, people, kit, "bidder_a", bid_id, sealed["bidder_a"].read_bytes())
    assert (late.status_code, late.json()["code"]) == (409, "bid.package_not_damaged")


async def test_a_package_not_handed_in_again_is_deemed_withdrawn_not_rejected(
    client, people, kit, clock, settings
):
    sealed = await three_bids(client, people, kit)
    await pass_deadline(clock, kit)
    blob_store(settings).path_of(sealed["bidder_c:sha256"]).unlink()
    await start(client, people, kit)
    await release_all(client, people, kit)
    assert (await unseal(client, people, kit))["pending_bids"] == 1
    clock.advance(dt.timedelta(hours=2))  # past the decryption window
    assert (await unseal(client, people, kit))["status"] == "recorded"
    body = (await client.get(url(kit, "/record"), headers=people.headers("bidder_c"))).json()["body"]
    entry = next(e for e in body["entries"] if e["bidder"]["name"] == people.org("builder_c").name)
    assert entry["status"] == "withdrawn"
    assert [(a["code"], a["cause"], a["remedy"]) for a in entry["anomalies"]] == [
        ("bid.package_corrupted", "platform", "deemed_withdrawn")
    ]
    assert body["summary"] | {"lowest_price": None} == {
        "valid": 2,
        "rejected": 0,
        "withdrawn": 1,
        "lowest_price": None,
    }
