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

from bidding.signals.metadata import DocumentMetadata


@dataclass(frozen=True)
class Trace:
    """One bidder's value of one kind (a phone number, a file digest, a payer account...) and,
    where it helps the supervisor find it, what carried it (a file, a bid)."""

    organisation_id: uuid.UUID
    value: str
    source: str | None = None


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
    "same_upload_address": (
        "C-12",
        "address",
        "从同一网络地址递交投标文件或上传资格文件",
        "they handed in bids or uploaded files from one network address",
    ),
    "same_device": (
        "C-12",
        "device",
        "使用同一设备（客户端安装标识）递交投标文件或上传资格文件",
        "they handed in bids or uploaded files from one device (the client's installation id)",
    ),
    "same_document_author": (
        "C-12",
        "author",
        "文件属性中的作者或最后修改人为同一人",
        "their files name the same author or last editor in their properties",
    ),
    "same_document_metadata": (
        "C-12",
        "metadata",
        "文件的编制工具及创建、修改时间完全相同",
        "their files have the same creator tool and the same creation and modification times",
    ),
}

# Authors that office suites and operating systems write by default: shared by thousands of
# unrelated bidders, they say nothing about who prepared a file (compared normalised).
GENERIC_AUTHORS = frozenset(
    {
        "administrator",
        "admin",
        "user",
        "owner",
        "author",
        "unknown",
        "microsoftofficeuser",
        "微软用户",
        "用户",
        "作者",
    }
)


def _normalised(value: str) -> str:
    return "".join(value.split()).lower()


def shared(kind: str, traces: Iterable[Trace]) -> list[Signal]:
    """A signal for every value that two or more different bidders share."""
    rule, label, _, _ = SHARED_KINDS[kind]
    holders: dict[str, set[uuid.UUID]] = defaultdict(set)
    shown: dict[str, str] = {}
    sources: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for trace in traces:
        if not trace.value or not trace.value.strip():
            continue
        key = _normalised(trace.value)
        holders[key].add(trace.organisation_id)
        shown.setdefault(key, trace.value.strip())
        if trace.source:
            sources[key].add((str(trace.organisation_id), trace.source))
    signals = []
    for key, orgs in sorted(holders.items()):
        if len(orgs) < 2:
            continue
        evidence: dict[str, Any] = {label: shown[key]}
        if sources[key]:
            evidence["sources"] = [{"organisation_id": o, "source": s} for o, s in sorted(sources[key])]
        signals.append(Signal(kind, rule, tuple(sorted(orgs)), evidence))
    return signals


def document_traces(
    organisation_id: uuid.UUID, source: str, metadata: DocumentMetadata
) -> dict[str, list[Trace]]:
    """One file's traces for the two metadata signals. A default author ("Administrator") is no
    trace; times count only when the file has both (one save of one file gives both; a shared
    template gives at most the creation time)."""
    found: dict[str, list[Trace]] = {"same_document_author": [], "same_document_metadata": []}
    for person in {metadata.author, metadata.last_modified_by} - {None}:
        if person and _normalised(person) not in GENERIC_AUTHORS:
            found["same_document_author"].append(Trace(organisation_id, person, source))
    if metadata.created and metadata.modified:
        fingerprint = (
            f"{metadata.creator_tool or '-'} | created {metadata.created} | modified {metadata.modified}"
        )
        found["same_document_metadata"].append(Trace(organisation_id, fingerprint, source))
    return found


def _controllers(
    organisation_id: uuid.UUID, controller_of: dict[uuid.UUID, uuid.UUID | None]
) -> list[uuid.UUID]:
    """Who controls the organisation, nearest first, up the chain (a cycle stops the walk)."""
    chain: list[uuid.UUID] = []
    current = controller_of.get(organisation_id)
    while current is not None and current not in chain and current != organisation_id:
        chain.append(current)
        current = controller_of.get(current)
    return chain


def control(
    bidders: Iterable[uuid.UUID],
    controller_of: dict[uuid.UUID, uuid.UUID | None],
    names: dict[uuid.UUID, str],
) -> list[Signal]:
    """C-18: one bidder controls or manages another, directly or through units in between
    (`controlled_bidder`); or two bidders are controlled by one unit (`common_controller`: TLR
    art. 34 ¶2 names control between the bidders themselves; a common parent is shown for the
    supervisors' judgement). `controller_of` maps each unit to its controller (controlled_by_id)."""
    signals = []
    chains = {b: _controllers(b, controller_of) for b in sorted(set(bidders))}
    for a, b in itertools.combinations(chains, 2):
        for lower, upper in ((a, b), (b, a)):
            if upper in chains[lower]:
                evidence = {
                    "controller": names.get(upper, str(upper)),
                    "controlled": names.get(lower, str(lower)),
                    "levels": chains[lower].index(upper) + 1,
                }
                signals.append(Signal("controlled_bidder", "C-18", (a, b), evidence))
                break
        else:
            common = next((c for c in chains[a] if c in chains[b]), None)
            if common is not None:
                evidence = {"controller": names.get(common, str(common)), "controller_id": str(common)}
                signals.append(Signal("common_controller", "C-18", (a, b), evidence))
    return signals


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
    "controlled_bidder": ("投标人之间存在控股或管理关系", "one bidder controls or manages the other"),
    "common_controller": ("投标人受同一单位控股或管理", "one unit controls or manages both bidders"),
}
