"""Who sees which money: the bureaus see their own sectors, auditors and center staff see all, a
bidder sees its own sub-accounts. Something outside one's view answers "not found", as the core
does for projects, so its existence is not disclosed either."""

from __future__ import annotations

import uuid

from trading.auth.identity import Identity, Role
from trading.errors import NotFound


def visible_sectors(viewer: Identity) -> frozenset[str] | None:
    """None: every sector (staff, auditors, administrators); else the supervisor's own sectors."""
    if viewer.has(Role.staff, Role.auditor, Role.admin):
        return None
    if Role.supervisor in viewer.roles:
        return frozenset(viewer.sectors)
    return frozenset()


def sees_sector(viewer: Identity, sector: str | None) -> bool:
    sectors = visible_sectors(viewer)
    return sectors is None or (sector is not None and sector in sectors)


def hidden(kind: str, zh_kind: str, key: object) -> NotFound:
    return NotFound(f"{kind}.not_found", f"{zh_kind}不存在：{key}", f"{kind} {key} does not exist")


def require_sector(viewer: Identity, sector: str | None, kind: str, zh_kind: str, key: object) -> None:
    if not sees_sector(viewer, sector):
        raise hidden(kind, zh_kind, key)


def require_own_or_sector(
    viewer: Identity, *, organisation_id: uuid.UUID, sector: str | None, kind: str, zh_kind: str, key: object
) -> None:
    """A bidder sees its own organisation's things; bureaus their sectors; staff and auditors all."""
    if viewer.organisation_id is not None and viewer.organisation_id == organisation_id:
        return
    if viewer.has(Role.staff, Role.auditor, Role.admin, Role.supervisor) and sees_sector(viewer, sector):
        return
    raise hidden(kind, zh_kind, key)
