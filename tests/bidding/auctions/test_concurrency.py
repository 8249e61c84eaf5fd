"""Fifty bidders bidding at once over two app instances (PostgreSQL + Redis): the accepted bids
are numbered 1..N with no gap and no number twice, each at least one increment over the one
before, and every watcher on either instance ends with the same state as the room."""

import asyncio
import contextlib
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

from litestar.testing import TestClient

from tests.bidding.auctions.crowd import crowd
from tests.bidding.auctions.kit import LISTING_START, land_body, listed
from tests.bidding.kit import SyncClientAsAsync
from trading.app import create_app

BIDDERS = 50
ROUNDS = 3  # each bidder tries this many times
WAIT = 15
INCREMENT_FEN = 100000000  # kit.open_listing: 1,000,000.00 yuan


def bidding(client, url, headers, start, steps):
    """Read the board, bid its minimum plus `steps` increments; a refusal as too low is what
    losing a race looks like."""
    start.wait()
    answers = []
    for _ in range(ROUNDS):
        board = client.get(url.replace("/api/auctions/", "/api/public/auctions/")).json()
        price = int(board["minimum_bid"].replace(".", "")) + steps * INCREMENT_FEN
        answer = client.post(
            f"{url}/bids", json={"price": f"{price // 100}.{price % 100:02d}"}, headers=headers
        )
        answers.append((answer.status_code, answer.json()))
    return answers


def watched_until(socket, client, url, headers, last_seq):
    """The bids a watcher saw, until it has the last; gaps reloaded by number, as a client does."""
    seen = {}
    while not seen or max(seen) < last_seq:
        message = socket.receive_json(timeout=WAIT)
        if message["kind"] == "bid":
            seen[message["seq"]] = message
        elif message["kind"] == "clock" and message["last_seq"] > max(seen, default=0):
            for missed in client.get(f"{url}/bids?after={max(seen, default=0)}", headers=headers).json():
                seen[missed["seq"]] = missed
    return seen


def test_fifty_bidders_at_once_over_two_instances(app, backend, people, settings, clock):
    instances = [app, create_app(settings, clock=clock)] if backend == "distributed" else [app]
    with contextlib.ExitStack() as stack:
        clients = [stack.enter_context(TestClient(instance)) for instance in instances]
        first = clients[0]
        sale = asyncio.run(
            listed(SyncClientAsAsync(first), people, land_body(people, deposit="0.00", reserve=None))
        )
        crowd_headers = asyncio.run(crowd(app, sale.section_id, BIDDERS, clock.now()))
        for n, headers in enumerate(crowd_headers):
            joined = clients[n % len(clients)].post(f"{sale.url}/bidders", json={}, headers=headers)
            assert joined.status_code == 200, joined.text
        clock.set(LISTING_START)
        watchers = [
            (
                stack.enter_context(c.websocket_connect(f"{sale.url}/live", headers=people.headers(who))),
                c,
                who,
            )
            for c in clients
            for who in ("clerk", "zr_supervisor")
        ]
        for socket, _, _ in watchers:
            assert socket.receive_json(timeout=WAIT)["kind"] == "hello"
        start = threading.Barrier(BIDDERS)
        with ThreadPoolExecutor(BIDDERS) as pool:
            futures = [
                pool.submit(bidding, clients[n % len(clients)], sale.url, headers, start, n % 4)
                for n, headers in enumerate(crowd_headers)
            ]
            answers = [answer for future in futures for answer in future.result()]
        accepted = [body for status, body in answers if status == 201]
        refused = [body["code"] for status, body in answers if status != 201]
        assert set(refused) <= {"auction.bid_too_low"}
        assert len(accepted) >= ROUNDS
        assert len(accepted) + len(refused) == BIDDERS * ROUNDS
        history = first.get(f"{sale.url}/bids", headers=people.headers("clerk")).json()
        assert [b["seq"] for b in history] == list(range(1, len(accepted) + 1))
        assert sorted(b["seq"] for b in accepted) == [b["seq"] for b in history]
        prices = [int(b["price"].replace(".", "")) for b in history]
        assert all(later - earlier >= INCREMENT_FEN for earlier, later in itertools.pairwise(prices))
        assert len(set(prices)) == len(prices)  # exactly one bid per price
        room = first.get(sale.url, headers=people.headers("clerk")).json()
        assert room["last_seq"] == len(history)
        final = (room["last_seq"], room["current_price"], room["current_number"])
        for socket, client, who in watchers:
            seen = watched_until(socket, client, sale.url, people.headers(who), room["last_seq"])
            assert sorted(seen) == list(range(1, room["last_seq"] + 1))
            last = seen[room["last_seq"]]
            assert (last["seq"], last["price"], last["number"]) == final
