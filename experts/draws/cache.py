"""The experts of each specialty as the draw reads them, kept in this process between draws.

Reading a specialty's experts from the database is most of a draw's time (tens of thousands of
rows); the pool changes seldom. Each specialty's list is kept under the pool's revision token
(experts/pool/models.py `PoolRevision`), which every change to the pool replaces in its own
transaction: one small query per draw tells whether the kept lists are still the pool's, on any
number of app instances. Each list is kept as a `SpecialtyIndex` (by status, employer, declared
interest, region, certificate expiry), so what depends on the draw (conflicts, the cool-down, the
region, the date) is applied as set operations each time.
"""

from __future__ import annotations

from collections import OrderedDict

from experts.draws.rules import SpecialtyIndex

# Lists kept: a few specialties of the current revision (and, in tests, of several databases).
LIMIT = 8

_kept: OrderedDict[tuple[str, str], SpecialtyIndex] = OrderedDict()


def get(token: str, code: str) -> SpecialtyIndex | None:
    key = (token, code)
    index = _kept.get(key)
    if index is not None:
        _kept.move_to_end(key)
    return index


def put(token: str, code: str, index: SpecialtyIndex) -> None:
    _kept[(token, code)] = index
    while len(_kept) > LIMIT:
        _kept.popitem(last=False)
