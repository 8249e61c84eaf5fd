"""The experts of each specialty as the draw reads them, kept in this process between draws.

Reading a specialty's experts from the database is most of a draw's time (tens of thousands of
rows); the pool changes seldom. Each specialty's list is kept under the pool's revision token
(experts/pool/models.py `PoolRevision`), which every change to the pool replaces in its own
transaction: one small query per draw tells whether the kept lists are still the pool's, on any
number of app instances. What depends on the draw (conflicts, the cool-down, the region, the
date) is applied to the kept lists by the draw's rules, as sets, each time.
"""

from __future__ import annotations

from collections import OrderedDict

from experts.draws.rules import PoolEntry

# Lists kept: a few specialties of the current revision (and, in tests, of several databases).
LIMIT = 32

_kept: OrderedDict[tuple[str, str], list[PoolEntry]] = OrderedDict()


def get(token: str, code: str) -> list[PoolEntry] | None:
    key = (token, code)
    entries = _kept.get(key)
    if entries is not None:
        _kept.move_to_end(key)
    return entries


def put(token: str, code: str, entries: list[PoolEntry]) -> None:
    _kept[(token, code)] = entries
    while len(_kept) > LIMIT:
        _kept.popitem(last=False)
