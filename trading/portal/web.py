"""What every portal page uses (trading/portal, and the `portal.py` of each feature package).

- `t(request, zh, en)`: the text in the reader's language (zh-CN first; the `lang` cookie
  switches to English).
- `portal_guard(*roles)`: the handler's `opt`. The app's role guard enforces it; the portal's
  exception handlers turn a refusal into a page: an anonymous browser is sent to `/login?next=…`
  (303), a wrong role gets a 403 page, a program (no `text/html` in Accept) gets problem+json.
- `form_errors(request, exc)`: a refusal from a service as {field: message}, so the form shows
  each message beside the field that caused it (`__all__` for the form as a whole).
- `local_time`: a Jinja filter, an instant on the center's wall clock.
- The login cookie (trading/auth/tokens.py): the JWT the API takes as a Bearer header.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.enums import MediaType, ScopeType
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.middleware import ASGIMiddleware
from litestar.response import Redirect, Template
from litestar.security.jwt import Token
from litestar.types import ASGIApp, Receive, Scope, Send
from pydantic import ValidationError

from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.auth.tokens import SESSION_COOKIE
from trading.errors import DomainError
from trading.problems import EXCEPTION_HANDLERS, http_error_handler

LANG_COOKIE = "lang"
ENGLISH = "en"
CHINESE = "zh-CN"
FORM_WIDE = "__all__"


# --- language ---------------------------------------------------------------------------------


def language(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    return ENGLISH if request.cookies.get(LANG_COOKIE) == ENGLISH else CHINESE


def t(request: ASGIConnection[Any, Any, Any, Any], zh: str, en: str) -> str:
    return en if language(request) == ENGLISH else zh


# --- who is looking ---------------------------------------------------------------------------


class ViewerMiddleware(ASGIMiddleware):
    """Public pages skip authentication, yet their navigation shows who is signed in: this puts
    the identity of a valid login cookie in `scope["state"]["viewer"]` on every portal page."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        user = scope.get("user")
        viewer = user if isinstance(user, Identity) else await _identity_from_cookie(scope)
        scope.setdefault("state", {})["viewer"] = viewer
        await next_app(scope, receive, send)


async def _identity_from_cookie(scope: Scope) -> Identity | None:
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
    encoded = connection.cookies.get(SESSION_COOKIE)
    if not encoded:
        return None
    jwt_auth = connection.app.state.jwt_auth
    try:
        token = Token.decode(
            encoded_token=encoded,
            secret=jwt_auth.token_secret,
            algorithm=jwt_auth.algorithm,
            issuer=jwt_auth.accepted_issuers,
        )
    except NotAuthorizedException:
        return None
    identity = await jwt_auth.retrieve_user_handler(token, connection)
    return identity if isinstance(identity, Identity) else None


def viewer(request: ASGIConnection[Any, Any, Any, Any]) -> Identity | None:
    """The signed-in identity on any portal page (None for an anonymous visitor)."""
    user = request.scope.get("user")
    if isinstance(user, Identity):
        return user
    found = request.scope.get("state", {}).get("viewer")
    return found if isinstance(found, Identity) else None


def portal_guard(*roles: Role) -> dict[str, Any]:
    """`opt` of a page only these roles may open: `@get("/portal/x", opt=portal_guard(Role.bidder))`."""
    return {**allow(*roles), "portal": True}


# --- navigation -------------------------------------------------------------------------------

# (path, zh, en, roles that see it; empty = everyone). Feature packages' pages live under these.
NAV: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("/", "首页", "Home", frozenset()),
    ("/announcements", "交易公告", "Announcements", frozenset()),
    ("/auctions", "竞价大厅", "Auctions", frozenset()),
    ("/disclosure", "八公开", "Disclosure", frozenset()),
    ("/verify", "文书验真", "Verify a document", frozenset()),
    ("/portal/bidder", "投标人工作台", "Bidder workspace", frozenset({Role.bidder})),
    ("/portal/staff", "中心工作台", "Staff console", frozenset({Role.staff, Role.admin})),
    ("/portal/funds", "资金结算", "Funds", frozenset({Role.staff, Role.auditor})),
    ("/portal/expert", "评标专家", "Expert", frozenset({Role.expert})),
    ("/portal/supervision", "监督", "Supervision", frozenset({Role.supervisor, Role.auditor})),
)


