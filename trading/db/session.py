"""Engine and sessions, owned by the app's lifespan (never created at import).

The use case commits: a request gets a session that is closed (and so rolled back) at the end;
a write use case calls `await session.commit()` itself, so a failing commit becomes an error
answer instead of a success for rows that were never written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from trading.db.textsearch import register_sqlite_functions


def build_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        _make_sqlite_transactions_immediate(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _make_sqlite_transactions_immediate(engine: AsyncEngine) -> None:
    """SQLite: every transaction takes the write lock when it begins (BEGIN IMMEDIATE).

    Two deferred transactions that both read and then write deadlock in SQLite ("database is
    locked" at once, whatever the busy timeout). Taking the lock up front makes them queue instead,
    which is what a one-process embedded server needs. Recipe from SQLAlchemy's pysqlite docs.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        register_sqlite_functions(dbapi_connection)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The engine and its session factory for one app instance."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = build_engine(url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session outside a request (CLI, jobs); the caller commits."""
        async with self.sessionmaker() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
