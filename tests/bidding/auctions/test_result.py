"""The result: the transaction confirmation signed in its period, or refused and the deposit
forfeited; and the property listing rules checked when the listing opens (R-01, R-02, R-04)."""

import datetime as dt

import pytest

from bidding.auctions import rules
from tests.bidding.auctions.kit import (
    DAY,
    DISCLOSURE_END,
    LISTING_END,
    announced,
    bid,
    land_sale,
    open_listing,
    property_body,
    section,
    settle,
)
from tests.conftest import START
from tests.funds.helpers import dispatch, position, refunds_of
from tests.trading.factories import iso
from tests.trading.test_projects import register
from trading.rules.checks import RuleViolation

HOUR = dt.timedelta(hours=1)


async def sold_to_bidder_a(client, people, settings, clock):
    sale = await land_sale(client, people, settings, clock, "bidder_a", "bidder_b")
    assert (await bid(client, people, sale, "bidder_a", "98000000.00")).status_code == 201
    clock.set(LISTING_END + HOUR)
    assert (await settle(client, people, sale))["status"] == "sold"
    return sale


async def test_only_the_winner_signs_and_only_within_the_period(client, people, settings, clock):
    sale = await sold_to_bidder_a(client, people, settings, clock)
    other = await client.post(f"{sale.url}/confirmation/sign", headers=people.headers("bidder_b"))
    assert (other.status_code, other.json()["code"]) == (403, "auction.not_winner")
    clock.set(LISTING_END + 24 * HOUR)  # sign_hours = 24 from the sale's end
    late = await client.post(f"{sale.url}/confirmation/sign", headers=people.headers("bidder_a"))
    assert (late.status_code, late.json()["code"]) == (409, "auction.sign_period_over")


