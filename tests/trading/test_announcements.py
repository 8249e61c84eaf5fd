"""Announcements: the review workflow, what the public sees, amendments that move deadlines."""

import datetime as dt

from tests.conftest import START
from tests.trading.factories import call_announcement, construction_project
from tests.trading.test_projects import publish, register


async def announced_project(client, people, days_to_deadline=25):
    project = (
        await register(client, people, construction_project(people, days_to_deadline=days_to_deadline))
    ).json()
    response = await publish(client, people, call_announcement(project["id"]))
    assert response.status_code == 200, response.text
    return project


async def test_the_public_reads_published_announcements_without_logging_in(client, people):
    project = await announced_project(client, people)
    listed = await client.get("/api/public/announcements/")
    assert listed.status_code == 200
    page = listed.json()
    assert page["total"] == 1
    item = page["items"][0]
    assert item["project_id"] == project["id"]
    assert "review_note" not in item
    one = await client.get(f"/api/public/announcements/{item['id']}")
    assert one.json()["title"] == item["title"]


async def test_a_draft_is_not_public(client, people):
    project = (await register(client, people, construction_project(people))).json()
    draft = await client.post(
        "/api/announcements/", json=call_announcement(project["id"]), headers=people.headers("agency")
    )
    assert (await client.get("/api/public/announcements/")).json()["total"] == 0
    hidden = await client.get(f"/api/public/announcements/{draft.json()['id']}")
    assert hidden.status_code == 404


async def test_search_by_chinese_keywords_and_filters(client, people, clock):
    await announced_project(client, people)
    clock.advance(dt.timedelta(hours=1))
    second = construction_project(people)
    second["name"] = "江宁区东山街道道路改造工程"
    project = (await register(client, people, second)).json()
    await publish(client, people, call_announcement(project["id"], title="东山街道道路改造工程施工招标公告"))
    newest_first = (await client.get("/api/public/announcements/")).json()["items"]
    assert newest_first[0]["title"] == "东山街道道路改造工程施工招标公告"
    found = (await client.get("/api/public/announcements/", params={"q": "道路 改造"})).json()
    assert [a["title"] for a in found["items"]] == ["东山街道道路改造工程施工招标公告"]
    none = (await client.get("/api/public/announcements/", params={"q": "道路 学校"})).json()
    assert none["total"] == 0
    land = (await client.get("/api/public/announcements/", params={"sector": "land"})).json()
    assert land["total"] == 0
    bad = await client.get("/api/public/announcements/", params={"sector": "mining"})
    assert bad.status_code == 400


async def test_publishing_before_approval_is_refused(client, people):
    project = (await register(client, people, construction_project(people))).json()
    draft = await client.post(
        "/api/announcements/", json=call_announcement(project["id"]), headers=people.headers("agency")
    )
    response = await client.post(
        f"/api/announcements/{draft.json()['id']}/publish", headers=people.headers("clerk")
    )
    assert response.status_code == 409
    assert response.json()["code"] == "announcement.workflow_refused"


async def test_a_rejection_needs_a_reason_and_sends_it_back_to_the_author(client, people):
    project = (await register(client, people, construction_project(people))).json()
    draft = (
        await client.post(
            "/api/announcements/", json=call_announcement(project["id"]), headers=people.headers("agency")
        )
    ).json()
    await client.post(f"/api/announcements/{draft['id']}/submit", headers=people.headers("agency"))
    silent = await client.post(
        f"/api/announcements/{draft['id']}/reject", json={}, headers=people.headers("clerk")
    )
    assert silent.status_code == 422
    rejected = await client.post(
        f"/api/announcements/{draft['id']}/reject",
        json={"note": "资格条件表述不清"},
        headers=people.headers("clerk"),
    )
    assert rejected.json()["status"] == "rejected"
    edited = await client.put(
        f"/api/announcements/{draft['id']}",
        json={
            "title": "江宁区城南中学教学楼新建工程施工招标公告（修订）",
            "body": "投标人须具备建筑工程施工总承包二级及以上资质。",
        },
        headers=people.headers("agency"),
    )
    assert edited.status_code == 200, edited.text


async def test_an_amendment_affecting_bids_too_close_to_the_deadline_must_move_it(client, people, clock):
    project = await announced_project(client, people, days_to_deadline=25)
    clock.advance(dt.timedelta(days=15))  # 10 days before the deadline
    amendment = {
        "project_id": project["id"],
        "kind": "amendment",
        "title": "关于工程量清单的澄清",
        "body": "第三章工程量清单第12项数量更正为1,250立方米。",
        "affects_bids": True,
    }
    refused = await publish(client, people, amendment)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "amendment.too_late"
    assert body["rule"]["id"] == "C-04"
    earliest = body["details"]["earliest_deadline"]
    assert earliest == (START + dt.timedelta(days=30)).date().isoformat()

    new_deadline = dt.datetime.fromisoformat(earliest).replace(hour=9, tzinfo=START.tzinfo)
    moved = await publish(client, people, {**amendment, "new_bid_deadline": new_deadline.isoformat()})
    assert moved.status_code == 200, moved.text
    section = (
        await client.get(f"/api/sections/{project['sections'][0]['id']}", headers=people.headers("clerk"))
    ).json()
    assert dt.datetime.fromisoformat(section["bid_deadline"]) == new_deadline


async def test_an_amendment_that_cannot_affect_bids_needs_no_extension(client, people, clock):
    project = await announced_project(client, people, days_to_deadline=25)
    clock.advance(dt.timedelta(days=20))
    notice = {
        "project_id": project["id"],
        "kind": "amendment",
        "title": "关于开标地点的说明",
        "body": "本项目实行不见面开标，投标人无需到场。",
        "affects_bids": False,
    }
    assert (await publish(client, people, notice)).status_code == 200


async def test_an_agency_cannot_write_for_a_project_it_does_not_serve(client, people):
    body = construction_project(people)
    body["agency_id"] = None
    project = (await register(client, people, body, as_="principal")).json()
    response = await client.post(
        "/api/announcements/", json=call_announcement(project["id"]), headers=people.headers("agency")
    )
    assert response.status_code == 404
