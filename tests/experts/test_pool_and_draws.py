"""The pool over HTTP: profiles kept by the expert and approved by staff; draws that leave out
conflicted, controlled, suspended and recently drawn experts, refuse whole when short, and show
an expert nothing before the opening (C-11, E-06, E-07)."""

import asyncio

from sqlalchemy import func, select

from experts.committees.models import Committee
from experts.draws.models import Draw
from tests.bidding.helpers import accepted_bidder, open_section
from tests.experts.helpers import expert_headers, pool
from trading.audit.models import AuditEvent

PROFILE = {
    "specialties": ["A0101"],
    "region": "江宁区",
    "employer_name": "东南大学",
    "title": "教授",
    "certificate_no": "JS-PB-0000001",
    "certificate_expires": "2028-12-31",
}
ONE_LINE = {"lines": [{"specialty": "A0101", "experts": 5, "reserves": 0}]}


def url(section_id, tail=""):
    return f"/api/experts/sections/{section_id}{tail}"


async def enter_persona(client, people, **changes):
    body = {**PROFILE, "user_id": str(people.user("expert").id), "name": "朱专家", **changes}
    answer = await client.post("/api/experts/", json=body, headers=people.headers("clerk"))
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_the_expert_keeps_its_profile_and_staff_approve_each_change(client, people):
    not_expert = await client.post(
        "/api/experts/",
        json={**PROFILE, "user_id": str(people.user("bidder_a").id), "name": "蒋"},
        headers=people.headers("clerk"),
    )
    assert not_expert.json()["code"] == "expert.user_not_expert"
    unknown = await client.post(
        "/api/experts/",
        json={**PROFILE, "specialties": ["Z99"], "user_id": str(people.user("expert").id), "name": "朱"},
        headers=people.headers("clerk"),
    )
    assert unknown.json()["code"] == "expert.specialty_unknown"
    entered = await enter_persona(client, people)
    again = await client.post(
        "/api/experts/",
        json={**PROFILE, "user_id": str(people.user("expert").id), "name": "朱"},
        headers=people.headers("clerk"),
    )
    assert again.status_code == 409
    proposed = await client.put(
        "/api/experts/me/profile",
        json={**PROFILE, "specialties": ["A0101", "A0401"], "title": "正高级工程师"},
        headers=people.headers("expert"),
    )
    assert proposed.status_code == 200, proposed.text
    assert (
        proposed.json()["specialties"] == ["A0101"]
        and proposed.json()["pending_profile"]["title"] == "正高级工程师"
    )
    approved = await client.post(f"/api/experts/{entered['id']}/approve", headers=people.headers("clerk"))
    assert (approved.json()["specialties"], approved.json()["pending_profile"]) == (["A0101", "A0401"], None)
    nothing = await client.post(f"/api/experts/{entered['id']}/approve", headers=people.headers("clerk"))
    assert nothing.json()["code"] == "expert.nothing_to_approve"
    listed = await client.get(
        "/api/experts/", params={"specialty": "A04"}, headers=people.headers("zj_supervisor")
    )
    assert [e["id"] for e in listed.json()] == [entered["id"]]
    specialties = await client.get("/api/experts/specialties", headers=people.headers("expert"))
    assert specialties.json()["A0401"] == "建筑工程造价"


async def test_a_short_pool_fails_the_draw_and_leaves_nothing_behind(client, people, db, clock):
    section_id = await open_section(client, people)
    await pool(db, clock.now(), count=4, codes=("A0101",))
    short = await client.post(url(section_id, "/draw"), json=ONE_LINE, headers=people.headers("clerk"))
    assert (short.status_code, short.json()["code"]) == (409, "draw.pool_insufficient")
    assert short.json()["details"]["short"] == [{"line": 0, "wanted": 5, "eligible": 4}]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Draw)) == 0
        assert await session.scalar(select(func.count()).select_from(Committee)) == 0
        assert await session.scalar(select(func.count()).where(AuditEvent.action == "experts.drawn")) == 0
    await pool(db, clock.now(), count=1, codes=("A0102",))
    parent = await client.post(
        url(section_id, "/draw"),
        json={"lines": [{"specialty": "A01", "experts": 5, "reserves": 0}]},
        headers=people.headers("clerk"),
    )
    assert parent.status_code == 201, parent.text
    twice = await client.post(url(section_id, "/draw"), json=ONE_LINE, headers=people.headers("clerk"))
    assert twice.json()["code"] == "draw.exists"


