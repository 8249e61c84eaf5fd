"""OCDS 1.1 packages over HTTP, built from whole procedures walked through the API, valid against
the vendored official schemas and free of what is confidential."""

import datetime as dt
import json

from tests.conftest import START
from tests.scenarios.test_core_procedures import land_listing, move
from tests.trading.factories import (
    award_as_the_decision_does,
    award_as_the_sale_does,
    call_announcement,
    construction_project,
    evaluate_as_the_committee_does,
    iso,
    open_as_the_opening_does,
)
from tests.trading.opendata.conformance import errors, project_rules
from tests.trading.test_projects import publish, register

DAY = dt.timedelta(days=1)
PREFIX = "ocds-xxxxxx"


async def construction_to_contract(client, people, clock):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    assert (await publish(client, people, call_announcement(project["id"]))).status_code == 200
    amendment = call_announcement(
        project["id"],
        kind="amendment",
        title="江宁区城南中学教学楼新建工程施工招标变更公告",
        body="招标文件第三章技术标准作如下澄清，不影响投标文件编制。",
    )
    clock.advance(DAY)
    assert (await publish(client, people, amendment)).status_code == 200
    clock.advance(24 * DAY)
    await open_as_the_opening_does(people, section_id, clock.now())
    await evaluate_as_the_committee_does(people, section_id, clock.now())
    publicity = call_announcement(
        project["id"],
        kind="candidates",
        title="江宁区城南中学教学楼新建工程中标候选人公示",
        body="第一中标候选人：江苏华建建设集团有限公司；第二中标候选人：南京宁安建工有限公司。",
        publicity_end=iso(clock.now() + 3 * DAY),
    )
    assert (await publish(client, people, publicity)).status_code == 200
    clock.advance(4 * DAY)
    award = call_announcement(
        project["id"],
        kind="award",
        title="江宁区城南中学教学楼新建工程中标结果公告",
        body="中标人：江苏华建建设集团有限公司。",
        winner_id=str(people.org("builder_a").id),
    )
    await award_as_the_decision_does(people, section_id, clock.now(), people.org("builder_a").id)
    assert (await publish(client, people, award)).status_code == 200
    await move(client, people, section_id, "contract")
    return project


async def land_announced(client, people):
    body = land_listing(people, listing_start=START + 21 * DAY, listing_end=START + 36 * DAY)
    project = (await register(client, people, body, as_="land_bureau")).json()
    notice = call_announcement(project["id"], title="R2-05地块国有建设用地使用权挂牌出让公告")
    assert (await publish(client, people, notice, author="land_bureau")).status_code == 200
    return project


async def land_to_contract(client, people, clock, project):
    """The listing announced at START (land_announced) runs to 7 April: its sale follows."""
    section_id = project["sections"][0]["id"]
    clock.advance(START + 37 * DAY - clock.now())
    # The listing's end awards the section (bidding/auctions; tests/scenarios/test_sales.py).
    await award_as_the_sale_does(people, section_id, clock.now(), people.org("developer").id)
    await move(client, people, section_id, "contract")
    return project


