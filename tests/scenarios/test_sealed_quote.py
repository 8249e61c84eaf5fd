"""A property transfer sold by one sealed quote per transferee (一次性报价, R-03), walked through
the API: the listing says so, transferees answer the transferor's conditions when they register,
join, seal their quote with the sealed-bid tool and hand it in, the key holders open the quotes
after the deadline, the highest at or above the listing price wins (equal quotes: the earlier
receipt), and the result feeds the same transaction confirmation, conversion and refunds as an
auction."""

import datetime as dt

from bidding.sealing import keys
from tests.bidding.auctions.kit import (
    DAY,
    DISCLOSURE_END,
    ORG_OF,
    announced,
    bid,
    declared,
    join,
    land_body,
    open_listing,
    property_body,
    qualified,
    section,
    settle,
)
from tests.bidding.kit import (
    Bidder,
    Kit,
    certify,
    configure_holders,
    platform_ca,
    release_all,
    sealing_parameters,
    submit,
)
from tests.conftest import START
from tests.funds.helpers import dispatch, position, refunds_of
from tests.scenarios.test_opendata_life import assert_absent, money, private_data, public_life, tags
from tests.scenarios.test_sales import fee_scale, trial_balance
from tests.trading.factories import iso

SECOND = dt.timedelta(seconds=1)
HOLDERS = ("clerk", "gz_supervisor", "state_holding")
CONDITION = "受让方须为依法设立的企业法人"
QUOTE_DEADLINE = DISCLOSURE_END - 2 * DAY


async def sealed_quote_sale(client, people, settings, clock, tmp_path, *transferees):
    sale = await announced(client, people, property_body(people))
    opened = await open_listing(
        client, people, sale, method="sealed_quote", transferee_conditions=[CONDITION]
    )
    assert opened.status_code == 201, opened.text
    sale.listing_id = opened.json()["listing_id"]
    holder_keys = await configure_holders(client, people, sale.section_id, HOLDERS)
    ca = await platform_ca(client)
    await qualified(
        client, people, settings, clock, sale, *transferees, amount="1000000.00", answers=declared(CONDITION)
    )
    bidders = {}
    for username in transferees:
        signing_key, certificate_pem = await certify(client, people, username)
        bidders[username] = Bidder(
            username=username,
            signing_key=signing_key,
            decryption_key=keys.new_x25519_key(),
            certificate_pem=certificate_pem,
            uscc=people.org(ORG_OF[username]).uscc,
            registration={},
        )
    workdir = tmp_path / "transferees"
    workdir.mkdir()
    kit = Kit(
        section_id=sale.section_id,
        ca=ca,
        parameters=await sealing_parameters(client, people, sale.section_id, ca, as_=transferees[0]),
        holder_keys=holder_keys,
        bidders=bidders,
        workdir=workdir,
        deadline=QUOTE_DEADLINE,
    )
    return sale, kit


async def open_quotes(client, people, kit):
    base = f"/api/bidding/sections/{kit.section_id}/opening"
    started = await client.post(base, json={}, headers=people.headers("clerk"))
    assert started.status_code == 201, started.text
    await release_all(client, people, kit, holders=("clerk", "gz_supervisor"))
    unsealed = await client.post(f"{base}/unseal", headers=people.headers("clerk"))
    assert unsealed.status_code == 200, unsealed.text
    assert unsealed.json()["status"] == "recorded"


