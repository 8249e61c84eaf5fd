"""The e-oversight engine: every timed step from its due date, yellow on the last day, red after,
red at once for a breach, scoped to the sector's supervisors, exactly once, closed when done."""

import asyncio
import datetime as dt

from sqlalchemy import func, select

from tests.funds.helpers import dispatch, open_section, open_subaccount, pay
from tests.funds.helpers import move as funds_move
from tests.trading.factories import award_as_the_decision_does
from tests.trading.oversight.helpers import (
    at,
    awarded_section,
    call,
    candidates,
    evaluated_section,
    move,
    steps,
    warnings,
)
from trading.audit.models import AuditEvent
from trading.oversight import service
from trading.oversight.feed import Breach, publish_breach
from trading.oversight.models import OversightWarning


async def test_candidates_not_published_in_three_days_turn_yellow_then_red(client, people, clock):
    project_id, _ = await evaluated_section(client, people, clock)  # Friday 27 March
    (step,) = (await steps(client, people)).values()
    assert (step["step"], step["rule"], step["due_on"]) == ("candidates_publication", "C-14", "2026-03-30")
    assert step["department"] == "金陵工程咨询招标代理有限公司"
    clock.set(at("2026-03-29", "23:59"))
    assert await warnings(client, people) == []
    clock.set(at("2026-03-30", "00:01"))
    (yellow,) = await warnings(client, people)
    assert (yellow["level"], yellow["reason"], yellow["rule"]) == ("yellow", "due_today", "C-14")
    assert "今日（2026-03-30）到期" in yellow["message"]["zh-CN"]
    clock.set(at("2026-03-31", "08:00"))
    red, _ = await warnings(client, people)
    assert (red["level"], red["reason"]) == ("red", "overdue")
    assert "已逾期1天" in red["message"]["zh-CN"]
    # Only the construction bureau sees it; auditors see all; bidders may not look.
    assert await warnings(client, people, "cz_supervisor") == []
    assert len(await warnings(client, people, "auditor")) == 2
    await call(client, "GET", "/api/oversight/warnings", "bidder_a", people, None, 403)
    # Published late: the step is done, its cards close, the red one stays as a record.
    await candidates(client, people, project_id, clock)
    assert await warnings(client, people, open_only=True) == []
    assert {(w["level"], w["closed"]) for w in await warnings(client, people)} == {
        ("yellow", True),
        ("red", True),
    }
    assert (await steps(client, people))["candidates_publication"]["done_on"] == "2026-03-31"


async def test_a_step_done_on_its_last_day_raises_nothing_after(client, people, clock):
    project_id, _ = await evaluated_section(client, people, clock)
    clock.set(at("2026-03-30", "10:00"))
    assert [w["level"] for w in await warnings(client, people)] == ["yellow"]
    await candidates(client, people, project_id, clock)
    clock.set(at("2026-04-20"))
    (yellow,) = await warnings(client, people)
    assert (yellow["level"], yellow["closed"]) == ("yellow", True)


async def test_a_warning_is_acknowledged_with_a_note_by_its_sectors_supervisor(client, people, clock):
    await evaluated_section(client, people, clock)
    clock.set(at("2026-04-02"))
    (red,) = await warnings(client, people)
    path = f"/api/oversight/warnings/{red['id']}/acknowledge"
    empty = await call(client, "POST", path, "zj_supervisor", people, {"note": ""}, 400)
    assert empty["code"] == "request.invalid"
    await call(client, "POST", path, "cz_supervisor", people, {"note": "已阅"}, 404)
    await call(client, "POST", path, "clerk", people, {"note": "已阅"}, 403)
    done = await call(client, "POST", path, "zj_supervisor", people, {"note": "已电话督促代理机构当日公示"})
    assert (done["acknowledgement"], done["closed"]) == ("已电话督促代理机构当日公示", False)
    again = await call(client, "POST", path, "zj_supervisor", people, {"note": "再次"}, 409)
    assert again["code"] == "warning.acknowledged"


