"""The documents of the later steps, each from a procedure walked over HTTP: the evaluation report
and the candidates' publicity (experts), the award notice to the winner and the result notice to
the others, the transaction confirmation of a land sale (bidding), a session's supervision-log
extract and the monthly circular (the core); who may issue and read them."""

import datetime as dt

from tests.bidding.auctions.test_result import sold_to_bidder_a
from tests.experts.helpers import DRAW, drawn_members, opened_section, pool, publish_draft, seated
from tests.trading.documents.helpers import check_document, fetch, issue
from tests.trading.factories import iso
from tests.trading.oversight.helpers import at, call, opening_session
from tests.trading.oversight.test_circulars import small_march

DAY = dt.timedelta(days=1)
PRICES = {"bidder_a": "47500000.00", "bidder_b": "48000000.00", "bidder_c": "49000000.00"}
METHOD = {
    "method": "comprehensive",
    "criteria": [
        {"code": "T1", "name": "施工组织设计", "max_points": 40},
        {"code": "T2", "name": "项目管理机构", "max_points": 20},
    ],
    "price_points": 40,
    "candidates": 2,
}


def url(section_id, tail=""):
    return f"/api/experts/sections/{section_id}{tail}"


async def signed_report(client, people, settings, clock, tmp_path, db) -> tuple[str, dict, list[str]]:
    """A construction section through the draw, the sign-in, a rejected bid, the sheets, the
    ranking and every member's signature: (section id, the drawn experts, sitting)."""
    kit = await opened_section(client, people, settings, clock, tmp_path, PRICES)
    sid = kit.section_id
    a, b, c = (str(people.org(k).id) for k in ("builder_a", "builder_b", "builder_c"))
    await pool(db, clock.now())
    drawn = await client.post(url(sid, "/draw"), json=DRAW, headers=people.headers("clerk"))
    assert drawn.status_code == 201, drawn.text
    members = await drawn_members(client, people, db, sid)
    sitting = [s["expert_id"] for s in await seated(client, people, sid) if s["kind"] == "member"]
    for expert in sitting:
        answer = await client.post(
            url(sid, "/committee/sign-in"), json={"conflict": False}, headers=members[expert]["headers"]
        )
        assert answer.status_code == 200, answer.text
    seats = {s["expert_id"]: s for s in await seated(client, people, sid)}
    chair = sitting[0]
    await client.post(
        url(sid, "/committee/chair"),
        json={"member_id": seats[chair]["member_id"]},
        headers=people.headers("clerk"),
    )
    started = await client.post(url(sid, "/evaluation"), json=METHOD, headers=people.headers("clerk"))
    assert started.status_code == 201, started.text
    rejected = await client.post(
        url(sid, "/evaluation/rejections"),
        json={"organisation_id": c, "ground": "TLR-51-6", "text": "工期未响应招标文件要求"},
        headers=members[chair]["headers"],
    )
    assert rejected.status_code == 200, rejected.text
    await client.post(url(sid, "/evaluation/scoring"), headers=members[chair]["headers"])
    clock.advance(dt.timedelta(minutes=40))
    for n, expert in enumerate(sitting):
        sheet = {a: {"T1": 35, "T2": 15 + n % 2}, b: {"T1": 30, "T2": 14}}
        answer = await client.put(
            url(sid, "/evaluation/sheet"), json={"scores": sheet}, headers=members[expert]["headers"]
        )
        assert answer.status_code == 200, answer.text
    ranked = await client.post(url(sid, "/evaluation/ranking"), headers=members[chair]["headers"])
    assert [r["organisation_id"] for r in ranked.json()["ranking"]] == [a, b], ranked.text
    for n, expert in enumerate(sitting):
        dissent = {"dissent": "施工组织设计评分宜从严"} if n == 1 else {}
        signed = await client.post(
            url(sid, "/evaluation/report/signatures"), json=dissent, headers=members[expert]["headers"]
        )
        assert signed.status_code == 200, signed.text
    return sid, members, sitting


