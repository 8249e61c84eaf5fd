"""An objection upheld during the candidates' publicity sends the section back to its committee
for a new round (C-14); a bid the committee finds invalid then drops out of the candidates."""

import datetime as dt

from tests.experts.helpers import evaluated_by_lowest_price, sign_off
from tests.trading.factories import iso
from tests.trading.test_projects import publish

PRICES = {"bidder_a": "48000000.00", "bidder_b": "47500000.00", "bidder_c": "49000000.00"}


async def test_an_upheld_objection_sends_the_section_back_to_the_committee(
    client, people, settings, clock, tmp_path, db
):
    kit, members, chair = await evaluated_by_lowest_price(
        client, people, settings, clock, tmp_path, db, PRICES
    )
    sid = kit.section_id
    a, b = str(people.org("builder_a").id), str(people.org("builder_b").id)
    evaluation = (
        await client.get(f"/api/experts/sections/{sid}/evaluation", headers=people.headers("principal"))
    ).json()
    assert [c["organisation_id"] for c in evaluation["report"]["candidates"]] == [b, a]
    section = (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()
    publicity = {
        "project_id": section["project_id"],
        "kind": "candidates",
        "title": "中标候选人公示",
        "body": "第一中标候选人：宁安建工。",
        "publicity_end": iso(clock.now() + dt.timedelta(days=3)),
    }
    assert (await publish(client, people, publicity)).status_code == 200
    objection = await client.post(
        f"/api/experts/sections/{sid}/objections",
        json={"matter": "第一中标候选人项目经理在建项目未完工"},
        headers=people.headers("bidder_a"),
    )
    assert objection.status_code == 201, objection.text
    assert objection.json()["answer_due"].startswith((clock.now() + dt.timedelta(days=3)).date().isoformat())
    stranger = await client.post(
        f"/api/experts/sections/{sid}/objections", json={"matter": "x"}, headers=people.headers("developer")
    )
    assert stranger.json()["code"] == "objection.not_a_bidder"
    no_reason = await client.post(
        f"/api/experts/objections/{objection.json()['id']}/answer",
        json={"upheld": True, "answer": " "},
        headers=people.headers("principal"),
    )
    assert no_reason.status_code == 422
    # The answer is a step of e-oversight: on its last day still unanswered, a yellow card (C-14).
    clock.set(dt.datetime.fromisoformat(objection.json()["answer_due"]) - dt.timedelta(hours=1))
    cards = (await client.get("/api/oversight/warnings", headers=people.headers("zj_supervisor"))).json()
    assert [(c["step"], c["rule"], c["level"], c["closed"]) for c in cards] == [
        ("objection_answer", "C-14", "yellow", False)
    ]
    upheld = await client.post(
        f"/api/experts/objections/{objection.json()['id']}/answer",
        json={"upheld": True, "answer": "经核查异议成立，提请原评标委员会复核"},
        headers=people.headers("principal"),
    )
    assert upheld.json()["status"] == "upheld", upheld.text
    cards = (await client.get("/api/oversight/warnings", headers=people.headers("zj_supervisor"))).json()
    assert [(c["step"], c["closed"]) for c in cards] == [("objection_answer", True)]
    section = (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()
    assert section["status"] == "opened"
    chair_headers = members[chair]["headers"]
    again = (await client.get(f"/api/experts/sections/{sid}/evaluation", headers=chair_headers)).json()
    assert (again["status"], again["round"], again["ranking"]) == ("reviewing", 2, None)
    rejected = await client.post(
        f"/api/experts/sections/{sid}/evaluation/rejections",
        json={"organisation_id": b, "ground": "TLR-51-3", "text": "项目经理有在建工程，不符合资格条件"},
        headers=chair_headers,
    )
    assert rejected.status_code == 200, rejected.text
    await sign_off(client, sid, members, list(members))
    final = (
        await client.get(f"/api/experts/sections/{sid}/evaluation", headers=people.headers("principal"))
    ).json()
    assert [c["organisation_id"] for c in final["report"]["candidates"]] == [
        a,
        str(people.org("builder_c").id),
    ]
    assert final["report"]["round"] == 2
    section = (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()
    assert section["status"] == "evaluated"