async def test_procurement_award_decision_counts_working_days(client, people, clock):
    _, section_id = await evaluated_section(client, people, clock, sector="procurement")
    step = (await steps(client, people, "cz_supervisor"))["award_decision"]
    # 7 working days after Friday 27 March 2026, Qingming (4–6 April) not counted (P-14).
    assert (step["rule"], step["due_on"], step["due_basis"]) == ("P-14", "2026-04-08", "working_days")
    clock.set(at("2026-04-08"))
    await award_as_the_decision_does(people, section_id, clock.now(), people.org("builder_b").id)
    assert await warnings(client, people, "cz_supervisor") == []
    contract = (await steps(client, people, "cz_supervisor"))["contract"]
    assert (contract["rule"], contract["due_on"]) == ("P-09", "2026-05-08")


async def test_a_contract_signed_late_gets_a_red_card_that_stays_as_a_record(client, people, clock):
    _, section_id = await awarded_section(client, people, clock)  # awarded Wednesday 1 April
    found = await steps(client, people)
    # 30 days end on 1 May, Labour Day: the period runs to the day after the holiday (D-02).
    assert (found["contract"]["rule"], found["contract"]["due_on"]) == ("C-15", "2026-05-06")
    assert (found["oversight_report"]["rule"], found["oversight_report"]["due_on"]) == ("C-19", "2026-04-16")
    report = found["oversight_report"]["id"]
    await call(client, "POST", f"/api/oversight/steps/{report}/done", "bidder_a", people, {"note": "x"}, 403)
    await call(
        client, "POST", f"/api/oversight/steps/{report}/done", "clerk", people, {"note": "收到书面报告第12号"}
    )
    clock.set(at("2026-05-06"))
    assert [w["step"] + ":" + w["level"] for w in await warnings(client, people)] == ["contract:yellow"]
    clock.set(at("2026-05-08"))
    await move(client, people, section_id, "contract")
    red, yellow = await warnings(client, people)
    assert (red["step"], red["level"], red["reason"], red["closed"]) == ("contract", "red", "done_late", True)
    assert "晚于期限2026-05-06" in red["message"]["zh-CN"]
    assert yellow["closed"] is True


async def test_a_cancelled_section_voids_its_open_steps(client, people, clock):
    _, section_id = await evaluated_section(client, people, clock)
    await move(client, people, section_id, "cancel", reason="项目取消")
    clock.set(at("2026-04-30"))
    assert await warnings(client, people) == []
    assert (await steps(client, people))["candidates_publication"]["status"] == "void"


async def test_refunds_come_from_the_funds_feed(client, people, settings, db, clock, app):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    await funds_move(client, people, section_id, "cancel", reason="项目取消")  # due Saturday 7 March (C-16)
    await dispatch(app, db, clock)
    clock.set(at("2026-03-07", "08:00"))
    (yellow,) = await warnings(client, people)
    assert (yellow["step"], yellow["rule"], yellow["level"]) == ("refund", "C-16", "yellow")
    assert yellow["department"] == "交易中心资金结算部"
    # funds' own view agrees, level for level.
    (funds_view,) = await call(client, "GET", "/api/funds/oversight/warnings", "zj_supervisor", people)
    assert funds_view["level"] == "yellow"
    clock.set(at("2026-03-09", "08:00"))
    assert [w["level"] for w in await warnings(client, people, open_only=True)] == ["red", "yellow"]
    dashboard = await call(client, "GET", "/api/oversight/dashboard", "zj_supervisor", people)
    assert [(s["sector"], s["refunds_overdue"], s["open_red"]) for s in dashboard["sectors"]] == [
        ("construction", 1, 1)
    ]


async def test_a_breach_raises_an_immediate_red_card(client, people, clock, app, db):
    _, section_id = await evaluated_section(client, people, clock)
    async with db.session() as session:
        publish_breach(
            session,
            Breach(
                key=f"breach:{section_id}:committee_list",
                step="committee_list_disclosed",
                rule="E-06",
                sector="construction",
                on=dt.date(2026, 3, 27),
                department="交易中心专家管理部",
                subject="GC-2026-0001-01",
                zh="评标委员会名单在定标前被查看",
                en="the committee list was read before the award",
            ),
            at=clock.now(),
        )
        await session.commit()
    await dispatch(app, db, clock)
    (red,) = await warnings(client, people)
    assert (red["level"], red["reason"], red["rule"], red["closed"]) == ("red", "breach", "E-06", False)
    done = await call(
        client,
        "POST",
        f"/api/oversight/warnings/{red['id']}/acknowledge",
        "zj_supervisor",
        people,
        {"note": "已约谈专家管理部负责人"},
    )
    assert done["closed"] is True