def navigation(request: ASGIConnection[Any, Any, Any, Any]) -> list[dict[str, Any]]:
    who = viewer(request)
    roles = who.roles if who else frozenset()
    here = request.scope.get("path", "/")
    items = []
    for path, zh, en, allowed in NAV:
        if allowed and not (roles & allowed):
            continue
        current = here == path if path == "/" else here == path or here.startswith(path + "/")
        items.append(
            {"href": path, "label": t(request, zh, en), "current": current, "restricted": bool(allowed)}
        )
    return items


# --- pages ------------------------------------------------------------------------------------


def page(template_name: str, *, status_code: int = 200, **context: Any) -> Template:
    """A page response; the base template finds the request, viewer, language and nav itself."""
    return Template(
        template_name=template_name, context=context, status_code=status_code, media_type=MediaType.HTML
    )


def local_time(value: dt.datetime | None, zone: dt.tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant on the center's wall clock (the `local_time` filter in templates)."""
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone).strftime(fmt)


def yuan(fen: int | None) -> str:
    """¥1,234,567.89 from fen (amounts are integers of fen everywhere): the `yuan` filter."""
    if fen is None:
        return ""
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    whole, cents = divmod(fen, 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def install(engine: Any, zone: dt.tzinfo) -> None:
    """Register the portal's template helpers on the app's Jinja engine: `{{ x | local_time }}`
    or `{{ x | local_time("%H:%M:%S") }}`."""
    env = engine.engine
    env.filters["local_time"] = lambda value, fmt="%Y-%m-%d %H:%M": local_time(value, zone, fmt)
    env.filters["yuan"] = yuan
    env.globals.update(t=t, viewer=viewer, navigation=navigation, language=language, FORM_WIDE=FORM_WIDE)


def safe_next(target: str | None, default: str = "/") -> str:
    """Where to go after login: only a path on this site (never `//other.example`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


# --- form errors ------------------------------------------------------------------------------


def form_errors(
    request: ASGIConnection[Any, Any, Any, Any],
    exc: Exception,
    fields: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """{form field: message} for a refusal. `fields` maps the service's names to the form's.

    A DomainError names its field in `details["field"]`; a pydantic ValidationError names each in
    `loc`; anything else is a message for the whole form.
    """
    rename = dict(fields or {})
    if isinstance(exc, DomainError):
        field = str(exc.details.get("field", "")) if exc.details else ""
        return {rename.get(field, field) or FORM_WIDE: t(request, exc.zh, exc.en)}
    if isinstance(exc, ValidationError):
        errors: dict[str, str] = {}
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or FORM_WIDE
            errors.setdefault(rename.get(name, name), t(request, "填写有误：", "Invalid: ") + error["msg"])
        return errors
    return {FORM_WIDE: t(request, "请求无法处理", "The request could not be handled")}


# --- refusals as pages ------------------------------------------------------------------------


def wants_page(request: Request[Any, Any, Any]) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _not_authorized(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    if not wants_page(request):
        return http_error_handler(request, exc)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.headers.get("referer", "") or "/"
    response = Redirect(path="/login?" + urllib.parse.urlencode({"next": safe_next(target)}), status_code=303)
    # An expired or ended session: forget the cookie so the login page starts clean.
    response.delete_cookie(SESSION_COOKIE)
    return response


def _refusal_page(status: int, zh: str, en: str) -> Callable[[Request[Any, Any, Any], Any], Response[Any]]:
    def handle(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
        if not wants_page(request):
            handler = EXCEPTION_HANDLERS.get(type(exc)) or http_error_handler
            return handler(request, exc)  # type: ignore[operator]
        message = exc.en if isinstance(exc, DomainError) else en
        message_zh = exc.zh if isinstance(exc, DomainError) else zh
        return page(  # type: ignore[return-value]
            "portal/refused.html",
            status_code=getattr(exc, "status", None) or getattr(exc, "status_code", status),
            message=t(request, message_zh, message),
        )

    return handle


PAGE_EXCEPTION_HANDLERS: dict[Any, Any] = {
    **EXCEPTION_HANDLERS,
    NotAuthorizedException: _not_authorized,
    PermissionDeniedException: _refusal_page(
        403, "当前身份无权访问此页面", "Your role may not open this page"
    ),
    ValidationException: _refusal_page(400, "请求数据有误", "The request data is not valid"),
    DomainError: _refusal_page(400, "请求无法处理", "The request could not be handled"),
    HTTPException: _refusal_page(400, "请求无法处理", "The request could not be handled"),
}
