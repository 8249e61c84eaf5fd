"""Electronic guarantees (电子保函): they secure a deposit without cash when they cover it."""

import datetime as dt

from tests.funds.helpers import open_section, open_subaccount, position


def guarantee(people, section_id, **changes):
    body = {
        "section_id": section_id,
        "organisation_id": str(people.org("builder_a").id),
        "issuer": "中国建设银行南京江宁支行",
        "number": "BH2026030200001",
        "amount": "20000.00",
        "valid_from": "2026-03-02",
        "valid_until": "2026-06-25",
    }
    body.update(changes)
    return body


async def record(client, people, body):
    return await client.post("/api/funds/guarantees/", json=body, headers=people.headers("clerk"))


async def test_a_guarantee_covering_the_deposit_and_the_validity_period_secures_it(client, people):
    # Deadline 27 March + 90 days of bid validity = 25 June.
    section_id = await open_section(client, people)
    await open_subaccount(client, people, section_id)
    recorded = await record(client, people, guarantee(people, section_id))
    assert recorded.status_code == 201, recorded.text
    got = await position(client, people, section_id, as_="bidder_a")
    assert (got["status"], got["paid"], got["may_bid"]) == ("secured", "20000.00", True)
    trial = (await client.get("/api/funds/views/trial-balance", headers=people.headers("auditor"))).json()
    assert trial["lines"] == []  # no cash moved


async def test_a_guarantee_for_less_than_the_deposit_is_refused(client, people):
    section_id = await open_section(client, people)
    await open_subaccount(client, people, section_id)
    refused = await record(client, people, guarantee(people, section_id, amount="19999.99"))
    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["rule"]["id"]) == ("guarantee.amount_short", "C-06")
    assert (await position(client, people, section_id))["status"] == "unpaid"


async def test_a_guarantee_that_expires_before_the_bid_validity_ends_is_refused(client, people):
    section_id = await open_section(client, people)
    await open_subaccount(client, people, section_id)
    refused = await record(client, people, guarantee(people, section_id, valid_until="2026-06-24"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "guarantee.validity_short"
    assert refused.json()["details"] == {"required_from": "2026-03-27", "required_until": "2026-06-25"}


async def test_one_guarantee_secures_one_deposit(client, people):
    section_id = await open_section(client, people)
    await open_subaccount(client, people, section_id)
    await open_subaccount(client, people, section_id, org="builder_b")
    assert (await record(client, people, guarantee(people, section_id))).status_code == 201
    again = await record(
        client, people, guarantee(people, section_id, organisation_id=str(people.org("builder_b").id))
    )
    assert again.status_code == 409
    assert again.json()["code"] == "guarantee.duplicate"


async def test_a_guarantee_after_the_deadline_is_refused(client, people, clock):
    section_id = await open_section(client, people)
    await open_subaccount(client, people, section_id)
    clock.advance(dt.timedelta(days=26))
    refused = await record(client, people, guarantee(people, section_id))
    assert refused.status_code == 422
    assert refused.json()["code"] == "guarantee.after_deadline"


async def test_a_bidder_sees_only_its_own_guarantees(client, people):
    section_id = await open_section(client, people)
    await open_subaccount(client, people, section_id)
    await record(client, people, guarantee(people, section_id))
    own = await client.get(
        "/api/funds/guarantees/", params={"section_id": section_id}, headers=people.headers("bidder_a")
    )
    other = await client.get(
        "/api/funds/guarantees/", params={"section_id": section_id}, headers=people.headers("bidder_b")
    )
    assert [g["number"] for g in own.json()] == ["BH2026030200001"]
    assert other.json() == []
