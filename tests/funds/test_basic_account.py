"""C-06 as corrected (TLR art. 26 ¶2): only a domestic unit bidding on a must-tender construction
contract must pay its deposit from its basic account; natural persons and the other sectors pay
from any account. A natural-person land bidder can pay its deposit."""

from tests.bidding.helpers import CONTACT
from tests.funds.helpers import open_section, open_subaccount, pay, position
from tests.trading.factories import call_announcement, construction_project
from tests.trading.signups import sign_up
from tests.trading.test_projects import publish, register

PERSONAL_CARD = {"payer_name": "某某个人", "payer_account": "6222 0000 1111 2222"}


async def construction_section(client, people, budget: str) -> str:
    project = await register(client, people, construction_project(people, budget=budget))
    assert project.status_code == 201, project.text
    published = await publish(client, people, call_announcement(project.json()["id"]))
    assert published.status_code in (200, 201), published.text
    return project.json()["sections"][0]["id"]


async def test_a_natural_person_pays_a_land_deposit_from_their_own_card(client, people, settings, clock):
    section_id = await open_section(client, people, "land")
    person = await sign_up(
        client, "zhangsan", name="张三", legal_representative="张三", kind="natural_person"
    )
    assert person.organisation["kind"] == "natural_person"
    registered = await client.post(
        f"/api/bidding/sections/{section_id}/registrations", json=CONTACT, headers=person.headers
    )
    assert registered.status_code == 201, registered.text
    number = registered.json()["subaccount_number"]
    credit = await pay(
        client,
        people,
        settings,
        clock,
        number,
        "20000.00",
        payer_name="张三",
        payer_account="6217000011112222333",
    )
    assert credit["disposition"] == "deposit", credit
    deposit = await client.get(
        f"/api/funds/deposits/{section_id}/{person.id}", headers=people.headers("clerk")
    )
    assert deposit.status_code == 200 and deposit.json()["paid"] == "20000.00", deposit.text


async def test_a_construction_bidder_of_a_must_tender_contract_pays_from_its_basic_account(
    client, people, settings, clock
):
    section_id = await construction_section(client, people, "4000000.00")
    number = (await open_subaccount(client, people, section_id))["number"]
    foreign = await pay(client, people, settings, clock, number, "20000.00", **PERSONAL_CARD)
    assert foreign["disposition"] == "foreign_payer"
    own = await pay(client, people, settings, clock, number, "20000.00")
    assert own["disposition"] == "deposit"
    assert (await position(client, people, section_id))["paid"] == "20000.00"


async def test_below_the_threshold_a_construction_bidder_may_pay_from_any_account(
    client, people, settings, clock
):
    section_id = await construction_section(client, people, "3999999.99")
    number = (await open_subaccount(client, people, section_id))["number"]
    credit = await pay(client, people, settings, clock, number, "20000.00", **PERSONAL_CARD)
    assert credit["disposition"] == "deposit"


async def test_procurement_deposits_may_come_from_any_account(client, people, settings, clock):
    section_id = await open_section(client, people, "procurement")
    number = (await open_subaccount(client, people, section_id))["number"]
    credit = await pay(client, people, settings, clock, number, "20000.00", **PERSONAL_CARD)
    assert credit["disposition"] == "deposit"


async def test_a_natural_person_needs_a_valid_identity_number(client):
    answer = await client.post(
        "/api/organisations/sign-up",
        json={
            "organisation": {
                "kind": "natural_person",
                "uscc": "110105194912310021",
                "name": "李四",
                "capacities": ["bidder"],
                "region": "江宁区",
                "legal_representative": "李四",
                "contact_phone": "025-52100099",
            },
            "username": "lisi",
            "password": "lisi-password-2026",
            "display_name": "李四",
        },
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "identity_number.check_character"
