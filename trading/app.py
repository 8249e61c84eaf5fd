"""The composition root: builds the Litestar app from settings and wires every package.

`create_app()` with no arguments runs the embedded default (a SQLite file in ./var, in-process
stores); `TRADING_DATABASE_URL` / `TRADING_REDIS_URL` switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import role_guard
from trading.auth.lockout import BlockedUsers, MemoryFailureCounter, RedisFailureCounter
from trading.auth.tokens import build_jwt_auth
from trading.clock import Clock, SystemClock
from trading.db import migrate
from trading.db.session import Database
from trading.documents.desk import build_desk
from trading.documents.registry import DocumentKinds
from trading.events import EventBus
from trading.problems import EXCEPTION_HANDLERS
from trading.settings import Settings, load_settings

logger = logging.getLogger("trading")


# The packages built on the core, in import order (experts → bidding → funds → trading). Each
# exposes `import_models()`, `route_handlers()` and `subscribe(bus)` in its __init__, and may
# expose `cli_commands()` (click commands or groups for the `trading` command).
FEATURE_PACKAGES = ("funds", "bidding", "experts")


def feature_packages() -> list[Any]:
    packages = []
    for name in FEATURE_PACKAGES:
        module = importlib.import_module(name)
        if hasattr(module, "route_handlers"):
            packages.append(module)
    return packages


def import_all_models() -> None:
    """Import every package's tables so the metadata (migrations, create_all) sees them all."""
    import trading.announcements.models
    import trading.audit.models
    import trading.auth.models
    import trading.calendar.models
    import trading.documents.models
    import trading.events
    import trading.organisations.models
    import trading.projects.models  # noqa: F401

    for package in feature_packages():
        package.import_models()


def route_handlers() -> list[Any]:
    from trading.announcements.controllers import AnnouncementController, PublicAnnouncementController
    from trading.audit.controllers import AuditController
    from trading.auth.controllers import AuthController, UserController
    from trading.calendar.controllers import CalendarController
    from trading.documents import controllers as documents
    from trading.health.controllers import health, ready
    from trading.organisations.controllers import OrganisationController
    from trading.portal.controllers import front_page
    from trading.projects.controllers import ProjectController, SectionController
    from trading.rules.controllers import RulesController

    features = [handler for package in feature_packages() for handler in package.route_handlers()]
    return [
        *features,
        front_page,
        health,
        ready,
        AuthController,
        UserController,
        OrganisationController,
        ProjectController,
        SectionController,
        PublicAnnouncementController,
        AnnouncementController,
        CalendarController,
        RulesController,
        AuditController,
        *documents.route_handlers(),
    ]


async def _provide_session(state: State) -> AsyncIterator[AsyncSession]:
    """One session per request. It never commits by itself: write use cases commit explicitly."""
    async with state.db.sessionmaker() as session:
        yield session


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings()
    clock = clock or SystemClock()
    import_all_models()
    jwt_auth = build_jwt_auth(settings.resolved_secret_key(), settings.token_hours)
    bus = EventBus()
    for package in feature_packages():
        package.subscribe(bus)
    # Official documents: the core's kinds, then each package's (`document_kinds()`, optional).
    document_kinds = DocumentKinds()
    for package in feature_packages():
        if hasattr(package, "document_kinds"):
            document_kinds.register(*package.document_kinds())
    documents = build_desk(settings, clock, document_kinds)
    channels = ChannelsPlugin(
        backend=RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
        if settings.redis_url
        else MemoryChannelsBackend(),
        arbitrary_channels_allowed=True,
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url())
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        app.state.db = db
        app.state.documents = documents
        app.state.redis = redis
        app.state.failure_counter = (
            RedisFailureCounter(redis, f"{settings.redis_namespace}:login-failures")
            if redis
            else MemoryFailureCounter()
        )
        app.state.blocked_users = BlockedUsers(app.state.failure_counter)
        dispatcher: asyncio.Task[None] | None = None
        try:
            if settings.should_migrate_on_start():
                await migrate.upgrade(db.engine)
                await seed_reference_data(db, clock)
            if settings.event_dispatch_seconds > 0:
                dispatcher = asyncio.create_task(
                    _dispatch_forever(bus, db, clock, settings.event_dispatch_seconds)
                )
            yield
        finally:
            if dispatcher is not None:
                dispatcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await dispatcher
            documents.pool.close()
            if redis is not None:
                await redis.aclose()
            await db.dispose()

    return Litestar(
        route_handlers=route_handlers(),
        lifespan=[lifespan],
        dependencies={
            "session": Provide(_provide_session),
            "clock": Provide(lambda: clock, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
        },
        guards=[role_guard],
        on_app_init=[jwt_auth.on_app_init],
        exception_handlers=EXCEPTION_HANDLERS,
        state=State({"settings": settings, "clock": clock, "jwt_auth": jwt_auth, "event_bus": bus}),
        openapi_config=OpenAPIConfig(
            title="公共资源交易平台 Public Resource Trading Platform",
            version="0.1.0",
            description="Construction tendering, government procurement, land use-right and "
            "property-rights transfer. Errors are RFC 9457 problem+json with a stable `code`.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            openapi_router=Router(path="/schema", route_handlers=[], opt={"exclude_from_auth": True}),
        ),
        cors_config=CORSConfig(allow_origins=[]),
        template_config=TemplateConfig(
            directory=Path(__file__).parent / "portal" / "templates", engine=JinjaTemplateEngine
        ),
        plugins=_plugins(channels),
        debug=settings.debug,
    )


def _plugins(channels: ChannelsPlugin) -> list[Any]:
    from trading.cli import TradingCLIPlugin

    return [TradingCLIPlugin(), channels]


async def _dispatch_forever(bus: EventBus, db: Database, clock: Clock, every_seconds: float) -> None:
    """Hand outbox events to their handlers; several instances may run this side by side."""
    while True:
        try:
            await bus.dispatch_pending(db.sessionmaker, clock.now)
        except Exception:
            logger.exception("event dispatch failed; retrying")
        await asyncio.sleep(every_seconds)


async def seed_reference_data(db: Database, clock: Clock) -> None:
    """Reference data every installation needs: the holiday calendars the package knows."""
    from trading.audit.service import SYSTEM
    from trading.calendar.service import seed_from_chinesecalendar

    async with db.session() as session:
        years = await seed_from_chinesecalendar(session, actor=SYSTEM, at=clock.now())
        await session.commit()
    if years:
        logger.info("loaded the official holiday calendar for %s", ", ".join(map(str, years)))