async def test_a_winner_who_refuses_to_sign_forfeits_its_deposit(client, people, settings, clock, app, db):
    sale = await sold_to_bidder_a(client, people, settings, clock)
    early = await client.post(
        f"{sale.url}/confirmation/refusal", json={"note": "未到场签约"}, headers=people.headers("clerk")
    )
    assert (early.status_code, early.json()["code"]) == (409, "auction.sign_period_running")
    clock.set(LISTING_END + 25 * HOUR)
    refused = await client.post(
        f"{sale.url}/confirmation/refusal",
        json={"note": "竞得人在规定期限内未签订成交确认书"},
        headers=people.headers("clerk"),
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["refused_at"] is not None
    assert (await position(client, people, sale.section_id, org="builder_a"))["status"] == "forfeited"
    assert (await section(client, people, sale))["status"] == "cancelled"
    await dispatch(app, db, clock)
    (refund,) = await refunds_of(client, people, sale.section_id)
    assert refund["organisation_id"] == str(people.org("builder_b").id)
    again = await client.post(
        f"{sale.url}/confirmation/refusal", json={"note": "重复"}, headers=people.headers("clerk")
    )
    assert (again.status_code, again.json()["code"]) == (409, "auction.transition_refused")


async def test_a_first_disclosure_below_the_appraisal_is_refused(client, people):
    sale = await announced(
        client, people, property_body(people, starting="12299999.99", appraised="12300000.00")
    )
    refused = await open_listing(client, people, sale)
    assert (refused.status_code, refused.json()["code"], refused.json()["rule"]["id"]) == (
        422,
        "auction.price_below_appraisal",
        "R-02",
    )
    at_appraisal = await announced(client, people, property_body(people, starting="12300000.00"))
    assert (await open_listing(client, people, at_appraisal)).status_code == 201


async def test_a_transfer_of_control_needs_twenty_working_days_of_pre_disclosure(client, people):
    sale = await announced(client, people, property_body(people))
    missing = await open_listing(client, people, sale, changes_control=True)
    assert (missing.status_code, missing.json()["rule"]["id"]) == (422, "R-01")
    # From Monday 5 January 2026 the twenty working days after its first day end on Monday
    # 2 February; to Friday 30 January: nineteen.
    short = await open_listing(
        client,
        people,
        sale,
        changes_control=True,
        pre_disclosure_start=iso(START - dt.timedelta(days=56)),
        pre_disclosure_end=iso(START - dt.timedelta(days=31)),
    )
    assert (short.status_code, short.json()["code"]) == (422, "disclosure.too_short")
    enough = await open_listing(
        client,
        people,
        sale,
        changes_control=True,
        pre_disclosure_start=iso(START - dt.timedelta(days=56)),
        pre_disclosure_end=iso(START - dt.timedelta(days=28)),
    )
    assert enough.status_code == 201, enough.text


async def test_instalments_need_thirty_percent_first_and_security(client, people):
    sale = await announced(client, people, property_body(people))
    for terms in (
        {"kind": "instalments", "first_payment_percent": 29, "balance_months": 12, "balance_secured": True},
        {"kind": "instalments", "first_payment_percent": 30, "balance_months": 13, "balance_secured": True},
        {"kind": "instalments", "first_payment_percent": 30, "balance_months": 12, "balance_secured": False},
        {"kind": "lump_sum", "working_days": 6},
    ):
        refused = await open_listing(client, people, sale, payment=terms)
        assert (refused.status_code, refused.json()["rule"]["id"]) == (422, "R-04"), terms
    accepted = await open_listing(
        client,
        people,
        sale,
        payment={
            "kind": "instalments",
            "first_payment_percent": 30,
            "balance_months": 12,
            "balance_secured": True,
        },
    )
    assert accepted.status_code == 201, accepted.text


async def test_a_relisting_may_go_below_the_appraisal_the_first_listing_may_not(client, people, clock):
    first = await announced(client, people, property_body(people))
    listing_id = (await open_listing(client, people, first)).json()["listing_id"]
    clock.set(DISCLOSURE_END + HOUR)
    failed = await client.post(f"/api/auctions/{listing_id}/settle", headers=people.headers("clerk"))
    assert failed.json()["status"] == "failed"
    # 90 % of the appraisal: below it a project is refused without consent (R-02, at registration).
    first_again = await announced(client, people, property_body(people, starting="11070000.00"))
    refused = await open_listing(client, people, first_again)
    assert (refused.status_code, refused.json()["code"]) == (422, "auction.price_below_appraisal")
    relisted = await open_listing(client, people, first_again, previous_listing_id=listing_id)
    assert relisted.status_code == 201, relisted.text
    assert (
        await client.get(f"/api/auctions/{relisted.json()['listing_id']}", headers=people.headers("clerk"))
    ).json()["starting_price"] == "11070000.00"


async def test_a_relisting_below_ninety_percent_stands_on_the_recorded_consent(client, people, clock):
    first = await announced(client, people, property_body(people))
    listing_id = (await open_listing(client, people, first)).json()["listing_id"]
    clock.set(DISCLOSURE_END + HOUR)
    failed = await client.post(f"/api/auctions/{listing_id}/settle", headers=people.headers("clerk"))
    assert failed.json()["status"] == "failed"
    # 80 % of the appraisal: without the approving body's consent the project is refused.
    body = property_body(people, starting="9840000.00")
    refused = await register(client, people, body, as_="state_holding")
    assert (refused.status_code, refused.json()["code"]) == (422, "price.below_appraisal_floor")
    body["sections"][0]["below_appraisal_consent"] = True
    consented = await announced(client, people, body)
    # Never on a first disclosure, consent or not; on a relisting, with it.
    first_time = await open_listing(client, people, consented)
    assert (first_time.status_code, first_time.json()["code"]) == (422, "auction.price_below_appraisal")
    relisted = await open_listing(client, people, consented, previous_listing_id=listing_id)
    assert relisted.status_code == 201, relisted.text
    events = await client.get(
        "/api/audit/events",
        params={"subject_id": relisted.json()["listing_id"], "action": "auction.listing_opened"},
        headers=people.headers("auditor"),
    )
    (opened,) = events.json()
    assert (opened["data"]["round"], opened["data"]["below_appraisal_consent"]) == (2, True)
    assert opened["data"]["previous_listing_id"] == listing_id


def test_a_relisting_more_than_a_year_on_needs_a_new_appraisal():
    first = dt.date(2026, 3, 2)
    rules.check_appraisal_current(first, dt.date(2027, 3, 2), None)
    with pytest.raises(RuleViolation) as stale:
        rules.check_appraisal_current(first, dt.date(2027, 3, 3), dt.date(2026, 1, 10))
    assert (stale.value.code, stale.value.rule) == ("auction.appraisal_stale", "R-02")
    rules.check_appraisal_current(first, dt.date(2027, 3, 3), dt.date(2027, 2, 1))


async def failed_transfer(client, people, clock):
    """The property transfer disclosed from START (Monday 2 March 2026) that found no transferee."""
    first = await announced(client, people, property_body(people))
    listing_id = (await open_listing(client, people, first)).json()["listing_id"]
    clock.set(DISCLOSURE_END + HOUR)
    failed = await client.post(f"/api/auctions/{listing_id}/settle", headers=people.headers("clerk"))
    assert failed.json()["status"] == "failed"
    return listing_id


async def disclosed_again(client, people, clock, start):
    """The same transfer disclosed again from `start` (clock moved there) to Thursday 1 April 2027:
    at least the 20 working days of R-01 from 2 or 3 March, on the provisional 2027 calendar
    (no make-up workdays yet; Qingming falls after the end)."""
    clock.set(start)
    body = property_body(people)
    end = dt.datetime(2027, 4, 1, 15, 0, tzinfo=START.tzinfo)
    body["sections"][0].update(
        registration_start=iso(start),
        listing_start=iso(start),
        listing_end=iso(end),
        bid_deadline=iso(end - 2 * DAY),
    )
    return await announced(client, people, body)


async def test_a_relisting_twelve_months_on_keeps_the_old_appraisal_a_day_later_needs_a_new_one(
    client, people, clock
):
    listing_id = await failed_transfer(client, people, clock)
    # Tuesday 2 March 2027: twelve months from the first disclosure to the day, the old one stands.
    inside = await disclosed_again(client, people, clock, START.replace(year=2027))
    relisted = await open_listing(client, people, inside, previous_listing_id=listing_id)
    assert relisted.status_code == 201, relisted.text
    # Wednesday 3 March 2027: past twelve months (SASAC 32 art. 19), refused until a new appraisal.
    past = await disclosed_again(client, people, clock, START.replace(year=2027) + DAY)
    for appraised_on in (None, "2026-02-10", "2026-03-02"):
        stale = await open_listing(
            client, people, past, previous_listing_id=listing_id, appraised_on=appraised_on
        )
        assert stale.status_code == 422, appraised_on
        assert (stale.json()["code"], stale.json()["rule"]["id"]) == ("auction.appraisal_stale", "R-02")
        assert stale.json()["details"]["first_disclosure_on"] == "2026-03-02"
    reappraised = await open_listing(
        client, people, past, previous_listing_id=listing_id, appraised_on="2027-02-20"
    )
    assert reappraised.status_code == 201, reappraised.text


async def test_an_increment_must_be_positive_and_a_section_is_listed_once(client, people):
    from tests.bidding.auctions.kit import land_body

    body = land_body(people)
    sale = await announced(client, people, body)
    wrong = await open_listing(client, people, sale, increment="0.00")
    assert (wrong.status_code, wrong.json()["code"]) == (422, "auction.increment_invalid")
    assert (await open_listing(client, people, sale)).status_code == 201
    twice = await open_listing(client, people, sale)
    assert (twice.status_code, twice.json()["code"]) == (409, "listing.exists")
