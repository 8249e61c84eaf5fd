"""The composition root: builds the Litestar app from settings and wires every package.

`create_app()` with no arguments runs the embedded default (a SQLite file in ./var, in-process
stores); `TRADING_DATABASE_URL` / `TRADING_REDIS_URL` switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from litestar import Litestar, Router
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.config.cors import CORSConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import Scope
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from trading import oversight
from trading.announcements.pages import AnnouncementPages
from trading.announcements.pages import watch as watch_announcement_writes
from trading.audit.checkpoints import LogSigner, log_signer
from trading.auth.guards import role_guard
from trading.auth.lockout import MemoryFailureCounter, RedisFailureCounter
from trading.auth.sessions import SessionStates
from trading.auth.tokens import build_jwt_auth
from trading.channels import ResilientChannelsPlugin
from trading.clock import Clock, OffsetClock, SystemClock
from trading.db import migrate
from trading.db.session import Database, reads_only
from trading.documents.desk import build_desk
from trading.documents.registry import DocumentKinds
from trading.events import EventBus
from trading.headers import refusals_over_http, security_headers
from trading.openapi import DeclaredSchemaPlugin, docs_assets_router, docs_ui, polish
from trading.portal import web as portal_web
from trading.problems import EXCEPTION_HANDLERS
from trading.requests import TradingRequest, refuse_control_characters_in_query
from trading.settings import Settings, load_settings
from trading.storage import remove_partial_uploads
from trading.supervision.signing import EntrySigner

logger = logging.getLogger("trading")
PARTIAL_UPLOAD_SWEEP_SECONDS = 600


# The packages built on the core, in import order (experts → bidding → funds → trading). Each
# exposes `import_models()`, `route_handlers()` and `subscribe(bus)` in its __init__, and may
# expose `cli_commands()` (click commands or groups for the `trading` command), `log_sources()`
# (append-only logs the core checkpoints and proves) and `jobs(settings)` (scheduled work).
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
    import trading.complaints.models
    import trading.documents.models
    import trading.events
    import trading.objections.models
    import trading.organisations.models
    import trading.oversight.models
    import trading.projects.models
    import trading.supervision.models
    import trading.venue.models  # noqa: F401

    for package in feature_packages():
        package.import_models()


def log_sources() -> dict[str, Any]:
    """The append-only logs the core checkpoints: its audit log and those packages bring."""
    from trading.audit.service import AUDIT_LOG

    sources = [AUDIT_LOG]
    for package in feature_packages():
        sources.extend(getattr(package, "log_sources", list)())
    return {source.log_id: source for source in sources}


def route_handlers() -> list[Any]:
    from trading.announcements.controllers import AnnouncementController, PublicAnnouncementController
    from trading.audit.controllers import AuditController
    from trading.auth.controllers import AuthController, UserController
    from trading.calendar.controllers import CalendarController
    from trading.complaints.controllers import ComplaintController
    from trading.documents import controllers as documents
    from trading.health.controllers import health, ready
    from trading.objections.controllers import ObjectionController
    from trading.opendata.controllers import route_handlers as opendata_routes
    from trading.organisations.controllers import OrganisationController
    from trading.oversight.controllers import (
        ArchiveController,
        CircularController,
        LetterController,
        OversightController,
    )
    from trading.projects.controllers import ProjectController, SectionController
    from trading.rules.controllers import RulesController
    from trading.supervision.controllers import SupervisionController
    from trading.venue.controllers import VenueController

    features = [handler for package in feature_packages() for handler in package.route_handlers()]
    return [
        *features,
        portal_router(),
        docs_assets_router(),
        health,
        ready,
        AuthController,
        UserController,
        OrganisationController,
        ProjectController,
        SectionController,
        ObjectionController,
        PublicAnnouncementController,
        AnnouncementController,
        CalendarController,
        RulesController,
        AuditController,
        VenueController,
        SupervisionController,
        OversightController,
        LetterController,
        CircularController,
        ComplaintController,
        ArchiveController,
        *opendata_routes(),
        *documents.route_handlers(),
    ]


def portal_router() -> Router:
    """The portal's pages and those each feature package renders (`portal_pages()`), in one router
    whose refusals are pages (login redirect, 403 page) and that knows who is signed in."""
    from trading import portal
    from trading.portal.web import PAGE_EXCEPTION_HANDLERS, ViewerMiddleware

    pages = [*portal.route_handlers()]
    for package in feature_packages():
        pages.extend(getattr(package, "portal_pages", list)())
    return Router(
        path="/",
        route_handlers=pages,
        middleware=[ViewerMiddleware()],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )


def template_directories() -> list[Path]:
    """The portal's templates, then each feature package's `portal_templates/` beside its code."""
    from trading.portal import TEMPLATE_DIR

    directories = [TEMPLATE_DIR]
    for package in feature_packages():
        candidate = Path(package.__file__).parent / "portal_templates"
        if candidate.is_dir():
            directories.append(candidate)
    return directories


def csrf_config(settings: Settings) -> CSRFConfig:
    """Form posts authenticated by the login cookie carry a CSRF token (`csrf_input` in forms,
    the `x-csrftoken` header from htmx). The JSON API is exempt: it takes no cookie (portal/web.py)."""
    secret = hashlib.sha256(b"csrf:" + settings.resolved_secret_key().encode()).hexdigest()
    return CSRFConfig(
        secret=secret,
        cookie_name="csrftoken",
        cookie_secure=settings.served_over_tls,
        cookie_httponly=True,
        cookie_samesite="strict",
        exclude=[r"^/api/", r"^/schema", r"^/health", r"^/ready"],
    )


async def _provide_read_session(state: State) -> AsyncIterator[AsyncSession]:
    """A read-only session beside the request's own, for a write use case's checks that need no
    lock (a bid's registration, deposit and certificate, read before the section is locked)."""
    async with state.db.read_sessionmaker() as session:
        yield session


async def _provide_session(state: State, scope: Scope) -> AsyncIterator[AsyncSession]:
    """One session per request. It never commits by itself: write use cases commit explicitly.
    A read-only request gets a read-only session, so it never waits for a writer (issue 23)."""
    maker = state.db.read_sessionmaker if reads_only(scope) else state.db.sessionmaker
    async with maker() as session:
        yield session
    # Whoever changed an announcement sees the change on every instance at its next read.
    await state.announcement_pages.settled()


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings()
    clock = clock or (OffsetClock(settings.clock_at) if settings.clock_at else SystemClock())
    import_all_models()
    jwt_auth = build_jwt_auth(settings.resolved_secret_key(), settings.token_hours)
    # The platform's log key signs the checkpoints of every log (trading/audit/checkpoints.py).
    signer = log_signer(settings)
    logs = log_sources()
    bus = EventBus()
    for package in feature_packages():
        package.subscribe(bus)
    # Official documents: the core's kinds, then each package's (`document_kinds()`, optional).
    document_kinds = DocumentKinds()
    for package in feature_packages():
        if hasattr(package, "document_kinds"):
            document_kinds.register(*package.document_kinds())
    documents = build_desk(settings, clock, document_kinds)
    oversight.subscribe(bus, settings.zone)
    # Due-date feeds of the packages the core may not import (funds: refunds), for the engine.
    feeds = [
        feed for p in feature_packages() if hasattr(p, "oversight_feeds") for feed in p.oversight_feeds()
    ]
    # Signs each supervision-log entry for its author (trading/supervision/signing.py).
    entry_signer = EntrySigner.from_secret(settings.resolved_secret_key())
    channels = ResilientChannelsPlugin(
        # No read timeout here: the subscriber blocks on reads for as long as nothing is said.
        backend=RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url, socket_connect_timeout=2))
        if settings.redis_url
        else MemoryChannelsBackend(),
        arbitrary_channels_allowed=True,
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Made now, not at the first notification: the operator gives it to the bank beforehand.
        settings.resolved_bank_feed_secret()
        db = Database(settings.resolved_database_url())
        redis = (
            Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
            if settings.redis_url
            else None
        )
        app.state.db = db
        app.state.documents = documents
        app.state.redis = redis
        app.state.announcement_pages = AnnouncementPages(
            redis, settings.redis_namespace, sqlite_file=db.sqlite_file
        )
        watch_announcement_writes(db.sessionmaker, app.state.announcement_pages)
        app.state.failure_counter = (
            RedisFailureCounter(redis, f"{settings.redis_namespace}:login-failures")
            if redis
            else MemoryFailureCounter()
        )
        app.state.session_states = SessionStates(
            db.read_sessionmaker,
            redis=redis,
            namespace=settings.redis_namespace,
            cache_seconds=settings.session_check_cache_seconds,
        )
        dispatcher: asyncio.Task[None] | None = None
        sweeper = asyncio.create_task(_sweep_partial_uploads_forever(settings))
        scheduler: asyncio.Task[None] | None = None
        try:
            if settings.should_migrate_on_start():
                await migrate.upgrade(db.engine)
                await seed_reference_data(db, clock)
            if settings.event_dispatch_seconds > 0:
                dispatcher = asyncio.create_task(
                    _dispatch_forever(bus, db, clock, settings.event_dispatch_seconds)
                )
                scheduler = asyncio.create_task(
                    _jobs_forever(
                        db, scheduled_jobs(settings, logs, signer), clock, settings.event_dispatch_seconds
                    )
                )
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            for task in (dispatcher, scheduler):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            documents.pool.close()
            app.state.announcement_pages.close()
            if redis is not None:
                await redis.aclose()
            await db.dispose()

    app = Litestar(
        route_handlers=route_handlers(),
        lifespan=[lifespan],
        dependencies={
            "session": Provide(_provide_session),
            "read_session": Provide(_provide_read_session),
            "clock": Provide(lambda: clock, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "log_signer": Provide(lambda: signer, sync_to_thread=False),
            "log_sources": Provide(lambda: logs, sync_to_thread=False),
        },
        guards=[role_guard],
        on_app_init=[jwt_auth.on_app_init],
        on_startup=[lambda app: polish(app.openapi_schema, app.routes)],
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=TradingRequest,
        before_request=refuse_control_characters_in_query,
        before_send=[security_headers(settings)],
        state=State(
            {
                "settings": settings,
                "clock": clock,
                "jwt_auth": jwt_auth,
                "event_bus": bus,
                "log_signer": signer,
                "log_sources": logs,
                "oversight_feeds": feeds,
                "entry_signer": entry_signer,
            }
        ),
        openapi_config=OpenAPIConfig(
            title="公共资源交易平台 Public Resource Trading Platform",
            version="0.1.0",
            description="Construction tendering, government procurement, land use-right and "
            "property-rights transfer. Errors are RFC 9457 problem+json with a stable `code`.",
            path="/schema",
            render_plugins=[docs_ui()],
            openapi_router=Router(
                path="/schema", route_handlers=[], opt={"exclude_from_auth": True}, include_in_schema=False
            ),
        ),
        cors_config=CORSConfig(allow_origins=[]),
        template_config=TemplateConfig(
            directory=template_directories(),
            engine=JinjaTemplateEngine,
            engine_callback=lambda engine: portal_web.install(engine, settings.zone),
        ),
        csrf_config=csrf_config(settings),
        plugins=_plugins(channels),
        debug=settings.debug,
    )
    # Outermost but inside the before_send hooks, so a refused websocket's HTTP answer gets the headers.
    app.asgi_handler = refusals_over_http(app.asgi_handler)
    return app


def _plugins(channels: ResilientChannelsPlugin) -> list[Any]:
    from trading.cli import TradingCLIPlugin

    return [TradingCLIPlugin(), channels, DeclaredSchemaPlugin()]


async def _dispatch_forever(bus: EventBus, db: Database, clock: Clock, every_seconds: float) -> None:
    """Hand outbox events to their handlers; several instances may run this side by side."""
    while True:
        try:
            await bus.dispatch_pending(db.sessionmaker, clock.now)
        except Exception:
            logger.exception("event dispatch failed; retrying")
        await asyncio.sleep(every_seconds)


async def _sweep_partial_uploads_forever(settings: Settings) -> None:
    """At start and then every few minutes, remove what uploads cut by a crash left behind."""
    max_age = settings.partial_upload_max_age_minutes * 60
    while True:
        try:
            removed = await anyio.to_thread.run_sync(
                functools.partial(remove_partial_uploads, settings.data_dir, older_than_seconds=max_age)
            )
            if removed:
                logger.info("removed %d partial uploads", removed)
        except OSError:
            logger.exception("sweeping partial uploads failed; retrying")
        await asyncio.sleep(PARTIAL_UPLOAD_SWEEP_SECONDS)


def scheduled_jobs(settings: Settings, logs: dict[str, Any], signer: LogSigner) -> list[Any]:
    """Jobs run by the clock, each `job(sessionmaker, at=...)` and safe to run on every instance at
    once: the core's checkpoints of every log, and those packages bring (`jobs(settings)`)."""
    from trading.audit.checkpoints import checkpoint_due_logs
    from trading.audit.service import seal_pending

    # The audit journal's sequencer first, so the checkpoint after it signs what it sealed.
    jobs: list[Any] = [
        seal_pending,
        functools.partial(checkpoint_due_logs, sources=list(logs.values()), signer=signer),
    ]
    for package in feature_packages():
        jobs.extend(getattr(package, "jobs", lambda _: [])(settings))
    return jobs


async def _jobs_forever(db: Database, jobs: list[Any], clock: Clock, every_seconds: float) -> None:
    """Run the scheduled jobs on the injected clock's time (a checkpoint every few minutes, the
    package check at each bid deadline); several instances may run this side by side."""
    while True:
        for job in jobs:
            try:
                await job(db.sessionmaker, at=clock.now())
            except Exception:
                logger.exception("scheduled job %s failed; retrying", getattr(job, "func", job))
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
