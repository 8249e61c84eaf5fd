"""Land and property sales walked through the API the way their users do: the listing, the
auction, the result, the transaction confirmation, the conversion of the winner's deposit and the
others' refunds (L-02..L-06, R-01..R-04)."""

import datetime as dt

from tests.bidding.auctions.kit import (
    DISCLOSURE_END,
    LISTING_END,
    LISTING_START,
    MINUTE,
    bid,
    join,
    land_body,
    listed,
    property_body,
    qualified,
    room,
    section,
    settle,
)
from tests.bidding.helpers import register_bidder
from tests.conftest import START
from tests.funds.helpers import dispatch, position, refunds_of

SECOND = dt.timedelta(seconds=1)
LEGAL_PERSON = "受让方须为依法设立的企业法人"
KEEPS_STAFF = "受让方承诺承接标的企业全部职工"
LICENCE = "营业执照 统一社会信用代码91320115MA1W9XKQ3N"


async def registrations(client, people, sale):
    response = await client.get(
        f"/api/bidding/sections/{sale.section_id}/registrations", headers=people.headers("clerk")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def fee_scale(client, people, sector):
    response = await client.put(
        f"/api/funds/fees/schedules/{sector}",
        json={
            "effective_from": "2026-01-01",
            "payer": "winner",
            "source": "交易服务收费标准",
            "bands": [{"lower": "0.00", "upper": None, "rate_percent": "0.1"}],
        },
        headers=people.headers("admin"),
    )
    assert response.status_code in (200, 201), response.text


async def trial_balance(client, people):
    balance = (await client.get("/api/funds/views/trial-balance", headers=people.headers("auditor"))).json()
    assert balance["balanced"]
    return {line["account"]: line for line in balance["lines"]}


async def test_a_land_listing_goes_to_auction_and_the_winner_s_deposit_becomes_part_of_the_price(
    client, people, settings, clock, app, db
):
    await fee_scale(client, people, "land")
    sale = await listed(client, people, land_body(people))
    await qualified(
        client, people, settings, clock, sale, "bidder_a", "bidder_b", "bidder_c", amount="19200000.00"
    )
    for username in ("bidder_a", "bidder_b", "bidder_c"):
        assert (await join(client, people, sale, username)).status_code == 200
    # The listing: offers by the increment; two bidders ask to keep bidding (L-03).
    clock.set(LISTING_START + dt.timedelta(hours=1))
    assert (await bid(client, people, sale, "bidder_c", "96000000.00")).status_code == 201
    assert (await bid(client, people, sale, "bidder_a", "97000000.00")).status_code == 201
    for username in ("bidder_a", "bidder_b"):
        assert (
            await client.post(f"{sale.url}/continue", headers=people.headers(username))
        ).status_code == 200
    clock.set(LISTING_END + SECOND)
    assert (await settle(client, people, sale))["status"] == "auction"
    # The auction, ten minutes later: bids push the end on; the last one stands.
    clock.set(LISTING_END + 14 * MINUTE)
    assert (await bid(client, people, sale, "bidder_b", "99000000.00")).status_code == 201
    clock.advance(3 * MINUTE)
    assert (await bid(client, people, sale, "bidder_a", "100000000.00")).status_code == 201
    clock.advance(6 * MINUTE)
    settled = await settle(client, people, sale)
    result = settled["result"]
    assert (settled["status"], result["price"], result["winner_number"]) == (
        "sold",
        "100000000.00",
        sale.numbers["bidder_a"],
    )
    assert result["winner"] == people.org("builder_a").name
    assert result["confirmation_number"].startswith("CJ-TD-2026-")
    # The others' deposits fall due: 5 working days after the sale, without interest (L-05).
    await dispatch(app, db, clock)
    refunds = await refunds_of(client, people, sale.section_id)
    assert sorted((r["organisation_id"], r["principal"], r["interest"]) for r in refunds) == sorted(
        (str(people.org(org).id), "19200000.00", None) for org in ("builder_b", "builder_c")
    )
    assert {r["due_on"] for r in refunds} == {"2026-04-13"}
    # The winner signs the confirmation; the fee is invoiced on the real price and paid out of the
    # deposit first, the rest of the deposit becomes part of the land price.
    signed = await client.post(f"{sale.url}/confirmation/sign", headers=people.headers("bidder_a"))
    assert (signed.status_code, signed.json()["signed_at"] is not None) == (200, True)
    converted = await client.post(f"{sale.url}/conversion", headers=people.headers("clerk"))
    assert converted.status_code == 200, converted.text
    assert (converted.json()["to_fee"], converted.json()["to_price"]) == ("100000.00", "19100000.00")
    invoice = (await client.get("/api/funds/fees/invoices", headers=people.headers("clerk"))).json()[0]
    assert (invoice["contract_value"], invoice["amount"]) == ("100000000.00", "100000.00")
    lines = await trial_balance(client, people)
    assert lines["price_payable:land"]["credit"] == "19100000.00"
    assert (await position(client, people, sale.section_id, org="builder_a"))["status"] == "converted"
    assert (await section(client, people, sale))["status"] == "awarded"


async def test_a_property_transfer_with_one_transferee_is_agreed_at_the_listing_price(
    client, people, settings, clock, app, db
):
    await fee_scale(client, people, "property")
    sale = await listed(
        client,
        people,
        property_body(people),
        transferee_conditions=[{"text": LEGAL_PERSON, "evidence_required": True}, KEEPS_STAFF],
        payment={
            "kind": "instalments",
            "first_payment_percent": 30,
            "balance_months": 12,
            "balance_secured": True,
        },
    )
    # The transferor's conditions are answered at registration: one left out, or a
    # condition that asks for evidence declared without it, and nothing is filed.
    for answers in (
        [{"condition": LEGAL_PERSON, "met": True, "evidence": LICENCE}],
        [{"condition": LEGAL_PERSON, "met": True}, {"condition": KEEPS_STAFF, "met": True}],
    ):
        refused = await register_bidder(client, people, sale.section_id, "bidder_b", answers)
        assert (refused.status_code, refused.json()["code"]) == (422, "registration.conditions_not_met")
    assert await registrations(client, people, sale) == []
    answers = [
        {"condition": LEGAL_PERSON, "met": True, "evidence": LICENCE},
        {"condition": KEEPS_STAFF, "met": True},
    ]
    await qualified(
        client, people, settings, clock, sale, "developer", "bidder_b", amount="1000000.00", answers=answers
    )
    # Staff accepted each registration on the answers they see beside its documents.
    seen = {r["organisation_id"]: r["transferee_answers"] for r in await registrations(client, people, sale)}
    assert seen[str(people.org("developer").id)] == [
        {"condition": LEGAL_PERSON, "met": True, "evidence": LICENCE},
        {"condition": KEEPS_STAFF, "met": True, "evidence": None},
    ]
    # Joining asks nothing more: the number comes with the accepted registration.
    joined = await join(client, people, sale, "developer")
    assert joined.status_code == 200, joined.text
    clock.set(START + 10 * dt.timedelta(days=1))
    assert (await room(client, people, sale, "developer"))["phase"] == "listing"
    clock.set(DISCLOSURE_END + SECOND)
    settled = await settle(client, people, sale)
    result = settled["result"]
    assert (settled["status"], result["price"], result["rule"]) == ("sold", "12500000.00", "R-03")
    assert result["payment"]["first_payment_percent"] == 30
    await dispatch(app, db, clock)
    (refund,) = await refunds_of(client, people, sale.section_id)
    assert (refund["organisation_id"], refund["principal"]) == (str(people.org("builder_b").id), "1000000.00")
    assert (
        await client.post(f"{sale.url}/confirmation/sign", headers=people.headers("developer"))
    ).status_code == 200
    converted = await client.post(f"{sale.url}/conversion", headers=people.headers("clerk"))
    assert (converted.json()["to_fee"], converted.json()["to_price"]) == ("12500.00", "987500.00")
    lines = await trial_balance(client, people)
    assert lines["price_payable:property"]["credit"] == "987500.00"
    twice = await client.post(f"{sale.url}/conversion", headers=people.headers("clerk"))
    assert (twice.status_code, twice.json()["code"]) == (409, "auction.not_convertible")
