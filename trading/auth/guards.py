"""Every route declares who may call it; one guard enforces the declaration.

A handler is either public (`exclude_from_auth=True`) or names its roles (`opt=allow(...)`).
A handler that does neither is refused to everybody: forgetting a declaration fails closed.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from trading.auth.identity import Identity, Role


def allow(*roles: Role) -> dict[str, Any]:
    return {"roles": frozenset(roles)}


ANY_USER = allow(*Role)


async def role_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    # A coroutine: Litestar runs a plain function guard in a worker thread, a hop per request.
    if handler.opt.get("exclude_from_auth") or connection.scope.get("method") == "OPTIONS":
        # OPTIONS only tells which methods a path allows; the auth middleware sets no user for it.
        return
    roles = handler.opt.get("roles")
    user = connection.scope.get("user")
    if not roles or not isinstance(user, Identity) or not (user.roles & roles):
        raise PermissionDeniedException("this role may not do that")
