"""The portal's foundation: sign-in by cookie, CSRF on form posts, refusals as pages, the
language switch and the layout every page shares."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Router, get
from litestar.response import Template

from tests.portal.helpers import HTML, csrf_token, post_form, sign_in
from trading.auth.identity import Role
from trading.auth.tokens import SESSION_COOKIE
from trading.portal.web import PAGE_EXCEPTION_HANDLERS, ViewerMiddleware, page, portal_guard


async def test_a_browser_without_login_is_sent_to_the_login_page_and_back(client, people):
    response = await client.get("/portal?tab=1", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fportal%3Ftab%3D1"
    login = await client.get(response.headers["location"], headers=HTML)
    assert 'name="next" value="/portal?tab=1"' in login.text
    token = await csrf_token(client, "/login")
    signed_in = await client.post(
        "/login",
        data={
            "username": "bidder_a",
            "password": "bidder_a-demo-2026",
            "next": "/portal?tab=1",
            "_csrf_token": token,
        },
        headers=HTML,
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/portal?tab=1"
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Secure" not in cookie
    assert "Max-Age=" in cookie
    account = await client.get("/portal", headers=HTML)
    assert account.status_code == 200
    assert "蒋投标（华建集团）" in account.text
    assert 'href="/portal/bidder"' in account.text  # the bidder's workspace is in the nav
    assert 'href="/portal/staff"' not in account.text


async def test_a_program_without_login_gets_401_problem_not_a_redirect(client):
    response = await client.get("/portal", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


async def test_a_wrong_password_is_shown_on_the_form_and_sets_no_cookie(client, people):
    response = await post_form(client, "/login", {"username": "bidder_a", "password": "wrong"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "用户名或密码错误" in response.text
    assert 'value="bidder_a"' in response.text  # what was typed stays
    assert not any(c.startswith(SESSION_COOKIE) for c in response.headers.get_list("set-cookie"))


async def test_an_empty_field_is_marked_beside_that_field(client, people):
    response = await post_form(client, "/login", {"username": "bidder_a", "password": ""})
    assert response.status_code == 400
    password_field = re.search(
        r'<input id="f-password"[^>]*>\s*<p class="error" id="e-password"[^>]*>([^<]*)<', response.text
    )
    assert password_field and password_field.group(1) == "必填"
    assert 'aria-invalid="true"' in password_field.group(0)


async def test_a_form_post_without_the_csrf_token_is_refused(client, people):
    await client.get("/login", headers=HTML)  # the CSRF cookie is set, the token is not sent
    response = await client.post(
        "/login", data={"username": "bidder_a", "password": "bidder_a-demo-2026"}, headers=HTML
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    await sign_in(client, "bidder_a")
    logout = await client.post("/logout", headers=HTML)
    assert logout.status_code == 403
    assert (await client.get("/portal", headers=HTML)).status_code == 200  # still signed in


async def test_logout_ends_the_session_everywhere(client, people):
    await sign_in(client, "bidder_a")
    cookie = client.cookies.get(SESSION_COOKIE)
    response = await post_form(client, "/logout", {}, from_page="/portal")
    assert response.status_code == 303
    # The same token, replayed, no longer opens anything: the auth service ended it.
    client.cookies.set(SESSION_COOKIE, cookie)
    again = await client.get("/portal", headers=HTML)
    assert again.status_code == 303
    api = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {cookie}"})
    assert api.status_code == 401


async def test_the_api_does_not_take_the_cookie(client, people):
    await sign_in(client, "bidder_a")
    assert (await client.get("/api/auth/me")).status_code == 401
    assert (await client.get("/api/auth/me", headers=people.headers("bidder_a"))).status_code == 200


async def test_a_next_that_leaves_the_site_is_ignored(client, people):
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={
            "username": "clerk",
            "password": "clerk-demo-2026",
            "next": "//evil.example/x",
            "_csrf_token": token,
        },
        headers=HTML,
    )
    assert response.headers["location"] == "/portal"


async def test_the_language_switch_turns_the_page_english_and_back(client, people):
    switched = await client.get("/lang/en?next=/login", headers=HTML)
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    english = await client.get("/login", headers=HTML)
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    assert 'href="/lang/zh-CN?next=/login"' in english.text
    await client.get("/lang/zh-CN?next=/", headers=HTML)
    chinese = await client.get("/login", headers=HTML)
    assert '<html lang="zh-CN">' in chinese.text and "登录" in chinese.text


async def test_pages_have_no_inline_style_or_script_and_load_only_own_files(client, people):
    await sign_in(client, "clerk")
    for path in ("/", "/login", "/portal"):
        text = (await client.get(path, headers=HTML)).text
        assert "<style" not in text and " style=" not in text, path
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", text), path
        assert "http://" not in text and "https://" not in text, path
    css = await client.get("/static/portal.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    htmx = await client.get("/static/vendor/htmx-2.0.4.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.content


def _probe_router() -> Router:
    """A page as a feature package writes one, mounted the way the composition root mounts them."""

    @get("/portal/probe", opt=portal_guard(Role.staff), include_in_schema=False)
    async def probe(request: Request[Any, Any, Any]) -> Template:
        return page("portal/refused.html", message="staff only page")

    return Router(
        path="/",
        route_handlers=[probe],
        middleware=[ViewerMiddleware()],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
    )


async def test_portal_guard_answers_a_wrong_role_with_a_403_page(app, client, people):
    app.register(_probe_router())
    await sign_in(client, "bidder_a")
    refused = await client.get("/portal/probe", headers=HTML)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "当前身份无权访问此页面" in refused.text
    assert (
        await client.get(
            "/portal/probe", headers={**people.headers("bidder_a"), "Accept": "application/json"}
        )
    ).status_code == 403
    allowed = await client.get("/portal/probe", headers=people.headers("clerk"))
    assert allowed.status_code == 200 and "staff only page" in allowed.text


async def test_times_are_shown_on_the_centers_wall_clock(app):
    import datetime as dt

    engine = app.template_engine
    rendered = engine.engine.from_string("{{ at | local_time }}").render(
        at=dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    )
    assert rendered == "2026-03-02 09:00"
