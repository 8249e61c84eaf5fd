"""The random draw (C-11, E-06, E-07), as pure functions a supervisor can rerun.

TL art. 37 ¶4: "与投标人有利害关系的人不得进入相关项目的评标委员会；已经进入的应当更换。"
TLR art. 46 ¶1: "……其评标委员会的专家成员应当从评标专家库内相关专业的专家名单中以随机抽取方式确定。"

The draw is a function of three recorded things: the seed, the snapshot (the eligible experts of
each request line, sorted) and the request. Each eligible expert gets the key
SHA-256("{seed}:{line}:{expert id}"); the line takes the experts with the smallest keys, members
first then reserves, leaving out anyone an earlier line already took. Anyone with the snapshot
and the seed gets the same names, in the same order.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from experts.pool.rules import certificate_valid
from experts.pool.taxonomy import covers
from trading.errors import Conflict


@dataclass(frozen=True)
class PoolEntry:
    id: str
    specialties: tuple[str, ...]
    region: str
    employer_id: str | None
    interests: frozenset[str]
    status: str
    approved: bool
    certificate_expires: dt.date


def exclusion(
    entry: PoolEntry,
    *,
    conflicted: frozenset[str],
    recently_drawn: frozenset[str],
    region: str | None,
    on: dt.date,
) -> str | None:
    """Why an expert of the requested specialty may not be drawn, or None. E-07: employed by a
    bidder, the principal or the agency (or an organisation controlling or controlled by one),
    or declaring an interest in one; suspended, retired or with an expired certificate."""
    if entry.status != "active":
        return entry.status
    if not entry.approved:
        return "unapproved"
    if not certificate_valid(entry.certificate_expires, on):
        return "certificate_expired"
    if entry.employer_id is not None and entry.employer_id in conflicted:
        return "employer_conflict"
    if entry.interests & conflicted:
        return "declared_interest"
    if entry.id in recently_drawn:
        return "recently_drawn"
    if region and entry.region != region:
        return "region"
    return None


def snapshot(
    pool: Sequence[PoolEntry],
    specialties: Sequence[str],
    **limits: Any,
) -> tuple[list[list[str]], dict[str, int]]:
    """The eligible experts of each line, sorted, and how many were left out and why."""
    lines: list[list[str]] = [[] for _ in specialties]
    excluded: dict[str, int] = {}
    for entry in pool:
        wanted = [
            i for i, code in enumerate(specialties) if any(covers(code, held) for held in entry.specialties)
        ]
        if not wanted:
            continue
        reason = exclusion(entry, **limits)
        if reason is not None:
            excluded[reason] = excluded.get(reason, 0) + 1
            continue
        for i in wanted:
            lines[i].append(entry.id)
    return [sorted(line) for line in lines], excluded


@dataclass(frozen=True)
class SpecialtyIndex:
    """One specialty's experts, arranged so a draw's exclusions are set operations: `exclusion`'s
    reasons, in its order, without looking at each expert (experts/draws/cache.py keeps these)."""

    entries: dict[str, PoolEntry]
    ids: tuple[str, ...]  # sorted
    unfit: dict[str, frozenset[str]]  # status (not active) or "unapproved" -> ids
    expiries: tuple[tuple[dt.date, str], ...]  # sorted
    by_employer: dict[str, frozenset[str]]
    by_interest: dict[str, frozenset[str]]
    by_region: dict[str, frozenset[str]]

    @classmethod
    def of(cls, entries: Sequence[PoolEntry]) -> SpecialtyIndex:
        unfit: dict[str, set[str]] = {}
        employers: dict[str, set[str]] = {}
        interests: dict[str, set[str]] = {}
        regions: dict[str, set[str]] = {}
        for e in entries:
            if e.status != "active":
                unfit.setdefault(e.status, set()).add(e.id)
            elif not e.approved:
                unfit.setdefault("unapproved", set()).add(e.id)
            if e.employer_id is not None:
                employers.setdefault(e.employer_id, set()).add(e.id)
            for organisation in e.interests:
                interests.setdefault(organisation, set()).add(e.id)
            regions.setdefault(e.region, set()).add(e.id)

        def frozen(groups: dict[str, set[str]]) -> dict[str, frozenset[str]]:
            return {key: frozenset(ids) for key, ids in groups.items()}

        return cls(
            entries={e.id: e for e in entries},
            ids=tuple(sorted(e.id for e in entries)),
            unfit=frozen(unfit),
            expiries=tuple(sorted((e.certificate_expires, e.id) for e in entries)),
            by_employer=frozen(employers),
            by_interest=frozen(interests),
            by_region=frozen(regions),
        )


def snapshot_indexed(
    indexes: Sequence[SpecialtyIndex],
    *,
    conflicted: frozenset[str],
    recently_drawn: frozenset[str],
    region: str | None,
    on: dt.date,
) -> tuple[list[list[str]], dict[str, int]]:
    """`snapshot` over each line's specialty index: the same lines and counts (a property test
    holds them equal), in set operations rather than a look at each of tens of thousands."""
    everyone = set().union(*(index.ids for index in indexes))
    left_out: set[str] = set()
    excluded: dict[str, int] = {}

    def leave_out(reason: str, ids: set[str]) -> None:
        fresh = (ids & everyone) - left_out
        if fresh:
            excluded[reason] = excluded.get(reason, 0) + len(fresh)
            left_out.update(fresh)

    # An expert has one status, so the unfit groups never overlap: their order does not matter.
    for reason in sorted({r for index in indexes for r in index.unfit}):
        leave_out(reason, set().union(*(index.unfit.get(reason, ()) for index in indexes)))
    expired: set[str] = set()
    for index in indexes:
        stop = bisect.bisect_left(index.expiries, (on,))
        expired.update(expert for _, expert in index.expiries[:stop])
    leave_out("certificate_expired", expired)
    for reason, groups in (("employer_conflict", "by_employer"), ("declared_interest", "by_interest")):
        leave_out(
            reason,
            set().union(*(getattr(index, groups).get(o, ()) for index in indexes for o in conflicted)),
        )
    leave_out("recently_drawn", set(recently_drawn))
    if region:
        leave_out("region", everyone - set().union(*(index.by_region.get(region, ()) for index in indexes)))
    return [[expert for expert in index.ids if expert not in left_out] for index in indexes], excluded


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def run(seed: str, lines: Sequence[Sequence[str]], wanted: Sequence[int]) -> list[list[str]]:
    """Pick `wanted[i]` experts from line i; an expert already taken by an earlier line is skipped.
    Refuses (nothing is drawn) when a line cannot supply what it needs."""
    taken: set[str] = set()
    result: list[list[str]] = []
    short = []
    for index, (line, count) in enumerate(zip(lines, wanted, strict=True)):
        free = [expert for expert in line if expert not in taken]
        if len(free) < count:
            short.append({"line": index, "wanted": count, "eligible": len(free)})
            continue
        # The keys first, then the smallest: the same order as a key function, at half the cost.
        prefix = f"{seed}:{index}:"
        keyed = [(hashlib.sha256((prefix + expert).encode()).digest(), expert) for expert in free]
        picked = [expert for _, expert in heapq.nsmallest(count, keyed)]
        taken.update(picked)
        result.append(picked)
    if short:
        raise Conflict(
            "draw.pool_insufficient",
            "专家库中符合条件的专家不足，本次抽取未产生结果",
            "the pool holds too few eligible experts; nothing was drawn",
            rule="C-11",
            details={"short": short},
        )
    return result
