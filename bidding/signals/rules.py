"""Collusion signals (串通投标迹象) as pure checks over what different bidders of one section
handed in. A signal advises the supervisors, with its evidence; it never penalises by itself.

TLR art. 40 (C-12): "有下列情形之一的，视为投标人相互串通投标：(一)不同投标人的投标文件由同一单位或者个人
编制；(二)不同投标人委托同一单位或者个人办理投标事宜；(三)不同投标人的投标文件载明的项目管理成员为同一人；
(四)不同投标人的投标文件异常一致或者投标报价呈规律性差异；(五)不同投标人的投标文件相互混装；(六)不同投标人
的投标保证金从同一单位或者个人的账户转出。"
TLR art. 34 ¶2 (C-18): "单位负责人为同一人或者存在控股、管理关系的不同单位，不得参加同一标段投标或者未划分
标段的同一招标项目投标。"
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Trace:
    """One bidder's value of one kind (a phone number, a file digest, a payer account...)."""

    organisation_id: uuid.UUID
    value: str


@dataclass(frozen=True)
class Signal:
    kind: str
    rule: str
    organisations: tuple[uuid.UUID, ...]
    evidence: dict[str, Any] = field(default_factory=dict)


# kind → (rule, what the shared value is, zh, en)
SHARED_KINDS: dict[str, tuple[str, str, str, str]] = {
    "same_contact": ("C-12", "contact", "委托同一联系人办理投标事宜", "the same contact handles their bids"),
    "same_document": ("C-12", "sha256", "递交了内容完全相同的文件", "they handed in byte-identical files"),
    "same_bid_file": ("C-12", "sha256", "投标文件内容完全相同", "their bid files are byte-identical"),
    "same_project_manager": (
        "C-12",
        "project_manager",
        "投标文件载明同一项目经理",
        "they name the same project manager",
    ),
    "same_payer_account": (
        "C-12",
        "payer_account",
        "投标保证金从同一账户转出",
        "their deposits came from one account",
    ),
    "same_legal_representative": (
        "C-18",
        "legal_representative",
        "单位负责人为同一人",
        "their legal representative is the same person",
    ),
}


def _normalised(value: str) -> str:
    return "".join(value.split()).lower()


def shared(kind: str, traces: Iterable[Trace]) -> list[Signal]:
    """A signal for every value that two or more different bidders share."""
    rule, label, _, _ = SHARED_KINDS[kind]
    holders: dict[str, set[uuid.UUID]] = defaultdict(set)
    shown: dict[str, str] = {}
    for trace in traces:
        if not trace.value or not trace.value.strip():
            continue
        key = _normalised(trace.value)
        holders[key].add(trace.organisation_id)
        shown.setdefault(key, trace.value.strip())
    return [
        Signal(kind, rule, tuple(sorted(orgs)), {label: shown[key]})
        for key, orgs in sorted(holders.items())
        if len(orgs) >= 2
    ]


def price_patterns(prices: dict[uuid.UUID, int]) -> list[Signal]:
    """Identical prices; three or more prices in equal steps or in a constant ratio (C-12 (四))."""
    signals = []
    by_price: dict[int, list[uuid.UUID]] = defaultdict(list)
    for organisation_id, price in prices.items():
        by_price[price].append(organisation_id)
    for price, orgs in sorted(by_price.items()):
        if len(orgs) >= 2:
            signals.append(Signal("identical_prices", "C-12", tuple(sorted(orgs)), {"price_fen": price}))
    ordered = sorted(by_price)
    if len(ordered) >= 3:
        everyone = tuple(sorted(prices))
        steps = {b - a for a, b in itertools.pairwise(ordered)}
        if len(steps) == 1:
            signals.append(
                Signal(
                    "equal_price_steps", "C-12", everyone, {"step_fen": steps.pop(), "prices_fen": ordered}
                )
            )
        elif all(b * b == a * c for a, b, c in zip(ordered, ordered[1:], ordered[2:], strict=False)):
            signals.append(
                Signal(
                    "constant_price_ratio",
                    "C-12",
                    everyone,
                    {"ratio": f"{ordered[1] / ordered[0]:.6f}", "prices_fen": ordered},
                )
            )
    return signals


MESSAGES: dict[str, tuple[str, str]] = {
    **{kind: (zh, en) for kind, (_, _, zh, en) in SHARED_KINDS.items()},
    "identical_prices": ("投标报价完全相同", "their prices are identical"),
    "equal_price_steps": ("投标报价呈等差规律", "their prices differ in equal steps"),
    "constant_price_ratio": ("投标报价呈等比规律", "their prices differ by a constant ratio"),
}
