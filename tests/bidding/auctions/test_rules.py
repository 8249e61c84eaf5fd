"""The pure rules of a sale, on each side of their limits."""

import datetime as dt
import uuid

import pytest

from bidding.auctions import rules
from trading.errors import Conflict

T = dt.datetime(2026, 4, 3, 7, 15, tzinfo=dt.UTC)
FIVE = dt.timedelta(minutes=5)


def test_a_bid_in_the_last_minutes_restarts_the_countdown_an_earlier_one_does_not():
    end = T + FIVE
    assert rules.extended_end(end, T, FIVE) == end  # exactly five minutes before: no change
    assert rules.extended_end(end, T + dt.timedelta(seconds=1), FIVE) == end + dt.timedelta(seconds=1)
    assert rules.extended_end(end, end - dt.timedelta(seconds=1), FIVE) == end + FIVE - dt.timedelta(
        seconds=1
    )


def test_the_first_offer_may_be_the_starting_price_later_ones_one_increment_more():
    assert rules.minimum_bid(9600, 100, None) == 9600
    assert rules.minimum_bid(9600, 100, 9600) == 9700


def test_the_end_of_a_land_listing():
    decide = lambda competing, highest: rules.end_of_listing(  # noqa: E731
        "land", competing=competing, highest_fen=highest, starting_fen=100, reserve_fen=120
    )
    assert decide(2, 110).action == "go_to_auction"
    assert (decide(1, 120).action, decide(1, 120).price_fen) == ("sell", 120)
    assert decide(1, 119).action == "fail"
    assert decide(0, None).action == "fail"


def test_the_end_of_a_property_disclosure():
    decide = lambda competing, highest: rules.end_of_listing(  # noqa: E731
        "property", competing=competing, highest_fen=highest, starting_fen=100, reserve_fen=None
    )
    assert decide(2, None).action == "go_to_auction"
    assert (decide(1, None).price_fen, decide(1, 130).price_fen) == (100, 130)
    assert (decide(0, None).action, decide(0, None).rule) == ("fail", "R-03")


def test_the_status_machine_refuses_steps_out_of_order():
    assert rules.move("listing", "go_to_auction") == rules.ListingStatus.auction
    assert rules.move("sold", "sign") == rules.ListingStatus.signed
    for status, action in (("auction", "go_to_auction"), ("failed", "sell"), ("signed", "refuse")):
        with pytest.raises(Conflict) as refused:
            rules.move(status, action)
        assert refused.value.code == "auction.transition_refused"


def test_the_highest_sealed_quote_at_or_above_the_listing_price_wins_and_the_earlier_of_equals():
    at = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    quotes = [
        rules.Quote(a, 1001, 12_900_000_00, at + dt.timedelta(hours=1)),
        rules.Quote(b, 1002, 12_900_000_00, at),
        rules.Quote(c, 1003, 12_800_000_00, at - dt.timedelta(hours=1)),
    ]
    outcome, best = rules.result_of_quotes(quotes, 12_500_000_00)
    assert (outcome.action, outcome.price_fen, best.number) == ("sell", 12_900_000_00, 1002)
    at_price, best = rules.result_of_quotes([rules.Quote(a, 1001, 12_500_000_00, at)], 12_500_000_00)
    assert (at_price.action, best.number) == ("sell", 1001)
    below, best = rules.result_of_quotes([rules.Quote(a, 1001, 12_499_999_99, at)], 12_500_000_00)
    assert (below.action, below.rule, best) == ("fail", "R-03", None)
    assert rules.result_of_quotes([], 12_500_000_00)[0].action == "fail"
