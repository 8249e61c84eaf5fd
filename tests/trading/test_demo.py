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
