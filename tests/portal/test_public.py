"""The public pages as an anonymous visitor uses them: search announcements in Chinese, open one
and read its sections, check a document by its code, read the center's disclosures."""

from __future__ import annotations

import re

from tests.portal.helpers import HTML
from tests.trading.documents.helpers import issue
from tests.trading.test_announcements import announced_project

TITLE = "江宁区城南中学教学楼新建工程施工招标公告"


async def _announcement_id(client) -> str:
    return (await client.get("/api/public/announcements/")).json()["items"][0]["id"]


async def test_a_visitor_finds_a_tender_by_chinese_keywords_and_filters(client, people):
    await announced_project(client, people)
    found = await client.get(
        "/announcements", params={"q": "城南 教学楼", "sector": "construction"}, headers=HTML
    )
    assert found.status_code == 200
    assert "共找到 1 条公告" in found.text
    assert "<mark>城南</mark>" in found.text  # the keywords are marked in the title
    # Two characters make no trigram: the short word is still found (LIKE on the base table).
    assert "共找到 1 条公告" in (await client.get("/announcements", params={"q": "中学"}, headers=HTML)).text
    for miss in ({"q": "水利枢纽"}, {"sector": "land"}, {"kind": "award"}, {"region": "玄武区"}):
        assert "共找到 0 条公告" in (await client.get("/announcements", params=miss, headers=HTML)).text, miss
    # Dates are the center's calendar days: published 2026-03-02 09:00 Beijing time.
    on_the_day = {"published_from": "2026-03-02", "published_to": "2026-03-02"}
    assert "共找到 1 条公告" in (await client.get("/announcements", params=on_the_day, headers=HTML)).text
    after = {"published_from": "2026-03-03"}
    assert "共找到 0 条公告" in (await client.get("/announcements", params=after, headers=HTML)).text


async def test_a_bad_date_is_shown_beside_its_field(client, people):
    response = await client.get("/announcements", params={"published_from": "3月2日"}, headers=HTML)
    assert response.status_code == 400
    beside = re.search(r'id="e-published_from"[^>]*>([^<]*)<', response.text)
    assert beside and "2026-03-02" in beside.group(1)


async def test_pages_of_twenty(client, people):
    await announced_project(client, people)
    first = await client.get("/announcements", headers=HTML)
    assert "第 1 / 1 页" in first.text and 'rel="next"' not in first.text
    beyond = await client.get("/announcements", params={"page_number": 2}, headers=HTML)
    assert beyond.status_code == 200 and 'rel="prev"' in beyond.text


async def test_the_announcement_page_shows_each_section_with_deadline_deposit_and_how_to_register(
    client, people
):
    await announced_project(client, people)
    announcement_id = await _announcement_id(client)
    response = await client.get(f"/announcements/{announcement_id}", headers=HTML)
    assert response.status_code == 200
    text = response.text
    assert TITLE in text and "施工总承包" in text
    assert "¥20,000.00" in text  # the deposit
    assert "投标截止/开标时间" in text and "2026-03-27" in text  # 25 days after 2026-03-02, local date
    assert "如何报名" in text
    english = await client.get(f"/announcements/{announcement_id}", headers=HTML, cookies={"lang": "en"})
    assert "How to register" in english.text and "Deposit" in english.text


async def test_an_unknown_or_unpublished_announcement_is_404(client, people):
    response = await client.get("/announcements/00000000-0000-0000-0000-000000000000", headers=HTML)
    assert response.status_code == 404 and "公告不存在" in response.text


async def test_a_document_is_checked_by_its_code_on_the_portal_layout(client, people):
    await announced_project(client, people)
    announcement_id = await _announcement_id(client)
    document = await issue(client, people, "clerk", "announcement.call", announcement_id)
    code = document["verification_code"]
    listed = await client.get(f"/announcements/{announcement_id}", headers=HTML)
    assert f'href="/verify/{code}"' in listed.text  # the announcement lists its signed document
    typed = await client.get("/verify", params={"code": code}, headers=HTML)
    assert typed.status_code == 303 and typed.headers["location"] == f"/verify/{code}"
    page = await client.get(f"/verify/{code}", headers=HTML)
    assert page.status_code == 200 and "真实有效" in page.text and document["sha256"] in page.text
    assert "<style" not in page.text and 'class="mainnav"' in page.text
    unknown = await client.get("/verify/AAAA-BBBB-CCCC", headers=HTML)
    assert unknown.status_code == 404 and "不是本中心出具的文书" in unknown.text


async def test_the_disclosures_list_procedures_time_limits_fees_and_the_supervision_channel(client):
    response = await client.get("/disclosure", headers=HTML)
    assert response.status_code == 200
    text = response.text
    for shown in (
        "公开招标",
        "挂牌出让",
        "竞争性磋商",
        "财政局",
        "自然资源局",
        "监督渠道",
        'href="/disclosure/fees"',
    ):
        assert shown in text, shown
    # The time limits are the rules catalogue, each with its legal source.
    assert 'id="rule-D-01"' in text and "民法典" in text
