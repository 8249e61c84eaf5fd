"""Supervision of a procedure, over HTTP, the way the bureau and the center walk it: the opening
session with the supervisor's log, a step done late (yellow, then red), a supervision letter and
its answer, and the month's circular showing it all."""

from tests.trading.factories import (
    award_as_the_decision_does,
    evaluate_as_the_committee_does,
    open_as_the_opening_does,
)
from tests.trading.oversight.helpers import (
    HOUR,
    at,
    call,
    candidates,
    evaluated_section,
    opening_session,
    warnings,
)


async def test_construction_opening_session_late_publicity_letter_and_circular(client, people, clock):
    project_id, section_id, session_id = await opening_session(client, people, clock)
    session_path = f"/api/venue/sessions/{session_id}"
    for role, name, who in (("staff", "王敏", "clerk"), ("supervisor", "周监督", "zj_supervisor")):
        await call(
            client,
            "POST",
            f"{session_path}/check-ins",
            who,
            people,
            {"role": role, "name": name, "presence": "present"},
            201,
        )
    log = f"/api/supervision/sessions/{session_id}/entries"
    await call(
        client,
        "POST",
        log,
        "zj_supervisor",
        people,
        {"kind": "observation", "body": "开标前核验投标人代表身份，3家均在线参加"},
        201,
    )
    clock.advance(HOUR / 2)  # the bid deadline: the electronic opening runs
    await open_as_the_opening_does(people, section_id, clock.now())
    await call(
        client,
        "POST",
        log,
        "zj_supervisor",
        people,
        {"kind": "intervention", "body": "唱标时要求核对2号投标人报价大写金额"},
        201,
    )
    clock.advance(HOUR)
    await call(client, "POST", f"{session_path}/moves", "clerk", people, {"action": "close"})
    timeline = await call(client, "GET", session_path, "zj_supervisor", people)
    assert [i["kind"] for i in timeline["items"] if i["source"] == "supervision"] == [
        "observation",
        "intervention",
    ]
    assert "section.opened" in [i["kind"] for i in timeline["items"]]
    assert (await call(client, "GET", "/api/supervision/verify", "zj_supervisor", people))["intact"] is True

    await evaluate_as_the_committee_does(
        people, section_id, clock.now()
    )  # Friday 27 March: candidates due by Monday 30
    clock.set(at("2026-03-30"))
    assert [w["level"] for w in await warnings(client, people)] == ["yellow"]
    clock.set(at("2026-03-31"))
    red = next(w for w in await warnings(client, people) if w["level"] == "red")
    assert (red["rule"], red["step"]) == ("C-14", "candidates_publication")
    await call(
        client,
        "POST",
        f"/api/oversight/warnings/{red['id']}/acknowledge",
        "zj_supervisor",
        people,
        {"note": "已核实，发督办函"},
    )
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
            "subject": "关于中标候选人未按期公示的督办函",
            "body": "请说明原因并于4月3日前整改。",
            "due_on": "2026-04-03",
        },
        201,
    )
    await candidates(client, people, project_id, clock)
    clock.set(at("2026-04-01"))
    mine = await call(client, "GET", "/api/oversight/letters", "agency", people)
    assert [x["number"] for x in mine] == [letter["number"]]
    await call(
        client,
        "POST",
        f"/api/oversight/letters/{letter['id']}/answer",
        "agency",
        people,
        {"explanation": "评标报告签收延误", "correction": "已于3月31日公示，建立公示时限提醒"},
    )
    accepted = await call(
        client,
        "POST",
        f"/api/oversight/letters/{letter['id']}/review",
        "zj_supervisor",
        people,
        {"accept": True, "note": "整改到位"},
    )
    assert accepted["status"] == "accepted"

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
    assert (content["warnings"]["yellow"], content["warnings"]["red"]) == (1, 1)
    assert content["letters"]["issued"] == 1
    assert content["on_time"]["by_step"] == [
        {"step": "candidates_publication", "due": 1, "on_time": 0, "rate": "0.0", "previous_rate": None}
    ]
    export = await client.get("/api/oversight/exports/warnings.csv", headers=people.headers("zj_supervisor"))
    assert export.status_code == 200 and "C-14" in export.text
    assert await call(client, "GET", "/api/oversight/circulars", "cz_supervisor", people) == []


async def test_procurement_award_decided_late_gets_cards_and_a_letter(client, people, clock):
    _, section_id = await evaluated_section(client, people, clock, sector="procurement")
    clock.set(at("2026-04-08"))
    assert [w["level"] for w in await warnings(client, people, "cz_supervisor")] == ["yellow"]
    clock.set(at("2026-04-09"))
    red = next(w for w in await warnings(client, people, "cz_supervisor") if w["level"] == "red")
    assert (red["rule"], red["department"]) == ("P-14", "金陵工程咨询招标代理有限公司")
    assert await warnings(client, people, "zj_supervisor") == []
    letter = await call(
        client,
        "POST",
        "/api/oversight/letters",
        "cz_supervisor",
        people,
        {
            "warning_id": red["id"],
            "addressee_kind": "principal",
            "organisation_id": str(people.org("hospital").id),
            "subject": "关于逾期确定成交供应商的督办函",
            "body": "请立即确定成交供应商。",
            "due_on": "2026-04-13",
        },
        201,
    )
    await award_as_the_decision_does(people, section_id, clock.now(), people.org("builder_b").id)
    await call(
        client,
        "POST",
        f"/api/oversight/letters/{letter['id']}/answer",
        "hospital",
        people,
        {"explanation": "院务会延期", "correction": "已于4月9日确定成交供应商"},
    )
    clock.set(at("2026-05-01"))
    april = await call(
        client,
        "POST",
        "/api/oversight/circulars",
        "cz_supervisor",
        people,
        {"sector": "procurement", "month": "2026-04"},
        201,
    )
    assert april["content"]["warnings"]["by_department_step"] == [
        {"department": "金陵工程咨询招标代理有限公司", "step": "award_decision", "yellow": 1, "red": 1}
    ]
    assert april["content"]["letters"] == {"issued": 1, "answered": 1, "escalated": 0}
