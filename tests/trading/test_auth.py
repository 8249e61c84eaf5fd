"""Logging in, password guessing, accounts."""

from trading.demo import PEOPLE

CLERK_PASSWORD = next(p.password for p in PEOPLE if p.username == "clerk")


async def test_login_gives_a_token_that_identifies_the_user(client, people):
    response = await client.post("/api/auth/login", json={"username": "clerk", "password": CLERK_PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["roles"] == ["staff"]
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["username"] == "clerk"


async def test_wrong_password_is_refused_with_a_problem_in_both_languages(client, people):
    response = await client.post("/api/auth/login", json={"username": "clerk", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "auth.invalid_credentials"
    assert body["message"] == {"zh-CN": "用户名或密码错误", "en": "wrong username or password"}


async def test_english_title_when_the_client_prefers_english(client, people):
    response = await client.post(
        "/api/auth/login",
        json={"username": "clerk", "password": "wrong-password"},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert response.json()["title"] == "wrong username or password"


async def test_repeated_failures_lock_the_account_even_for_the_right_password(client, people, settings):
    for _ in range(settings.login_max_failures):
        failed = await client.post("/api/auth/login", json={"username": "clerk", "password": "guess"})
        assert failed.status_code == 401
    locked = await client.post("/api/auth/login", json={"username": "clerk", "password": CLERK_PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["code"] == "auth.locked"


async def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, people):
    response = await client.post("/api/auth/login", json={"username": "nobody", "password": "whatever-1234"})
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_credentials"


async def test_admin_creates_a_supervisor_scoped_to_a_sector(client, people):
    response = await client.post(
        "/api/users/",
        json={
            "username": "zj_deputy",
            "password": "a-long-password-1",
            "display_name": "住建局副科长",
            "roles": ["supervisor"],
            "sectors": ["construction"],
        },
        headers=people.headers("admin"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["sectors"] == ["construction"]


async def test_a_supervisor_without_sectors_is_refused(client, people):
    response = await client.post(
        "/api/users/",
        json={
            "username": "nobody_sup",
            "password": "a-long-password-1",
            "display_name": "x",
            "roles": ["supervisor"],
        },
        headers=people.headers("admin"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "user.supervisor_sectors"


async def test_a_deactivated_user_cannot_log_in(client, people):
    user_id = people.user("bidder_b").id
    response = await client.post(f"/api/users/{user_id}/deactivate", headers=people.headers("admin"))
    assert response.json()["active"] is False
    password = next(p.password for p in PEOPLE if p.username == "bidder_b")
    login = await client.post("/api/auth/login", json={"username": "bidder_b", "password": password})
    assert login.status_code == 401


async def test_bad_json_field_is_a_400_problem_naming_the_field(client, people):
    response = await client.post("/api/auth/login", json={"username": "clerk"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "request.invalid"
    assert "password" in body["message"]["en"]


async def test_a_deactivated_users_token_stops_working_at_once(client, people):
    token_headers = people.headers("bidder_c")
    assert (await client.get("/api/auth/me", headers=token_headers)).status_code == 200
    blocked = await client.post(
        f"/api/users/{people.user('bidder_c').id}/deactivate", headers=people.headers("admin")
    )
    assert blocked.status_code == 200, blocked.text
    assert (await client.get("/api/auth/me", headers=token_headers)).status_code == 401


async def test_failures_on_one_account_do_not_lock_out_others_at_the_same_address(client, people, settings):
    for _ in range(settings.login_max_failures):
        await client.post("/api/auth/login", json={"username": "clerk", "password": "guess"})
    other = await client.post("/api/auth/login", json={"username": "admin", "password": "admin-demo-2026"})
    assert other.status_code == 200
