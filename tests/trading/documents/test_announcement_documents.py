"""Every announcement kind becomes a signed PDF in Chinese that anyone can verify; corrections,
tampered copies, English, and who may issue."""

import datetime as dt
import re

from tests.trading.documents.helpers import ca_of, check_document, fetch, issue
from tests.trading.documents.pdfcheck import signature_of
from tests.trading.factories import (
    award_as_the_decision_does,
    call_announcement,
    construction_project,
    evaluate_as_the_committee_does,
    iso,
    open_as_the_opening_does,
)
from tests.trading.test_projects import publish, register


async def published_call(client, people) -> tuple[dict, dict]:
    project = await register(client, people, construction_project(people))
    assert project.status_code == 201, project.text
    answer = await publish(client, people, call_announcement(project.json()["id"]))
    assert answer.status_code == 200, answer.text
    return project.json(), answer.json()


async def announce(client, people, project_id: str, kind: str, title: str, **more) -> dict:
    answer = await publish(
        client,
        people,
        call_announcement(project_id, kind=kind, title=title, body=f"{title}。特此公告。", **more),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_every_announcement_kind_renders_signed_in_chinese(client, people, clock):
    project, call = await published_call(client, people)
    section_id = project["sections"][0]["id"]
    amendment = await announce(client, people, project["id"], "amendment", "教学楼工程施工招标澄清公告")
    clock.advance(dt.timedelta(days=26))
    await open_as_the_opening_does(people, section_id, clock.now())
    await evaluate_as_the_committee_does(people, section_id, clock.now())
    candidates = await announce(
        client,
        people,
        project["id"],
        "candidates",
        "教学楼工程中标候选人公示",
        publicity_end=iso(clock.now() + dt.timedelta(days=4)),
    )
    clock.advance(dt.timedelta(days=5))
    await award_as_the_decision_does(people, section_id, clock.now(), people.org("builder_a").id)
    award = await announce(
        client,
        people,
        project["id"],
        "award",
        "教学楼工程中标结果公告",
        winner_id=str(people.org("builder_a").id),
    )
    failed_project, _ = await published_call(client, people)
    clock.advance(dt.timedelta(days=26))
    failure = await announce(client, people, failed_project["id"], "failure", "城南中学工程流标公告")

    for kind, announcement, words in (
        ("call", call, ["招标（采购、出让）公告", "江宁区城南中学教学楼新建工程", "施工总承包", "20000.00"]),
        ("amendment", amendment, ["变更公告", "澄清公告"]),
        ("candidates", candidates, ["中标候选人公示", "公示截止时间"]),
        ("award", award, ["中标（成交）结果公告", people.org("builder_a").name]),
        ("failure", failure, ["流标（终止）公告"]),
    ):
        document = await issue(client, people, "clerk", f"announcement.{kind}", announcement["id"])
        pdf = await fetch(client, people, "clerk", document)
        await check_document(client, pdf, document, announcement["title"], *words)


async def test_a_document_is_rendered_once_and_served_from_storage(client, people):
    _, call = await published_call(client, people)
    first = await issue(client, people, "clerk", "announcement.call", call["id"])
    again = await client.post(
        "/api/documents/",
        json={"kind": "announcement.call", "subject": call["id"]},
        headers=people.headers("clerk"),
    )
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    # Anyone may read a public announcement's document; a bidder may not issue one.
    assert (await fetch(client, people, "bidder_a", first)) == (await fetch(client, people, "clerk", first))
    refused = await client.post(
        "/api/documents/",
        json={"kind": "announcement.call", "subject": call["id"]},
        headers=people.headers("bidder_a"),
    )
    assert refused.status_code == 403 and refused.json()["code"] == "document.not_allowed"


async def test_english_on_request(client, people):
    _, call = await published_call(client, people)
    document = await issue(client, people, "clerk", "announcement.call", call["id"], language="en")
    pdf = await fetch(client, people, "clerk", document)
    facts = await check_document(client, pdf, document, "call for bids", "Project", call["title"])
    assert "Page 1 of 1" in facts.text


async def test_a_copy_with_one_byte_changed_fails_verification(client, people):
    _, call = await published_call(client, people)
    document = await issue(client, people, "clerk", "announcement.call", call["id"])
    pdf = await fetch(client, people, "clerk", document)
    # One byte inside the signed range: the text of the page content stream.
    position = pdf.index(b"stream") + 40
    changed = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]
    check = await signature_of(changed, await ca_of(client))
    assert check.signed and not check.intact and not check.valid
    original = (await client.post("/api/public/documents/verify", content=pdf)).json()
    assert original["genuine"] is True and original["number"] == document["number"]
    answer = (await client.post("/api/public/documents/verify", content=changed)).json()
    assert answer["genuine"] is False and answer["signature"]["intact"] is False
    assert answer["message"]["zh-CN"].startswith("未找到该文书")


