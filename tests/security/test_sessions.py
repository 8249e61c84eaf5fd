"""No token outlives its session: deactivation, password change, reset and logout end tokens at
once, on every instance and after a restart (the state lives in the database)."""

import pytest
from litestar.testing import AsyncTestClient

from trading.app import create_app
from trading.demo import PEOPLE

PASSWORDS = {p.username: p.password for p in PEOPLE}
NEW_PASSWORD = "a-brand-new-password-2026"


async def login(client, username, password):
    response = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_a_deactivated_users_token_is_refused_after_a_restart(client, people, settings, clock):
    token = people.headers("bidder_c")
    deactivated = await client.post(
        f"/api/users/{people.user('bidder_c').id}/deactivate", headers=people.headers("admin")
    )
    assert deactivated.status_code == 200, deactivated.text
    async with AsyncTestClient(app=create_app(settings, clock=clock)) as restarted:
        me = await restarted.get("/api/auth/me", headers=token)
        assert me.status_code == 401
        assert me.json()["code"] == "auth.required"


async def test_changing_the_password_ends_the_other_tokens_and_keeps_this_session(client, people):
    other_device = await login(client, "bidder_a", PASSWORDS["bidder_a"])
    this_device = await login(client, "bidder_a", PASSWORDS["bidder_a"])
    changed = await client.post(
        "/api/auth/password",
        json={"current_password": PASSWORDS["bidder_a"], "new_password": NEW_PASSWORD},
        headers=this_device,
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get("/api/auth/me", headers=other_device)).status_code == 401
    assert (await client.get("/api/auth/me", headers=this_device)).status_code == 401
    fresh = {"Authorization": f"Bearer {changed.json()['token']}"}
    assert (await client.get("/api/auth/me", headers=fresh)).status_code == 200
    await login(client, "bidder_a", NEW_PASSWORD)


async def test_the_current_password_must_be_right_to_change_it(client, people):
    token = people.headers("bidder_a")
    refused = await client.post(
        "/api/auth/password",
        json={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
        headers=token,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.wrong_password"
    assert (await client.get("/api/auth/me", headers=token)).status_code == 200


async def test_an_administrators_reset_ends_the_users_tokens(client, people):
    token = await login(client, "bidder_b", PASSWORDS["bidder_b"])
    reset = await client.post(
        f"/api/users/{people.user('bidder_b').id}/password",
        json={"new_password": NEW_PASSWORD},
        headers=people.headers("admin"),
    )
    assert reset.status_code == 200, reset.text
    assert (await client.get("/api/auth/me", headers=token)).status_code == 401
    old_password = {"username": "bidder_b", "password": PASSWORDS["bidder_b"]}
    old = await client.post("/api/auth/login", json=old_password)
    assert old.status_code == 401
    await login(client, "bidder_b", NEW_PASSWORD)


async def test_logout_ends_the_token(client, people):
    token = await login(client, "clerk", PASSWORDS["clerk"])
    assert (await client.post("/api/auth/logout", headers=token)).status_code == 204
    assert (await client.get("/api/auth/me", headers=token)).status_code == 401
    await login(client, "clerk", PASSWORDS["clerk"])


async def test_a_logout_on_one_instance_ends_the_token_on_another_at_once(
    backend, client, people, settings, clock
):
    if backend == "embedded":
        pytest.skip("the embedded default is one process: there is no other instance")
    token = await login(client, "agency", PASSWORDS["agency"])
    async with AsyncTestClient(app=create_app(settings, clock=clock)) as other:
        assert (await other.get("/api/auth/me", headers=token)).status_code == 200  # now cached
        assert (await client.post("/api/auth/logout", headers=token)).status_code == 204
        assert (await other.get("/api/auth/me", headers=token)).status_code == 401
