"""Organisations and the unified social credit code (GB 32100-2015)."""

import pytest

from trading.organisations.uscc import InvalidUSCC, check_character, validate_uscc

# Published codes of well-known companies (from their business licences).
REAL_CODES = ["91110000100010433L", "91310000132200821H", "914403001922038216"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code):
    assert validate_uscc(code) == code


def test_lower_case_and_spaces_are_normalised():
    assert validate_uscc(" 91110000100010433l ") == "91110000100010433L"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91110000100010433", "uscc.length"),
        ("91110000100010433X", "uscc.check_character"),
        ("9111000010001O433L", "uscc.characters"),
        ("911100A0100010433L", "uscc.characters"),
    ],
)
def test_wrong_codes_say_what_is_wrong(code, error):
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc(code)
    assert caught.value.code == error


def test_check_character_names_the_expected_character():
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc("91110000100010433X")
    assert "L" in caught.value.zh and "L" in caught.value.en
    assert check_character("91110000100010433") == "L"


FRESH_CODE = "91110000100010499" + check_character("91110000100010499")


def sign_up(uscc, username="newco"):
    return {
        "organisation": {
            "uscc": uscc,
            "name": "南京新创建设有限公司",
            "capacities": ["bidder"],
            "region": "江宁区",
            "legal_representative": "黄磊",
            "contact_phone": "025-88886666",
            "basic_account_name": "南京新创建设有限公司",
            "basic_account_number": "3200158888000123456",
            "basic_account_bank": "中国工商银行南京分行",
        },
        "username": username,
        "password": "a-long-password-1",
        "display_name": "黄磊",
    }


async def test_a_company_signs_up_as_a_bidder_and_logs_in_once_reviewed(client, people):
    response = await client.post("/api/organisations/sign-up", json=sign_up("91110000100010433L"))
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "received"
    credentials = {"username": "newco", "password": "a-long-password-1"}
    assert (await client.post("/api/auth/login", json=credentials)).status_code == 401
    users = await client.get("/api/users/", params={"limit": 500}, headers=people.headers("admin"))
    (newco,) = [u for u in users.json() if u["username"] == "newco"]
    assert newco["active"] is False
    activated = await client.post(f"/api/users/{newco['id']}/activate", headers=people.headers("admin"))
    assert activated.status_code == 200, activated.text
    login = await client.post("/api/auth/login", json=credentials)
    assert login.json()["user"]["roles"] == ["bidder"]


async def test_sign_up_with_a_wrong_check_character_is_refused_and_creates_nothing(client, people):
    response = await client.post("/api/organisations/sign-up", json=sign_up("91110000100010433X"))
    assert response.status_code == 422
    assert response.json()["code"] == "uscc.check_character"
    listed = await client.get("/api/organisations/", params={"q": "新创"}, headers=people.headers("clerk"))
    assert listed.json() == []


async def test_sign_up_tells_nobody_whether_a_code_or_a_username_is_taken(client, people):
    first = await client.post("/api/organisations/sign-up", json=sign_up("91110000100010433L"))
    same_code = await client.post("/api/organisations/sign-up", json=sign_up("91110000100010433L", "other"))
    same_username = await client.post("/api/organisations/sign-up", json=sign_up(FRESH_CODE, "clerk"))
    assert same_code.status_code == same_username.status_code == first.status_code == 202
    assert same_code.json() == same_username.json() == first.json()
    listed = await client.get("/api/organisations/", params={"q": "新创"}, headers=people.headers("clerk"))
    assert len(listed.json()) == 1
    events = await client.get(
        "/api/audit/events",
        params={"action": "organisation.sign_up_duplicate"},
        headers=people.headers("auditor"),
    )
    assert [e["data"]["username_taken"] for e in events.json()] in ([True, False], [False, True])


async def test_a_bidder_sees_its_own_organisation_but_not_another(client, people):
    own = await client.get(
        f"/api/organisations/{people.org('builder_a').id}", headers=people.headers("bidder_a")
    )
    assert own.status_code == 200
    other = await client.get(
        f"/api/organisations/{people.org('builder_b').id}", headers=people.headers("bidder_a")
    )
    assert other.status_code == 403
