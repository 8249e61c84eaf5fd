"""Rooms, bookings (no double booking, none outside the section's dates), the day view, and a
session's timeline."""

from tests.trading.factories import evaluate_as_the_committee_does, open_as_the_opening_does
from tests.trading.oversight.helpers import DEADLINE, HOUR, announced_section, call


async def room(client, people, name="第一开标室", kind="opening"):
    body = {"name": name, "kind": kind, "capacity": 40, "equipment": ["投影", "录音录像", "电子开标终端"]}
    return await call(client, "POST", "/api/venue/rooms", "clerk", people, body, 201)


async def book(client, people, room_id, section_id, start, end, purpose="opening", status=201):
    body = {
        "room_id": room_id,
        "section_id": section_id,
        "purpose": purpose,
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
    }
    return await call(client, "POST", "/api/venue/bookings", "clerk", people, body, status)


async def test_a_room_is_not_booked_twice_for_overlapping_times(client, people):
    _, section_id = await announced_section(client, people)
    _, other_section = await announced_section(client, people)
    opening = await room(client, people)
    await book(client, people, opening["id"], section_id, DEADLINE - HOUR, DEADLINE + 2 * HOUR)
    clash = await book(client, people, opening["id"], other_section, DEADLINE, DEADLINE + HOUR, status=409)
    assert clash["code"] == "booking.room_taken"
    # Ending when the first one starts is no overlap: the limit itself is free.
    other_room = await room(client, people, "第二开标室")
    await book(client, people, other_room["id"], other_section, DEADLINE - HOUR, DEADLINE + HOUR)
    evaluation = await room(client, people, "第一评标室", "evaluation")
    await book(
        client, people, evaluation["id"], section_id, DEADLINE + 2 * HOUR, DEADLINE + 6 * HOUR, "evaluation"
    )
    await book(
        client,
        people,
        evaluation["id"],
        other_section,
        DEADLINE + 6 * HOUR,
        DEADLINE + 9 * HOUR,
        "evaluation",
    )
    late = await book(
        client,
        people,
        evaluation["id"],
        other_section,
        DEADLINE + 5 * HOUR,
        DEADLINE + 7 * HOUR,
        "evaluation",
        status=409,
    )
    assert late["code"] == "booking.room_taken"


async def test_bookings_outside_the_sections_dates_are_refused(client, people):
    _, section_id = await announced_section(client, people)
    opening = await room(client, people)
    before = await book(client, people, opening["id"], section_id, DEADLINE - 3 * HOUR, DEADLINE, status=409)
    assert (before["code"], before["rule"]["id"]) == ("booking.outside_section_dates", "C-08")
    evaluation = await room(client, people, "第一评标室", "evaluation")
    early = await book(
        client,
        people,
        evaluation["id"],
        section_id,
        DEADLINE - HOUR,
        DEADLINE + HOUR,
        "evaluation",
        status=409,
    )
    assert early["code"] == "booking.outside_section_dates"
    await book(client, people, evaluation["id"], section_id, DEADLINE, DEADLINE + HOUR, "evaluation")
    wrong_room = await book(
        client, people, evaluation["id"], section_id, DEADLINE - HOUR, DEADLINE + HOUR, status=422
    )
    assert wrong_room["code"] == "booking.room_kind"


async def test_the_day_view_shows_one_rooms_bookings_of_that_day(client, people):
    _, section_id = await announced_section(client, people)
    opening = await room(client, people)
    booking = await book(client, people, opening["id"], section_id, DEADLINE - HOUR, DEADLINE + HOUR)
    day = await call(
        client, "GET", f"/api/venue/rooms/{opening['id']}/day?date=2026-03-27", "zj_supervisor", people
    )
    assert [b["id"] for b in day] == [booking["id"]]
    assert (
        await call(client, "GET", f"/api/venue/rooms/{opening['id']}/day?date=2026-03-28", "clerk", people)
        == []
    )
    # Another bureau does not see construction's bookings.
    assert (
        await call(
            client, "GET", f"/api/venue/rooms/{opening['id']}/day?date=2026-03-27", "cz_supervisor", people
        )
        == []
    )


async def test_a_sessions_timeline_holds_check_ins_steps_pauses_incidents_and_close(client, people, clock):
    _, section_id = await announced_section(client, people)
    opening = await room(client, people)
    booking = await book(client, people, opening["id"], section_id, DEADLINE - HOUR, DEADLINE + 2 * HOUR)
    clock.set(DEADLINE - HOUR / 2)
    session = await call(
        client, "POST", f"/api/venue/bookings/{booking['id']}/session", "clerk", people, None, 201
    )
    path = f"/api/venue/sessions/{session['id']}"
    await call(
        client,
        "POST",
        f"{path}/check-ins",
        "clerk",
        people,
        {"role": "staff", "name": "王敏", "presence": "present"},
        201,
    )
    await call(
        client,
        "POST",
        f"{path}/check-ins",
        "zj_supervisor",
        people,
        {"role": "supervisor", "name": "周监督", "organisation": "住建局", "presence": "present"},
        201,
    )
    await call(
        client,
        "POST",
        f"{path}/check-ins",
        "clerk",
        people,
        {"role": "bidder_representative", "name": "蒋投标", "organisation": "华建集团", "presence": "online"},
        201,
    )
    refused = await call(
        client,
        "POST",
        f"{path}/check-ins",
        "zj_supervisor",
        people,
        {"role": "expert", "name": "冒名", "presence": "present"},
        422,
    )
    assert refused["code"] == "session.check_in_self"
    clock.set(DEADLINE)
    await open_as_the_opening_does(people, section_id, clock.now())
    clock.advance(HOUR / 4)
    await call(client, "POST", f"{path}/moves", "clerk", people, {"action": "pause", "note": "网络中断"})
    await call(
        client,
        "POST",
        f"{path}/incidents",
        "zj_supervisor",
        people,
        {"note": "投标人代表对唱标提出疑问"},
        201,
    )
    clock.advance(HOUR / 4)
    await call(client, "POST", f"{path}/moves", "clerk", people, {"action": "resume"})
    refused = await call(client, "POST", f"{path}/moves", "clerk", people, {"action": "resume"}, 409)
    assert refused["code"] == "session.move_refused"
    clock.advance(HOUR / 2)
    closed = await call(client, "POST", f"{path}/moves", "clerk", people, {"action": "close"})
    assert closed["status"] == "closed"
    timeline = await call(client, "GET", path, "zj_supervisor", people)
    kinds = [(item["source"], item["kind"]) for item in timeline["items"]]
    assert kinds == [
        ("session", "started"),
        ("session", "checked_in"),
        ("session", "checked_in"),
        ("session", "checked_in"),
        # The clock's own steps, caught up when the opening moved the section on.
        ("audit", "section.registration_open"),
        ("audit", "section.bidding_closed"),
        ("audit", "section.opened"),
        ("session", "paused"),
        ("session", "incident"),
        ("session", "resumed"),
        ("session", "closed"),
    ]
    after = await call(client, "POST", f"{path}/incidents", "clerk", people, {"note": "迟到"}, 409)
    assert after["code"] == "session.closed"
    # Another bureau's supervisor does not see it; a bidder may not read timelines at all.
    await call(client, "GET", path, "cz_supervisor", people, None, 404)
    await call(client, "GET", path, "bidder_a", people, None, 403)
    await evaluate_as_the_committee_does(people, section_id, clock.now())
