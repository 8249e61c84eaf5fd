"""A whole procedure per sector, over HTTP, the way the center's users walk it (core steps only:
bids, deposits and evaluation have their own scenarios)."""

import datetime as dt

from tests.conftest import START
from tests.trading.factories import (
    award_as_the_decision_does,
    award_as_the_sale_does,
    call_announcement,
    construction_project,
    evaluate_as_the_committee_does,
    iso,
    open_as_the_opening_does,
)
from tests.trading.test_projects import publish, register

DAY = dt.timedelta(days=1)


async def move(client, people, section_id, action, **body):
    response = await client.post(
        f"/api/sections/{section_id}/transitions",
        json={"action": action, **body},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def section(client, people, section_id):
    return (await client.get(f"/api/sections/{section_id}", headers=people.headers("clerk"))).json()


async def test_construction_open_tender_from_registration_to_contract(client, people, clock):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    assert (await publish(client, people, call_announcement(project["id"]))).status_code == 200
    clock.advance(25 * DAY)
    await open_as_the_opening_does(people, section_id, clock.now())
    await evaluate_as_the_committee_does(people, section_id, clock.now())

    publicity = {
        "project_id": project["id"],
        "kind": "candidates",
        "title": "江宁区城南中学教学楼新建工程中标候选人公示",
        "body": "第一中标候选人：江苏华建建设集团有限公司；第二中标候选人：南京宁安建工有限公司。",
    }
    too_short = await publish(client, people, {**publicity, "publicity_end": iso(clock.now() + DAY)})
    assert too_short.json()["code"] == "publicity.too_short"
    published = await publish(client, people, {**publicity, "publicity_end": iso(clock.now() + 3 * DAY)})
    assert published.status_code == 200, published.text
    assert (await section(client, people, section_id))["status"] == "candidates_published"

    award = {
        "project_id": project["id"],
        "kind": "award",
        "title": "江宁区城南中学教学楼新建工程中标结果公告",
        "body": "中标人：江苏华建建设集团有限公司，中标价：人民币肆仟柒佰捌拾万元整。",
        "winner_id": str(people.org("builder_a").id),
    }
    early = await publish(client, people, award)
    assert early.json()["code"] == "award.during_publicity"
    assert early.json()["rule"]["id"] == "C-14"
    clock.advance(4 * DAY)
    by_hand = await publish(client, people, award)
    assert by_hand.json()["code"] == "section.award_decision_required"
    assert by_hand.json()["rule"]["id"] == "C-20"
    await award_as_the_decision_does(people, section_id, clock.now(), people.org("builder_a").id)
    assert (await publish(client, people, award)).status_code == 200
    awarded = await section(client, people, section_id)
    assert (awarded["status"], awarded["winner_id"]) == ("awarded", str(people.org("builder_a").id))
    assert (await move(client, people, section_id, "contract"))["status"] == "contracted"
    assert (await section(client, people, section_id))["allowed_actions"] == []


async def test_procurement_awards_straight_after_evaluation(client, people, clock):
    body = construction_project(people, deposit="10000.00")
    body.update(
        sector="procurement",
        name="江宁区人民医院医学影像设备采购项目",
        principal_id=str(people.org("hospital").id),
    )
    body["sections"][0].pop("contract_kind")
    body["sections"][0].update(name="64排CT", budget="6800000.00", documents_sale_end=iso(START + 8 * DAY))
    project = (await register(client, people, body)).json()
    section_id = project["sections"][0]["id"]
    await publish(client, people, call_announcement(project["id"], title="医学影像设备采购项目公开招标公告"))
    clock.advance(26 * DAY)
    await open_as_the_opening_does(people, section_id, clock.now())
    await evaluate_as_the_committee_does(people, section_id, clock.now())
    by_hand = await client.post(
        f"/api/sections/{section_id}/transitions",
        json={"action": "award", "winner_id": str(people.org("builder_b").id)},
        headers=people.headers("clerk"),
    )
    assert (by_hand.status_code, by_hand.json()["code"]) == (409, "section.award_decision_required")
    assert by_hand.json()["rule"]["id"] == "P-14"
    await award_as_the_decision_does(people, section_id, clock.now(), people.org("builder_b").id)
    assert (await section(client, people, section_id))["status"] == "awarded"


async def test_procurement_documents_offered_under_five_working_days_are_refused(client, people):
    body = construction_project(people, deposit="10000.00")
    body.update(sector="procurement", principal_id=str(people.org("hospital").id))
    body["sections"][0].pop("contract_kind")
    # Monday 2 March to Wednesday 4 March 2026: three working days.
    body["sections"][0].update(budget="6800000.00", documents_sale_end=iso(START + 2 * DAY))
    response = await register(client, people, body)
    assert response.status_code == 422
    assert response.json()["rule"]["id"] == "P-02"


def land_listing(people, *, listing_start, listing_end):
    return {
        "name": "江宁区东山街道R2-05地块国有建设用地使用权挂牌出让",
        "sector": "land",
        "region": "江宁区",
        "principal_id": str(people.org("land_bureau").id),
        "sections": [
            {
                "name": "R2-05地块",
                "procedure": "land_listing",
                "starting_price": "960000000.00",
                "reserve_price": "980000000.00",
                "deposit": "192000000.00",
                "registration_start": iso(listing_start),
                "listing_start": iso(listing_start),
                "listing_end": iso(listing_end),
                "bid_deadline": iso(listing_end),
            }
        ],
    }


async def test_land_listing_from_announcement_to_contract(client, people, clock):
    # Announced 2 March; listing from 23 March to 7 April 2026: 10 working days after its first day
    # (Qingming, 4-6 April, off), 21 days after the notice.
    body = land_listing(people, listing_start=START + 21 * DAY, listing_end=START + 36 * DAY)
    project = (await register(client, people, body, as_="land_bureau")).json()
    section_id = project["sections"][0]["id"]
    notice = call_announcement(project["id"], title="R2-05地块国有建设用地使用权挂牌出让公告")
    assert (await publish(client, people, notice, author="land_bureau")).status_code == 200
    assert (await section(client, people, section_id))["status"] == "announced"
    clock.advance(21 * DAY)
    assert (await section(client, people, section_id))["status"] == "registration_open"
    clock.advance(16 * DAY)
    # The listing's end awards the section (tests/scenarios/test_sales.py walks it through the API).
    await award_as_the_sale_does(people, section_id, clock.now(), people.org("developer").id)
    assert (await move(client, people, section_id, "contract"))["status"] == "contracted"


async def test_land_listing_announced_too_late_is_refused_at_publication(client, people, clock):
    body = land_listing(people, listing_start=START + 21 * DAY, listing_end=START + 36 * DAY)
    project = (await register(client, people, body, as_="land_bureau")).json()
    clock.advance(5 * DAY)  # now only 16 days before the listing starts
    notice = call_announcement(project["id"], title="R2-05地块国有建设用地使用权挂牌出让公告")
    refused = await publish(client, people, notice, author="land_bureau")
    assert refused.status_code == 422
    assert refused.json()["rule"]["id"] == "L-01"


async def test_land_listing_shorter_than_ten_working_days_is_refused(client, people):
    # From 23 March to 6 April 2026: nine working days after the first day (Qingming 4-6 April).
    body = land_listing(people, listing_start=START + 21 * DAY, listing_end=START + 35 * DAY)
    response = await register(client, people, body, as_="land_bureau")
    assert response.status_code == 422
    assert response.json()["rule"]["id"] == "L-02"


async def test_property_transfer_below_ninety_percent_of_appraisal_needs_consent(client, people):
    body = {
        "name": "宁城物业管理有限公司40%股权转让",
        "sector": "property",
        "region": "江宁区",
        "principal_id": str(people.org("state_holding").id),
        "sections": [
            {
                "name": "40%股权",
                "procedure": "listed_transfer",
                "starting_price": "1100000.00",
                "appraised_value": "1230000.00",
                "deposit": "120000.00",
                "listing_start": iso(START + DAY),
                "listing_end": iso(START + 35 * DAY),
            }
        ],
    }
    refused = await register(client, people, body, as_="state_holding")
    assert refused.status_code == 422
    assert refused.json()["rule"]["id"] == "R-02"
    body["sections"][0]["below_appraisal_consent"] = True
    assert (await register(client, people, body, as_="state_holding")).status_code == 201


async def test_a_failed_tender_publishes_its_failure_notice(client, people, clock):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    await publish(client, people, call_announcement(project["id"]))
    clock.advance(25 * DAY)
    failure = {
        "project_id": project["id"],
        "kind": "failure",
        "title": "江宁区城南中学教学楼新建工程流标公告",
        "body": "截至投标截止时间，递交投标文件的投标人不足三家，本次招标失败，将依法重新招标。",
    }
    assert (await publish(client, people, failure)).status_code == 200
    failed = await section(client, people, section_id)
    assert (failed["status"], failed["status_reason"]) == ("failed", failure["title"])
    public = (await client.get("/api/public/announcements/", params={"kind": "failure"})).json()
    assert public["total"] == 1
