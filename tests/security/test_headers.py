"""Security headers on every answer: pages, API answers, problems, 404s."""

import json
import uuid

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient, TestClient

from trading.app import create_app
from trading.demo import PEOPLE

CLERK_PASSWORD = next(p.password for p in PEOPLE if p.username == "clerk")


def assert_protected(response):
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/health",
        "/api/public/announcements",
        "/no/such/page",
        "/api/users/",
        "/docs-assets/swagger-ui/swagger-ui.css",
        "/api/public/announcements?limit=x",
    ],
)
async def test_every_answer_carries_the_security_headers(client, path):
    assert_protected(await client.get(path))


async def test_the_login_answer_is_not_stored(client, people):
    response = await client.post("/api/auth/login", json={"username": "clerk", "password": CLERK_PASSWORD})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    refused = await client.post("/api/auth/login", json={"username": "clerk", "password": "wrong-one"})
    assert refused.headers["cache-control"] == "no-store"


async def test_an_authenticated_answer_is_not_stored(client, people):
    response = await client.get("/api/projects/", headers=people.headers("clerk"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert_protected(response)


async def test_public_answers_may_be_cached(client):
    response = await client.get("/api/public/announcements")
    assert response.headers.get("cache-control") != "no-store"


async def test_no_hsts_unless_served_over_tls(client):
    assert "strict-transport-security" not in (await client.get("/health")).headers


async def test_hsts_when_served_over_tls(settings, clock):
    tls = settings.model_copy(update={"served_over_tls": True})
    async with AsyncTestClient(app=create_app(tls, clock=clock)) as client:
        response = await client.get("/health")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def websocket_scope(path, headers=()):
    return {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "ws",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "subprotocols": [],
        # What uvicorn offers: the app may refuse the upgrade with a full HTTP answer.
        "extensions": {"websocket.http.response": {}},
        "state": {},
    }


async def refuse_upgrade(app, path, headers=()):
    sent, incoming = [], [{"type": "websocket.connect"}]

    async def receive():
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message):
        sent.append(message)

    await app(websocket_scope(path, headers), receive, send)
    return sent


async def test_a_refused_websocket_upgrade_is_an_http_answer_with_the_headers(app):
    sent = await refuse_upgrade(app, f"/api/auctions/{uuid.uuid4()}/live")
    start, body = sent
    assert (start["type"], start["status"]) == ("websocket.http.response.start", 401)
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert headers["content-type"] == "application/problem+json"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert json.loads(body["body"])["code"] == "auth.required"


def test_a_websocket_without_a_token_is_closed_as_unauthorised_not_as_a_crash(app):
    with (
        TestClient(app) as tc,
        pytest.raises(WebSocketDisconnect) as refused,
        tc.websocket_connect(f"/api/auctions/{uuid.uuid4()}/live") as socket,
    ):
        socket.receive_json(timeout=5)
    assert refused.value.code == 4401
