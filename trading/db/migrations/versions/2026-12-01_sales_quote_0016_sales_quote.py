"""sales_quote: a property listing may take one sealed quote per transferee instead of an
auction; and a character-bigram search index so that two-character Chinese words are found
through an index too

SQLite: an FTS5 table `announcement_bigram` (`unicode61`) of each published announcement's
character pairs, written by triggers through the connection function `cjk_bigrams`
(trading/db/textsearch.py). PostgreSQL: an immutable SQL function `cjk_bigrams(text) → text[]`
and GIN indexes on it for title and body. Neither is described by the models
(`is_search_index`).

Revision ID: 0016_sales_quote
Revises: 0018_documents_kinds
Create Date: 2026-12-01 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trading.db.textsearch import register_sqlite_functions

revision = "0016_sales_quote"
down_revision = "0018_documents_kinds"
branch_labels = None
depends_on = None

# As announcement_fts (0013_opendata): only published announcements, kept in step by triggers.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE announcement_bigram USING fts5("
    "announcement_id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 0')",
    "INSERT INTO announcement_bigram (announcement_id, title, body)"
    " SELECT id, cjk_bigrams(title), cjk_bigrams(body) FROM announcement WHERE status = 'published'",
    "CREATE TRIGGER announcement_bigram_insert AFTER INSERT ON announcement"
    " WHEN new.status = 'published' BEGIN"
    " INSERT INTO announcement_bigram (announcement_id, title, body)"
    " VALUES (new.id, cjk_bigrams(new.title), cjk_bigrams(new.body));"
    " END",
    "CREATE TRIGGER announcement_bigram_unpublish AFTER UPDATE OF title, body, status ON announcement"
    " WHEN old.status = 'published' BEGIN"
    " DELETE FROM announcement_bigram WHERE announcement_id = old.id;"
    " END",
    "CREATE TRIGGER announcement_bigram_publish AFTER UPDATE OF title, body, status ON announcement"
    " WHEN new.status = 'published' BEGIN"
    " INSERT INTO announcement_bigram (announcement_id, title, body)"
    " VALUES (new.id, cjk_bigrams(new.title), cjk_bigrams(new.body));"
    " END",
    "CREATE TRIGGER announcement_bigram_delete AFTER DELETE ON announcement"
    " WHEN old.status = 'published' BEGIN"
    " DELETE FROM announcement_bigram WHERE announcement_id = old.id;"
    " END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS announcement_bigram_delete",
    "DROP TRIGGER IF EXISTS announcement_bigram_publish",
    "DROP TRIGGER IF EXISTS announcement_bigram_unpublish",
    "DROP TRIGGER IF EXISTS announcement_bigram_insert",
    "DROP TABLE IF EXISTS announcement_bigram",
]
# Each distinct pair once (GIN keeps keys, not counts). lower() is immutable, so the function is.
POSTGRES_UP = [
    "CREATE OR REPLACE FUNCTION cjk_bigrams(t text) RETURNS text[]"
    " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS"
    " $$ SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}'::text[])"
    " FROM generate_series(1, char_length(t) - 1) AS i $$",
    "CREATE INDEX ix_announcement_search_title_bigram ON announcement USING gin (cjk_bigrams(title))",
    "CREATE INDEX ix_announcement_search_body_bigram ON announcement USING gin (cjk_bigrams(body))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_announcement_search_body_bigram",
    "DROP INDEX IF EXISTS ix_announcement_search_title_bigram",
    "DROP FUNCTION IF EXISTS cjk_bigrams(text)",
]


def _run(statements: dict[str, list[str]]) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # A standalone `alembic` run has its own engine, without the app's connect hook.
        register_sqlite_functions(bind.connection.dbapi_connection)
    for statement in statements.get(bind.dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    # Every listing before this one was an auction.
    with op.batch_alter_table("listing") as batch:
        batch.add_column(sa.Column("method", sa.String(length=20), server_default="auction", nullable=False))
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})
    with op.batch_alter_table("listing") as batch:
        batch.drop_column("method")
