"""The room over a Redis blip: a private Redis is killed and restarted under a running instance,
and bids after the restart are pushed again (trading/channels.py); a bid whose push was lost still
reaches the watcher (its clock tick shows the gap, the watcher reloads)."""

import asyncio
import shutil
import socket as sockets
import subprocess
import time
import uuid

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from bidding.auctions import service
from tests.bidding.auctions.kit import bid, land_sale
from tests.bidding.auctions.test_room import WAIT, next_of
from tests.bidding.kit import SyncClientAsAsync
from trading.app import create_app
from trading.db.session import Database


def free_port() -> int:
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sockets.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("redis-server did not start")


def stop(server: subprocess.Popen) -> None:
    server.kill()
    server.wait(timeout=10)


def test_the_room_survives_a_redis_blip(backend, settings, people, clock):
    if backend != "embedded" or shutil.which("redis-server") is None:
        pytest.skip("runs once, on SQLite, with a private redis-server")
    port = free_port()
    server = start_redis(port)
    try:
        app = create_app(
            settings.model_copy(
                update={
                    "redis_url": f"redis://127.0.0.1:{port}/0",
                    "redis_namespace": f"blip-{uuid.uuid4().hex}",
                }
            ),
            clock=clock,
        )
        people.app = app
        with TestClient(app) as tc, TestClient(create_app(app.state.settings, clock=clock)) as other:
            client = SyncClientAsAsync(tc)
            sale = asyncio.run(land_sale(client, people, settings, clock, "bidder_a", "bidder_b"))
            with tc.websocket_connect(f"{sale.url}/live", headers=people.headers("clerk")) as watcher:
                assert watcher.receive_json(timeout=WAIT)["kind"] == "hello"
                assert asyncio.run(bid(client, people, sale, "bidder_a", "96000000.00")).status_code == 201
                assert next_of(watcher, "bid")["seq"] == 1
                stop(server)
                # A watcher that cannot subscribe is told why (1013, try again), not refused as if
                # forbidden; the bid accepted meanwhile stands although nobody hears it live.
                with (
                    pytest.raises(WebSocketDisconnect) as refused,
                    other.websocket_connect(f"{sale.url}/live", headers=people.headers("bidder_b")) as late,
                ):
                    late.receive_json(timeout=WAIT)
                assert (refused.value.code, "redis down" in refused.value.detail) == (1013, True)
                assert asyncio.run(bid(client, people, sale, "bidder_b", "97000000.00")).status_code == 201
                server = start_redis(port)
                time.sleep(1.5)  # the subscriber's back-off (0.2 s, doubling) and resubscription
                assert asyncio.run(bid(client, people, sale, "bidder_a", "98000000.00")).status_code == 201
                assert next_of(watcher, "bid")["seq"] == 3
                # A bid whose push is lost (accepted, never published): the clock shows the gap.
                asyncio.run(bid_unpublished(settings, people, sale, clock))
                tick = next(m for m in iter(lambda: next_of(watcher, "clock"), None) if m["last_seq"] == 4)
                assert tick["current_price"] == "99000000.00"
                missed = tc.get(f"{sale.url}/bids?after=3", headers=people.headers("clerk")).json()
                assert [b["seq"] for b in missed] == [4]
            # A watcher that reconnects with the last number it saw gets what it missed, then the room.
            with other.websocket_connect(
                f"{sale.url}/live?after=1", headers=people.headers("bidder_b")
            ) as back:
                missed = [back.receive_json(timeout=WAIT) for _ in range(3)]
                assert [(m["kind"], m["seq"], m["price"]) for m in missed] == [
                    ("bid", 2, "97000000.00"),
                    ("bid", 3, "98000000.00"),
                    ("bid", 4, "99000000.00"),
                ]
                hello = next_of(back, "hello")
                assert (hello["last_seq"], hello["current_price"]) == (4, "99000000.00")
                assert asyncio.run(bid(client, people, sale, "bidder_a", "100000000.00")).status_code == 201
                assert next_of(back, "bid")["seq"] == 5
    finally:
        stop(server)


async def bid_unpublished(settings, people, sale, clock):
    db = Database(settings.resolved_database_url())
    try:
        async with db.session() as session:
            await service.place_bid(
                session,
                uuid.UUID(sale.listing_id),
                bidder=people.cast.identity("bidder_b"),
                price_fen=9900000000,
                clock=clock,
                zone=settings.zone,
            )
            await session.commit()
    finally:
        await db.dispose()