async def test_the_highest_sealed_quote_wins_and_the_earlier_of_equal_quotes(
    client, people, settings, clock, app, db, tmp_path
):
    await fee_scale(client, people, "property")
    sale, kit = await sealed_quote_sale(
        client, people, settings, clock, tmp_path, "bidder_a", "bidder_b", "bidder_c"
    )
    for username in ("bidder_a", "bidder_b"):
        assert (await join(client, people, sale, username)).status_code == 200
    # bidder_c never joins the listing: its quote, however high, does not count.
    clock.set(START + 5 * DAY)
    refused = await bid(client, people, sale, "bidder_a", "12500000.00")
    assert (refused.status_code, refused.json()["code"]) == (409, "auction.sealed_quote_only")
    assert (
        await submit(client, people, kit, "bidder_b", kit.seal("bidder_b", "12900000.00"))
    ).status_code == 201
    clock.advance(dt.timedelta(hours=1))
    assert (
        await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "12900000.00"))
    ).status_code == 201
    assert (
        await submit(client, people, kit, "bidder_c", kit.seal("bidder_c", "15000000.00"))
    ).status_code == 201
    # Sealed means sealed: the board shows no quote, nobody is ahead.
    board = (await client.get(f"/api/public/auctions/{sale.listing_id}")).json()
    assert (board["method"], board["current_price"], board["last_seq"]) == ("sealed_quote", None, 0)
    # Nor does the open data: the transfer's call, no quote, no transferee.
    record, text = await public_life(client, people, sale.section_id, "property")
    assert tags(record) == ["planning", "tender"]
    quotes = money("12900000.00", "15000000.00")
    assert_absent(
        text, quotes + private_data(people) + [people.org(o).name for o in ("builder_a", "builder_b")]
    )
    # After the deadline nothing more is taken (the sealed-bid machinery's C-08).
    clock.set(QUOTE_DEADLINE + SECOND)
    late = await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "14000000.00"))
    assert (late.status_code, late.json()["code"]) == (409, "bid.deadline_passed")
    await open_quotes(client, people, kit)
    # Opened, but the disclosure period still runs: nothing is decided before its end.
    assert (await settle(client, people, sale))["status"] == "listing"
    clock.set(DISCLOSURE_END + SECOND)
    settled = await settle(client, people, sale)
    result = settled["result"]
    assert (settled["status"], result["price"], result["rule"], result["winner"]) == (
        "sold",
        "12900000.00",
        "R-03",
        people.org("builder_b").name,
    )
    assert result["winner_number"] == sale.numbers["bidder_b"]
    assert "先递交" in result["reason"]
    # The audit log holds the opened quotes the decision rests on, by number (L-05, requirement 6).
    events = await client.get(
        "/api/audit/events",
        params={"subject_id": sale.listing_id, "action": "auction.quotes_decided"},
        headers=people.headers("auditor"),
    )
    (decided,) = events.json()
    assert [(q["number"], q["price_fen"]) for q in decided["data"]["quotes"]] == [
        (sale.numbers["bidder_b"], 1_290_000_000),
        (sale.numbers["bidder_a"], 1_290_000_000),
    ]
    assert decided["data"]["not_counted"] == 1
    record, text = await public_life(client, people, sale.section_id, "property")
    assert tags(record) == ["planning", "tender", "award"]
    assert record["compiledRelease"]["awards"][0]["suppliers"][0]["name"] == people.org("builder_b").name
    assert_absent(text, quotes + private_data(people))
    # The others' deposits fall due (L-05), the winner signs, its deposit becomes part of the price.
    await dispatch(app, db, clock)
    refunds = await refunds_of(client, people, sale.section_id)
    assert sorted(r["organisation_id"] for r in refunds) == sorted(
        str(people.org(org).id) for org in ("builder_a", "builder_c")
    )
    assert (
        await client.post(f"{sale.url}/confirmation/sign", headers=people.headers("bidder_b"))
    ).status_code == 200
    converted = await client.post(f"{sale.url}/conversion", headers=people.headers("clerk"))
    assert converted.status_code == 200, converted.text
    assert (converted.json()["to_fee"], converted.json()["to_price"]) == ("12900.00", "987100.00")
    assert (await trial_balance(client, people))["price_payable:property"]["credit"] == "987100.00"
    assert (await position(client, people, sale.section_id, org="builder_b"))["status"] == "converted"
    assert (await section(client, people, sale))["status"] == "awarded"


async def test_quotes_below_the_listing_price_fail_the_transfer_and_nothing_is_decided_before_the_opening(
    client, people, settings, clock, app, db, tmp_path
):
    sale, kit = await sealed_quote_sale(client, people, settings, clock, tmp_path, "bidder_a", "bidder_b")
    for username in ("bidder_a", "bidder_b"):
        assert (await join(client, people, sale, username)).status_code == 200
    clock.set(START + 5 * DAY)
    # One fen under the listing price of 12,500,000.00 yuan.
    assert (
        await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "12499999.99"))
    ).status_code == 201
    # The disclosure period is over but the quotes are still sealed: nothing is decided.
    clock.set(DISCLOSURE_END + SECOND)
    waiting = await settle(client, people, sale)
    assert (waiting["status"], waiting["phase"], waiting["result"]) == ("listing", "listing_ended", None)
    await open_quotes(client, people, kit)
    failed = await settle(client, people, sale)
    assert (failed["status"], failed["result"]["rule"], failed["result"]["winner"]) == (
        "failed",
        "R-03",
        None,
    )
    assert (await section(client, people, sale))["status"] == "failed"
    await dispatch(app, db, clock)
    refunds = await refunds_of(client, people, sale.section_id)
    assert sorted(r["organisation_id"] for r in refunds) == sorted(
        str(people.org(org).id) for org in ("builder_a", "builder_b")
    )


async def test_a_quote_at_exactly_the_listing_price_wins(client, people, settings, clock, tmp_path):
    sale, kit = await sealed_quote_sale(client, people, settings, clock, tmp_path, "developer")
    assert (await join(client, people, sale, "developer")).status_code == 200
    clock.set(START + 5 * DAY)
    assert (
        await submit(client, people, kit, "developer", kit.seal("developer", "12500000.00"))
    ).status_code == 201
    clock.set(QUOTE_DEADLINE + SECOND)
    await open_quotes(client, people, kit)
    clock.set(DISCLOSURE_END + SECOND)
    settled = await settle(client, people, sale)
    assert (settled["status"], settled["result"]["price"]) == ("sold", "12500000.00")


async def test_only_a_property_listing_takes_sealed_quotes_and_only_within_its_disclosure(client, people):
    land = await announced(client, people, land_body(people))
    refused = await open_listing(client, people, land, method="sealed_quote")
    assert (refused.status_code, refused.json()["code"]) == (422, "listing.method_not_allowed")
    body = property_body(people)
    body["sections"][0]["bid_deadline"] = iso(DISCLOSURE_END + DAY)
    late = await announced(client, people, body)
    refused = await open_listing(client, people, late, method="sealed_quote")
    assert (refused.status_code, refused.json()["code"]) == (422, "listing.quote_deadline_invalid")
    body["sections"][0]["bid_deadline"] = iso(DISCLOSURE_END)
    at_the_end = await announced(client, people, body)
    assert (await open_listing(client, people, at_the_end, method="sealed_quote")).status_code == 201
