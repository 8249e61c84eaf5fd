"""Chinese keyword search over announcements, indexed on both databases.

Chinese has no spaces between words, so a keyword is a substring of the title or body:

- SQLite (the embedded default): an FTS5 table `announcement_fts` with the `trigram` tokenizer,
  kept in step with `announcement` by triggers (migration 0013_opendata). A keyword of three or
  more characters is an FTS5 phrase (indexed, ranked by bm25, the title weighing ten times the
  body). A trigram index cannot answer one or two characters (wave2-pitfalls §6), so shorter
  keywords fall back to an escaped `LIKE` on the base table; that scan is bounded by the other
  conditions of the same query (published, the filters, and any longer keyword's FTS hits).
- PostgreSQL: GIN `gin_trgm_ops` indexes on title and body (pg_trgm) answer an escaped `ILIKE`;
  ranking puts keywords found in the title first, then the newest.

Keywords are whitespace-separated and all required. User input is never read as FTS5 syntax (it
is quoted as a phrase) nor as LIKE wildcards (`%`, `_` and `\\` are escaped).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Subquery, Uuid, case, column, func, literal, or_, select, table
from sqlalchemy.sql.elements import ColumnElement

from trading.announcements.models import Announcement

MAX_TERMS = 8
MAX_TERM_LENGTH = 50
# The shortest keyword the trigram index can answer.
TRIGRAM = 3
FTS_TABLE = "announcement_fts"
# Index objects the migration creates by hand: the models do not describe them, so schema
# comparisons (tests/migrations, env.py) must leave them out.
PG_INDEXES = ("ix_announcement_search_title_trgm", "ix_announcement_search_body_trgm")

fts = table(FTS_TABLE, column("announcement_id", Uuid()))


def is_search_index(name: str | None, type_: str) -> bool:
    """Whether a schema object is part of the search index (and so not in the models)."""
    if not name:
        return False
    if type_ == "table":
        return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
    return type_ == "index" and name in PG_INDEXES


def keywords(q: str | None) -> list[str]:
    if not q:
        return []
    return [t[:MAX_TERM_LENGTH] for t in q.split() if t][:MAX_TERMS]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(term: str, dialect: str) -> ColumnElement[bool]:
    pattern = _like(term)
    # SQLite's LIKE already ignores ASCII case. On PostgreSQL, ILIKE only when case can matter:
    # its recheck lowercases every candidate row, twice as slow as LIKE (bench/search.py).
    if dialect == "sqlite" or term.lower() == term.upper():
        return or_(
            Announcement.title.like(pattern, escape="\\"), Announcement.body.like(pattern, escape="\\")
        )
    return or_(Announcement.title.ilike(pattern, escape="\\"), Announcement.body.ilike(pattern, escape="\\"))


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


@dataclass
class Plan:
    """What a keyword search adds to the listing query: conditions, the FTS hits to join (SQLite,
    keywords of three characters or more) and the rank to order by (smaller is better)."""

    conditions: list[ColumnElement[bool]]
    rank: ColumnElement[Any]
    hits: Subquery | None = None


def plan(dialect: str, terms: list[str]) -> Plan:
    title_hits = sum(
        (case((Announcement.title.like(_like(t), escape="\\"), 1), else_=0) for t in terms), literal(0)
    )
    if dialect != "sqlite":
        return Plan([_contains(t, dialect) for t in terms], -title_hits)
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    conditions = [_contains(t, dialect) for t in terms if len(t) < TRIGRAM]
    if not long_terms:
        return Plan(conditions, -title_hits)
    # Columns: announcement_id (unindexed), title, body. bm25 is negative, better matches more so.
    score = func.bm25(column(FTS_TABLE), 0.0, 10.0, 1.0, type_=Float()).label("score")
    hits = (
        select(fts.c.announcement_id, score)
        .where(column(FTS_TABLE).op("MATCH")(" ".join(_phrase(t) for t in long_terms)))
        .subquery("fts_hits")
    )
    return Plan(conditions, hits.c.score, hits)


SNIPPET_CONTEXT = 40


def mark(text: str, terms: list[str]) -> str:
    """The text, HTML-escaped, with every keyword wrapped in <mark>."""
    if not terms:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    out, last = [], 0
    for hit in pattern.finditer(text):
        out += [html.escape(text[last : hit.start()]), f"<mark>{html.escape(hit.group())}</mark>"]
        last = hit.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(text: str, terms: list[str]) -> str | None:
    """A short excerpt of the body around the first keyword found, marked; None if none is."""
    lowered = text.lower()
    found = [i for i in (lowered.find(t.lower()) for t in terms) if i >= 0]
    if not found:
        return None
    first = min(found)
    start, end = max(first - SNIPPET_CONTEXT, 0), min(first + SNIPPET_CONTEXT * 2, len(text))
    excerpt = mark(text[start:end], terms)
    return ("…" if start else "") + excerpt + ("…" if end < len(text) else "")