async def test_the_evaluation_and_award_documents_render_signed(
    client, people, settings, clock, tmp_path, db
):
    sid, members, sitting = await signed_report(client, people, settings, clock, tmp_path, db)
    a, b, c = (people.org(k) for k in ("builder_a", "builder_b", "builder_c"))

    # Before the award the committee is sealed (E-06): seats and specialties, no names.
    early = await client.post(
        "/api/documents/", json={"kind": "award.notice", "subject": sid}, headers=people.headers("clerk")
    )
    assert (early.status_code, early.json()["code"]) == (409, "document.no_award")
    bidder = await client.post(
        "/api/documents/",
        json={"kind": "evaluation.report", "subject": sid},
        headers=people.headers("bidder_a"),
    )
    assert (bidder.status_code, bidder.json()["code"]) == (403, "document.not_allowed")
    report = await issue(client, people, "clerk", "evaluation.report", sid)
    facts = await check_document(
        client,
        await fetch(client, people, "principal", report),
        report,
        "评标报告",
        "评标委员会",
        "定标前保密",
        "施工组织设计评分宜从严",
        "工期未响应招标文件要求",
        a.name,
        b.name,
        "47500000.00",
    )
    assert not any(members[e]["name"] in facts.text for e in sitting)
    other_bureau = await client.get(f"/api/documents/{report['id']}", headers=people.headers("cz_supervisor"))
    assert other_bureau.status_code == 404

    # The publicity becomes a document once published (every reader may read it).
    unpublished = await client.post(
        "/api/documents/",
        json={"kind": "evaluation.candidates", "subject": sid},
        headers=people.headers("clerk"),
    )
    assert (unpublished.status_code, unpublished.json()["code"]) == (409, "document.not_published")
    drafted = await client.post(
        url(sid, "/notices/candidates"),
        json={"publicity_end": iso(clock.now() + 3 * DAY)},
        headers=people.headers("agency"),
    )
    assert drafted.status_code == 201, drafted.text
    published = await publish_draft(client, people, drafted.json()["announcement_id"])
    assert published.status_code == 200, published.text
    publicity = await issue(client, people, "clerk", "evaluation.candidates", sid)
    await check_document(
        client,
        await fetch(client, people, "bidder_c", publicity),
        publicity,
        "中标候选人公示",
        "被否决的投标",
        "公示截止时间",
        "工期未响应招标文件要求",
        a.name,
        b.name,
        people.org("city_invest").name,
    )

    clock.advance(4 * DAY)  # the publicity is over
    award = await client.post(
        url(sid, "/award"), json={"winner_id": str(a.id)}, headers=people.headers("principal")
    )
    assert award.status_code == 201, award.text
    notice = await issue(client, people, "clerk", "award.notice", sid)
    await check_document(
        client,
        await fetch(client, people, "bidder_a", notice),
        notice,
        "中标通知书",
        "确定你方为中标人",
        a.name,
        a.uscc,
        "47500000.00",
    )
    # The winner and, copied, the principal read it; another bidder does not.
    copy = await client.get(f"/api/documents/{notice['id']}/pdf", headers=people.headers("principal"))
    assert copy.status_code == 200
    assert (
        await client.get(f"/api/documents/{notice['id']}/pdf", headers=people.headers("bidder_b"))
    ).status_code == 404
    english = await issue(client, people, "clerk", "award.notice", sid, language="en")
    await check_document(
        client,
        await fetch(client, people, "bidder_a", english),
        english,
        "award notice",
        "you are the winner",
        a.name,
    )

    second = await issue(client, people, "clerk", "award.result_notice", f"{sid}/{b.uscc}")
    await check_document(
        client,
        await fetch(client, people, "bidder_b", second),
        second,
        "中标结果通知书",
        b.name,
        a.name,
        "你方评审排名",
    )
    rejected = await issue(client, people, "clerk", "award.result_notice", f"{sid}/{c.uscc}")
    await check_document(
        client,
        await fetch(client, people, "bidder_c", rejected),
        rejected,
        c.name,
        "被否决",
        "工期未响应招标文件要求",
    )
    assert (
        await client.get(f"/api/documents/{rejected['id']}/pdf", headers=people.headers("bidder_b"))
    ).status_code == 404
    winner = await client.post(
        "/api/documents/",
        json={"kind": "award.result_notice", "subject": f"{sid}/{a.uscc}"},
        headers=people.headers("clerk"),
    )
    assert (winner.status_code, winner.json()["code"]) == (404, "document.subject_not_found")
    malformed = await client.post(
        "/api/documents/",
        json={"kind": "award.result_notice", "subject": sid},
        headers=people.headers("clerk"),
    )
    assert (malformed.status_code, malformed.json()["code"]) == (422, "document.bad_subject")

    # Once the award unsealed the committee, a corrected report names its members.
    named = await issue(
        client,
        people,
        "clerk",
        "evaluation.report",
        sid,
        supersedes=report["id"],
        reason="定标后公开评标委员会成员名单",
    )
    facts = await check_document(client, await fetch(client, people, "clerk", named), named, "评标报告")
    assert all(members[e]["name"] in facts.text.replace("\n", "") for e in sitting)


