"""The registry of document kinds: kind → template, data loader, who may issue and who may read.

A capability adds its documents with one `DocumentKind` each, registered at wiring time (the core
here, `bidding` and `funds` from their `document_kinds()` hook), so the core never imports them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.identity import Identity, Role
from trading.errors import DomainError


@dataclass(frozen=True)
class LoadRequest:
    """What a loader gets: the subject named by the caller, who asks, and the center's clock/zone."""

    session: AsyncSession
    subject: str
    viewer: Identity
    now: dt.datetime
    zone: ZoneInfo
    language: str


@dataclass(frozen=True)
class Loaded:
    """What a loader returns: the title, the template's data (plain values, sent to the worker),
    and whose it is (an organisation sees its own, and the one it is copied to; a bureau its sector)."""

    title: str
    data: dict[str, Any]
    sector: str | None = None
    organisation_id: uuid.UUID | None = None
    copy_to_id: uuid.UUID | None = None


Loader = Callable[[LoadRequest], Awaitable[Loaded]]


@dataclass(frozen=True)
class DocumentKind:
    name: str
    zh: str
    en: str
    template_dir: Path
    template: str
    load: Loader
    issuers: frozenset[Role]
    readers: frozenset[Role]
    # What the subject names, for the API's list of kinds (an id, or a month written 2026-03).
    subject_help: str = "id"
    # Public documents (announcements) are readable by every reader role whatever the sector.
    public: bool = False


class DocumentKinds:
    def __init__(self) -> None:
        self._kinds: dict[str, DocumentKind] = {}

    def register(self, *kinds: DocumentKind) -> None:
        for kind in kinds:
            if kind.name in self._kinds:
                raise ValueError(f"document kind {kind.name} registered twice")
            self._kinds[kind.name] = kind

    def get(self, name: str) -> DocumentKind:
        kind = self._kinds.get(name)
        if kind is None:
            raise DomainError(
                "document.unknown_kind",
                f"未知的文书种类：{name}",
                f"unknown document kind {name}",
                status=422,
                details={"known": sorted(self._kinds)},
            )
        return kind

    def all(self) -> list[DocumentKind]:
        return [self._kinds[name] for name in sorted(self._kinds)]

    def template_dirs(self) -> tuple[str, ...]:
        """Every kind's template folder, the core's first (it holds the letterhead base)."""
        core = str(Path(__file__).parent / "templates")
        others = sorted({str(k.template_dir) for k in self._kinds.values()} - {core})
        return (core, *others)


def subject_uuid(request: LoadRequest, zh_kind: str, kind: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.subject)
    except ValueError:
        raise DomainError(
            "document.bad_subject",
            f"{zh_kind}编号格式不正确：{request.subject}",
            f"{request.subject} is not a {kind} id",
            status=422,
        ) from None