async def test_controlled_suspended_and_recently_drawn_experts_are_left_out(client, people, db, clock):
    first = await open_section(client, people)
    await accepted_bidder(client, people, first, "bidder_a")
    ids = await pool(db, clock.now(), count=9, codes=("A0101",))
    # The developer is controlled by bidder A's company: its staff count as bidder A's (C-18).
    linked = await client.post(
        "/api/experts/control-links",
        json={
            "controlling_id": str(people.org("builder_a").id),
            "controlled_id": str(people.org("developer").id),
        },
        headers=people.headers("clerk"),
    )
    assert linked.status_code == 201, linked.text
    await enter_persona(
        client, people, employer_id=str(people.org("developer").id), employer_name="金陵置业发展有限公司"
    )
    suspended = await client.post(
        f"/api/experts/{ids[0]}/status",
        json={"status": "suspended", "reason": "考核不合格"},
        headers=people.headers("clerk"),
    )
    assert suspended.json()["status"] == "suspended"
    drawn = await client.post(url(first, "/draw"), json=ONE_LINE, headers=people.headers("clerk"))
    assert drawn.json()["excluded"] == {"employer_conflict": 1, "suspended": 1}
    # Another section of the same principal, no bidder yet: the five just drawn sit out the cool-down
    # (the developer's expert is no longer in conflict here).
    second = await open_section(client, people)
    short = await client.post(url(second, "/draw"), json=ONE_LINE, headers=people.headers("clerk"))
    assert short.json()["details"]["short"] == [{"line": 0, "wanted": 5, "eligible": 4}]
    cooled = await client.post(
        url(second, "/draw"), json={**ONE_LINE, "cooldown_days": 0}, headers=people.headers("clerk")
    )
    assert cooled.json()["excluded"] == {"suspended": 1}


async def test_a_drawn_expert_sees_nothing_of_the_bids_before_the_opening(client, people, db, clock):
    section_id = await open_section(client, people)
    await pool(db, clock.now(), count=5, codes=("A0101",))
    await client.post(url(section_id, "/draw"), json=ONE_LINE, headers=people.headers("clerk"))
    supervisor = (await client.get(url(section_id, "/draw"), headers=people.headers("zj_supervisor"))).json()
    headers = await expert_headers(people, db, supervisor["experts"][0]["expert_id"])
    seats = (await client.get("/api/experts/me/seats", headers=headers)).json()
    assert [s["section_id"] for s in seats] == [section_id]
    sealed = await client.get(url(section_id, "/committee"), headers=headers)
    assert sealed.json()["sealed"]
    signed = await client.post(
        url(section_id, "/committee/sign-in"), json={"conflict": False}, headers=headers
    )
    assert signed.status_code == 200 and not signed.json()["sealed"]
    assert (await client.get(url(section_id, "/evaluation"), headers=headers)).status_code == 404
    early = await client.post(
        url(section_id, "/evaluation"), json={"method": "lowest_price"}, headers=people.headers("clerk")
    )
    assert early.json()["code"] == "evaluation.not_opened"
    # An expert who was not drawn learns nothing of this committee.
    await client.post(
        "/api/experts/",
        json={**PROFILE, "user_id": str(people.user("expert").id), "name": "朱"},
        headers=people.headers("clerk"),
    )
    assert (
        await client.get(url(section_id, "/committee"), headers=people.headers("expert"))
    ).status_code == 404


async def test_two_draws_racing_for_one_section_give_one_committee(client, people, db, clock):
    section_id = await open_section(client, people)
    await pool(db, clock.now(), count=12, codes=("A0101",))
    answers = await asyncio.gather(
        *(
            client.post(url(section_id, "/draw"), json=ONE_LINE, headers=people.headers("clerk"))
            for _ in range(2)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert {a.json().get("code") for a in answers if a.status_code == 409} == {"draw.exists"}
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Committee)) == 1
