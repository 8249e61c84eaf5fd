"""Chinese keyword search over announcements, indexed on both databases.

Chinese has no spaces between words, so a keyword is a substring of the title or body. Two
indexes answer it, by the keyword's length:

- three characters or more, a trigram index. SQLite: the FTS5 table `announcement_fts`
  (`trigram` tokenizer; migration 0013_opendata), the keyword as a phrase, ranked by bm25 with the
  title weighing ten times the body. PostgreSQL: GIN `gin_trgm_ops` indexes answering an escaped
  `LIKE`/`ILIKE`.
- exactly two characters, which a trigram index cannot answer (wave2-pitfalls §6), a bigram
  index (trading/db/textsearch.py, migration 0016_sales_quote). SQLite: the FTS5 table
  `announcement_bigram` of each text's character pairs written out as words, the keyword as one
  word, ranked by bm25 likewise. PostgreSQL: GIN indexes on `cjk_bigrams(title)` and
  `cjk_bigrams(body)` (arrays of the distinct pairs), the keyword a one-element array contained in
  them; exact, nothing to recheck.
- one character (or, on SQLite, two that are not both letters or digits): an escaped `LIKE` on the
  base table, bounded by the other conditions of the same query.

Without an FTS score (PostgreSQL), keywords found in the title rank first; then the newest.
Keywords are whitespace-separated and all required. User input is never read as FTS5 syntax (it
is quoted as a phrase) nor as LIKE wildcards (`%`, `_` and `\\` are escaped).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Subquery, Text, Uuid, case, cast, column, func, literal, or_, select, table
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.sql.elements import ColumnElement

from trading.announcements.models import Announcement
from trading.db.textsearch import pairable

MAX_TERMS = 8
MAX_TERM_LENGTH = 50
# The shortest keyword the trigram index can answer.
TRIGRAM = 3
PAIR = 2
FTS_TABLE = "announcement_fts"
BIGRAM_TABLE = "announcement_bigram"
# Index objects the migrations create by hand: the models do not describe them, so schema
# comparisons (tests/migrations, env.py) must leave them out.
PG_INDEXES = (
    "ix_announcement_search_title_trgm",
    "ix_announcement_search_body_trgm",
    "ix_announcement_search_title_bigram",
    "ix_announcement_search_body_bigram",
)
FTS_TABLES = (FTS_TABLE, BIGRAM_TABLE)


def is_search_index(name: str | None, type_: str) -> bool:
    """Whether a schema object is part of the search index (and so not in the models)."""
    if not name:
        return False
    if type_ == "table":
        return any(name == t or name.startswith(t + "_") for t in FTS_TABLES)
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


def _pair_pg(term: str) -> ColumnElement[bool]:
    pair = cast(array([term.lower()]), ARRAY(Text))
    return or_(
        func.cjk_bigrams(Announcement.title).op("@>")(pair),
        func.cjk_bigrams(Announcement.body).op("@>")(pair),
    )


@dataclass
class Plan:
    """What a keyword search adds to the listing query: conditions, the FTS hits to join (SQLite)
    and the rank to order by (smaller is better)."""

    conditions: list[ColumnElement[bool]]
    rank: ColumnElement[Any]
    hits: list[Subquery]


def plan(dialect: str, terms: list[str]) -> Plan:
    title_hits = sum(
        (case((Announcement.title.like(_like(t), escape="\\"), 1), else_=0) for t in terms), literal(0)
    )
    if dialect != "sqlite":
        return Plan(
            [_pair_pg(t) if len(t) == PAIR else _contains(t, dialect) for t in terms], -title_hits, []
        )
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    pairs = [t for t in terms if pairable(t)]
    conditions = [_contains(t, dialect) for t in terms if len(t) < TRIGRAM and not pairable(t)]
    hits = [
        _hits(name, words)
        for name, words in ((FTS_TABLE, long_terms), (BIGRAM_TABLE, [p.lower() for p in pairs]))
        if words
    ]
    if not hits:
        return Plan(conditions, -title_hits, [])
    return Plan(conditions, sum((h.c.score for h in hits), literal(0.0)), hits)


def _hits(name: str, words: list[str]) -> Subquery:
    """The rows of an FTS5 table matching every phrase, with their bm25 score. Columns:
    announcement_id (unindexed), title, body; bm25 is negative, better matches more so."""
    index = table(name, column("announcement_id", Uuid()))
    score = func.bm25(column(name), 0.0, 10.0, 1.0, type_=Float()).label("score")
    return (
        select(index.c.announcement_id, score)
        .where(column(name).op("MATCH")(" ".join(_phrase(w) for w in words)))
        .subquery(f"{name}_hits")
    )


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
