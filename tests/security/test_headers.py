"""Security headers on every answer: pages, API answers, problems, 404s."""

import pytest
from litestar.testing import AsyncTestClient

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
    "path", ["/", "/health", "/api/public/announcements", "/no/such/page", "/api/users/"]
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