async def test_a_correction_supersedes_and_both_stay_verifiable(client, people, clock):
    _, call = await published_call(client, people)
    first = await issue(client, people, "clerk", "announcement.call", call["id"])
    clock.advance(dt.timedelta(hours=2))
    no_reason = await client.post(
        "/api/documents/",
        json={"kind": "announcement.call", "subject": call["id"], "supersedes": first["id"]},
        headers=people.headers("clerk"),
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "document.reason_required"
    second = await issue(
        client,
        people,
        "clerk",
        "announcement.call",
        call["id"],
        supersedes=first["id"],
        reason="更正标段保证金金额",
    )
    assert second["number"] != first["number"] and second["supersedes_id"] == first["id"]
    pdf = await fetch(client, people, "clerk", second)
    await check_document(client, pdf, second, "本文书更正并取代文书", first["number"], "更正标段保证金金额")

    old = (await client.get(f"/api/public/documents/verify/{first['verification_code']}")).json()
    assert old["genuine"] is True
    assert old["superseded_by"]["number"] == second["number"]
    assert old["superseded_by"]["reason"] == "更正标段保证金金额"
    assert old["issued_at"] == "2026-03-02 09:00"
    new = (await client.get(f"/api/public/documents/verify/{second['verification_code']}")).json()
    assert new["supersedes"]["number"] == first["number"] and new["superseded_by"] is None
    assert new["issued_at"] == "2026-03-02 11:00"
    twice = await client.post(
        "/api/documents/",
        json={
            "kind": "announcement.call",
            "subject": call["id"],
            "supersedes": first["id"],
            "reason": "再次更正",
        },
        headers=people.headers("clerk"),
    )
    assert twice.status_code == 409 and twice.json()["code"] == "document.already_superseded"


async def test_the_verification_page_and_the_original_need_no_login(client, people):
    _, call = await published_call(client, people)
    document = await issue(client, people, "clerk", "announcement.call", call["id"])
    code = document["verification_code"]
    page = await client.get(f"/verify/{code.lower()}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for shown in (
        "真实有效",
        document["number"],
        call["title"],
        "2026-03-02 09:00",
        "王敏（交易中心）",
        document["sha256"],
    ):
        assert shown in page.text, shown
    # The CSP allows styles and scripts from the platform's own files only: the page has none
    # inline, and its stylesheet is served without a login.
    assert "style-src 'self'" in page.headers["content-security-policy"]
    assert "<style" not in page.text and "style=" not in page.text
    assert all(' src="/static/' in tag for tag in re.findall(r"<script[^>]*>", page.text))
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert stylesheets
    for href in stylesheets:
        stylesheet = await client.get(href)
        assert stylesheet.status_code == 200 and "text/css" in stylesheet.headers["content-type"]
    original = await client.get(f"/verify/{code}/pdf")
    assert original.status_code == 200 and original.content == await fetch(client, people, "clerk", document)
    unknown = await client.get("/verify/AAAA-BBBB-CCCC")
    assert unknown.status_code == 404 and "不存在" in unknown.text
    api = await client.get("/api/public/documents/verify/AAAA-BBBB-CCCC")
    assert api.status_code == 404 and api.json()["code"] == "document.unknown_code"


async def test_an_unpublished_announcement_is_no_document(client, people):
    project = (await register(client, people, construction_project(people))).json()
    draft = await client.post(
        "/api/announcements/", json=call_announcement(project["id"]), headers=people.headers("agency")
    )
    answer = await client.post(
        "/api/documents/",
        json={"kind": "announcement.call", "subject": draft.json()["id"]},
        headers=people.headers("clerk"),
    )
    assert answer.status_code == 409 and answer.json()["code"] == "document.not_published"
    unknown = await client.post(
        "/api/documents/", json={"kind": "evaluation.x", "subject": "x"}, headers=people.headers("clerk")
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "document.unknown_kind"


async def test_a_character_no_font_can_draw_is_refused_before_rendering(client, people):
    project = (await register(client, people, construction_project(people))).json()
    answer = await publish(
        client, people, call_announcement(project["id"], body="招标人：\U0002a700氏建设有限公司")
    )
    assert answer.status_code == 200, answer.text
    refused = await client.post(
        "/api/documents/",
        json={"kind": "announcement.call", "subject": answer.json()["id"]},
        headers=people.headers("clerk"),
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "document.glyph_missing"
    assert refused.json()["details"]["characters"] == ["U+2A700"]
    listed = await client.get("/api/documents/", headers=people.headers("clerk"))
    assert listed.json() == []
