"""One center on two machines (issue 23, point 4): two app instances, separate processes on their
own loopback ports, on the same PostgreSQL database and Redis namespace. A bidder works on one,
staff on the other; the scheduled side effects that both instances run happen exactly once; a
revoked session and the login failure limit hold on both."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from sqlalchemy import func, select

from bidding.submissions.models import PackageCheck
from tests.bidding.kit import ready_section, release_all
from tests.conftest import START
from tests.instances import clients, running
from trading.audit.models import AuditEvent, LogCheckpoint
from trading.demo import PEOPLE

PASSWORD = {person.username: person.password for person in PEOPLE}


@pytest.fixture
def distributed(backend: str) -> None:
    if backend != "distributed":
        pytest.skip("several instances need PostgreSQL and Redis")


async def until(condition, patience: float = 90) -> None:  # type: ignore[no-untyped-def]
    """Wait for the instances' jobs (they run on their own schedule), without a timed assertion."""
    deadline = time.monotonic() + patience
    while not await condition():
        assert time.monotonic() < deadline, "the instances did not get there"
        await asyncio.sleep(0.5)


async def test_a_bidder_on_one_instance_and_staff_on_the_other_and_deadline_work_done_once(
    distributed, client, people, settings, clock, db, tmp_path
):
    kit = await ready_section(client, people, settings, clock, tmp_path)
    section = kit.section_id

    # Before the deadline: the bidders hand in on instance A, the clerk follows on instance B.
    with running(settings, clock_at=START + dt.timedelta(days=2), logs=tmp_path / "before") as instances:
        async with clients(instances) as (a, b):
            for username, price in (
                ("bidder_a", "48600000.00"),
                ("bidder_b", "47900000.00"),
                ("bidder_c", "49000000.00"),
            ):
                handed_in = await a.post(
                    f"/api/bidding/sections/{section}/bids",
                    content=kit.seal(username, price).read_bytes(),
                    headers={**people.headers(username), "Content-Type": "application/octet-stream"},
                )
                assert handed_in.status_code == 201, handed_in.text
            overview = await b.get(f"/api/bidding/sections/{section}/bids", headers=people.headers("clerk"))
            assert overview.status_code == 200, overview.text
            assert overview.json()["active_bids"] == 3

    # After the deadline both instances run the scheduled jobs, every half second.
    after = kit.deadline + dt.timedelta(minutes=1)
    with running(settings, clock_at=after, dispatch_seconds=0.5, logs=tmp_path / "after") as instances:

        async def deadline_checked() -> bool:
            async with db.session() as session:
                return bool(
                    await session.scalar(
                        select(func.count())
                        .select_from(PackageCheck)
                        .where(PackageCheck.trigger == "deadline")
                    )
                )

        await until(deadline_checked)
        # Several more rounds of both instances' jobs: nothing is done twice.
        await asyncio.sleep(3)
        async with db.session() as session:
            checks = await session.scalar(
                select(func.count()).select_from(PackageCheck).where(PackageCheck.trigger == "deadline")
            )
            logged = await session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "bid.packages_checked")
            )
            sizes = (await session.execute(select(LogCheckpoint.log_id, LogCheckpoint.tree_size))).all()
        assert checks == 3  # one per bid
        assert logged == 1  # one check of the section
        assert len(sizes) == len(set(sizes))  # never two checkpoints of the same log and size

        async with clients(instances) as (a, b):
            started = await b.post(
                f"/api/bidding/sections/{section}/opening", json={}, headers=people.headers("clerk")
            )
            assert started.status_code == 201, started.text
            await release_all(a, people, kit, holders=("clerk",))
            await release_all(b, people, kit, holders=("zj_supervisor",))
            unsealed = await b.post(
                f"/api/bidding/sections/{section}/opening/unseal", headers=people.headers("clerk")
            )
            assert unsealed.status_code == 200, unsealed.text
            record = await a.get(
                f"/api/bidding/sections/{section}/opening/record", headers=people.headers("bidder_a")
            )
            assert record.status_code == 200, record.text
            prices = sorted(e["price"] for e in record.json()["body"]["entries"])
            assert prices == ["47900000.00", "48600000.00", "49000000.00"]


async def test_a_revoked_session_and_the_login_limit_hold_on_every_instance(
    distributed, people, settings, tmp_path
):
    with running(settings, clock_at=START, logs=tmp_path / "logs") as instances:
        async with clients(instances) as (a, b):
            token = people.headers("bidder_c")
            assert (await a.get("/api/auth/me", headers=token)).status_code == 200
            deactivated = await b.post(
                f"/api/users/{people.user('bidder_c').id}/deactivate", headers=people.headers("admin")
            )
            assert deactivated.status_code == 200, deactivated.text
            assert (await a.get("/api/auth/me", headers=token)).status_code == 401

            # Five failures, spread over both instances, lock the account on both.
            for i in range(settings.login_max_failures):
                wrong = await (a, b)[i % 2].post(
                    "/api/auth/login", json={"username": "bidder_b", "password": "wrong-password-123"}
                )
                assert wrong.status_code in (401, 429), wrong.text
            for instance in (a, b):
                right = await instance.post(
                    "/api/auth/login", json={"username": "bidder_b", "password": PASSWORD["bidder_b"]}
                )
                assert right.status_code != 200
                assert right.json()["code"] == "auth.locked"
