"""The listing (挂牌): offers from qualified bidders with secured deposits, the public board, and
what the end of the listing decides (L-03), with a moving clock."""

import datetime as dt

from tests.bidding.auctions.kit import (
    LISTING_END,
    LISTING_START,
    MINUTE,
    bid,
    join,
    land_body,
    land_sale,
    listed,
    qualified,
    room,
    section,
    settle,
)
from tests.funds.helpers import dispatch, refunds_of


async def test_offers_rise_by_the_increment_and_the_board_names_nobody(client, people, settings, clock):
    sale = await land_sale(client, people, settings, clock, "bidder_a", "bidder_b")
    first = await bid(client, people, sale, "bidder_a", "96000000.00")
    assert first.status_code == 201, first.text
    assert (first.json()["seq"], first.json()["number"]) == (1, sale.numbers["bidder_a"])
    too_low = await bid(client, people, sale, "bidder_b", "96999999.99")
    assert too_low.status_code == 409
    assert too_low.json()["code"] == "auction.bid_too_low"
    assert (await bid(client, people, sale, "bidder_b", "97000000.00")).status_code == 201
    board = (await client.get(f"/api/public/auctions/{sale.listing_id}")).json()
    assert (board["current_price"], board["minimum_bid"], board["last_seq"]) == (
        "97000000.00",
        "98000000.00",
        2,
    )
    assert board["phase"] == "listing"
    assert board["seconds_left"] == int((LISTING_END - LISTING_START).total_seconds())
    assert "current_number" not in board and "reserve_price" not in str(board)
    # Watchers see numbers, never names; the reserve stays secret until the end (L-04).
    seen = await room(client, people, sale, "bidder_a")
    assert seen["current_number"] == sale.numbers["bidder_b"]
    assert seen["your_number"] == sale.numbers["bidder_a"]
    assert seen["result"] is None


async def test_a_bidder_without_a_secured_deposit_cannot_join(client, people, settings, clock):
    sale = await listed(client, people, land_body(people))
    await qualified(client, people, settings, clock, sale, "bidder_a", amount="19199999.99")
    refused = await join(client, people, sale, "bidder_a")
    assert (refused.status_code, refused.json()["code"]) == (403, "auction.deposit_not_secured")
    unregistered = await join(client, people, sale, "bidder_b")
    assert (unregistered.status_code, unregistered.json()["code"]) == (403, "auction.not_qualified")


async def test_offers_before_and_after_the_listing_period_are_refused(client, people, settings, clock):
    sale = await land_sale(client, people, settings, clock, "bidder_a")
    clock.set(LISTING_START - MINUTE)
    early = await bid(client, people, sale, "bidder_a", "96000000.00")
    assert (early.status_code, early.json()["code"]) == (409, "auction.not_started")
    clock.set(LISTING_END)
    late = await bid(client, people, sale, "bidder_a", "96000000.00")
    assert (late.status_code, late.json()["code"]) == (409, "auction.closed")


async def test_no_offer_fails_the_listing_and_every_deposit_falls_due(
    client, people, settings, clock, app, db
):
    sale = await land_sale(client, people, settings, clock, "bidder_a", "bidder_b")
    clock.set(LISTING_END + MINUTE)
    # Derived from the clock before anyone stores it.
    assert (await room(client, people, sale))["phase"] == "listing_ended"
    settled = await settle(client, people, sale)
    assert (settled["status"], settled["result"]["rule"]) == ("failed", "L-03")
    assert (await section(client, people, sale))["status"] == "failed"
    again = await settle(client, people, sale)
    assert again["result"]["ended_at"] == settled["result"]["ended_at"]
    await dispatch(app, db, clock)
    refunds = await refunds_of(client, people, sale.section_id)
    assert sorted(r["rule"] for r in refunds) == ["L-05", "L-05"]
    assert {r["due_on"] for r in refunds} == {"2026-04-13"}  # 5 working days after Friday 3 April


async def test_one_bidder_at_or_above_the_reserve_wins_at_its_offer(client, people, settings, clock):
    sale = await land_sale(client, people, settings, clock, "bidder_a", "bidder_b")
    assert (await bid(client, people, sale, "bidder_a", "96000000.00")).status_code == 201
    assert (await bid(client, people, sale, "bidder_a", "98000000.00")).status_code == 201
    clock.set(LISTING_END + dt.timedelta(hours=1))
    settled = await settle(client, people, sale)
    assert settled["status"] == "sold"
    result = settled["result"]
    assert (result["price"], result["winner_number"], result["rule"]) == (
        "98000000.00",
        sale.numbers["bidder_a"],
        "L-03",
    )
    assert result["reserve_price"] == "98000000.00"  # the clerk sees it now
    assert result["announcement_due_on"] == "2026-04-20"  # 10 working days (L-06), Qingming off
    assert result["ended_at"].startswith("2026-04-03T07:00")
    shown = await section(client, people, sale)
    assert (shown["status"], shown["winner_id"]) == ("awarded", str(people.org("builder_a").id))
    public = (await room(client, people, sale, "bidder_b"))["result"]
    assert public["reserve_price"] is None


async def test_a_highest_offer_below_the_reserve_fails(client, people, settings, clock):
    sale = await land_sale(client, people, settings, clock, "bidder_a")
    assert (await bid(client, people, sale, "bidder_a", "97000000.00")).status_code == 201
    clock.set(LISTING_END)
    settled = await settle(client, people, sale)
    assert (settled["status"], settled["result"]["reason"]) == ("failed", "最高报价低于底价，不成交")


async def test_a_section_of_a_land_sale_is_not_awarded_by_hand(client, people, settings, clock):
    sale = await land_sale(client, people, settings, clock, "bidder_a")
    clock.set(LISTING_END)
    refused = await client.post(
        f"/api/sections/{sale.section_id}/transitions",
        json={"action": "award", "winner_id": str(people.org("builder_a").id)},
        headers=people.headers("clerk"),
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "section.sale_required")


def test_the_settle_due_command_ends_what_the_clock_ended_once(app, people, settings, clock):
    import asyncio
    from pathlib import Path

    from click.testing import CliRunner
    from litestar.cli._utils import LitestarEnv
    from litestar.testing import TestClient

    from bidding.auctions.cli import auction_group
    from tests.bidding.kit import SyncClientAsAsync

    with TestClient(app) as tc:
        client = SyncClientAsAsync(tc)
        sale = asyncio.run(land_sale(client, people, settings, clock, "bidder_a"))
        assert asyncio.run(bid(client, people, sale, "bidder_a", "98000000.00")).status_code == 201
        env = LitestarEnv(app_path="trading.app:create_app", app=app, cwd=Path.cwd())
        assert "settled 0 listing(s)" in CliRunner().invoke(auction_group, ["settle-due"], obj=env).output
        clock.set(LISTING_END)
        assert "settled 1 listing(s)" in CliRunner().invoke(auction_group, ["settle-due"], obj=env).output
        assert "settled 0 listing(s)" in CliRunner().invoke(auction_group, ["settle-due"], obj=env).output
        assert asyncio.run(room(client, people, sale))["status"] == "sold"
