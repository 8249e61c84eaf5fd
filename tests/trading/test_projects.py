"""Projects and sections: registration, the rules on amounts and dates, the status machine."""

import datetime as dt

from tests.conftest import START
from tests.trading.factories import (
    call_announcement,
    construction_project,
    evaluate_as_the_committee_does,
    open_as_the_opening_does,
)


async def register(client, people, body, as_="agency"):
    return await client.post("/api/projects/", json=body, headers=people.headers(as_))


async def publish(client, people, body, author="agency"):
    """Draft, submit, approve and publish an announcement; returns the last answer."""
    draft = await client.post("/api/announcements/", json=body, headers=people.headers(author))
    assert draft.status_code == 201, draft.text
    announcement_id = draft.json()["id"]
    await client.post(f"/api/announcements/{announcement_id}/submit", headers=people.headers(author))
    await client.post(
        f"/api/announcements/{announcement_id}/approve",
        json={"note": "同意"},
        headers=people.headers("clerk"),
    )
    return await client.post(f"/api/announcements/{announcement_id}/publish", headers=people.headers("clerk"))


async def test_a_registered_project_gets_a_sector_code_and_draft_sections(client, people):
    response = await register(client, people, construction_project(people))
    assert response.status_code == 201, response.text
    project = response.json()
    assert project["code"] == "GC-2026-0001"
    section = project["sections"][0]
    assert section["code"] == "GC-2026-0001-01"
    assert section["status"] == "draft"
    assert section["budget"] == "48600000.00"
    assert section["deposit"] == "20000.00"


async def test_codes_count_per_sector(client, people):
    await register(client, people, construction_project(people))
    second = await register(client, people, construction_project(people))
    assert second.json()["code"] == "GC-2026-0002"


async def test_a_deposit_above_two_percent_is_refused_citing_the_regulation(client, people):
    response = await register(client, people, construction_project(people, deposit="972000.01"))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "deposit.too_high"
    assert body["rule"] == {"id": "C-06", "source": "TLR art. 26"}
    assert "972000.00" in body["message"]["zh-CN"]
    listed = await client.get("/api/projects/", headers=people.headers("clerk"))
    assert listed.json() == []


async def test_a_bid_period_under_twenty_days_is_refused(client, people):
    response = await register(client, people, construction_project(people, days_to_deadline=19))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "deadline.too_short"
    assert body["rule"]["id"] == "C-02"


async def test_money_as_a_json_number_is_a_400_naming_the_field(client, people):
    body = construction_project(people)
    body["sections"][0]["deposit"] = 20000.5
    response = await register(client, people, body)
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"
    assert "deposit" in response.json()["message"]["en"]


async def test_a_principal_cannot_register_for_another_organisation(client, people):
    body = construction_project(people)
    body["principal_id"] = str(people.org("hospital").id)
    body["agency_id"] = None
    hospital_org = people.org("hospital")
    assert hospital_org is not None
    response = await register(client, people, body, as_="principal")
    assert response.status_code == 403
    assert response.json()["code"] == "project.not_yours"


async def test_the_section_walks_its_life_with_the_clock(client, people, clock):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    published = await publish(client, people, call_announcement(project["id"]))
    assert published.json()["status"] == "published"

    section = (await client.get(f"/api/sections/{section_id}", headers=people.headers("clerk"))).json()
    assert section["status"] == "registration_open"

    early = await client.post(
        f"/api/sections/{section_id}/transitions",
        json={"action": "open_bids"},
        headers=people.headers("clerk"),
    )
    assert early.status_code == 409
    assert early.json()["code"] == "section.transition_refused"
    assert early.json()["rule"]["id"] == "C-08"

    clock.advance(dt.timedelta(days=25))
    section = (await client.get(f"/api/sections/{section_id}", headers=people.headers("clerk"))).json()
    assert section["status"] == "bidding_closed"
    assert section["allowed_actions"] == ["cancel", "fail", "open_bids"]

    by_hand = await client.post(
        f"/api/sections/{section_id}/transitions",
        json={"action": "open_bids"},
        headers=people.headers("clerk"),
    )
    assert by_hand.status_code == 409
    assert (by_hand.json()["code"], by_hand.json()["rule"]["id"]) == ("section.opening_required", "E-04")

    await open_as_the_opening_does(people, section_id, clock.now())
    section = (await client.get(f"/api/sections/{section_id}", headers=people.headers("clerk"))).json()
    assert section["status"] == "opened"


async def test_an_award_before_the_candidates_publicity_is_refused_with_its_rule(client, people, clock):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    await publish(client, people, call_announcement(project["id"]))
    clock.advance(dt.timedelta(days=26))
    await open_as_the_opening_does(people, section_id, clock.now())
    by_hand = await client.post(
        f"/api/sections/{section_id}/transitions",
        json={"action": "evaluate"},
        headers=people.headers("clerk"),
    )
    assert (by_hand.status_code, by_hand.json()["code"]) == (409, "section.evaluation_required")
    await evaluate_as_the_committee_does(people, section_id, clock.now())
    award = await client.post(
        f"/api/sections/{section_id}/transitions", json={"action": "award"}, headers=people.headers("clerk")
    )
    assert award.status_code == 409
    assert award.json()["rule"] == {"id": "C-14", "source": "TLR art. 54"}


async def test_cancelling_needs_a_reason(client, people):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    response = await client.post(
        f"/api/sections/{section_id}/transitions", json={"action": "cancel"}, headers=people.headers("clerk")
    )
    assert response.status_code == 422
    assert response.json()["code"] == "section.reason_required"


async def test_a_supervisor_sees_only_its_own_sector(client, people):
    project = (await register(client, people, construction_project(people))).json()
    construction = await client.get("/api/projects/", headers=people.headers("zj_supervisor"))
    procurement = await client.get("/api/projects/", headers=people.headers("cz_supervisor"))
    assert [p["id"] for p in construction.json()] == [project["id"]]
    assert procurement.json() == []
    hidden = await client.get(f"/api/projects/{project['id']}", headers=people.headers("cz_supervisor"))
    assert hidden.status_code == 404


async def test_the_schedule_of_an_announced_section_is_locked(client, people):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    await publish(client, people, call_announcement(project["id"]))
    response = await client.put(
        f"/api/sections/{section_id}/schedule",
        json={"bid_deadline": (START + dt.timedelta(days=40)).isoformat()},
        headers=people.headers("agency"),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "section.schedule_locked"
