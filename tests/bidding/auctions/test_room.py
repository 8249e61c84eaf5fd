"""The auction room over the app's channels: every accepted bid pushed to watchers, the server's
clock, a reconnecting watcher that sees the true state, and bids from two app instances."""

import asyncio
import datetime as dt

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from tests.bidding.auctions.kit import LISTING_END, bid, land_sale
from tests.bidding.kit import SyncClientAsAsync
from trading.app import create_app

WAIT = 10  # seconds to wait for one message before failing instead of hanging


def next_of(socket, kind):
    """The next message of `kind`, skipping the clock ticks in between."""
    while True:
        message = socket.receive_json(timeout=WAIT)
        if message["kind"] == kind:
            return message


def test_watchers_see_each_bid_and_a_reconnecting_watcher_sees_the_true_state(app, people, settings, clock):
    with TestClient(app) as tc:
        client = SyncClientAsAsync(tc)
        sale = asyncio.run(land_sale(client, people, settings, clock, "bidder_a", "bidder_b"))
        live = f"{sale.url}/live"
        with tc.websocket_connect(live, headers=people.headers("bidder_b")) as socket:
            hello = socket.receive_json(timeout=WAIT)
            assert (hello["kind"], hello["last_seq"], hello["phase"]) == ("hello", 0, "listing")
            assert hello["server_time"] == clock.now().isoformat().replace("+00:00", "Z")
            assert asyncio.run(bid(client, people, sale, "bidder_a", "96000000.00")).status_code == 201
            pushed = next_of(socket, "bid")
            assert (pushed["seq"], pushed["price"], pushed["number"]) == (
                1,
                "96000000.00",
                sale.numbers["bidder_a"],
            )
            tick = next_of(socket, "clock")
            assert (tick["last_seq"], tick["current_price"]) == (1, "96000000.00")
        # Disconnected while a bid is accepted: on reconnecting, the hello tells the truth and the
        # missed bid is reloaded by number.
        assert asyncio.run(bid(client, people, sale, "bidder_b", "97000000.00")).status_code == 201
        with tc.websocket_connect(live, headers=people.headers("bidder_b")) as socket:
            hello = socket.receive_json(timeout=WAIT)
            assert (hello["last_seq"], hello["current_price"], hello["current_number"]) == (
                2,
                "97000000.00",
                sale.numbers["bidder_b"],
            )
            missed = tc.get(f"{sale.url}/bids?after=1", headers=people.headers("bidder_b")).json()
            assert [(b["seq"], b["price"]) for b in missed] == [(2, "97000000.00")]
            # The room's clock settles the end of the listing by itself, once.
            clock.set(LISTING_END + dt.timedelta(seconds=1))
            ended = next_of(socket, "status")
            assert (ended["status"], ended["rule"]) == ("failed", "L-03")  # below the reserve
            assert next_of(socket, "clock")["status"] == "failed"


def test_only_the_listing_s_bidders_and_the_center_may_watch(app, people, settings, clock):
    with TestClient(app) as tc:
        sale = asyncio.run(land_sale(SyncClientAsAsync(tc), people, settings, clock, "bidder_a"))
        for outsider in ("bidder_c", "cz_supervisor"):
            with (
                pytest.raises(WebSocketDisconnect) as refused,
                tc.websocket_connect(f"{sale.url}/live", headers=people.headers(outsider)) as socket,
            ):
                socket.receive_json(timeout=WAIT)
            assert refused.value.code == 4403, outsider
        with tc.websocket_connect(f"{sale.url}/live", headers=people.headers("zr_supervisor")) as socket:
            assert socket.receive_json(timeout=WAIT)["kind"] == "hello"


def test_a_bid_on_one_instance_reaches_a_watcher_on_another(app, backend, people, settings, clock):
    if backend != "distributed":
        pytest.skip("in-process channels serve one instance; across instances needs Redis")
    second = create_app(settings, clock=clock)
    with TestClient(app) as tc, TestClient(second) as other:
        sale = asyncio.run(land_sale(SyncClientAsAsync(tc), people, settings, clock, "bidder_a", "bidder_b"))
        with other.websocket_connect(f"{sale.url}/live", headers=people.headers("bidder_b")) as socket:
            assert socket.receive_json(timeout=WAIT)["kind"] == "hello"
            assert (
                asyncio.run(bid(SyncClientAsAsync(tc), people, sale, "bidder_a", "96000000.00")).status_code
                == 201
            )
            assert next_of(socket, "bid")["seq"] == 1
