"""The live English auction after a listing (L-03, L-04): the countdown, the extension window, bids
in strict order, each at least one increment over the current price, late and low bids refused."""

import datetime as dt

from tests.bidding.auctions.kit import LISTING_END, MINUTE, bid, land_sale, room, section, settle

SECOND = dt.timedelta(seconds=1)
# auction_delay_minutes=10, auction_minutes=5, extension_minutes=5 (kit.open_listing).
AUCTION_START = LISTING_END + 10 * MINUTE
AUCTION_END = AUCTION_START + 5 * MINUTE


async def to_auction(client, people, settings, clock, *bidders):
    sale = await land_sale(client, people, settings, clock, *bidders)
    assert (await bid(client, people, sale, bidders[0], "96000000.00")).status_code == 201
    for username in bidders:
        asked = await client.post(f"{sale.url}/continue", headers=people.headers(username))
        assert asked.status_code == 200, asked.text
    clock.set(LISTING_END + SECOND)
    return sale


async def test_two_bidders_wanting_to_continue_go_to_an_auction(client, people, settings, clock):
    sale = await to_auction(client, people, settings, clock, "bidder_a", "bidder_b")
    settled = await settle(client, people, sale)
    assert (settled["status"], settled["phase"]) == ("auction", "waiting")
    assert settled["auction_start"].startswith("2026-04-03T07:10")
    assert settled["current_price"] == "96000000.00"
    early = await bid(client, people, sale, "bidder_b", "97000000.00")
    assert (early.status_code, early.json()["code"]) == (409, "auction.not_started")
    clock.set(AUCTION_START)
    accepted = await bid(client, people, sale, "bidder_b", "97000000.00")
    assert accepted.status_code == 201, accepted.text
    assert (accepted.json()["seq"], accepted.json()["phase"]) == (2, "auction")
    # A bid well before the window leaves the end where it was.
    assert accepted.json()["auction_end"] == AUCTION_END.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


async def test_a_bidder_that_did_not_ask_to_continue_is_kept_out_of_the_auction(
    client, people, settings, clock
):
    sale = await land_sale(client, people, settings, clock, "bidder_a", "bidder_b", "bidder_c")
    assert (await bid(client, people, sale, "bidder_a", "96000000.00")).status_code == 201
    for username in ("bidder_a", "bidder_b"):
        await client.post(f"{sale.url}/continue", headers=people.headers(username))
    clock.set(AUCTION_START)
    refused = await bid(client, people, sale, "bidder_c", "97000000.00")
    assert (refused.status_code, refused.json()["code"], refused.json()["rule"]["id"]) == (
        403,
        "auction.not_in_auction",
        "L-03",
    )


async def test_bids_in_the_last_minutes_extend_the_auction_again_and_again(client, people, settings, clock):
    sale = await to_auction(client, people, settings, clock, "bidder_a", "bidder_b")
    clock.set(AUCTION_END - MINUTE)
    ends = []
    price = 96000000
    for turn in range(4):
        price += 1000000
        bidder = ("bidder_b", "bidder_a")[turn % 2]
        placed = await bid(client, people, sale, bidder, f"{price}.00")
        assert placed.status_code == 201, placed.text
        ends.append(placed.json()["auction_end"])
        clock.advance(4 * MINUTE)  # each next bid again within the last five minutes
    assert len(set(ends)) == 4  # every bid moved the end on
    shown = await room(client, people, sale)
    assert shown["phase"] == "auction"
    clock.set(dt.datetime.fromisoformat(ends[-1].replace("Z", "+00:00")))
    late = await bid(client, people, sale, "bidder_b", "101000000.00")
    assert (late.status_code, late.json()["code"]) == (409, "auction.closed")
    settled = await settle(client, people, sale)
    assert (settled["status"], settled["result"]["price"], settled["result"]["rule"]) == (
        "sold",
        "100000000.00",
        "L-04",
    )
    assert settled["result"]["winner_number"] == sale.numbers["bidder_a"]
    assert settled["result"]["ended_at"] == ends[-1]
    assert (await section(client, people, sale))["winner_id"] == str(people.org("builder_a").id)


async def test_a_bid_not_one_increment_over_the_current_price_is_refused(client, people, settings, clock):
    sale = await to_auction(client, people, settings, clock, "bidder_a", "bidder_b")
    clock.set(AUCTION_START + MINUTE)
    assert (await bid(client, people, sale, "bidder_b", "97000000.00")).status_code == 201
    same = await bid(client, people, sale, "bidder_a", "97000000.00")
    assert (same.status_code, same.json()["code"]) == (409, "auction.bid_too_low")
    assert same.json()["details"]["minimum"] == "98000000.00"
    assert (await room(client, people, sale))["last_seq"] == 2


async def test_an_auction_whose_best_bid_is_below_the_reserve_fails(client, people, settings, clock):
    sale = await to_auction(client, people, settings, clock, "bidder_a", "bidder_b")
    clock.set(AUCTION_START + MINUTE)
    assert (await bid(client, people, sale, "bidder_b", "97000000.00")).status_code == 201
    clock.set(AUCTION_END + dt.timedelta(hours=2))
    settled = await settle(client, people, sale)
    assert (settled["status"], settled["result"]["rule"]) == ("failed", "L-04")
    assert (await section(client, people, sale))["status"] == "failed"


async def test_the_bid_history_rebuilt_from_the_audit_log_matches_the_room(client, people, settings, clock):
    sale = await to_auction(client, people, settings, clock, "bidder_a", "bidder_b")
    clock.set(AUCTION_START)
    for turn, price in enumerate(("97000000.00", "98000000.00", "99500000.00")):
        assert (await bid(client, people, sale, ("bidder_b", "bidder_a")[turn % 2], price)).status_code == 201
        clock.advance(SECOND)
    room_history = (await client.get(f"{sale.url}/bids", headers=people.headers("auditor"))).json()
    audit_history = (await client.get(f"{sale.url}/audit-history", headers=people.headers("auditor"))).json()
    assert [b["seq"] for b in room_history] == [1, 2, 3, 4]
    assert audit_history == room_history
    outsider = await client.get(f"{sale.url}/bids", headers=people.headers("developer"))
    assert outsider.status_code == 404