async def test_engines_side_by_side_raise_each_card_once(client, people, clock, db, settings):
    await evaluated_section(client, people, clock)
    clock.set(at("2026-03-31"))

    async def one_engine() -> None:
        async with db.session() as session:
            await service.evaluate(session, now=clock.now(), zone=settings.zone)
            await session.commit()

    await asyncio.gather(one_engine(), one_engine(), one_engine())
    async with db.session() as session:
        cards = await session.scalar(select(func.count()).select_from(OversightWarning))
        raised = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "oversight.warning_raised")
        )
        registered = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "oversight.step_registered")
        )
    assert (cards, raised, registered) == (1, 1, 1)


async def test_a_report_to_oversight_not_recorded_in_fifteen_days_turns_yellow_then_red(
    client, people, clock
):
    await awarded_section(client, people, clock)  # awarded Wednesday 1 April: report due 16 April (C-19)
    clock.set(at("2026-04-15", "23:59"))
    assert await warnings(client, people) == []
    clock.set(at("2026-04-16"))
    (yellow,) = await warnings(client, people)
    assert (yellow["step"], yellow["level"], yellow["rule"]) == ("oversight_report", "yellow", "C-19")
    clock.set(at("2026-04-17"))
    levels = {(w["step"], w["level"], w["closed"]) for w in await warnings(client, people)}
    assert levels == {("oversight_report", "yellow", False), ("oversight_report", "red", False)}
    # Only the sector's supervisors see the cards, and the dashboard counts them for that sector only.
    assert await warnings(client, people, "cz_supervisor") == []
    mine = await call(client, "GET", "/api/oversight/dashboard", "zj_supervisor", people)
    assert [(s["sector"], s["open_red"], s["open_yellow"]) for s in mine["sectors"]] == [
        ("construction", 1, 1)
    ]
    theirs = await call(client, "GET", "/api/oversight/dashboard", "cz_supervisor", people)
    assert [s["sector"] for s in theirs["sectors"]] == ["procurement"]
    await call(client, "GET", "/api/oversight/dashboard", "bidder_a", people, None, 403)
    report = (await steps(client, people))["oversight_report"]["id"]
    await call(
        client, "POST", f"/api/oversight/steps/{report}/done", "clerk", people, {"note": "收到书面报告第15号"}
    )
    assert {(w["level"], w["closed"]) for w in await warnings(client, people)} == {
        ("yellow", True),
        ("red", True),
    }


async def test_an_objection_left_unanswered_past_its_three_days_gets_cards(client, people, clock):
    from tests.bidding.helpers import open_section as open_bidding_section
    from tests.trading.test_objections import answer, file, on

    section_id = await open_bidding_section(client, people)
    clock.set(on(17, 10))
    late = (await file(client, people, section_id)).json()  # answer due by the end of 20 March (C-05)
    in_time = (await file(client, people, section_id, "bidder_b")).json()
    clock.set(on(20, 10))
    assert (await answer(client, people, in_time["id"])).status_code == 200
    (yellow,) = await warnings(client, people)
    assert (yellow["step"], yellow["rule"], yellow["level"], yellow["due_on"]) == (
        "objection_answer",
        "C-05",
        "yellow",
        "2026-03-20",
    )
    assert yellow["department"] == "金陵工程咨询招标代理有限公司"
    clock.set(on(21, 10))
    assert {w["level"] for w in await warnings(client, people, open_only=True)} == {"yellow", "red"}
    assert (await answer(client, people, late["id"])).status_code == 200
    assert await warnings(client, people, open_only=True) == []
    found = [s for s in await call(client, "GET", "/api/oversight/steps", "zj_supervisor", people)]
    assert sorted(
        (s["step"], s["status"], s["done_on"]) for s in found if s["step"] == "objection_answer"
    ) == [
        ("objection_answer", "done", "2026-03-20"),
        ("objection_answer", "done", "2026-03-21"),
    ]
