"""The inputs that gave a 500 before, each by its own route: they get a 4xx problem and change
nothing."""

import json

import pytest
from sqlalchemy import select

from tests.funds.helpers import notification, open_section, open_subaccount, signed
from tests.trading.factories import construction_project
from trading.auth.models import User
from trading.auth.service import identity_of
from trading.auth.tokens import issue_token
from trading.demo import load_demo

LATE = "9999-12-31T23:59:59-14:00"
EARLY = "0001-01-01T00:00:00+14:00"


@pytest.mark.parametrize("edge", [LATE, EARLY])
async def test_an_edge_date_in_a_query_string_is_a_400(client, edge):
    response = await client.get("/api/public/announcements", params={"published_from": edge})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "request.out_of_range"


@pytest.mark.parametrize("edge", [LATE, EARLY])
async def test_an_edge_date_in_a_body_is_a_4xx_and_registers_nothing(client, people, edge):
    body = construction_project(people, bid_deadline=edge)
    response = await client.post("/api/projects/", json=body, headers=people.headers("agency"))
    assert 400 <= response.status_code < 500, response.text
    assert (await client.get("/api/projects/", headers=people.headers("clerk"))).json() == []


@pytest.mark.parametrize("edge", [LATE, EARLY])
async def test_an_edge_date_in_a_bank_notice_is_a_4xx(client, people, settings, clock, edge):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    body = notification(people, account["number"], "20000.00")
    body["value_time"] = edge
    raw, headers = signed(settings, clock, body)
    response = await client.post("/api/funds/bank/credits", content=raw, headers=headers)
    assert 400 <= response.status_code < 500, response.text


async def test_an_offset_beyond_64_bits_is_a_400(client, people):
    response = await client.get("/api/users/", params={"offset": 2**70}, headers=people.headers("admin"))
    assert response.status_code == 400, response.text


async def test_an_unknown_winner_is_a_4xx_not_an_integrity_error(client, people):
    project = await client.post(
        "/api/projects/", json=construction_project(people), headers=people.headers("agency")
    )
    body = {
        "project_id": project.json()["id"],
        "kind": "award",
        "title": "中标结果公告",
        "body": "中标人：见下。",
        "winner_id": "0190e0c4-0000-7000-8000-000000000000",
    }
    response = await client.post("/api/announcements/", json=body, headers=people.headers("agency"))
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("name", ["江宁\x00建设", "江宁\x1b[31m建设", "江宁\x7f建设"])
async def test_a_name_with_control_characters_is_refused_naming_the_field(client, people, name):
    body = {
        "uscc": "91320115MA1N0XYZ1",
        "name": name,
        "capacities": ["bidder"],
        "region": "江宁区",
        "legal_representative": "张伟",
        "contact_phone": "025-52100000",
    }
    response = await client.post("/api/organisations/", json=body, headers=people.headers("clerk"))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "request.control_characters"
    assert response.json()["details"] == {"field": "name"}


async def test_line_breaks_and_tabs_in_a_text_are_kept(client, people):
    project = await client.post(
        "/api/projects/",
        json=construction_project(people, description="第一行\n第二行\t说明"),
        headers=people.headers("agency"),
    )
    assert project.status_code == 201, project.text


async def test_a_control_character_in_a_query_string_is_refused(client, people):
    response = await client.get(
        "/api/organisations/", params={"q": "江宁\x00"}, headers=people.headers("clerk")
    )
    assert response.status_code == 400
    assert response.json()["code"] == "request.control_characters"


async def test_deep_json_is_refused_before_decoding(client):
    deep = '{"username": ' + "[" * 1000 + "]" * 1000 + "}"
    response = await client.post(
        "/api/auth/login", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "request.too_deep"


async def test_json_nested_as_deep_as_the_schemas_need_is_accepted(client):
    shallow = json.dumps({"username": "clerk", "password": "x", "extra": [[[{"a": [1]}]]]})
    response = await client.post(
        "/api/auth/login", content=shallow, headers={"Content-Type": "application/json"}
    )
    assert response.json()["code"] == "auth.invalid_credentials"


@pytest.mark.parametrize("wildcard", ["%", "_"])
async def test_like_wildcards_in_an_organisation_search_match_themselves(client, people, wildcard):
    response = await client.get(
        "/api/organisations/", params={"q": wildcard}, headers=people.headers("clerk")
    )
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("path", "username"),
    [("/api/projects/", "clerk"), ("/api/experts/", "clerk"), ("/api/public/announcements", None)],
)
async def test_like_wildcards_match_themselves_in_every_search(client, app, db, clock, path, username):
    await load_demo(db, clock)
    async with db.session() as session:
        user = await session.scalar(select(User).where(User.username == (username or "clerk")))
    token = issue_token(app.state.jwt_auth, identity_of(user))[0]
    headers = {"Authorization": f"Bearer {token}"} if username else {}
    everything = await client.get(path, headers=headers)
    assert everything.status_code == 200
    assert found(everything.json()), "the demo center has something to find"
    for wildcard in ("%", "_", "%%", "\\"):
        response = await client.get(path, params={"q": wildcard}, headers=headers)
        assert response.status_code == 200
        # Only what holds the character itself (the demo sells a "40%" stake), never everything.
        hits = found(response.json())
        assert all(wildcard in json.dumps(hit, ensure_ascii=False) for hit in hits), wildcard
        assert len(hits) < len(found(everything.json())), wildcard


def found(answer):
    return answer if isinstance(answer, list) else answer["items"]
