"""opendata: the Chinese keyword search index over published announcements

SQLite: an FTS5 `trigram` table kept in step by triggers; PostgreSQL: pg_trgm GIN indexes.
Neither is described by the models (see trading/announcements/search.py), so schema comparisons
leave them out (`is_search_index`).

Revision ID: 0013_opendata
Revises: 0005_rules
Create Date: 2026-12-01 09:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0013_opendata"
down_revision = "0009_auctions"
branch_labels = None
depends_on = None

# Only published announcements are searched, and a published one is never edited: the index
# holds exactly those, so drafts cost nothing and deleting from the index (a scan of its
# unindexed id column) happens only if a published announcement is ever changed or removed.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE announcement_fts USING fts5("
    "announcement_id UNINDEXED, title, body, tokenize='trigram')",
    "INSERT INTO announcement_fts (announcement_id, title, body)"
    " SELECT id, title, body FROM announcement WHERE status = 'published'",
    "CREATE TRIGGER announcement_fts_insert AFTER INSERT ON announcement"
    " WHEN new.status = 'published' BEGIN"
    " INSERT INTO announcement_fts (announcement_id, title, body) VALUES (new.id, new.title, new.body);"
    " END",
    "CREATE TRIGGER announcement_fts_unpublish AFTER UPDATE OF title, body, status ON announcement"
    " WHEN old.status = 'published' BEGIN"
    " DELETE FROM announcement_fts WHERE announcement_id = old.id;"
    " END",
    "CREATE TRIGGER announcement_fts_publish AFTER UPDATE OF title, body, status ON announcement"
    " WHEN new.status = 'published' BEGIN"
    " INSERT INTO announcement_fts (announcement_id, title, body) VALUES (new.id, new.title, new.body);"
    " END",
    "CREATE TRIGGER announcement_fts_delete AFTER DELETE ON announcement"
    " WHEN old.status = 'published' BEGIN"
    " DELETE FROM announcement_fts WHERE announcement_id = old.id;"
    " END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS announcement_fts_delete",
    "DROP TRIGGER IF EXISTS announcement_fts_publish",
    "DROP TRIGGER IF EXISTS announcement_fts_unpublish",
    "DROP TRIGGER IF EXISTS announcement_fts_insert",
    "DROP TABLE IF EXISTS announcement_fts",
]
# pg_trgm splits CJK into trigrams only in a UTF-8 LC_CTYPE (wave2-pitfalls §6; tested).
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_announcement_search_title_trgm ON announcement USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_announcement_search_body_trgm ON announcement USING gin (body gin_trgm_ops)",
]
# The extension stays: other schemas may use it.
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_announcement_search_body_trgm",
    "DROP INDEX IF EXISTS ix_announcement_search_title_trgm",
]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})
