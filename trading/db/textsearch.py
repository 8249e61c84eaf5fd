"""Character bigrams for Chinese keyword search (trading/announcements/search.py).

A trigram index cannot answer a two-character word (wave2-pitfalls §6), and two-character words
are the commonest in Chinese (监理, 道路, 采购). So the text is also indexed as its overlapping
character pairs: a two-character keyword is found exactly when it is one of the text's pairs.

SQLite has no bigram tokenizer and Python cannot add one, so the pairs are written out as words
(`bigrams`) into an FTS5 table with the plain `unicode61` tokenizer, by triggers that call this
function, registered on every connection as `cjk_bigrams`. PostgreSQL computes the pairs in SQL
(an immutable function of the same name, migration 0016_sales_quote) under a GIN index.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

SQLITE_FUNCTION = "cjk_bigrams"


def pairable(word: str) -> bool:
    """Whether `word` can be looked up as a pair in the SQLite bigram table: two letters or
    digits (unicode61 splits tokens at anything else)."""
    return len(word) == 2 and word.isalnum()


def bigrams(text: str | None) -> str:
    """The text's overlapping pairs of letters or digits, lower-cased, space-separated (repeats
    kept: bm25 counts them)."""
    if not text:
        return ""
    folded = text.lower()
    return " ".join(a + b for a, b in pairwise(folded) if a.isalnum() and b.isalnum())


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Every SQLite connection that may write announcements needs it: the triggers call it."""
    dbapi_connection.create_function(SQLITE_FUNCTION, 1, bigrams, deterministic=True)
