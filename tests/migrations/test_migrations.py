"""One linear schema history that builds the same schema as the models, on both databases."""

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from tests.conftest import RUN_ID, _require_distributed, create_database, drop_database
from trading.announcements.search import is_search_index
from trading.app import import_all_models
from trading.db import migrate
from trading.db.base import Base
from trading.db.session import Database


def test_the_history_is_linear():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert not revision.is_merge_point


def _differences(sync_connection):
    # The search index (FTS5 table, trigram indexes) is made by hand in 0013_opendata, not modelled.
    context = MigrationContext.configure(
        sync_connection,
        opts={"compare_type": True, "include_name": lambda name, type_, _: not is_search_index(name, type_)},
    )
    return compare_metadata(context, Base.metadata)


async def _upgrade_and_compare(url: str) -> list:
    import_all_models()
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        assert await migrate.current_revision(db.engine) == migrate.head_revision()
        async with db.engine.connect() as conn:
            return await conn.run_sync(_differences)
    finally:
        await db.dispose()


def test_an_empty_sqlite_database_upgrades_to_exactly_the_models(tmp_path):
    assert asyncio.run(_upgrade_and_compare(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")) == []


def test_an_empty_postgresql_database_upgrades_to_exactly_the_models():
    _require_distributed()
    name = f"trading_migrations_{RUN_ID}"
    scratch = asyncio.run(create_database(name))
    try:
        assert asyncio.run(_upgrade_and_compare(scratch)) == []
    finally:
        asyncio.run(drop_database(name))


def test_the_history_downgrades_to_empty_on_sqlite(tmp_path):
    async def run() -> list[str]:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'down.db'}")
        await migrate.upgrade(db.engine)
        await migrate.downgrade(db.engine, "base")
        async with db.engine.connect() as conn:
            names = (
                (await conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")))
                .scalars()
                .all()
            )
        await db.dispose()
        return [n for n in names if n != "alembic_version"]

    assert asyncio.run(run()) == []