async def get(client, path, **params):
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_construction_tender_and_a_land_sale_publish_valid_packages(client, people, clock):
    land = await land_announced(client, people)
    construction = await construction_to_contract(client, people, clock)
    await land_to_contract(client, people, clock, land)
    releases = await get(client, "/api/public/opendata/releases")
    assert errors(releases, "release") == []
    assert project_rules(releases, PREFIX) == []
    records = await get(client, "/api/public/opendata/records")
    assert errors(records, "record") == []
    assert project_rules(records, PREFIX) == []

    by_ocid = {r["ocid"]: r for r in records["records"]}
    works = by_ocid[f"{PREFIX}-{construction['sections'][0]['code']}"]
    tags = [r["tag"][0] for r in works["releases"]]
    assert tags == ["planning", "tender", "tenderAmendment", "tenderUpdate", "award", "contract"]
    compiled = works["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["awards"][0]["suppliers"][0]["id"] == str(people.org("builder_a").id)
    assert compiled["contracts"][0]["awardID"] == compiled["awards"][0]["id"]
    assert len(compiled["tender"]["amendments"]) == 1
    assert compiled["tender"]["procurementMethod"] == "open"

    sale = by_ocid[f"{PREFIX}-{land['sections'][0]['code']}"]["compiledRelease"]
    assert sale["tender"]["value"] == {"amount": 960000000.0, "currency": "CNY"}
    assert sale["awards"][0]["suppliers"][0]["id"] == str(people.org("developer").id)


async def test_confidential_data_is_never_published(client, people, clock):
    land = await land_announced(client, people)
    await construction_to_contract(client, people, clock)
    await land_to_contract(client, people, clock, land)
    text = json.dumps(await get(client, "/api/public/opendata/records"), ensure_ascii=False)
    assert "980000000" not in text  # the land reserve price
    assert "48600000" not in text  # the construction estimate
    for name in ("builder_a", "developer", "city_invest", "land_bureau", "agency"):
        org = people.org(name)
        assert org.uscc not in text
        assert org.contact_phone not in text
        if org.basic_account_number:
            assert org.basic_account_number not in text


async def test_packages_filter_by_sector_and_date_and_page(client, people, clock):
    land_project = await land_announced(client, people)
    await construction_to_contract(client, people, clock)
    await land_to_contract(client, people, clock, land_project)
    land = await get(client, "/api/public/opendata/releases", sector="land")
    assert {r["ocid"] for r in land["releases"]} == {f"{PREFIX}-{land_project['sections'][0]['code']}"}
    late = await get(client, "/api/public/opendata/releases", since=iso(START + 30 * DAY))
    assert late["releases"] and all(r["date"] >= "2026-03-31" for r in late["releases"])
    first = await get(client, "/api/public/opendata/records", limit=1)
    assert len(first["records"]) == 1 and "next" in first["links"]
    nxt = await client.get(first["links"]["next"])
    second = nxt.json()
    assert len(second["records"]) == 1 and second["links"] == {}
    assert second["records"][0]["ocid"] != first["records"][0]["ocid"]
    for package, kind in ((land, "release"), (late, "release"), (first, "record"), (second, "record")):
        assert errors(package, kind) == []
    bad = await client.get("/api/public/opendata/releases", params={"sector": "mining"})
    assert bad.status_code == 400


async def test_a_date_window_pages_over_the_sections_with_a_release_in_it(client, people, clock):
    land_project = await land_announced(client, people)
    construction = await construction_to_contract(client, people, clock)
    await land_to_contract(client, people, clock, land_project)
    works, sale = construction["sections"][0]["code"], land_project["sections"][0]["code"]
    assert works < sale  # the construction section comes first by code
    # Its contract was signed on day 29; the land sale's award and contract are on day 37. A page
    # of one section since day 36 skips the construction section instead of coming back empty.
    for kind in ("releases", "records"):
        page = await get(client, f"/api/public/opendata/{kind}", since=iso(START + 36 * DAY), limit=1)
        assert errors(page, kind.removesuffix("s")) == []
        items = page[kind]
        ocids = {item["ocid"] for item in items}
        assert (ocids, page["links"]) == ({f"{PREFIX}-{sale}"}, {})
    releases = await get(client, "/api/public/opendata/releases", since=iso(START + 36 * DAY))
    assert [r["tag"][0] for r in releases["releases"]] == ["award", "contract"]
    # Until day 36: the construction section's releases and the land sale's notice, two pages.
    first = await get(client, "/api/public/opendata/releases", until=iso(START + 36 * DAY), limit=1)
    assert {r["ocid"] for r in first["releases"]} == {f"{PREFIX}-{works}"}
    second = (await client.get(first["links"]["next"])).json()
    assert {r["ocid"] for r in second["releases"]} == {f"{PREFIX}-{sale}"} and second["links"] == {}
    assert errors(first, "release") == [] and errors(second, "release") == []


async def test_nothing_to_publish_is_a_404_never_a_non_conforming_package(client, people, clock):
    await register(client, people, construction_project(people))
    for kind in ("releases", "records"):
        # An unannounced section publishes nothing; the schemas want at least one release/record.
        empty = await client.get(f"/api/public/opendata/{kind}")
        assert (empty.status_code, empty.json()["code"]) == (404, "opendata.nothing_published")
        assert empty.headers["content-type"].startswith("application/problem+json")
    land = await land_announced(client, people)
    one = await get(client, "/api/public/opendata/releases")
    assert errors(one, "release") == [] and one["links"] == {}
    beyond = await client.get("/api/public/opendata/releases", params={"offset": 1})
    assert (beyond.status_code, beyond.json()["code"]) == (404, "opendata.nothing_published")
    before = await client.get("/api/public/opendata/records", params={"until": iso(START - DAY)})
    assert (before.status_code, before.json()["code"]) == (404, "opendata.nothing_published")
    other = await client.get("/api/public/opendata/records", params={"sector": "property"})
    assert other.status_code == 404
    assert land["sections"][0]["code"] in json.dumps(one)
