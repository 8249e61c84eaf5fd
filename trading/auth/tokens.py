"""Login tokens: signed JWTs that carry the identity, so any instance can check them alone.

A signature alone would let a token outlive its user: every authenticated request also checks the
account's state and token version (trading/auth/sessions.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token
from litestar.types import Scope

from trading.auth.identity import Identity

ISSUER = "trading-platform"
# The portal's login cookie (HttpOnly, SameSite=Strict) holds the same JWT as the Bearer header.
SESSION_COOKIE = "trading_session"
API_PREFIX = "/api/"


def _identity_of(token: Token) -> Identity | None:
    extras = token.extras
    try:
        return Identity(
            user_id=uuid.UUID(token.sub),
            username=extras["username"],
            display_name=extras["display_name"],
            roles=frozenset(extras["roles"]),
            organisation_id=uuid.UUID(extras["org"]) if extras.get("org") else None,
            sectors=frozenset(extras.get("sectors", [])),
            token_version=int(extras.get("ver", 0)),
        )
    except (KeyError, ValueError, TypeError):
        return None


class CookieOrBearerMiddleware(JWTAuthenticationMiddleware):
    """The Bearer header everywhere; the login cookie on pages and websockets only. Over HTTP the
    JSON API never takes the cookie, so, exempt from the form CSRF check, it cannot be driven by a
    request another site makes the browser send."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        header = connection.headers.get(self.auth_header, "").partition(" ")[-1]
        if header:
            return await self.authenticate_token(encoded_token=header, connection=connection)
        cookie = connection.cookies.get(SESSION_COOKIE, "")
        if cookie and accepts_cookie(connection.scope):
            return await self.authenticate_token(encoded_token=cookie, connection=connection)
        raise NotAuthorizedException("No JWT token found in request header or cookies")


def accepts_cookie(scope: Scope) -> bool:
    return scope["type"] == "websocket" or not scope.get("path", "").startswith(API_PREFIX)


def build_jwt_auth(secret: str, token_hours: int) -> JWTAuth[Identity, Token]:
    async def retrieve_identity(
        token: Token, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> Identity | None:
        identity = _identity_of(token)
        if identity is None:
            return None
        state = await connection.app.state.session_states.current(identity.user_id)
        return identity if state.accepts(identity.token_version) else None

    return JWTAuth[Identity, Token](
        retrieve_user_handler=retrieve_identity,
        token_secret=secret,
        default_token_expiration=dt.timedelta(hours=token_hours),
        accepted_issuers=[ISSUER],
        # HEAD needs a token like GET; OPTIONS only says which methods a path allows.
        exclude_http_methods=["OPTIONS"],
        # The Bearer header everywhere; the portal's login cookie on pages and websockets.
        authentication_middleware_class=CookieOrBearerMiddleware,
        description="Bearer token from POST /api/auth/login",
    )


def issue_token(jwt_auth: JWTAuth[Identity, Token], identity: Identity) -> tuple[str, dt.datetime]:
    expiration = jwt_auth.default_token_expiration
    token = jwt_auth.create_token(
        identifier=str(identity.user_id),
        token_expiration=expiration,
        token_issuer=ISSUER,
        token_extras={
            "username": identity.username,
            "display_name": identity.display_name,
            "roles": sorted(identity.roles),
            "org": str(identity.organisation_id) if identity.organisation_id else None,
            "sectors": sorted(identity.sectors),
            "ver": identity.token_version,
        },
    )
    # Token expiry is transport security, checked by PyJWT against the wall clock, not domain time.
    return token, dt.datetime.now(dt.UTC) + expiration
