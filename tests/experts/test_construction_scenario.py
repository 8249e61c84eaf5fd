"""Construction, from the call to the last refund, the way its users do it over HTTP: the sealed
bids and the opening, the random draw (sealed names, a supervisor's replay), a recusal with a
reserve stepping in, an invalid bid, the scores with their flags and a tie, the signed report,
the candidates' publicity with an objection, the award (C-20), the contract and the refunds."""

import datetime as dt

from tests.experts.helpers import DRAW, drawn_members, opened_section, pool, publish_draft, seated
from tests.funds.helpers import dispatch
from tests.trading.factories import iso

DAY = dt.timedelta(days=1)
PRICES = {"bidder_a": "48000000.00", "bidder_b": "47500000.00", "bidder_c": "49000000.00"}
METHOD = {
    "method": "comprehensive",
    "criteria": [
        {"code": "T1", "name": "施工组织设计", "max_points": 40},
        {"code": "T2", "name": "项目管理机构", "max_points": 20},
    ],
    "price_points": 40,
    "candidates": 3,
    "state_controlled": True,
}


def url(section_id, tail=""):
    return f"/api/experts/sections/{section_id}{tail}"


async def test_construction_from_the_draw_to_the_last_refund(
    client, people, settings, clock, tmp_path, db, app
):
    await client.post(
        "/api/funds/refunds/rates",
        json={
            "kind": "demand_deposit",
            "effective_from": "2015-10-24",
            "rate_percent": "0.35",
            "source": "活期存款利率",
        },
        headers=people.headers("clerk"),
    )
    kit = await opened_section(client, people, settings, clock, tmp_path, PRICES)
    sid = kit.section_id
    a, b, c = (str(people.org(k).id) for k in ("builder_a", "builder_b", "builder_c"))
    await pool(db, clock.now())
    # The persona expert works for bidder A's company: registered, it can never be drawn here (E-07).
    registered = await client.post(
        "/api/experts/",
        json={
            "user_id": str(people.user("expert").id),
            "name": "朱专家",
            "specialties": ["A0101"],
            "region": "江宁区",
            "employer_name": people.org("builder_a").name,
            "employer_id": a,
            "title": "高级工程师",
            "certificate_no": "JS-PB-0000001",
            "certificate_expires": "2028-12-31",
        },
        headers=people.headers("clerk"),
    )
    assert registered.status_code == 201, registered.text

    # The draw: C-10 is checked, the staff see digests, not names (E-06).
    even = await client.post(
        url(sid, "/draw"), json={**DRAW, "representatives": 1}, headers=people.headers("clerk")
    )
    assert (even.status_code, even.json()["rule"]["id"]) == (422, "C-10")
    drawn = await client.post(url(sid, "/draw"), json=DRAW, headers=people.headers("clerk"))
    assert drawn.status_code == 201, drawn.text
    assert drawn.json()["sealed"] and drawn.json()["experts"] is None
    assert drawn.json()["excluded"] == {"employer_conflict": 1}
    staff_view = (await client.get(url(sid, "/draw"), headers=people.headers("clerk"))).json()
    assert staff_view["experts"] is None
    committee = (await client.get(url(sid, "/committee"), headers=people.headers("clerk"))).json()
    assert committee["sealed"] and all(s["name"] is None for s in committee["seats"])
    members = await drawn_members(client, people, db, sid)
    assert len(members) == 8 and people.user("expert").id not in members
    replay = (await client.post(url(sid, "/draw/replay"), headers=people.headers("zj_supervisor"))).json()
    assert replay["snapshot_intact"] and replay["same_result"]
    assert [e["name"] for e in replay["experts"]] == [e["name"] for e in members.values()]
    other_sector = await client.get(url(sid, "/draw"), headers=people.headers("cz_supervisor"))
    assert other_sector.status_code == 404

    # Sign-in: one member declares a conflict and steps aside; the first reserve takes the seat.
    seats = await seated(client, people, sid)
    by_expert = {s["expert_id"]: s for s in seats}
    sitting = [e for e, s in by_expert.items() if s["kind"] == "member"]
    recusing = next(e for e in sitting if by_expert[e]["specialty"] == "A01")
    stranger = next(e for e, s in by_expert.items() if s["kind"] == "reserve")
    assert (
        await client.get(url(sid, "/evaluation"), headers=members[stranger]["headers"])
    ).status_code == 404
    no_reason = await client.post(
        url(sid, "/committee/sign-in"), json={"conflict": True}, headers=members[recusing]["headers"]
    )
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "committee.recusal_reason_required")
    recused = await client.post(
        url(sid, "/committee/sign-in"),
        json={"conflict": True, "reason": "曾在华建集团任职，三年内"},
        headers=members[recusing]["headers"],
    )
    assert recused.status_code == 200, recused.text
    seats = {s["expert_id"]: s for s in await seated(client, people, sid)}
    assert seats[recusing]["state"] == "recused"
    stepped_in = next(e for e, s in seats.items() if s["stepped_in_for"] == seats[recusing]["member_id"])
    assert (seats[stepped_in]["specialty"], seats[stepped_in]["kind"]) == ("A01", "member")
    sitting = [e for e in sitting if e != recusing] + [stepped_in]
    for expert in sitting:
        answer = await client.post(
            url(sid, "/committee/sign-in"), json={"conflict": False}, headers=members[expert]["headers"]
        )
        assert answer.status_code == 200, answer.text
    chair = sitting[0]
    chosen = await client.post(
        url(sid, "/committee/chair"),
        json={"member_id": seats[chair]["member_id"]},
        headers=people.headers("clerk"),
    )
    assert chosen.json()["ready"], chosen.text

    # The evaluation: the method adds up to 100; bidder C is rejected before any scoring (TLR art. 51).
    wrong = await client.post(
        url(sid, "/evaluation"), json={**METHOD, "price_points": 30}, headers=people.headers("clerk")
    )
    assert wrong.json()["code"] == "evaluation.method_invalid"
    started = await client.post(url(sid, "/evaluation"), json=METHOD, headers=people.headers("clerk"))
    assert started.status_code == 201, started.text
    rejected = await client.post(
        url(sid, "/evaluation/rejections"),
        json={"organisation_id": c, "ground": "TLR-51-6", "text": "工期未响应招标文件要求"},
        headers=members[chair]["headers"],
    )
    assert rejected.status_code == 200, rejected.text
    assert [(x["bidder"], x["valid"]) for x in rejected.json()["bids"] if not x["valid"]] == [
        (people.org("builder_c").name, False)
    ]
    assert (
        await client.post(url(sid, "/evaluation/scoring"), headers=members[sitting[1]]["headers"])
    ).status_code == 403
    assert (
        await client.post(url(sid, "/evaluation/scoring"), headers=members[chair]["headers"])
    ).status_code == 200

    # Sheets: member 5 is far from the others and quick; members 3 and 4 hand in identical sheets.
    # Means: A 44.42 + price 39.58 = 84.00; B 44.00 + price 40.00 = 84.00: a tie, B cheaper.
    sheets = [
        {a: {"T1": 36, "T2": 16.1}, b: {"T1": 35, "T2": 15}},
        {a: {"T1": 34, "T2": 16}, b: {"T1": 34, "T2": 16}},
        {a: {"T1": 30, "T2": 15}, b: {"T1": 30, "T2": 15}},
        {a: {"T1": 30, "T2": 15}, b: {"T1": 30, "T2": 15}},
        {a: {"T1": 20, "T2": 10}, b: {"T1": 20, "T2": 10}},
    ]
    clock.advance(dt.timedelta(minutes=1))
    over = await client.put(
        url(sid, "/evaluation/sheet"),
        json={"scores": {a: {"T1": 41, "T2": 1}, b: {"T1": 1, "T2": 1}}},
        headers=members[sitting[4]]["headers"],
    )
    assert over.json()["code"] == "evaluation.sheet_invalid"
    rejected_bid = await client.put(
        url(sid, "/evaluation/sheet"),
        json={"scores": {**sheets[4], c: {"T1": 1, "T2": 1}}},
        headers=members[sitting[4]]["headers"],
    )
    assert rejected_bid.json()["code"] == "evaluation.sheet_invalid"
    assert (
        await client.put(
            url(sid, "/evaluation/sheet"), json={"scores": sheets[4]}, headers=members[sitting[4]]["headers"]
        )
    ).status_code == 200
    locked = await client.put(
        url(sid, "/evaluation/sheet"), json={"scores": sheets[3]}, headers=members[sitting[4]]["headers"]
    )
    assert (locked.status_code, locked.json()["code"]) == (409, "evaluation.sheet_locked")
    early = await client.post(url(sid, "/evaluation/ranking"), headers=members[chair]["headers"])
    assert early.json()["code"] == "evaluation.sheets_missing"
    clock.advance(dt.timedelta(hours=1))
    for expert, sheet in zip(sitting[:4], sheets[:4], strict=True):
        answer = await client.put(
            url(sid, "/evaluation/sheet"), json={"scores": sheet}, headers=members[expert]["headers"]
        )
        assert answer.status_code == 200, answer.text
    ranked = await client.post(url(sid, "/evaluation/ranking"), headers=members[chair]["headers"])
    assert ranked.status_code == 200, ranked.text
    ranking = ranked.json()["ranking"]
    assert [
        (r["organisation_id"], r["members"], r["price_score"], r["total"], r["tie_broken_by"])
        for r in ranking
    ] == [
        (b, "44.00", "40.00", "84.00", "lower_price"),
        (a, "44.42", "39.58", "84.00", "lower_price"),
    ]
    assert ranked.json()["flags"] is None  # members do not see the flags
    flags = (await client.get(url(sid, "/evaluation"), headers=people.headers("zj_supervisor"))).json()[
        "flags"
    ]
    five = seats[sitting[4]]["member_id"]
    assert {f["kind"] for f in flags} == {"outlier", "identical_sheets", "too_fast"}
    assert {f["member_id"] for f in flags if f["kind"] in ("outlier", "too_fast")} == {five}
    assert [f["member_ids"] for f in flags if f["kind"] == "identical_sheets"] == [
        sorted([seats[sitting[2]]["member_id"], seats[sitting[3]]["member_id"]])
    ]

    # Every member signs; the last signature evaluates the section. By hand it cannot be done.
    by_hand = await client.post(
        f"/api/sections/{sid}/transitions", json={"action": "evaluate"}, headers=people.headers("clerk")
    )
    assert by_hand.json()["code"] == "section.evaluation_required"
    for n, expert in enumerate(sitting):
        dissent = {"dissent": "A的施工组织设计更优"} if n == 4 else {}
        signed = await client.post(
            url(sid, "/evaluation/report/signatures"), json=dissent, headers=members[expert]["headers"]
        )
        assert signed.status_code == 200, signed.text
    report = signed.json()
    assert report["status"] == "signed" and report["report_sha256"]
    assert [x["bidder"] for x in report["report"]["candidates"]] == [
        people.org("builder_b").name,
        people.org("builder_a").name,
    ]
    assert report["report"]["rejected"][0]["reasons"][0]["ground"] == "TLR-51-6"
    section = (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()
    assert section["status"] == "evaluated"
    # Until the award, an expert's record does not tell which committee it sits on (E-06).
    record = await client.get(f"/api/experts/{sitting[0]}/record.csv", headers=people.headers("clerk"))
    assert len(record.text.splitlines()) == 1
    probe = await client.post(
        url(sid, "/assessments"),
        json={"expert_id": sitting[0], "rating": "good"},
        headers=people.headers("clerk"),
    )
    assert (probe.status_code, probe.json()["code"]) == (409, "assessment.before_award")

    # The candidates' publicity (C-14); an objection pauses the award until answered.
    early_end = await client.post(
        url(sid, "/notices/candidates"),
        json={"publicity_end": iso(clock.now() + DAY)},
        headers=people.headers("agency"),
    )
    too_short = await publish_draft(client, people, early_end.json()["announcement_id"])
    assert too_short.json()["code"] == "publicity.too_short"
    drafted = await client.post(
        url(sid, "/notices/candidates"),
        json={"publicity_end": iso(clock.now() + 3 * DAY)},
        headers=people.headers("agency"),
    )
    assert drafted.status_code == 201, drafted.text
    body = drafted.json()["body"]
    assert f"第一中标候选人：{people.org('builder_b').name}，投标报价47500000.00元，评审得分84.00" in body
    assert f"被否决的投标：{people.org('builder_c').name}，理由：工期未响应招标文件要求" in body
    assert f"向招标人{people.org('city_invest').name}提出" in body
    assert (await publish_draft(client, people, drafted.json()["announcement_id"])).status_code == 200
    objection = await client.post(
        url(sid, "/objections"), json={"matter": "评分畸高畸低"}, headers=people.headers("bidder_c")
    )
    assert objection.status_code == 201, objection.text
    clock.advance(4 * DAY)
    paused = await client.post(url(sid, "/award"), json={"winner_id": b}, headers=people.headers("principal"))
    assert (paused.status_code, paused.json()["code"]) == (409, "award.paused_by_objection")
    late = await client.post(
        url(sid, "/objections"), json={"matter": "再次异议"}, headers=people.headers("bidder_a")
    )
    assert (late.json()["code"], late.json()["rule"]["id"]) == ("objection.outside_publicity", "C-14")
    answered = await client.post(
        f"/api/experts/objections/{objection.json()['id']}/answer",
        json={"upheld": False, "answer": "经复核，评分符合评标办法"},
        headers=people.headers("principal"),
    )
    assert answered.json()["status"] == "dismissed"

    # C-20: state funds hold control, so B (first) wins unless it drops out.
    second = await client.post(url(sid, "/award"), json={"winner_id": a}, headers=people.headers("principal"))
    assert (second.json()["code"], second.json()["rule"]["id"]) == ("award.first_ranked_required", "C-20")
    award = await client.post(url(sid, "/award"), json={"winner_id": b}, headers=people.headers("principal"))
    assert award.status_code == 201, award.text
    assert award.json()["report_due"].startswith((clock.now() + 15 * DAY).date().isoformat()[:7])
    # The names are no longer sealed once the award is decided (E-06).
    assert (await client.get(url(sid, "/draw"), headers=people.headers("clerk"))).json()["experts"]
    # The award announcement, published after the decision, tells it (no longer a 409).
    result = await client.post(url(sid, "/notices/award"), json={}, headers=people.headers("agency"))
    assert "评审专家" not in result.json()["body"]  # construction results do not list them
    assert (await publish_draft(client, people, result.json()["announcement_id"])).status_code == 200
    assert (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()[
        "status"
    ] == "awarded"
    assert (
        await client.post(url(sid, "/award/notice"), headers=people.headers("principal"))
    ).status_code == 200
    clock.advance(10 * DAY)
    contract = await client.post(
        url(sid, "/award/contract"), json={"price": "47500000.00"}, headers=people.headers("principal")
    )
    assert contract.status_code == 200, contract.text
    assert contract.json()["late"] == []
    section = (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()
    assert section["status"] == "contracted"

    # C-16: every deposit falls due within 5 days of the contract.
    await dispatch(app, db, clock)
    refunds = (
        await client.get("/api/funds/refunds/", params={"section_id": sid}, headers=people.headers("clerk"))
    ).json()
    assert {(r["organisation_id"], r["rule"]) for r in refunds} == {(a, "C-16"), (b, "C-16"), (c, "C-16")}

    # Duty 6: the clerk and the supervisor rate member 5 poor: suspended from draws; its record as CSV.
    five_id = sitting[4]
    for assessor in ("clerk", "zj_supervisor"):
        rated = await client.post(
            url(sid, "/assessments"),
            json={"expert_id": five_id, "rating": "poor", "note": "评分明显偏离且用时过短"},
            headers=people.headers(assessor),
        )
        assert rated.status_code == 201, rated.text
        # One poor rating is not yet repeated; the second suspends.
        assert rated.json()["expert_suspended"] is (assessor == "zj_supervisor")
    twice = await client.post(
        url(sid, "/assessments"),
        json={"expert_id": five_id, "rating": "good"},
        headers=people.headers("clerk"),
    )
    assert twice.json()["code"] == "assessment.exists"
    reserve = await client.post(
        url(sid, "/assessments"),
        json={"expert_id": recusing, "rating": "good"},
        headers=people.headers("clerk"),
    )
    assert reserve.json()["code"] == "assessment.not_a_member"
    expert = (await client.get(f"/api/experts/{five_id}", headers=people.headers("clerk"))).json()
    assert expert["status"] == "suspended"
    exported = await client.get(f"/api/experts/{five_id}/record.csv", headers=people.headers("zj_supervisor"))
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("专家,证书编号,项目标段")
    assert len(lines) == 4 and lines[1].split(",")[5:7] == ["member", "signed_in"]
    assert [line.split(",")[7] for line in lines[2:]] == ["poor", "poor"]

    # A supervisor samples finished evaluations and records its review.
    sampled = (
        await client.get("/api/experts/reviews/sample", headers=people.headers("zj_supervisor"))
    ).json()
    assert [s["section_id"] for s in sampled] == [sid]
    assert (
        await client.get("/api/experts/reviews/sample", headers=people.headers("cz_supervisor"))
    ).json() == []
    reviewed = await client.post(
        url(sid, "/reviews"),
        json={"findings": "抽查评分表，未见违规"},
        headers=people.headers("zj_supervisor"),
    )
    assert reviewed.status_code == 201, reviewed.text
