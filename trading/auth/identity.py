"""Who is calling: the identity carried by a login token, and the roles of the platform."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from trading.audit.service import Actor


class Role(StrEnum):
    bidder = "bidder"  # 投标人 / 供应商 / 竞买人
    principal = "principal"  # 招标人 / 采购人 / 出让人 / 转让方
    agency = "agency"  # 招标代理机构
    staff = "staff"  # 中心工作人员
    expert = "expert"  # 评标专家
    supervisor = "supervisor"  # 行政监督部门, scoped to the sectors its bureau supervises
    auditor = "auditor"  # 审计: reads everything, changes nothing
    admin = "admin"  # 系统管理员


@dataclass(frozen=True)
class Identity:
    user_id: uuid.UUID
    username: str
    display_name: str
    roles: frozenset[str]
    organisation_id: uuid.UUID | None = None
    sectors: frozenset[str] = field(default_factory=frozenset)
    # The account's token version when the token was issued (trading/auth/sessions.py).
    token_version: int = 0

    @property
    def actor(self) -> Actor:
        return Actor(id=self.user_id, name=self.username)

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    def supervises(self, sector: str) -> bool:
        """A supervisor sees only its bureau's sectors; staff, auditors and admins see all."""
        if self.has(Role.staff, Role.auditor, Role.admin):
            return True
        return Role.supervisor in self.roles and sector in self.sectors
