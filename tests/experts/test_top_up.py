"""Recusals that use up the reserves are not a dead end: staff draw more reserves of the
specialty under the draw's own exclusions, recorded and replayable like the draw (C-11, E-07)."""

from tests.bidding.helpers import accepted_bidder, open_section
from tests.experts.helpers import pool, seated
from tests.experts.test_pool_and_draws import PROFILE

DRAW = {"lines": [{"specialty": "A0101", "experts": 5, "reserves": 1}]}


def url(section_id, tail=""):
    return f"/api/experts/sections/{section_id}{tail}"


async def top_up(client, people, sid, who="clerk", specialty="A0101", **more):
    headers = people.headers(who) if who else {}
    return await client.post(
        url(sid, "/draw/top-ups"), json={"specialty": specialty, **more}, headers=headers
    )


async def recuse(client, people, sid, member_id):
    answer = await client.post(
        url(sid, f"/committee/members/{member_id}/recuse"),
        json={"reason": "与投标人存在利害关系"},
        headers=people.headers("clerk"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_top_up_draw_fills_the_seat_the_reserves_could_not(client, people, db, clock):
    sid = await open_section(client, people)
    await accepted_bidder(client, people, sid, "bidder_a")
    await pool(db, clock.now(), count=9, codes=("A0101",))
    # An expert employed by bidder A: never drawn here, by the draw or by its top-up (E-07).
    conflicted = await client.post(
        "/api/experts/",
        json={
            **PROFILE,
            "user_id": str(people.user("expert").id),
            "name": "朱专家",
            "employer_id": str(people.org("builder_a").id),
            "employer_name": people.org("builder_a").name,
        },
        headers=people.headers("clerk"),
    )
    assert conflicted.status_code == 201, conflicted.text
    assert (
        await client.post(url(sid, "/draw"), json=DRAW, headers=people.headers("clerk"))
    ).status_code == 201
    early = await client.post(
        url(sid, "/draw/top-ups"), json={"specialty": "A0101"}, headers=people.headers("clerk")
    )
    assert (early.status_code, early.json()["code"]) == (409, "draw.reserves_remain")

    # Two members step aside: the reserve takes the first seat, the second stays vacant.
    members = [s for s in await seated(client, people, sid) if s["kind"] == "member"]
    await recuse(client, people, sid, members[0]["member_id"])
    committee = await recuse(client, people, sid, members[1]["member_id"])
    assert (committee["vacant_seats"], committee["ready"]) == (1, False)
    before = {s["expert_id"] for s in await seated(client, people, sid)}

    assert (
        await client.post(
            url(sid, "/draw/top-ups"), json={"specialty": "A0101"}, headers=people.headers("bidder_a")
        )
    ).status_code == 403
    assert (await client.post(url(sid, "/draw/top-ups"), json={"specialty": "A0101"})).status_code == 401
    other = await client.post(
        url(sid, "/draw/top-ups"), json={"specialty": "A0401"}, headers=people.headers("clerk")
    )
    assert (other.status_code, other.json()["code"]) == (422, "draw.top_up_specialty")
    topped = await top_up(client, people, sid, reserves=2)
    assert topped.status_code == 201, topped.text
    out = topped.json()
    assert (out["round"], out["stepped_in"], out["sealed"]) == (1, 1, True)
    # The same exclusions as the draw: the conflicted expert, and the committee's own experts
    # (drawn for this principal within the cool-down).
    assert out["excluded"] == {"employer_conflict": 1, "recently_drawn": 6}
    assert "experts" not in out

    seats = {s["expert_id"]: s for s in await seated(client, people, sid)}
    new = set(seats) - before
    assert len(new) == 2 and str(conflicted.json()["id"]) not in new
    assert sorted((seats[e]["kind"], seats[e]["state"]) for e in new) == [
        ("member", "drawn"),
        ("reserve", "standby"),
    ]
    stepped = next(e for e in new if seats[e]["kind"] == "member")
    assert seats[stepped]["stepped_in_for"] == members[1]["member_id"]
    committee = (await client.get(url(sid, "/committee"), headers=people.headers("clerk"))).json()
    assert committee["vacant_seats"] == 0

    # The supervisor replays it from its seed and snapshot: the same experts, in the same order.
    replay = (await client.post(url(sid, "/draw/replay"), headers=people.headers("zj_supervisor"))).json()
    assert replay["same_result"] and len(replay["top_ups"]) == 1
    again = replay["top_ups"][0]
    assert (again["round"], again["snapshot_intact"], again["same_result"]) == (1, True, True)
    assert {e["expert_id"] for e in again["experts"]} == new
    assert again["experts"][0]["expert_id"] == stepped  # the first drawn takes the seat
    # A reserve is left: no second top-up yet.
    twice = await client.post(
        url(sid, "/draw/top-ups"), json={"specialty": "A0101"}, headers=people.headers("clerk")
    )
    assert twice.json()["code"] == "draw.reserves_remain"