async def test_the_transaction_confirmation_of_a_land_sale(client, people, settings, clock):
    sale = await sold_to_bidder_a(client, people, settings, clock)
    winner = people.org("builder_a")
    loser = await client.post(
        "/api/documents/",
        json={"kind": "auction.confirmation", "subject": sale.listing_id},
        headers=people.headers("bidder_a"),
    )
    assert (loser.status_code, loser.json()["code"]) == (403, "document.not_allowed")
    confirmation = await issue(client, people, "clerk", "auction.confirmation", sale.listing_id)
    await check_document(
        client,
        await fetch(client, people, "bidder_a", confirmation),
        confirmation,
        "成交确认书",
        "挂牌出让",
        winner.name,
        winner.uscc,
        "98000000.00",
        "尚未签署",
    )
    assert (
        await client.get(f"/api/documents/{confirmation['id']}/pdf", headers=people.headers("bidder_b"))
    ).status_code == 404
    assert (
        await client.get(f"/api/documents/{confirmation['id']}/pdf", headers=people.headers("land_bureau"))
    ).status_code == 200


async def test_a_sessions_supervision_log_extract(client, people, clock):
    _, _, session_id = await opening_session(client, people, clock)
    path = f"/api/supervision/sessions/{session_id}/entries"
    wrong = await call(
        client, "POST", path, "zj_supervisor", people, {"kind": "incident", "body": "3号投标人未到场"}, 201
    )
    await call(
        client,
        "POST",
        path,
        "zj_supervisor",
        people,
        {"kind": "correction", "body": "3号投标人在线参加，非未到场", "corrects_id": wrong["id"]},
        201,
    )
    still_open = await client.post(
        "/api/documents/",
        json={"kind": "supervision.log_extract", "subject": session_id},
        headers=people.headers("zj_supervisor"),
    )
    assert (still_open.status_code, still_open.json()["code"]) == (409, "document.session_open")
    await call(
        client, "POST", f"/api/venue/sessions/{session_id}/moves", "clerk", people, {"action": "close"}
    )
    other_bureau = await client.post(
        "/api/documents/",
        json={"kind": "supervision.log_extract", "subject": session_id},
        headers=people.headers("cz_supervisor"),
    )
    assert (other_bureau.status_code, other_bureau.json()["code"]) == (404, "document.subject_not_found")
    extract = await issue(client, people, "zj_supervisor", "supervision.log_extract", session_id)
    await check_document(
        client,
        await fetch(client, people, "clerk", extract),
        extract,
        "监督记录摘录",
        "3号投标人未到场",
        "更正第1条",
        "周监督（住建局）",
        wrong["digest"],
    )
    # A bidder is told it does not exist, as for any document it may not read.
    assert (
        await client.get(f"/api/documents/{extract['id']}", headers=people.headers("bidder_a"))
    ).status_code == 404


async def test_the_monthly_circular(client, people, clock):
    await small_march(client, people, clock)
    clock.set(at("2026-04-02"))
    circular = await call(
        client,
        "POST",
        "/api/oversight/circulars",
        "zj_supervisor",
        people,
        {"sector": "construction", "month": "2026-03"},
        201,
    )
    document = await issue(client, people, "zj_supervisor", "oversight.circular", circular["id"])
    await check_document(
        client,
        await fetch(client, people, "auditor", document),
        document,
        "2026-03 工程建设情况通报",
        "按时办结率",
        "金陵工程咨询招标代理有限公司",
        "50.0",
        circular["sha256"],
    )
    assert (
        await client.get(f"/api/documents/{document['id']}", headers=people.headers("cz_supervisor"))
    ).status_code == 404
