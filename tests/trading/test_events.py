"""Domain events reach other packages once, after the change that caused them commits."""

import datetime as dt

from sqlalchemy import func, select

from tests.trading.factories import construction_project
from tests.trading.test_projects import register
from trading.events import EventBus, OutboxEvent


async def test_a_cancelled_section_publishes_one_event_handled_once(client, people, db, clock):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    response = await client.post(
        f"/api/sections/{section_id}/transitions",
        json={"action": "cancel", "reason": "项目资金未落实"},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 200

    seen = []

    async def on_cancelled(session, payload, now):
        seen.append((payload["section_id"], payload["reason"]))

    bus = EventBus()
    bus.subscribe("section.cancelled", on_cancelled)
    assert await bus.dispatch_pending(db.sessionmaker, clock.now) == 1
    assert await bus.dispatch_pending(db.sessionmaker, clock.now) == 0
    assert seen == [(section_id, "项目资金未落实")]


async def test_a_failing_handler_leaves_the_event_for_a_retry(client, people, db, clock):
    project = (await register(client, people, construction_project(people))).json()
    await client.post(
        f"/api/sections/{project['sections'][0]['id']}/transitions",
        json={"action": "cancel", "reason": "撤销"},
        headers=people.headers("clerk"),
    )
    calls = []

    async def flaky(session, payload, now):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("bank interface down")

    bus = EventBus()
    bus.subscribe("section.cancelled", flaky)
    assert await bus.dispatch_pending(db.sessionmaker, clock.now) == 0
    clock.advance(dt.timedelta(minutes=1))
    assert await bus.dispatch_pending(db.sessionmaker, clock.now) == 1
    async with db.session() as session:
        event = await session.scalar(select(OutboxEvent))
        assert event.attempts == 1
        assert event.handled_at is not None
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
