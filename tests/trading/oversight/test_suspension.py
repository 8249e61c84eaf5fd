"""A complaint that suspends the procedure (C-21, P-16; GPL art. 57) holds every move of the
section until its day passes, it is lifted, or the complaint is decided: each side of each."""

from tests.trading.oversight.helpers import DEADLINE, HOUR, announced_section, at, call, move
from tests.trading.test_projects import publish


def challenge_complaint(section_id: str) -> dict:
    return {
        "section_id": section_id,
        "matter": "challenge_answer",
        "claims": "采购文件设置倾向性技术参数，请求责令修改",
        "knew_on": "2026-03-02",
        "challenge_filed_on": "2026-03-02",
    }


async def accepted(client, people, body, supervisor):  # type: ignore[no-untyped-def]
    filed = await call(client, "POST", "/api/complaints/", "bidder_b", people, body, 201)
    path = f"/api/complaints/{filed['id']}"
    await call(
        client, "POST", f"{path}/review", supervisor, people, {"accept": True, "reason": "符合受理条件"}
    )
    return path


def amendment(project_id: str) -> dict:
    return {
        "project_id": project_id,
        "kind": "amendment",
        "title": "64排CT采购项目澄清公告",
        "body": "对采购文件第三章技术参数第5项作如下澄清：探测器排数不少于64排。",
    }


async def test_a_suspended_procurement_takes_no_step_until_lifted_or_its_day_passes(client, people, clock):
    project_id, section_id = await announced_section(client, people, "procurement")
    clock.set(at("2026-03-12"))
    path = await accepted(client, people, challenge_complaint(section_id), "cz_supervisor")
    not_yet = await call(client, "POST", f"{path}/suspension/lift", "cz_supervisor", people, None, 409)
    assert not_yet["code"] == "complaint.not_suspending"
    await call(
        client,
        "POST",
        f"{path}/suspension",
        "cz_supervisor",
        people,
        {"until": "2026-03-20", "reason": "暂停"},
    )

    clock.set(at("2026-03-20", "23:00"))  # the last day of the suspension
    refused = await call(
        client,
        "POST",
        f"/api/sections/{section_id}/transitions",
        "clerk",
        people,
        {"action": "cancel", "reason": "x"},
        409,
    )
    assert (refused["code"], refused["rule"]["id"], refused["details"]["suspended_until"]) == (
        "section.suspended",
        "P-16",
        "2026-03-20",
    )
    published = await publish(client, people, amendment(project_id))
    assert (published.status_code, published.json()["code"]) == (409, "section.suspended")

    # The bureau lifts it early: the clarification goes out.
    lifted = await call(client, "POST", f"{path}/suspension/lift", "cz_supervisor", people)
    assert lifted["suspension_lifted_at"] is not None
    assert (await publish(client, people, amendment(project_id))).status_code == 200

    # Suspended again, through 25 March: on the 26th the section moves on by itself.
    clock.set(at("2026-03-21"))
    await call(
        client,
        "POST",
        f"{path}/suspension",
        "cz_supervisor",
        people,
        {"until": "2026-03-25", "reason": "再次暂停"},
    )
    clock.set(at("2026-03-25", "18:00"))
    await call(
        client,
        "POST",
        f"/api/sections/{section_id}/transitions",
        "clerk",
        people,
        {"action": "cancel", "reason": "x"},
        409,
    )
    clock.set(at("2026-03-26", "00:01"))
    cancelled = await move(client, people, section_id, "cancel", reason="采购需求变更，终止采购")
    assert cancelled["status"] == "cancelled"


async def test_lifting_is_the_bureaus_own_act(client, people, clock):
    _, section_id = await announced_section(client, people, "procurement")
    clock.set(at("2026-03-12"))
    path = await accepted(client, people, challenge_complaint(section_id), "cz_supervisor")
    await call(
        client,
        "POST",
        f"{path}/suspension",
        "cz_supervisor",
        people,
        {"until": "2026-03-20", "reason": "暂停"},
    )
    assert (await client.post(f"{path}/suspension/lift")).status_code == 401
    await call(client, "POST", f"{path}/suspension/lift", "clerk", people, None, 403)
    await call(
        client, "POST", f"{path}/suspension/lift", "zj_supervisor", people, None, 404
    )  # another bureau


async def test_a_suspended_construction_section_does_not_open_until_the_complaint_is_decided(
    client, people, clock
):
    _, section_id = await announced_section(client, people)
    clock.set(at("2026-03-09"))
    body = {
        "section_id": section_id,
        "matter": "other",
        "claims": "招标人限制潜在投标人",
        "knew_on": "2026-03-02",
    }
    path = await accepted(client, people, body, "zj_supervisor")
    await call(
        client,
        "POST",
        f"{path}/suspension",
        "zj_supervisor",
        people,
        {"until": "2026-04-30", "reason": "暂停"},
    )
    clock.set(DEADLINE + HOUR)
    opening = f"/api/bidding/sections/{section_id}/opening"
    refused = await call(client, "POST", opening, "clerk", people, {}, 409)
    assert (refused["code"], refused["rule"]["id"]) == ("section.suspended", "C-21")
    await call(
        client,
        "POST",
        f"{path}/decision",
        "zj_supervisor",
        people,
        {"upheld": False, "decision": "投诉不成立，驳回"},
    )
    # Decided: the suspension ends with it, and the opening starts (and, with no bids, fails, C-09).
    started = await call(client, "POST", opening, "clerk", people, {}, 201)
    assert started["status"] == "failed"
