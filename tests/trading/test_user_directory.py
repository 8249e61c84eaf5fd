"""The user directory: staff find the people they name as key holders by role and by name."""

from __future__ import annotations

from trading.demo import PEOPLE

URL = "/api/users/directory"


async def test_staff_list_supervisors_by_role_with_their_sectors(client, people):
    answer = await client.get(URL, params={"role": "supervisor"}, headers=people.headers("clerk"))
    assert answer.status_code == 200, answer.text
    names = {row["display_name"]: row["sectors"] for row in answer.json()}
    assert names == {
        "周监督（住建局）": ["construction"],
        "吴监督（财政局）": ["procurement"],
        "郑监督（自然资源局）": ["land"],
        "孙监督（国资委）": ["property"],
    }


async def test_staff_find_a_person_by_part_of_the_name_or_the_organisation(client, people):
    by_name = await client.get(URL, params={"q": "王敏"}, headers=people.headers("clerk"))
    assert [row["id"] for row in by_name.json()] == [str(people.user("clerk").id)]

    by_organisation = await client.get(
        URL, params={"q": "城投", "role": "principal"}, headers=people.headers("clerk")
    )
    rows = by_organisation.json()
    assert [row["display_name"] for row in rows] == ["钱经理（城投集团）"]
    assert rows[0]["organisation_id"] == str(people.org("city_invest").id)


async def test_the_directory_carries_no_credentials_or_login_names(client, people):
    answer = await client.get(URL, headers=people.headers("clerk"))
    rows = answer.json()
    assert len(rows) == len(PEOPLE)
    assert set(rows[0]) == {
        "id",
        "display_name",
        "roles",
        "sectors",
        "organisation_id",
        "organisation_name",
    }
    assert "clerk" not in answer.text and "argon2" not in answer.text


async def test_wildcards_in_the_search_are_taken_literally(client, people):
    answer = await client.get(URL, params={"q": "%"}, headers=people.headers("clerk"))
    assert answer.status_code == 200
    assert answer.json() == []


async def test_deactivated_users_are_not_offered(client, people):
    admin = people.headers("admin")
    clerk2 = people.user("clerk2").id
    assert (await client.post(f"/api/users/{clerk2}/deactivate", headers=admin)).status_code == 200
    answer = await client.get(URL, params={"role": "staff"}, headers=people.headers("clerk"))
    assert [row["display_name"] for row in answer.json()] == ["王敏（交易中心）"]


async def test_an_unknown_role_is_a_400_problem(client, people):
    answer = await client.get(URL, params={"role": "boss"}, headers=people.headers("clerk"))
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_without_a_token_401_and_bidders_or_experts_403(client, people):
    assert (await client.get(URL)).status_code == 401
    for username in ("bidder_a", "expert", "principal"):
        assert (await client.get(URL, headers=people.headers(username))).status_code == 403
