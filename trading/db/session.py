"""Engine and sessions, owned by the app's lifespan (never created at import).

The use case commits: a request gets a session that is closed (and so rolled back) at the end;
a write use case calls `await session.commit()` itself, so a failing commit becomes an error
answer instead of a success for rows that were never written.

Reads never wait for writes (issue 23): besides the write sessions, `read_sessionmaker` gives
sessions that run read-only transactions. On SQLite they go through a second engine on the same
file that begins with a plain (deferred) `BEGIN` and sets `query_only`, so in WAL mode a reader
sees the last committed snapshot while a writer holds the lock; on PostgreSQL they are
`READ ONLY` transactions on the same pool. A write through a read session fails loudly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from trading.db.textsearch import register_sqlite_functions

# A GET or HEAD route that writes (it creates something on its first read, or runs an idempotent
# engine pass) says so with `opt={**WRITES_ON_READ, ...}`; every other one reads without the lock.
WRITES_ON_READ = {"writes": True}


def reads_only(scope: Any) -> bool:
    """Whether a request gets a read-only session: an HTTP GET or HEAD of a route that does not
    write. WebSockets keep a write session (a live room may record what it says)."""
    return (
        scope["type"] == "http"
        and scope["method"] in ("GET", "HEAD")
        and not scope["route_handler"].opt.get("writes", False)
    )


def build_engine(url: str, *, read_only: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine, read_only=read_only)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: AsyncEngine, *, read_only: bool) -> None:
    """SQLite: a write transaction takes the write lock when it begins (BEGIN IMMEDIATE).

    Two deferred transactions that both read and then write deadlock in SQLite ("database is
    locked" at once, whatever the busy timeout). Taking the lock up front makes them queue instead,
    which is what a one-process embedded server needs. Recipe from SQLAlchemy's pysqlite docs.
    A read-only engine begins deferred instead and never writes (`query_only`), so it never
    upgrades to the write lock and never waits for it (wave2-pitfalls §2, recipe A).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()
        register_sqlite_functions(dbapi_connection)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _is_memory(url: str) -> bool:
    return url.startswith("sqlite") and (":memory:" in url or url.rstrip("/").endswith("sqlite:"))


class Database:
    """The engines and their session factories for one app instance."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = build_engine(url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        if url.startswith("sqlite") and not _is_memory(url):
            self.read_engine: AsyncEngine | None = build_engine(url, read_only=True)
            readers = self.read_engine
        elif url.startswith("sqlite"):
            # An in-memory database exists once per connection: readers must share the writer's.
            self.read_engine = None
            readers = self.engine
        else:
            self.read_engine = None
            readers = self.engine.execution_options(postgresql_readonly=True)
        self.read_sessionmaker = async_sessionmaker(readers, expire_on_commit=False, autoflush=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database's file (None on PostgreSQL and for an in-memory database)."""
        if not self.url.startswith("sqlite") or _is_memory(self.url):
            return None
        return Path(make_url(self.url).database or "")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session outside a request (CLI, jobs); the caller commits."""
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A read-only session: it never takes nor waits for the write lock. Keep it short: a long
        reader holds back SQLite's WAL checkpoints."""
        async with self.read_sessionmaker() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not None:
            await self.read_engine.dispose()
