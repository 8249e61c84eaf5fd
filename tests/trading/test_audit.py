"""The audit chain: every change leaves an event; a hand edit anywhere is found."""

import itertools
import os
import subprocess
import sys

from sqlalchemy import text

from tests.trading.test_announcements import announced_project


async def hand_edit(db, statement: str, **params) -> None:
    """What a person with database access could do; on PostgreSQL the audit log's append-only
    triggers must be switched off first (as the tables' owner can)."""
    postgres = db.dialect == "postgresql"
    async with db.engine.begin() as conn:
        if postgres:
            await conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        await conn.execute(text(statement), params)
        if postgres:
            await conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))


async def events(client, people, **params):
    response = await client.get("/api/audit/events", params=params, headers=people.headers("auditor"))
    assert response.status_code == 200
    return response.json()


async def test_each_step_of_an_announcement_is_in_the_chain(client, people):
    project = await announced_project(client, people)
    actions = [e["action"] for e in await events(client, people, subject_type="announcement")]
    assert actions == [
        "announcement.drafted",
        "announcement.submitted",
        "announcement.approved",
        "announcement.published",
    ]
    section_events = await events(client, people, subject_id=project["sections"][0]["id"])
    assert [e["action"] for e in section_events] == ["section.announced"]
    assert section_events[0]["actor_name"] == "clerk"


async def test_the_chain_links_each_event_to_the_previous(client, people):
    await announced_project(client, people)
    chain = await events(client, people, limit=1000)
    assert chain[0]["prev_hash"] == "0" * 64
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(chain))
    report = (await client.get("/api/audit/verify", headers=people.headers("auditor"))).json()
    assert report == {
        "events": len(chain),
        "intact": True,
        "first_broken_seq": None,
        "reason": None,
        "checkpoints_checked": 0,
        "checkpoint_size": None,
    }


async def test_editing_a_past_event_by_hand_is_detected_at_that_event(client, people, db):
    await announced_project(client, people)
    chain = await events(client, people, subject_type="announcement")
    target = chain[1]["seq"]
    await hand_edit(db, "UPDATE audit_event SET actor_name = 'someone_else' WHERE seq = :seq", seq=target)
    report = (await client.get("/api/audit/verify", headers=people.headers("auditor"))).json()
    assert report["intact"] is False
    assert report["first_broken_seq"] == target


async def test_deleting_a_past_event_is_detected(client, people, db):
    await announced_project(client, people)
    chain = await events(client, people, subject_type="announcement")
    await hand_edit(db, "DELETE FROM audit_event WHERE seq = :seq", seq=chain[2]["seq"])
    report = (await client.get("/api/audit/verify", headers=people.headers("auditor"))).json()
    assert report["first_broken_seq"] == chain[2]["seq"]
    assert "missing" in report["reason"]


async def test_changing_the_recorded_data_is_detected(client, people, db):
    await announced_project(client, people)
    chain = await events(client, people, subject_type="announcement")
    await hand_edit(
        db,
        "UPDATE audit_event SET data = :data WHERE seq = :seq",
        data='{"title": "篡改"}',
        seq=chain[0]["seq"],
    )
    report = (await client.get("/api/audit/verify", headers=people.headers("auditor"))).json()
    assert report["first_broken_seq"] == chain[0]["seq"]


def test_the_cli_names_the_first_broken_link(tmp_path):
    # The CLI's clock is set: the demo it builds must not depend on the day the test runs.
    env = {**os.environ, "TRADING_DATA_DIR": str(tmp_path), "TRADING_CLOCK_AT": "2026-03-02T09:00:00+08:00"}
    trading = [sys.executable, "-m", "trading"]
    demo = subprocess.run([*trading, "demo"], env=env, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr
    ok = subprocess.run([*trading, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0
    assert "intact" in ok.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "trading.db") as conn:
        conn.execute("UPDATE audit_event SET action = 'forged' WHERE seq = 7")
    broken = subprocess.run(
        [*trading, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60
    )
    assert broken.returncode == 1
    assert "BROKEN at event 7" in broken.stderr
