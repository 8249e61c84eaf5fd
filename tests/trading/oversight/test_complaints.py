"""Complaints and their legal clocks (C-21, P-16), each on both sides of its limit."""

from tests.trading.oversight.helpers import announced_section, at, call, steps, warnings


def complaint(section_id, **changes):
    body = {
        "section_id": section_id,
        "matter": "other",
        "claims": "请求责令招标人重新评标",
        "knew_on": "2026-03-02",
    }
    return {**body, **changes}


async def file(client, people, body, status=201, who="bidder_b"):
    return await call(client, "POST", "/api/complaints/", who, people, body, status)


async def test_construction_complaints_within_ten_days_of_knowing(client, people, clock):
    _, section_id = await announced_section(client, people)
    clock.set(at("2026-03-13"))
    late = await file(client, people, complaint(section_id), 422)
    assert (late["code"], late["rule"]["id"], late["details"]["last_day"]) == (
        "complaint.too_late",
        "C-21",
        "2026-03-12",
    )
    clock.set(at("2026-03-12", "23:00"))
    filed = await file(client, people, complaint(section_id))
    assert (filed["file_by"], filed["status"]) == ("2026-03-12", "filed")


async def test_the_objection_comes_first_and_its_answer_time_is_not_counted(client, people, clock):
    _, section_id = await announced_section(client, people)
    clock.set(at("2026-03-10"))
    first = await file(client, people, complaint(section_id, matter="evaluation_result"), 422)
    assert first["code"] == "complaint.objection_first"
    objected = complaint(
        section_id,
        matter="evaluation_result",
        objection_filed_on="2026-03-04",
        objection_answered_on="2026-03-06",
    )
    clock.set(at("2026-03-15"))
    assert (await file(client, people, objected, 422))["code"] == "complaint.too_late"
    clock.set(at("2026-03-14"))
    assert (await file(client, people, objected))["file_by"] == "2026-03-14"


async def test_a_last_day_on_a_holiday_runs_to_the_day_after_it(client, people, clock):
    _, section_id = await announced_section(client, people)
    clock.set(at("2026-05-06"))
    # Ten days from 21 April end on 1 May, Labour Day (1–5 May): the period runs to 6 May (D-02).
    assert (await file(client, people, complaint(section_id, knew_on="2026-04-21")))[
        "file_by"
    ] == "2026-05-06"


async def test_procurement_complaints_follow_the_challenge(client, people, clock):
    _, section_id = await announced_section(client, people, "procurement")
    clock.set(at("2026-03-10"))
    assert (await file(client, people, complaint(section_id), 422))["code"] == "complaint.challenge_first"
    challenged = complaint(section_id, matter="challenge_answer", challenge_filed_on="2026-03-02")
    # The challenge may be answered until 11 March (7 working days, P-13): not before.
    pending = await file(client, people, challenged, 422)
    assert (pending["code"], pending["details"]["answer_end"]) == (
        "complaint.challenge_pending",
        "2026-03-11",
    )
    answered = await file(client, people, {**challenged, "challenge_answered_on": "2026-03-09"})
    assert answered["file_by"] == "2026-04-01"  # 15 working days after 11 March (P-16)
    clock.set(at("2026-04-02"))
    late = await file(client, people, challenged, 422)
    assert (late["code"], late["rule"]["id"]) == ("complaint.too_late", "P-16")
    clock.set(at("2026-04-01"))
    on_time = await file(client, people, challenged, who="bidder_c")
    # Accepted or refused within 3 working days (Qingming 4–6 April not counted), decided in 30
    # (Labour Day 1–5 May not counted, Saturday 9 May a make-up working day).
    assert (on_time["accept_by"], on_time["decide_by"]) == ("2026-04-07", "2026-05-18")


