"""Live features survive a Redis blip: the server keeps answering from the database while Redis
is down, says what is degraded, and delivers live events again within seconds once Redis is back,
without a restart. Two app instances share PostgreSQL and a Redis of the test's own."""

import asyncio
import json
import queue
import time

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from tests.bidding.kit import release_all
from tests.bidding.test_live import live_url, prepare
from tests.security.redis_server import OwnRedis
from trading.app import create_app
from trading.channels import ResilientChannelsPlugin
from trading.demo import PEOPLE

WAIT = 10
RECOVERY_SECONDS = 5
PASSWORDS = {p.username: p.password for p in PEOPLE}


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def probe_until_delivered(tc, socket, channel: str) -> float:
    """Publish probes from one instance until the other's follower gets one; returns the seconds."""
    plugin = tc.app.plugins.get(ResilientChannelsPlugin)
    began = time.monotonic()
    while time.monotonic() - began < RECOVERY_SECONDS:
        tc.blocking_portal.call(plugin.publish, json.dumps({"kind": "probe"}), channel)
        try:
            if socket.receive_json(timeout=0.25)["kind"] == "probe":
                return time.monotonic() - began
        except queue.Empty:
            continue
    raise AssertionError(f"no live event within {RECOVERY_SECONDS} s of Redis returning")


def test_live_events_and_logins_survive_a_redis_blip(backend, people, settings, clock, tmp_path, own_redis):
    if backend != "distributed":
        pytest.skip("the embedded default has no Redis")
    settings = settings.model_copy(update={"redis_url": own_redis.url})
    first, second = create_app(settings, clock=clock), create_app(settings, clock=clock)
    with TestClient(first) as tc, TestClient(second) as other:
        client, kit = prepare(tc, people, settings, clock, tmp_path)
        url = live_url(kit)
        with other.websocket_connect(url, headers=people.headers("bidder_b")) as follower:
            assert follower.receive_json(timeout=WAIT)["kind"] == "hello"
            own_redis.stop()

            # Tokens and logins keep working from the database.
            assert tc.get("/api/auth/me", headers=people.headers("bidder_a")).status_code == 200
            login = {"username": "bidder_a", "password": PASSWORDS["bidder_a"]}
            assert tc.post("/api/auth/login", json=login).status_code == 200
            ready = tc.get("/ready")
            assert ready.status_code == 200
            assert ready.json()["status"] == "degraded"
            assert ready.json()["checks"]["redis"].startswith("unavailable")
            assert any(part.startswith("live_events") for part in ready.json()["degraded"])
            # A follower that cannot subscribe is told why, not refused as if forbidden.
            with (
                pytest.raises(WebSocketDisconnect) as refused,
                tc.websocket_connect(url, headers=people.headers("bidder_c")) as socket,
            ):
                socket.receive_json(timeout=WAIT)
            assert refused.value.code == 1013
            # The opening starts: committed, so the answer says so although nothing went out live.
            started = tc.post(f"{url.removesuffix('/live')}", json={}, headers=people.headers("clerk"))
            assert started.status_code == 201, started.text
            # A follower connected through the outage is sent the event from the database, with
            # no reconnect and no Redis.
            caught = follower.receive_json(timeout=WAIT)
            assert (caught["seq"], caught["kind"]) == (1, "opening.started")

            own_redis.start()
            probe_until_delivered(tc, follower, f"opening:{kit.section_id}")
            asyncio.run(release_all(client, people, kit, holders=("clerk",)))
            event = follower.receive_json(timeout=WAIT)
            while event["kind"] == "probe":
                event = follower.receive_json(timeout=WAIT)
            assert (event["seq"], event["kind"]) == (2, "share.released")
        assert tc.get("/ready").json()["status"] == "ready"

        # A follower that reconnects says what it has and gets what it missed first.
        with other.websocket_connect(f"{url}?after=0", headers=people.headers("bidder_b")) as again:
            missed = [again.receive_json(timeout=WAIT) for _ in range(2)]
            assert [(e["seq"], e["kind"]) for e in missed] == [(1, "opening.started"), (2, "share.released")]
            assert again.receive_json(timeout=WAIT) == {
                "kind": "hello",
                "section_id": kit.section_id,
                "last_seq": 2,
            }


def test_failed_logins_lockouts_and_logouts_keep_working_while_redis_is_down(
    backend, people, settings, clock, tmp_path, own_redis
):
    if backend != "distributed":
        pytest.skip("the embedded default has no Redis")
    settings = settings.model_copy(update={"redis_url": own_redis.url})
    with TestClient(create_app(settings, clock=clock)) as tc:
        own_redis.stop()
        wrong = {"username": "agency", "password": "guess-1234"}
        answers = [tc.post("/api/auth/login", json=wrong) for _ in range(settings.login_max_failures)]
        # Counted in the instance while Redis is away: guessing is still stopped, never a 500.
        assert [a.status_code for a in answers] == [401] * settings.login_max_failures
        right = {"username": "agency", "password": PASSWORDS["agency"]}
        locked = tc.post("/api/auth/login", json=right)
        assert (locked.status_code, locked.json()["code"]) == (429, "auth.locked")
        lifted = tc.post(f"/api/users/{people.user('agency').id}/unlock", headers=people.headers("admin"))
        assert lifted.status_code == 200, lifted.text
        token = tc.post("/api/auth/login", json=right).json()["token"]
        mine = {"Authorization": f"Bearer {token}"}
        assert tc.get("/api/auth/me", headers=mine).status_code == 200
        # Logging out ends the token at once although the shared cache could not be cleared.
        assert tc.post("/api/auth/logout", headers=mine).status_code == 204
        assert tc.get("/api/auth/me", headers=mine).status_code == 401
