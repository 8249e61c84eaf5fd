"""Alembic environment: one linear history for SQLite and PostgreSQL.

Run through `trading.db.migrate` (the CLI and the app's start-up), which hands over an open
connection; standalone `alembic` use builds its own engine from `sqlalchemy.url`.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from trading.announcements.search import is_search_index
from trading.app import import_all_models
from trading.db.base import Base

import_all_models()
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # The search index is made by hand (0013_opendata): autogenerate must not drop it.
        include_name=lambda name, type_, _: not is_search_index(name, type_),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return

    async def _run() -> None:
        engine = create_async_engine(context.config.get_main_option("sqlalchemy.url"))
        async with engine.connect() as conn:
            await conn.run_sync(_configure_and_run)
            await conn.commit()
        await engine.dispose()

    asyncio.run(_run())


run_migrations_online()
