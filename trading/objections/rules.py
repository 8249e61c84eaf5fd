"""The objection's status machine, as data (C-05, TLR art. 22)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trading.errors import Conflict
from trading.projects.rules import Status


class ObjectionStatus(StrEnum):
    pending = "pending"  # 待答复：标段暂停
    answered = "answered"  # 已答复


STATUS_ZH = {ObjectionStatus.pending: "待答复（招标投标活动暂停）", ObjectionStatus.answered: "已答复"}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[ObjectionStatus]
    target: ObjectionStatus


TRANSITIONS = (Transition("answer", frozenset({ObjectionStatus.pending}), ObjectionStatus.answered),)

# The tender documents are out and the deadline has not passed: an objection may be filed.
OPEN_FOR_OBJECTIONS = frozenset({Status.announced, Status.registration_open})


def move(status: str, action: str) -> ObjectionStatus:
    current = ObjectionStatus(status)
    for transition in TRANSITIONS:
        if transition.action == action and current in transition.sources:
            return transition.target
    raise Conflict(
        "objection.already_answered",
        "该异议已经答复",
        "the objection has already been answered",
        rule="C-05",
        details={"status": current, "action": action},
    )
