"""Remote bidders follow the opening live over a websocket: numbered events, a guard that admits
only the opening's participants, and (with Redis) events that reach a follower connected to
another app instance."""

import asyncio
import datetime as dt
import json
import uuid

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from bidding.opening import live
from tests.bidding.kit import SyncClientAsAsync, ready_section, release_all, submit
from trading.app import create_app
from trading.db.session import Database

WAIT = 10  # seconds to wait for one message before failing instead of hanging


def prepare(tc, people, settings, clock, tmp_path):
    """Three bidders with sealed bids in; the deadline passed."""
    client = SyncClientAsAsync(tc)
    kit = asyncio.run(ready_section(client, people, settings, clock, tmp_path))
    for username, price in (
        ("bidder_a", "48000000.00"),
        ("bidder_b", "47000000.00"),
        ("bidder_c", "46000000.00"),
    ):
        answer = asyncio.run(submit(client, people, kit, username, kit.seal(username, price)))
        assert answer.status_code == 201, answer.text
    clock.set(kit.deadline + dt.timedelta(minutes=1))
    return client, kit


def live_url(kit):
    return f"/api/bidding/sections/{kit.section_id}/opening/live"


def test_a_bidder_follows_the_opening_live_with_numbered_events(app, people, settings, clock, tmp_path):
    with TestClient(app) as tc:
        client, kit = prepare(tc, people, settings, clock, tmp_path)
        with tc.websocket_connect(live_url(kit), headers=people.headers("bidder_a")) as socket:
            hello = socket.receive_json(timeout=WAIT)
            assert hello == {"kind": "hello", "section_id": kit.section_id, "last_seq": 0}
            started = tc.post(
                f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
            )
            assert started.status_code == 201
            first = socket.receive_json(timeout=WAIT)
            assert (first["seq"], first["kind"], first["data"]["bids"]) == (1, "opening.started", 3)
            asyncio.run(release_all(client, people, kit))
            unsealed = tc.post(
                f"/api/bidding/sections/{kit.section_id}/opening/unseal", headers=people.headers("clerk")
            )
            assert unsealed.status_code == 200
            events = [first] + [socket.receive_json(timeout=WAIT) for _ in range(6)]
        assert [e["seq"] for e in events] == list(range(1, 8))
        assert [e["kind"] for e in events] == [
            "opening.started",
            "share.released",
            "share.released",
            "bid.unsealed",
            "bid.unsealed",
            "bid.unsealed",
            "record.signed",
        ]
        assert sorted(e["data"]["price"] for e in events if e["kind"] == "bid.unsealed") == [
            "46000000.00",
            "47000000.00",
            "48000000.00",
        ]
        # A client that missed messages reloads them over HTTP by sequence number.
        reloaded = tc.get(
            f"/api/bidding/sections/{kit.section_id}/opening/events?after=3",
            headers=people.headers("bidder_a"),
        ).json()
        assert [e["seq"] for e in reloaded] == [4, 5, 6, 7]
        assert reloaded == events[3:]


def test_only_participants_may_follow(app, people, settings, clock, tmp_path):
    with TestClient(app) as tc:
        _, kit = prepare(tc, people, settings, clock, tmp_path)
        for outsider in ("developer", "cz_supervisor"):
            with (
                pytest.raises(WebSocketDisconnect) as refused,
                tc.websocket_connect(live_url(kit), headers=people.headers(outsider)) as socket,
            ):
                socket.receive_json(timeout=WAIT)
            assert refused.value.code == 4403, outsider
        with pytest.raises(WebSocketDisconnect), tc.websocket_connect(live_url(kit)) as socket:
            socket.receive_json(timeout=WAIT)
        with tc.websocket_connect(live_url(kit), headers=people.headers("zj_supervisor")) as socket:
            assert socket.receive_json(timeout=WAIT)["kind"] == "hello"


def test_events_reach_a_follower_on_another_instance(app, backend, people, settings, clock, tmp_path):
    """Two app instances on one PostgreSQL and one Redis: the opening runs on the first, a bidder
    follows on the second."""
    if backend != "distributed":
        pytest.skip("in-process channels serve one instance; across instances needs Redis")
    second = create_app(settings, clock=clock)
    with TestClient(app) as tc, TestClient(second) as other:
        _, kit = prepare(tc, people, settings, clock, tmp_path)
        with other.websocket_connect(live_url(kit), headers=people.headers("bidder_b")) as socket:
            assert socket.receive_json(timeout=WAIT)["kind"] == "hello"
            started = tc.post(
                f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
            )
            assert started.status_code == 201
            event = socket.receive_json(timeout=WAIT)
        assert (event["seq"], event["kind"]) == (1, "opening.started")


def test_a_follower_sends_each_event_once_in_order_whatever_the_channel_loses(
    app, people, settings, clock, tmp_path
):
    with TestClient(app) as tc:
        client, kit = prepare(tc, people, settings, clock, tmp_path)
        started = tc.post(
            f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
        )
        assert started.status_code == 201
        asyncio.run(release_all(client, people, kit))
        stored = tc.get(
            f"/api/bidding/sections/{kit.section_id}/opening/events", headers=people.headers("clerk")
        ).json()
        assert len(stored) >= 3

    async def follow():
        sent = []

        async def send(text):
            sent.append(json.loads(text))

        db = Database(settings.resolved_database_url())
        try:
            follower = live.Follower(send, db, uuid.UUID(kit.section_id), upto=0)
            # The channel delivers #3 first: #1 and #2 were lost, so they are fetched and go before it.
            await follower.forward(json.dumps(stored[2]))
            await follower.forward(json.dumps(stored[1]))  # a duplicate: dropped
            await follower.forward(json.dumps({"kind": "probe"}))  # not an event: passes
            await follower.catch_up()  # what the channel never delivered
        finally:
            await db.dispose()
        return sent

    sent = asyncio.run(follow())
    assert [m.get("seq") for m in sent] == [1, 2, 3, None, *range(4, len(stored) + 1)]
