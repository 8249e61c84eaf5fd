"""Procurement, from the call to the last refund over HTTP: the draw (P-07), a recusal, a bid
above the budget rejected, identical sheets flagged, a tie settled by lot, the award straight after
the report (P-08), a challenge pausing the contract (P-13), the contract published (P-15) and
the deposits refunded (P-05)."""

import datetime as dt

from tests.experts.helpers import DRAW, drawn_members, opened_section, pool, publish_draft, seated
from tests.funds.helpers import dispatch

DAY = dt.timedelta(days=1)
PRICES = {"bidder_a": "6500000.00", "bidder_b": "6500000.00", "bidder_c": "6900000.00"}
METHOD = {
    "method": "comprehensive",
    "criteria": [
        {"code": "S1", "name": "技术参数响应", "max_points": 50},
        {"code": "S2", "name": "售后服务", "max_points": 20},
    ],
    "price_points": 30,
    "candidates": 2,
}


def url(section_id, tail=""):
    return f"/api/experts/sections/{section_id}{tail}"


async def test_procurement_from_the_draw_to_the_last_refund(
    client, people, settings, clock, tmp_path, db, app
):
    kit = await opened_section(client, people, settings, clock, tmp_path, PRICES, sector="procurement")
    sid = kit.section_id
    a, b, c = (str(people.org(k).id) for k in ("builder_a", "builder_b", "builder_c"))
    await pool(db, clock.now(), codes=("B02", "C03"))
    draw = {
        **DRAW,
        "lines": [
            {"specialty": "B02", "experts": 4, "reserves": 1},
            {"specialty": "C03", "experts": 1, "reserves": 1},
        ],
    }
    complex_ = await client.post(
        url(sid, "/draw"), json={**draw, "complex_project": True}, headers=people.headers("clerk")
    )
    assert (complex_.status_code, complex_.json()["rule"]["id"]) == (422, "P-07")
    drawn = await client.post(url(sid, "/draw"), json=draw, headers=people.headers("clerk"))
    assert drawn.status_code == 201, drawn.text
    assert (await client.get(url(sid, "/draw"), headers=people.headers("zj_supervisor"))).status_code == 404
    members = await drawn_members(client, people, db, sid, supervisor="cz_supervisor")
    seats = {s["expert_id"]: s for s in await seated(client, people, sid, "cz_supervisor")}
    sitting = [e for e, s in seats.items() if s["kind"] == "member"]

    # The center finds a conflict the member did not declare: replaced by the C03 reserve.
    economist = next(e for e in sitting if seats[e]["specialty"] == "C03")
    recused = await client.post(
        url(sid, f"/committee/members/{seats[economist]['member_id']}/recuse"),
        json={"reason": "其配偶任投标人财务负责人"},
        headers=people.headers("clerk"),
    )
    assert recused.status_code == 200, recused.text
    seats = {s["expert_id"]: s for s in await seated(client, people, sid, "cz_supervisor")}
    reserve = next(e for e, s in seats.items() if s["stepped_in_for"] == seats[economist]["member_id"])
    sitting = [e for e in sitting if e != economist] + [reserve]
    refused = await client.post(
        url(sid, "/committee/sign-in"), json={"conflict": False}, headers=members[economist]["headers"]
    )
    assert refused.json()["code"] == "committee.sign_in_refused"
    not_ready = await client.post(url(sid, "/evaluation"), json=METHOD, headers=people.headers("clerk"))
    assert not_ready.json()["code"] == "evaluation.committee_not_ready"
    for expert in sitting:
        answer = await client.post(
            url(sid, "/committee/sign-in"), json={"conflict": False}, headers=members[expert]["headers"]
        )
        assert answer.status_code == 200, answer.text
    chair = sitting[0]
    await client.post(
        url(sid, "/committee/chair"),
        json={"member_id": seats[chair]["member_id"]},
        headers=people.headers("clerk"),
    )
    assert (
        await client.post(url(sid, "/evaluation"), json=METHOD, headers=people.headers("clerk"))
    ).status_code == 201
    ceiling = await client.post(
        url(sid, "/evaluation/rejections"),
        json={
            "organisation_id": c,
            "ground": "TLR-51-5",
            "text": "报价6,900,000.00元高于采购预算6,800,000.00元",
        },
        headers=members[chair]["headers"],
    )
    assert ceiling.status_code == 200, ceiling.text
    await client.post(url(sid, "/evaluation/scoring"), headers=members[chair]["headers"])
    clock.advance(dt.timedelta(minutes=40))
    for n, expert in enumerate(sitting):
        points = {"S1": 40 + min(n, 3), "S2": 15}
        answer = await client.put(
            url(sid, "/evaluation/sheet"),
            json={"scores": {a: points, b: points}},
            headers=members[expert]["headers"],
        )
        assert answer.status_code == 200, answer.text
    ranked = (await client.post(url(sid, "/evaluation/ranking"), headers=members[chair]["headers"])).json()
    assert [r["tie_broken_by"] for r in ranked["ranking"]] == ["lot", "lot"]
    assert {r["total"] for r in ranked["ranking"]} == {"86.80"}
    flags = (await client.get(url(sid, "/evaluation"), headers=people.headers("cz_supervisor"))).json()[
        "flags"
    ]
    assert [f["kind"] for f in flags] == ["identical_sheets"]
    for expert in sitting:
        await client.post(
            url(sid, "/evaluation/report/signatures"), json={}, headers=members[expert]["headers"]
        )
    section = (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()
    assert section["status"] == "evaluated"
    first = ranked["ranking"][0]["organisation_id"]
    loser = b if first == a else a

    # The purchaser awards straight after the report (P-08); the losers' deposits fall due (P-05).
    award = await client.post(
        url(sid, "/award"), json={"winner_id": first}, headers=people.headers("hospital")
    )
    assert award.status_code == 201, award.text
    assert award.json()["notice_due"] is not None  # P-14: 2 working days
    await dispatch(app, db, clock)
    refunds = (
        await client.get("/api/funds/refunds/", params={"section_id": sid}, headers=people.headers("clerk"))
    ).json()
    assert {r["organisation_id"] for r in refunds} == {loser, c}
    # GPR art. 43: the result announcement names the experts, no longer sealed.
    result = await client.post(url(sid, "/notices/award"), json={}, headers=people.headers("hospital"))
    assert result.status_code == 201, result.text
    assert all(members[e]["name"] in result.json()["body"] for e in sitting)
    assert (
        await publish_draft(client, people, result.json()["announcement_id"], "hospital")
    ).status_code == 200
    clock.advance(DAY)
    challenge = await client.post(
        url(sid, "/objections"),
        json={"matter": "抽签结果存疑"},
        headers=people.headers("bidder_a" if loser == a else "bidder_b"),
    )
    assert (challenge.status_code, challenge.json()["kind"]) == (201, "challenge"), challenge.text
    noticed = await client.post(url(sid, "/award/notice"), headers=people.headers("hospital"))
    assert (noticed.status_code, noticed.json()["late"]) == (200, [])
    paused = await client.post(
        url(sid, "/award/contract"), json={"price": "6500000.00"}, headers=people.headers("hospital")
    )
    assert (paused.status_code, paused.json()["rule"]["id"]) == (409, "P-13")
    await client.post(
        f"/api/experts/objections/{challenge.json()['id']}/answer",
        json={"upheld": False, "answer": "平局按评标办法以随机方式确定排序，过程可复现"},
        headers=people.headers("hospital"),
    )
    clock.advance(14 * DAY)
    late = await client.post(
        url(sid, "/objections"), json={"matter": "迟到的质疑"}, headers=people.headers("bidder_c")
    )
    assert (late.json()["code"], late.json()["rule"]["id"]) == ("objection.challenge_late", "P-13")
    contract = await client.post(
        url(sid, "/award/contract"), json={"price": "6500000.00"}, headers=people.headers("hospital")
    )
    assert contract.status_code == 200, contract.text
    assert contract.json()["publication_due"] is not None
    published = await client.post(url(sid, "/award/publication"), headers=people.headers("hospital"))
    assert published.json()["late"] == []
    await dispatch(app, db, clock)
    refunds = (
        await client.get("/api/funds/refunds/", params={"section_id": sid}, headers=people.headers("clerk"))
    ).json()
    assert {(r["organisation_id"], r["rule"]) for r in refunds} == {(a, "P-05"), (b, "P-05"), (c, "P-05")}
