"""What other packages tell the e-oversight engine, as typed payloads (one module names them all).

A package publishes a step's due date when its clock starts (`StepDue`), that the step is done
(`StepDone`), or a breach that calls for an immediate red card (`Breach`), through the core's
outbox (`trading.events.publish`); the engine consumes them. A package may instead offer a *feed*:
an async function the composition root hands to the engine, returning the steps it knows (funds
does this for its refunds, so the core never imports funds).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from trading.events import publish

STEP_DUE = "oversight.step_due"
STEP_DONE = "oversight.step_done"
BREACH = "oversight.breach"


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


@dataclass(frozen=True)
class StepDue:
    """A timed step: `key` is unique per step (e.g. "refund:<id>"), `department` the party who
    must act, shown in warnings, letters and the circular's on-time rates."""

    key: str
    step: str
    rule: str
    sector: str
    started_on: dt.date
    due_on: dt.date
    department: str
    subject: str
    section_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    done_on: dt.date | None = None

    def payload(self) -> dict[str, Any]:
        return {k: (str(v) if v is not None else None) for k, v in asdict(self).items()}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> StepDue:
        return cls(
            key=data["key"],
            step=data["step"],
            rule=data["rule"],
            sector=data["sector"],
            started_on=dt.date.fromisoformat(data["started_on"]),
            due_on=dt.date.fromisoformat(data["due_on"]),
            department=data["department"],
            subject=data["subject"],
            section_id=_uuid(data.get("section_id")),
            organisation_id=_uuid(data.get("organisation_id")),
            done_on=_date(data.get("done_on")),
        )


@dataclass(frozen=True)
class StepDone:
    key: str
    done_on: dt.date

    def payload(self) -> dict[str, Any]:
        return {"key": self.key, "done_on": self.done_on.isoformat()}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> StepDone:
        return cls(key=data["key"], done_on=dt.date.fromisoformat(data["done_on"]))


@dataclass(frozen=True)
class Breach:
    """A rule broken outright (e.g. a sealed list opened early): an immediate red card."""

    key: str
    step: str
    rule: str
    sector: str
    on: dt.date
    department: str
    subject: str
    zh: str
    en: str
    section_id: uuid.UUID | None = None

    def payload(self) -> dict[str, Any]:
        return {k: (str(v) if v is not None else None) for k, v in asdict(self).items()}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Breach:
        return cls(
            **{k: v for k, v in data.items() if k not in ("on", "section_id")},
            on=dt.date.fromisoformat(data["on"]),
            section_id=_uuid(data.get("section_id")),
        )


def publish_due(session: AsyncSession, due: StepDue, *, at: dt.datetime) -> None:
    publish(session, STEP_DUE, due.payload(), at=at)


def publish_done(session: AsyncSession, done: StepDone, *, at: dt.datetime) -> None:
    publish(session, STEP_DONE, done.payload(), at=at)


def publish_breach(session: AsyncSession, breach: Breach, *, at: dt.datetime) -> None:
    publish(session, BREACH, breach.payload(), at=at)


# A feed: given a session and the center's today, the steps a package knows (due or done).
Feed = Callable[[AsyncSession, dt.date], Awaitable[Sequence[StepDue]]]
