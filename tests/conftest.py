"""Test fixtures: the real databases, the real Redis, a clock the tests move.

Every test that takes `app` or `client` runs twice: on the embedded default (a SQLite file,
in-process stores) and on PostgreSQL + Redis (127.0.0.1:5432 database `test`, 127.0.0.1:6379).
The second is skipped when those services do not answer, except under CI=true, where it fails.

The schema comes from the real migrations: applied once per run (into a SQLite template file
that each test copies, and into PostgreSQL, which is emptied between tests).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy import text
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling

from trading.announcements.pages import AnnouncementPages, watch
from trading.app import create_app, seed_reference_data
from trading.clock import ManualClock
from trading.db import migrate
from trading.db.session import Database
from trading.settings import Settings

# The server's own database: this run creates its own database beside it (several test runs on
# one machine must not empty each other's tables) and drops it at the end. Under pytest-xdist each
# worker is a run of its own: its name (gw0, gw1, ...) goes into the database's, so a leftover
# database says which worker made it.
PG_ADMIN_URL = os.environ.get(
    "TRADING_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
RUN_ID = f"{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
PG_URL = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/trading_test_{RUN_ID}"
# Nothing flushes this database: every test gets its own key namespace (`settings` below), so
# workers and other runs sharing it never see each other's keys.
REDIS_URL = os.environ.get("TRADING_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
BANK_SECRET = "test-bank-feed-secret-shared-with-the-bank-0123"
# A Monday morning in Shanghai, in an ordinary working week of 2026.
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def distributed_available() -> bool:
    return _answers("127.0.0.1", 5432) and _answers("127.0.0.1", 6379)


def _require_distributed() -> None:
    if distributed_available():
        return
    if IN_CI:
        pytest.fail("CI=true but PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) does not answer")
    pytest.skip("PostgreSQL or Redis does not answer on 127.0.0.1")


class OneWorkerForE2E(LoadScopeScheduling):
    """pytest-xdist's scheduling for scripts/test.sh: every test on its own, except the e2e package,
    which goes to one worker, so its package-scoped served center and Chromium start once (three
    of them at once on 2 cores time out). xdist's own `xdist_group` mark does not do this under
    pytest 9.2: xdist 3.8 puts the group into `item._nodeid`, which pytest no longer reads."""

    def _split_scope(self, nodeid: str) -> str:
        return "tests/e2e" if nodeid.startswith("tests/e2e/") else nodeid


@pytest.hookimpl(optionalhook=True)  # `-p no:xdist` still works
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling | None:
    return OneWorkerForE2E(config, log) if config.getoption("dist") == "loadgroup" else None


# The longest single tests in the measured runs of 2026-12-01 (--durations), after the fuzz roles.
LONGEST_MODULES = (
    "tests/bidding/test_sealed_means_sealed.py",
    "tests/trading/test_backup.py",
    "tests/scenarios/test_instances.py",
    "tests/experts/test_construction_scenario.py",
    "tests/experts/test_demo_pool.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first: each schemathesis role runs for minutes, and started last on one
    pytest-xdist worker it would keep the run going while the other workers sit idle. (The e2e
    package goes first anyway: xdist hands out its biggest scope first.)"""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("fuzz"):
            return 0
        return 1 if item.nodeid.startswith(LONGEST_MODULES) else 2

    items.sort(key=rank)


async def _prepare(db: Database, clock: ManualClock) -> None:
    await migrate.upgrade(db.engine)
    await seed_reference_data(db, clock)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # tmp_path_factory is already per xdist worker; the name says whose template it is.
    path = tmp_path_factory.mktemp(f"template-{WORKER}") / "trading.db"

    async def build() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await _prepare(db, ManualClock(START))
        await db.dispose()

    asyncio.run(build())
    return path


async def create_database(name: str) -> str:
    """A fresh database on the test server; returns its URL."""
    admin = Database(PG_ADMIN_URL)
    async with admin.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


async def drop_database(name: str) -> None:
    admin = Database(PG_ADMIN_URL)
    async with admin.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[str]:
    _require_distributed()

    async def build() -> None:
        await create_database(PG_URL.rsplit("/", 1)[1])
        db = Database(PG_URL)
        await _prepare(db, ManualClock(START))
        await db.dispose()

    asyncio.run(build())
    yield PG_URL
    asyncio.run(drop_database(PG_URL.rsplit("/", 1)[1]))


async def empty_postgres(url: str, clock: ManualClock) -> None:
    """Empty every table but the migration record, then put the reference data back."""
    db = Database(url)
    async with db.engine.begin() as conn:
        names = (
            (
                await conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables"
                        " WHERE schemaname='public' AND tablename <> 'alembic_version'"
                    )
                )
            )
            .scalars()
            .all()
        )
        if names:
            await conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    await seed_reference_data(db, clock)
    await db.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(params=["embedded", "distributed"])
def backend(request: pytest.FixtureRequest) -> str:
    # Session fixtures that build schemas run asyncio.run(): resolve them here, outside any loop.
    request.getfixturevalue("postgres_ready" if request.param == "distributed" else "sqlite_template")
    return request.param


@pytest.fixture
async def settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, clock: ManualClock
) -> AsyncIterator[Settings]:
    if backend == "embedded":
        template = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "trading.db")
        yield Settings(
            data_dir=tmp_path, migrate_on_start=False, secret_key=TEST_SECRET, event_dispatch_seconds=0
        )
        return
    await empty_postgres(PG_URL, clock)
    yield Settings(
        data_dir=tmp_path,
        database_url=PG_URL,
        redis_url=REDIS_URL,
        # Keys of this test alone: other runs and workers may share the Redis server.
        redis_namespace=f"trading-test-{WORKER}-{uuid.uuid4().hex}",
        migrate_on_start=False,
        secret_key=TEST_SECRET,
        bank_feed_secret=BANK_SECRET,
        event_dispatch_seconds=0,
    )


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> Litestar:
    return create_app(settings, clock=clock)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """The test's own handle on the app's database. The test client runs the app on another
    event loop, so the test must not borrow the app's connections."""
    database = Database(settings.resolved_database_url())
    yield database
    await database.dispose()


@pytest.fixture
async def watched(db: Database, settings: Settings) -> AsyncIterator[AnnouncementPages]:
    """The test's own writer, wired as an app instance wires its sessions (shared generation in
    Redis when configured; on SQLite every commit to the file is seen anyway)."""
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    pages = AnnouncementPages(redis, settings.redis_namespace)
    watch(db.sessionmaker, pages)
    yield pages
    pages.close()
    if redis is not None:
        await redis.aclose()


@pytest.fixture
async def people(app: Litestar, db: Database, clock: ManualClock):  # type: ignore[no-untyped-def]
    """The demo's organisations and users, with tokens: `people.headers("clerk")`."""
    from tests.personas import cast_people

    return await cast_people(app, db, clock)
