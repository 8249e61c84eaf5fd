"""Signing in and out in a browser, and the language switch.

The login form takes the same credentials, lockouts and token as POST /api/auth/login; the token
goes into an HttpOnly, SameSite=Strict cookie instead of the answer body.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth import service
from trading.auth.addresses import client_address, parse_networks
from trading.auth.guards import ANY_USER
from trading.auth.identity import Identity
from trading.auth.lockout import LockoutPolicy
from trading.auth.tokens import issue_token
from trading.clock import Clock
from trading.errors import DomainError
from trading.organisations import service as organisations
from trading.organisations.schemas import BidderSignUp
from trading.organisations.uscc import InvalidUSCC
from trading.portal.web import (
    ENGLISH,
    LANG_COOKIE,
    SESSION_COOKIE,
    form_errors,
    navigation,
    page,
    safe_next,
    t,
)
from trading.settings import Settings

ONE_YEAR = 365 * 24 * 3600


@get("/login", exclude_from_auth=True, include_in_schema=False)
async def login_form(next: FromQuery[str | None] = None) -> Template:
    return page("portal/login.html", next=safe_next(next, "/portal"), errors={}, username="")


@post("/login", exclude_from_auth=True, include_in_schema=False, status_code=303)
async def log_in(
    request: Request[Any, Any, Any],
    session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    username, password = data.get("username", "").strip(), data.get("password", "")
    target = safe_next(data.get("next"), "/portal")
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = _required(request)
    if not password:
        errors["password"] = _required(request)
    if not errors:
        try:
            user = await service.authenticate(
                session,
                request.app.state.failure_counter,
                username=username,
                password=password,
                client=client_address(request, parse_networks(settings.trusted_proxies)),
                policy=LockoutPolicy(
                    max_failures=settings.login_max_failures,
                    max_failures_per_client=settings.login_max_failures_per_client,
                    account_lockout_seconds=settings.login_lockout_minutes * 60,
                    client_lockout_seconds=settings.login_client_lockout_minutes * 60,
                ),
            )
        except DomainError as exc:
            errors = form_errors(request, exc)
        else:
            token, _ = issue_token(request.app.state.jwt_auth, service.identity_of(user))
            response = Redirect(path=target, status_code=303)
            response.set_cookie(
                SESSION_COOKIE,
                token,
                httponly=True,
                samesite="strict",
                secure=settings.served_over_tls,
                max_age=settings.token_hours * 3600,
                path="/",
            )
            return response
    return page("portal/login.html", status_code=400, next=target, errors=errors, username=username)


@post("/logout", opt=ANY_USER, include_in_schema=False, status_code=303)
async def log_out(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
) -> Redirect:
    """Ends every session of the user, as POST /api/auth/logout does, and drops the cookie."""
    await service.log_out(session, request.user.user_id, actor=request.user.actor, at=clock.now())
    await session.commit()
    await request.app.state.session_states.forget(request.user.user_id)
    response = Redirect(path="/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/lang/{code:str}", exclude_from_auth=True, include_in_schema=False)
async def switch_language(code: FromPath[str], next: FromQuery[str | None] = None) -> Redirect:
    """A plain link, so the switch works by keyboard and without script."""
    response = Redirect(path=safe_next(next), status_code=303)
    if code == ENGLISH:
        response.set_cookie(LANG_COOKIE, ENGLISH, max_age=ONE_YEAR, samesite="lax", path="/")
    else:
        response.delete_cookie(LANG_COOKIE, path="/")
    return response


def _required(request: Request[Any, Any, Any]) -> str:
    return t(request, "必填", "Required")


@get("/portal", opt=ANY_USER, include_in_schema=False)
async def my_account(request: Request[Identity, Any, Any]) -> Template:
    """Where a signed-in person lands: who they are and the workspaces of their roles."""
    workspaces = [item for item in navigation(request) if item["restricted"]]
    return page("portal/account.html", workspaces=workspaces)


SIGN_UP_FIELDS = (
    "uscc",
    "name",
    "region",
    "legal_representative",
    "contact_phone",
    "basic_account_name",
    "basic_account_number",
    "basic_account_bank",
    "username",
    "display_name",
)


@get("/signup", exclude_from_auth=True, include_in_schema=False)
async def sign_up_form() -> Template:
    return page("portal/signup.html", values=dict.fromkeys(SIGN_UP_FIELDS, ""), errors={})


@post("/signup", exclude_from_auth=True, include_in_schema=False)
async def sign_up(
    request: Request[Any, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    """A company signs itself up as a bidder (POST /api/organisations/sign-up by form). The credit
    code is checked as it is typed (portal.js, GB 32100 check character) and again here."""
    values = {name: data.get(name, "").strip() for name in SIGN_UP_FIELDS}
    organisation = {k: values[k] or None for k in SIGN_UP_FIELDS[:8]}
    try:
        application = BidderSignUp.model_validate(
            {
                "organisation": {**organisation, "capacities": ["bidder"]},
                "username": values["username"],
                "display_name": values["display_name"],
                "password": data.get("password", ""),
            }
        )
        await organisations.apply_as_bidder(session, application, at=clock.now())
    except (ValidationError, DomainError) as exc:
        await session.rollback()
        errors = form_errors(request, exc, fields=SIGN_UP_FIELD_NAMES)
        if isinstance(exc, InvalidUSCC):
            errors = {"uscc": t(request, exc.zh, exc.en)}
        return page("portal/signup.html", status_code=400, values=values, errors=errors)
    await session.commit()
    return page("portal/signup_received.html")


# The service's names of the form's fields (pydantic `loc`), for errors beside the right field.
SIGN_UP_FIELD_NAMES = {f"organisation.{name}": name for name in SIGN_UP_FIELDS[:8]} | {"password": "password"}
