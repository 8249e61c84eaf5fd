"""Request bodies a test can take and change one field of."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import START
from trading.audit.service import SYSTEM
from trading.db.session import Database
from trading.projects import service as projects


def iso(instant: dt.datetime) -> str:
    return instant.isoformat()


def construction_project(
    people: Any, *, days_to_deadline: int = 25, deposit: str = "20000.00", **section: Any
) -> dict:
    """An open tender for works, its documents issued today (START), deadline `days_to_deadline` later."""
    body = {
        "name": "江宁区城南中学教学楼新建工程",
        "sector": "construction",
        "region": "江宁区",
        "description": "新建教学楼一栋",
        "principal_id": str(people.org("city_invest").id),
        "agency_id": str(people.org("agency").id),
        "sections": [
            {
                "name": "施工总承包",
                "procedure": "open_tender",
                "contract_kind": "works",
                "budget": "48600000.00",
                "deposit": deposit,
                "bid_validity_days": 90,
                "documents_issued_at": iso(START),
                "documents_sale_start": iso(START),
                # Monday to Monday: 5 days for C-03, and 5 working days for P-02 when reused.
                "documents_sale_end": iso(START + dt.timedelta(days=7)),
                "registration_start": iso(START),
                "bid_deadline": iso(START + dt.timedelta(days=days_to_deadline)),
            }
        ],
    }
    body["sections"][0].update(section)
    return body


def call_announcement(project_id: str, **changes: Any) -> dict:
    body = {
        "project_id": project_id,
        "kind": "call",
        "title": "江宁区城南中学教学楼新建工程施工招标公告",
        "body": "本招标项目已批准建设，招标人为江宁城市建设投资集团有限公司，现对施工总承包进行公开招标。",
    }
    body.update(changes)
    return body


async def open_as_the_opening_does(people: Any, section_id: str, at: dt.datetime) -> None:
    """Move a tendering section to `opened` the way bidding's electronic opening does (with the
    digest of its opening record), for tests of what comes after the opening."""
    import uuid

    db = Database(people.app.state.settings.resolved_database_url())
    try:
        async with db.session() as session:
            section = await projects.get_section(session, uuid.UUID(section_id))
            await projects.transition(
                session, section, "open_bids", actor=SYSTEM, at=at, data={"record_sha256": "0" * 64}
            )
            await session.commit()
    finally:
        await db.dispose()


async def _transition_as_a_package_does(
    people: Any, section_id: str, action: str, at: dt.datetime, **kw: Any
) -> None:
    import uuid

    db = Database(people.app.state.settings.resolved_database_url())
    try:
        async with db.session() as session:
            section = await projects.get_section(session, uuid.UUID(section_id))
            data = kw.pop("data")
            await projects.transition(session, section, action, actor=SYSTEM, at=at, data=data(section), **kw)
            await session.commit()
    finally:
        await db.dispose()


async def evaluate_as_the_committee_does(people: Any, section_id: str, at: dt.datetime) -> None:
    """Move an opened tendering section to `evaluated` the way the committee's signed report does
    (experts/evaluations), for tests of what comes after the evaluation."""
    await _transition_as_a_package_does(
        people, section_id, "evaluate", at, data=lambda _: {"report_sha256": "0" * 64, "evaluation": "test"}
    )


async def award_as_the_decision_does(people: Any, section_id: str, at: dt.datetime, winner_id: Any) -> None:
    """Award a tendering section the way the award decision on the committee's candidates does
    (experts/awards, where C-20 and the objection pause are held), for tests of what comes after
    (C-20 / P-14: never awarded by hand). An award announcement published later only tells it."""
    await _transition_as_a_package_does(
        people, section_id, "award", at, winner_id=winner_id, data=lambda _: {"award": "test"}
    )


async def award_as_the_sale_does(
    people: Any, section_id: str, at: dt.datetime, winner_id: Any, price_fen: int | None = None
) -> None:
    """Award a land or property section the way bidding's listing or auction does (naming its
    sale and price), for tests of what comes after the sale (L-03: never awarded by hand)."""
    import uuid

    await _transition_as_a_package_does(
        people,
        section_id,
        "award",
        at,
        winner_id=winner_id,
        data=lambda section: {
            "sale_id": str(uuid.uuid4()),
            "price_fen": price_fen or section.starting_price_fen,
        },
    )
