"""The monthly circular (情况通报): its figures recomputed by hand for a small month, kept as is."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.trading.factories import evaluate_as_the_committee_does, open_as_the_opening_does
from tests.trading.oversight.helpers import (
    DEADLINE,
    HOUR,
    announced_section,
    at,
    call,
    candidates,
    warnings,
)

AGENCY = "金陵工程咨询招标代理有限公司"


async def small_march(client, people, clock):
    """Two sections evaluated on Friday 27 March: one publishes its candidates the same day, one
    a day late (yellow on 30 March, red on 31 March); a letter on the red card, answered in April."""
    late_project, late_section = await announced_section(client, people)
    prompt_project, prompt_section = await announced_section(client, people)
    clock.set(DEADLINE)
    for section_id in (late_section, prompt_section):
        await open_as_the_opening_does(people, section_id, clock.now())
    clock.advance(3 * HOUR)
    for section_id in (late_section, prompt_section):
        await evaluate_as_the_committee_does(people, section_id, clock.now())
    await candidates(client, people, prompt_project, clock)
    clock.set(at("2026-03-30"))
    await warnings(client, people)
    clock.set(at("2026-03-31"))
    red = next(w for w in await warnings(client, people) if w["level"] == "red")
    await candidates(client, people, late_project, clock)
    letter = await call(
        client,
        "POST",
        "/api/oversight/letters",
        "zj_supervisor",
        people,
        {
            "warning_id": red["id"],
            "addressee_kind": "agency",
            "organisation_id": str(people.org("agency").id),
            "subject": "督办函",
            "body": "请说明逾期公示原因",
            "due_on": "2026-04-03",
        },
        201,
    )
    clock.set(at("2026-04-01"))
    await call(
        client,
        "POST",
        f"/api/oversight/letters/{letter['id']}/answer",
        "agency",
        people,
        {"explanation": "说明", "correction": "整改"},
    )


async def test_the_circular_of_a_small_month_matches_the_hand_count(client, people, clock):
    await small_march(client, people, clock)
    early = await call(
        client,
        "POST",
        "/api/oversight/circulars",
        "zj_supervisor",
        people,
        {"sector": "construction", "month": "2026-04"},
        409,
    )
    assert early["code"] == "circular.month_not_over"
    circular = await call(
        client,
        "POST",
        "/api/oversight/circulars",
        "zj_supervisor",
        people,
        {"sector": "construction", "month": "2026-03"},
        201,
    )
    content = circular["content"]
    assert content["warnings"] == {
        "yellow": 1,
        "red": 1,
        "by_department_step": [
            {"department": AGENCY, "step": "candidates_publication", "yellow": 1, "red": 1}
        ],
    }
    # Issued on 31 March; answered on 1 April, so in April's circular.
    assert content["letters"] == {"issued": 1, "answered": 0, "escalated": 0}
    # Two publications due in March, one on time: 50 %; nothing was due in February.
    assert content["on_time"]["by_department"] == [
        {"department": AGENCY, "due": 2, "on_time": 1, "rate": "50.0", "previous_rate": None}
    ]
    assert content["on_time"]["by_step"] == [
        {"step": "candidates_publication", "due": 2, "on_time": 1, "rate": "50.0", "previous_rate": None}
    ]
    again = await call(
        client,
        "POST",
        "/api/oversight/circulars",
        "zj_supervisor",
        people,
        {"sector": "construction", "month": "2026-03"},
        409,
    )
    assert again["code"] == "circular.exists"
    await call(
        client,
        "POST",
        "/api/oversight/circulars",
        "cz_supervisor",
        people,
        {"sector": "construction", "month": "2026-03"},
        404,
    )
    assert await call(client, "GET", "/api/oversight/circulars", "cz_supervisor", people) == []
    shown = await call(client, "GET", f"/api/oversight/circulars/{circular['id']}", "auditor", people)
    assert shown["sha256"] == circular["sha256"]


async def test_april_compares_with_march(client, people, clock):
    await small_march(client, people, clock)
    clock.set(at("2026-05-01"))
    april = await call(
        client,
        "POST",
        "/api/oversight/circulars",
        "zj_supervisor",
        people,
        {"sector": "construction", "month": "2026-04"},
        201,
    )
    # The letter's answer was due on 3 April and came on 1 April: on time, 100 %.
    assert april["content"]["letters"] == {"issued": 0, "answered": 1, "escalated": 0}
    assert april["content"]["on_time"]["by_department"] == [
        {"department": AGENCY, "due": 1, "on_time": 1, "rate": "100.0", "previous_rate": "50.0"}
    ]


async def test_a_circular_cannot_be_changed_in_the_database(client, people, clock, db):
    await small_march(client, people, clock)
    await call(
        client,
        "POST",
        "/api/oversight/circulars",
        "zj_supervisor",
        people,
        {"sector": "construction", "month": "2026-03"},
        201,
    )
    for statement in ("UPDATE oversight_circular SET sha256 = 'x'", "DELETE FROM oversight_circular"):
        async with db.session() as session:
            with pytest.raises((DBAPIError, IntegrityError)):
                await session.execute(text(statement))
            await session.rollback()
