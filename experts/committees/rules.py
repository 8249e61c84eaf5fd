"""Who may see the committee's names (E-06) and when the committee may begin (C-10, TLR art. 48).

TL art. 37 ¶5: "评标委员会成员的名单在中标结果确定前应当保密。"
"""

from __future__ import annotations

from trading.auth.identity import Identity, Role
from trading.errors import DomainError
from trading.projects.models import Project
from trading.projects.rules import Status

DECIDED = frozenset({Status.awarded, Status.contracted})
# Sections whose committee is no longer secret to the center: decided, or ended without an award.
UNSEALED = tuple(sorted(DECIDED | {Status.failed, Status.cancelled}))


def names_visible(viewer: Identity, project: Project, status: str) -> bool:
    """E-06: before the award only the sector's supervisor (and the system) see the names; once
    the award is decided, the center and the project's own parties see them too."""
    if Role.supervisor in viewer.roles and project.sector in viewer.sectors:
        return True
    if status not in DECIDED:
        return False
    if viewer.has(Role.staff, Role.admin, Role.auditor):
        return True
    return viewer.organisation_id is not None and viewer.organisation_id in (
        project.principal_id,
        project.agency_id,
    )


def check_recusal_reason(reason: str | None) -> str:
    if not (reason and reason.strip()):
        raise DomainError(
            "committee.recusal_reason_required",
            "回避须说明事由",
            "a recusal needs its reason",
            rule="E-07",
            status=422,
        )
    return reason.strip()
