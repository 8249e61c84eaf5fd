"""Who sees which sector's oversight: a supervisor its bureau's sectors, staff, auditors and
administrators all. Something outside one's view answers "not found", as projects do, so its
existence is not disclosed either."""

from __future__ import annotations

from trading.auth.identity import Identity, Role
from trading.errors import NotFound


def visible_sectors(viewer: Identity) -> frozenset[str] | None:
    """None: every sector; else the sectors the viewer supervises (empty for other roles)."""
    if viewer.has(Role.staff, Role.auditor, Role.admin):
        return None
    if Role.supervisor in viewer.roles:
        return frozenset(viewer.sectors)
    return frozenset()


def require_sector(viewer: Identity, sector: str, kind: str, zh_kind: str, key: object) -> None:
    sectors = visible_sectors(viewer)
    if sectors is not None and sector not in sectors:
        raise NotFound(f"{kind}.not_found", f"{zh_kind}不存在：{key}", f"{kind} {key} does not exist")


def require_supervisor_of(viewer: Identity, sector: str, kind: str, zh_kind: str, key: object) -> None:
    """Only the sector's own supervisors act on its oversight (acknowledge, issue, log)."""
    if not (Role.supervisor in viewer.roles and sector in viewer.sectors):
        raise NotFound(f"{kind}.not_found", f"{zh_kind}不存在：{key}", f"{kind} {key} does not exist")
