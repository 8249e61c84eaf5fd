"""Liveness and readiness, for load balancers and orchestrators (public, no data in them)."""

from typing import Any

from alembic.runtime.migration import MigrationContext
from litestar import Request, Response, get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from trading.channels import ResilientChannelsPlugin
from trading.db import migrate
from trading.problems import problem


@get("/health", operation_id="health", exclude_from_auth=True, tags=["health"])
async def health() -> dict[str, str]:
    """The process answers. Says nothing about its dependencies (see /ready)."""
    return {"status": "ok"}


# What works less well while Redis is down; the instance still serves from the database.
DEGRADED_WITHOUT_REDIS = (
    "live_events: followers on other instances miss events until Redis returns, then reload them by number",
    "login_lockout: failed logins are counted per instance",
    "session_cache: every token check reads the database",
)


@get("/ready", operation_id="ready", exclude_from_auth=True, tags=["health"])
async def ready(request: Request[Any, Any, Any], session: NamedDependency[AsyncSession]) -> Response[Any]:
    """Ready to serve: the database answers and is at the newest schema (else 503). With Redis
    configured but not answering, the answer is 200 `degraded` and names the parts that suffer."""
    checks: dict[str, str] = {}
    try:
        await session.execute(text("SELECT 1"))
        current = await session.run_sync(lambda s: _revision(s.connection()))
        checks["database"] = "ok" if current == migrate.head_revision() else f"schema at {current}, not head"
    except Exception as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
    redis = request.app.state.redis
    if redis is not None:
        try:
            await redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"unavailable: {type(exc).__name__}"
    channels = request.app.plugins.get(ResilientChannelsPlugin)
    sub_task = getattr(channels, "_sub_task", None)
    checks["live_events"] = "stopped" if sub_task is None or sub_task.done() else "ok"
    if all(value == "ok" for value in checks.values()):
        return Response({"status": "ready", "checks": checks})
    if checks["database"] == "ok" and checks["live_events"] == "ok":
        return Response({"status": "degraded", "checks": checks, "degraded": list(DEGRADED_WITHOUT_REDIS)})
    return problem(
        request,
        status=503,
        code="server.not_ready",
        zh="服务尚未就绪",
        en="The service is not ready",
        extra={"checks": checks},
    )


def _revision(connection: Any) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
