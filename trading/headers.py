"""Security headers on every answer, set once for the whole app (a before_send hook, so 404s,
problems and the docs get them too).

- Content-Security-Policy: scripts, styles, images, fonts and connections (websockets included)
  from the platform's own origin only; no inline script; no framing by anyone.
- X-Frame-Options DENY for browsers without frame-ancestors; nosniff; no Referer to other sites.
- Cache-Control: no-store on the login answer and on every answer to a request that carries a
  token, so no shared cache or browser history keeps personal data.
- Strict-Transport-Security only when the settings say the center is served over TLS (sent over
  plain HTTP it would lock browsers out of a center that has no certificate yet).
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

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
        if message["type"] != "http.response.start":
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
