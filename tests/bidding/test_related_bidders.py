"""C-18 (TLR art. 34 ¶2): units whose legal representative is the same person, or that control or
manage one another, cannot both register for one section; the second registration is refused
without naming the first."""

from tests.bidding.helpers import CONTACT, open_section, register_bidder
from tests.trading.signups import new_uscc, sign_up


async def register_as(client, section_id, bidder):
    return await client.post(
        f"/api/bidding/sections/{section_id}/registrations", json=CONTACT, headers=bidder.headers
    )


def refused_for_relation(response, relation: str) -> None:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["rule"]["id"], problem["rule"]["source"]) == (
        "registration.related_bidder",
        "C-18",
        "TLR art. 34 ¶2",
    )
    assert problem["details"] == {"relation": relation}
    assert "第三十四条" in problem["message"]["zh-CN"]
    # The registrants stay confidential before the opening: the other unit is not named.
    assert "江苏华建" not in response.text and "王强" not in response.text


async def test_a_unit_with_the_same_legal_representative_is_refused(client, people):
    section_id = await open_section(client, people)
    assert (await register_bidder(client, people, section_id, "bidder_a")).status_code == 201
    # builder_a's legal representative is 王强; spacing does not make another person.
    twin = await sign_up(client, "twin", name="江苏华建安装工程有限公司", legal_representative="王 强")
    refused_for_relation(await register_as(client, section_id, twin), "same_legal_representative")


async def test_a_unit_with_another_legal_representative_registers(client, people):
    section_id = await open_section(client, people)
    assert (await register_bidder(client, people, section_id, "bidder_a")).status_code == 201
    other = await sign_up(client, "other", name="南京秦淮建设有限公司", legal_representative="王强强")
    assert (await register_as(client, section_id, other)).status_code == 201


async def test_a_subsidiary_of_a_registered_unit_is_refused(client, people):
    section_id = await open_section(client, people)
    assert (await register_bidder(client, people, section_id, "bidder_a")).status_code == 201
    subsidiary = await sign_up(
        client,
        "subsidiary",
        name="华建第三工程有限公司",
        legal_representative="孙立",
        controlled_by_id=str(people.org("builder_a").id),
    )
    assert subsidiary.organisation["controlled_by_id"] == str(people.org("builder_a").id)
    refused_for_relation(await register_as(client, section_id, subsidiary), "controlled_by")


async def test_the_parent_of_a_registered_unit_is_refused(client, people):
    section_id = await open_section(client, people)
    subsidiary = await sign_up(
        client,
        "subsidiary",
        name="华建第三工程有限公司",
        legal_representative="孙立",
        controlled_by_id=str(people.org("builder_a").id),
    )
    assert (await register_as(client, section_id, subsidiary)).status_code == 201
    refused_for_relation(await register_bidder(client, people, section_id, "bidder_a"), "controls")


async def test_a_withdrawn_registration_no_longer_blocks_a_related_unit(client, people):
    section_id = await open_section(client, people)
    first = await register_bidder(client, people, section_id, "bidder_a")
    withdrawn = await client.post(
        f"/api/bidding/registrations/{first.json()['id']}/withdraw",
        json={"reason": "放弃投标"},
        headers=people.headers("bidder_a"),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    twin = await sign_up(client, "twin", name="江苏华建安装工程有限公司", legal_representative="王强")
    assert (await register_as(client, section_id, twin)).status_code == 201


async def test_an_unknown_controlling_organisation_is_refused(client, people):
    answer = await client.post(
        "/api/organisations/",
        json={
            "uscc": new_uscc(),
            "name": "某某有限公司",
            "capacities": ["bidder"],
            "region": "江宁区",
            "legal_representative": "赵六",
            "contact_phone": "025-52100000",
            "controlled_by_id": "00000000-0000-0000-0000-000000000000",
        },
        headers=people.headers("clerk"),
    )
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["rule"]["id"]) == ("organisation.controller_unknown", "C-18")


async def test_a_holding_recorded_later_refuses_the_next_registration(client, people):
    section_id = await open_section(client, people)
    assert (await register_bidder(client, people, section_id, "bidder_b")).status_code == 201
    builder_a, builder_b = str(people.org("builder_a").id), str(people.org("builder_b").id)
    itself = await client.put(
        f"/api/organisations/{builder_a}/controlled-by",
        json={"controlled_by_id": builder_a},
        headers=people.headers("clerk"),
    )
    assert itself.status_code == 422 and itself.json()["code"] == "organisation.controls_itself"
    recorded = await client.put(
        f"/api/organisations/{builder_a}/controlled-by",
        json={"controlled_by_id": builder_b},
        headers=people.headers("clerk"),
    )
    assert recorded.status_code == 200 and recorded.json()["controlled_by_id"] == builder_b
    refused_for_relation(await register_bidder(client, people, section_id, "bidder_a"), "controlled_by")
    cleared = await client.put(
        f"/api/organisations/{builder_a}/controlled-by",
        json={"controlled_by_id": None},
        headers=people.headers("clerk"),
    )
    assert cleared.status_code == 200 and cleared.json()["controlled_by_id"] is None
    assert (await register_bidder(client, people, section_id, "bidder_a")).status_code == 201
