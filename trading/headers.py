"""Security headers on every answer, set once for the whole app (a before_send hook, so 404s,
problems and the docs get them too).

- Content-Security-Policy: scripts, styles, images, fonts and connections (websockets included)
  from the platform's own origin only; no inline script; no framing by anyone.
- X-Frame-Options DENY for browsers without frame-ancestors; nosniff; no Referer to other sites.
- Cache-Control: no-store on the login answer and on every answer to a request that carries a
  token, so no shared cache or browser history keeps personal data.
- Strict-Transport-Security only when the settings say the center is served over TLS (sent over
  plain HTTP it would lock browsers out of a center that has no certificate yet).

A websocket refused before it is accepted (no token, wrong role, unknown id) would leave the server
to answer a bare 403 with none of these headers. Where the server offers the ASGI websocket denial
response (uvicorn does), the refusal becomes an HTTP answer with its real status, a problem+json
body and these headers (`refusals_over_http`).
"""

from __future__ import annotations

import json
from http import HTTPStatus

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from trading.settings import Settings

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The API docs pages (Swagger UI, Scalar) start their viewer with an inline script.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
HSTS = "max-age=31536000; includeSubDomains"
NO_STORE_PATHS = ("/api/auth/",)


def security_headers(settings: Settings):  # type: ignore[no-untyped-def]
    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] not in ("http.response.start", "websocket.http.response.start"):
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        docs = path.startswith("/schema")
        headers["Content-Security-Policy"] = DOCS_CSP if docs else CSP
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        if path.startswith(NO_STORE_PATHS) or _carries_token(scope):
            headers["Cache-Control"] = "no-store"
        if settings.served_over_tls:
            headers["Strict-Transport-Security"] = HSTS

    return before_send


def _carries_token(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope.get("headers", []))


DENIAL = "websocket.http.response"
REFUSAL_CODES = {401: "auth.required", 403: "auth.forbidden", 503: "service.unavailable"}


def refusals_over_http(app: ASGIApp) -> ASGIApp:
    """Turn a websocket closed before it was accepted (code 4000 + status) into that HTTP status."""

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or DENIAL not in scope.get("extensions", {}):
            await app(scope, receive, send)
            return
        accepted = False

        async def send_or_deny(message: Message) -> None:
            nonlocal accepted
            accepted = accepted or message["type"] == "websocket.accept"
            if accepted or message["type"] != "websocket.close":
                await send(message)
                return
            code = message.get("code", 1000)
            status = code - 4000 if 4400 <= code < 4600 else 403
            problem = REFUSAL_CODES.get(status, "websocket.refused")
            body = json.dumps(
                {
                    "type": f"urn:trading:problem:{problem}",
                    "title": _phrase(status),
                    "status": status,
                    "code": problem,
                    "message": {"zh-CN": "实时连接被拒绝", "en": message.get("reason") or "refused"},
                    "instance": scope.get("path", ""),
                },
                ensure_ascii=False,
            ).encode()
            start = {
                "type": f"{DENIAL}.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", b"%d" % len(body)),
                ],
            }
            await send(start)
            await send({"type": f"{DENIAL}.body", "body": body, "more_body": False})

        await app(scope, receive, send_or_deny)

    return handler


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Refused"