async def test_a_complaint_is_accepted_suspends_and_is_decided_in_time(client, people, clock):
    _, section_id = await announced_section(client, people, "procurement")
    clock.set(at("2026-03-12"))
    body = complaint(section_id, matter="challenge_answer", challenge_filed_on="2026-03-02")
    filed = await file(client, people, body)
    path = f"/api/complaints/{filed['id']}"
    # Another bidder does not see it; the complainant does; another bureau cannot act on it.
    await call(client, "GET", path, "bidder_a", people, None, 404)
    await call(client, "GET", path, "bidder_b", people)
    await call(
        client, "POST", f"{path}/review", "zj_supervisor", people, {"accept": True, "reason": "x"}, 404
    )
    early = await call(
        client,
        "POST",
        f"{path}/suspension",
        "cz_supervisor",
        people,
        {"until": "2026-03-20", "reason": "暂停"},
        409,
    )
    assert early["code"] == "complaint.not_accepted"
    await call(
        client, "POST", f"{path}/review", "cz_supervisor", people, {"accept": True, "reason": "符合受理条件"}
    )
    too_long = await call(
        client,
        "POST",
        f"{path}/suspension",
        "cz_supervisor",
        people,
        {"until": "2026-04-12", "reason": "暂停采购活动"},
        422,
    )
    assert too_long["code"] == "complaint.suspension_invalid"
    suspended = await call(
        client,
        "POST",
        f"{path}/suspension",
        "cz_supervisor",
        people,
        {"until": "2026-04-11", "reason": "暂停采购活动"},
    )
    assert suspended["suspended_until"] == "2026-04-11"
    clock.set(at("2026-04-10"))
    decided = await call(
        client,
        "POST",
        f"{path}/decision",
        "cz_supervisor",
        people,
        {"upheld": False, "decision": "投诉缺乏事实依据，驳回投诉"},
    )
    assert (decided["status"], decided["upheld"]) == ("decided", False)
    found = await steps(client, people, "cz_supervisor")
    assert found["complaint_acceptance"]["status"] == found["complaint_decision"]["status"] == "done"
    assert await warnings(client, people, "cz_supervisor") == []


async def test_a_complaint_left_unreviewed_raises_cards_for_the_bureau(client, people, clock):
    _, section_id = await announced_section(client, people)
    clock.set(at("2026-03-09"))  # Monday: accept or refuse by Thursday 12 March
    filed = await file(client, people, complaint(section_id))
    assert filed["accept_by"] == "2026-03-12"
    clock.set(at("2026-03-13"))
    (red,) = await warnings(client, people)
    assert (red["step"], red["rule"], red["department"]) == (
        "complaint_acceptance",
        "C-21",
        "住房和城乡建设局",
    )
    accepted = await call(
        client,
        "POST",
        f"/api/complaints/{filed['id']}/review",
        "zj_supervisor",
        people,
        {"accept": True, "reason": "受理"},
    )
    assert accepted["decide_by"] == "2026-04-27"  # 30 working days from 13 March (TLR art. 61)


async def test_a_complaint_not_decided_in_thirty_working_days_raises_cards(client, people, clock):
    _, section_id = await announced_section(client, people)
    clock.set(at("2026-03-09"))
    filed = await file(client, people, complaint(section_id))
    path = f"/api/complaints/{filed['id']}"
    clock.set(at("2026-03-10"))
    accepted = await call(
        client, "POST", f"{path}/review", "zj_supervisor", people, {"accept": True, "reason": "受理"}
    )
    # 30 working days from Tuesday 10 March: 15 in March, 3 before Qingming (4–6 April), then
    # 7–10, 13–17 and 20–22 April (TLR art. 61).
    assert accepted["decide_by"] == "2026-04-22"
    clock.set(at("2026-04-22"))
    (yellow,) = await warnings(client, people)
    assert (yellow["step"], yellow["level"], yellow["rule"]) == ("complaint_decision", "yellow", "C-21")
    clock.set(at("2026-04-23"))
    assert {w["level"] for w in await warnings(client, people, open_only=True)} == {"yellow", "red"}
    await call(
        client, "POST", f"{path}/decision", "zj_supervisor", people, {"upheld": True, "decision": "投诉成立"}
    )
    (red,) = [w for w in await warnings(client, people) if w["level"] == "red"]
    assert (red["reason"], red["closed"]) == ("overdue", True)
    assert await warnings(client, people, open_only=True) == []
