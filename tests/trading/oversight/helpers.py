"""Sections at the steps oversight watches, and the calls the oversight tests repeat."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import START
from tests.trading.factories import (
    award_as_the_decision_does,
    call_announcement,
    construction_project,
    evaluate_as_the_committee_does,
    iso,
    open_as_the_opening_does,
)
from tests.trading.test_projects import publish, register

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DEADLINE = START + 25 * DAY  # Friday 27 March 2026, 09:00


def at(day: str, time: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}:00+08:00")


async def call(
    client: Any, method: str, path: str, who: str, people: Any, body: Any = None, status: int = 200
) -> Any:
    response = await client.request(method, path, json=body, headers=people.headers(who))
    assert response.status_code == status, response.text
    return response.json()


async def announced_section(client: Any, people: Any, sector: str = "construction") -> tuple[str, str]:
    """(project id, section id) of an announced open tender, bid deadline DEADLINE."""
    body = construction_project(people)
    if sector == "procurement":
        body.update(
            sector="procurement",
            name="江宁区人民医院医学影像设备采购项目",
            principal_id=str(people.org("hospital").id),
        )
        body["sections"][0].pop("contract_kind")
        body["sections"][0].update(
            name="64排CT", budget="6800000.00", deposit="10000.00", documents_sale_end=iso(START + 8 * DAY)
        )
    response = await register(client, people, body)
    assert response.status_code == 201, response.text
    project = response.json()
    assert (await publish(client, people, call_announcement(project["id"]))).status_code == 200
    return project["id"], project["sections"][0]["id"]


async def move(client: Any, people: Any, section_id: str, action: str, **body: Any) -> dict:
    return await call(
        client, "POST", f"/api/sections/{section_id}/transitions", "clerk", people, {"action": action, **body}
    )


async def evaluated_section(
    client: Any, people: Any, clock: Any, sector: str = "construction"
) -> tuple[str, str]:
    """A section opened at its deadline and evaluated the same day (Friday 27 March 2026)."""
    project_id, section_id = await announced_section(client, people, sector)
    clock.set(DEADLINE)
    await open_as_the_opening_does(people, section_id, clock.now())
    clock.advance(3 * HOUR)
    await evaluate_as_the_committee_does(people, section_id, clock.now())
    return project_id, section_id


async def warnings(
    client: Any, people: Any, who: str = "zj_supervisor", open_only: bool = False
) -> list[dict]:
    query = "?open_only=true" if open_only else ""
    return await call(client, "GET", f"/api/oversight/warnings{query}", who, people)


async def candidates(client: Any, people: Any, project_id: str, clock: Any) -> None:
    body = {
        "project_id": project_id,
        "kind": "candidates",
        "title": "江宁区城南中学教学楼新建工程中标候选人公示",
        "body": "第一中标候选人：江苏华建建设集团有限公司；第二中标候选人：南京宁安建工有限公司。",
        "publicity_end": iso(clock.now() + 3 * DAY),
    }
    assert (await publish(client, people, body)).status_code == 200


async def opening_session(client: Any, people: Any, clock: Any) -> tuple[str, str, str]:
    """(project id, section id, session id): the opening room booked and its session started
    half an hour before the bid deadline."""
    project_id, section_id = await announced_section(client, people)
    room = await call(
        client,
        "POST",
        "/api/venue/rooms",
        "clerk",
        people,
        {"name": "第一开标室", "kind": "opening", "capacity": 40, "equipment": ["投影"]},
        201,
    )
    booking = await call(
        client,
        "POST",
        "/api/venue/bookings",
        "clerk",
        people,
        {
            "room_id": room["id"],
            "section_id": section_id,
            "purpose": "opening",
            "starts_at": (DEADLINE - HOUR).isoformat(),
            "ends_at": (DEADLINE + 2 * HOUR).isoformat(),
        },
        201,
    )
    clock.set(DEADLINE - HOUR / 2)
    session = await call(
        client, "POST", f"/api/venue/bookings/{booking['id']}/session", "clerk", people, None, 201
    )
    return project_id, section_id, session["id"]


async def awarded_section(client: Any, people: Any, clock: Any) -> tuple[str, str]:
    """A construction section evaluated on 27 March, candidates published the same day, awarded
    after the publicity on Wednesday 1 April 2026."""
    project_id, section_id = await evaluated_section(client, people, clock)
    await candidates(client, people, project_id, clock)
    clock.set(at("2026-04-01"))
    await award_as_the_decision_does(people, section_id, clock.now(), people.org("builder_a").id)
    body = {
        "project_id": project_id,
        "kind": "award",
        "title": "江宁区城南中学教学楼新建工程中标结果公告",
        "body": "中标人：江苏华建建设集团有限公司。",
        "winner_id": str(people.org("builder_a").id),
    }
    assert (await publish(client, people, body)).status_code == 200
    return project_id, section_id


async def steps(client: Any, people: Any, who: str = "zj_supervisor") -> dict[str, dict]:
    return {s["step"]: s for s in await call(client, "GET", "/api/oversight/steps", who, people)}
