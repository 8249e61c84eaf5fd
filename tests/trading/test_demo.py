"""The demo center a newcomer clicks through."""

import asyncio

import pytest

from trading.demo import DemoAlreadyLoaded, load_demo


async def test_the_demo_publishes_announcements_in_three_sectors_and_holds_one_for_review(client, db, clock):
    logins = await load_demo(db, clock)
    assert {role for _, _, role in logins} >= {"admin", "staff", "auditor", "supervisor", "bidder", "expert"}
    public = (await client.get("/api/public/announcements/")).json()
    assert public["total"] == 4
    assert {a["sector"] for a in public["items"]} == {"construction", "procurement", "land", "property"}

    login = await client.post("/api/auth/login", json={"username": "clerk", "password": "clerk-demo-2026"})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    waiting = (
        await client.get("/api/announcements/", params={"status": "submitted"}, headers=headers)
    ).json()
    assert [a["sector"] for a in waiting] == ["property"]
    statuses = sorted(
        (p["sector"], p["sections"][0]["status"])
        for p in (await client.get("/api/projects/", headers=headers)).json()
    )
    assert statuses == [
        ("construction", "registration_open"),
        ("land", "registration_open"),
        ("procurement", "bidding_closed"),
        ("property", "draft"),
        ("property", "registration_open"),
    ]


async def test_the_demo_has_a_land_listing_and_a_property_transfer_in_progress(client, db, clock):
    await load_demo(db, clock)
    login = await client.post("/api/auth/login", json={"username": "clerk", "password": "clerk-demo-2026"})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    rooms = []
    for project in (await client.get("/api/projects/", headers=headers)).json():
        if project["sector"] in ("land", "property") and project["sections"][0]["status"] != "draft":
            section_id = project["sections"][0]["id"]
            room = await client.get(f"/api/auctions/sections/{section_id}/listing", headers=headers)
            rooms.append(
                (
                    project["sector"],
                    room.json()["phase"],
                    room.json()["current_price"],
                    room.json()["bidders"],
                )
            )
    assert sorted(rooms) == [("land", "listing", "970000000.00", 2), ("property", "listing", None, 1)]


async def test_the_demo_refuses_a_database_that_has_data(db, clock):
    await load_demo(db, clock)
    with pytest.raises(DemoAlreadyLoaded):
        await load_demo(db, clock)


async def test_health_and_readiness(client):
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert set(ready.json()["checks"].values()) == {"ok"}


async def test_concurrent_registrations_get_distinct_consecutive_codes(client, people):
    from tests.trading.factories import construction_project

    answers = await asyncio.gather(
        *[
            client.post("/api/projects/", json=construction_project(people), headers=people.headers("agency"))
            for _ in range(6)
        ]
    )
    assert [a.status_code for a in answers] == [201] * 6
    assert sorted(a.json()["code"] for a in answers) == [f"GC-2026-{n:04d}" for n in range(1, 7)]


# The dates: today, late in a year whose successor has no notice, the Spring Festival and
# the eve of National Day, each in a year no calendar package covers yet.
DEMO_DATES = (
    "2026-12-01T10:00:00+08:00",
    "2027-11-25T10:00:00+08:00",
    "2030-02-07T10:00:00+08:00",
    "2031-09-28T10:00:00+08:00",
)


async def _login(client, username: str) -> dict[str, str]:
    login = await client.post(
        "/api/auth/login", json={"username": username, "password": f"{username}-demo-2026"}
    )
    return {"Authorization": f"Bearer {login.json()['token']}"}


async def _the_demo_center_on(data_dir, when: str) -> None:
    from litestar.testing import AsyncTestClient

    from trading.app import create_app
    from trading.settings import Settings

    app = create_app(Settings(data_dir=data_dir, clock_at=when, event_dispatch_seconds=0))
    async with AsyncTestClient(app=app) as client:
        projects = (await client.get("/api/projects/", headers=await _login(client, "clerk"))).json()
        assert sorted((p["sector"], p["sections"][0]["status"]) for p in projects) == [
            ("construction", "registration_open"),
            ("land", "registration_open"),
            ("procurement", "bidding_closed"),
            ("property", "draft"),
            ("property", "registration_open"),
        ]
        assert (await client.get("/api/public/announcements/")).json()["total"] == 4
        verify = await client.get("/api/audit/verify", headers=await _login(client, "auditor"))
        assert verify.json()["intact"] is True


@pytest.mark.parametrize("when", DEMO_DATES)
def test_the_demo_command_works_on_any_date(tmp_path, when):
    """`trading demo` (README's first command) with the clock set, on a fresh data directory, and
    the center it builds is at the stages the demo promises on that date."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TRADING_DATA_DIR": str(tmp_path), "TRADING_CLOCK_AT": when}
    env.pop("TRADING_DATABASE_URL", None)
    demo = subprocess.run(
        [sys.executable, "-m", "trading", "demo"], env=env, capture_output=True, text=True, timeout=180
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "Demo center loaded" in demo.stdout
    asyncio.run(_the_demo_center_on(tmp_path, when))
