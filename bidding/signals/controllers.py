import uuid
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.signals import service
from bidding.signals.rules import MESSAGES
from bidding.signals.schemas import Party, SignalOut
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.settings import Settings


class SignalController(Controller):
    path = "/api/bidding/sections"
    tags = ["bidding"]

    @get(
        "/{section_id:uuid}/signals",
        operation_id="collusionSignals",
        opt=allow(Role.supervisor, Role.staff, Role.auditor, Role.admin),
    )
    async def signals(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> list[SignalOut]:
        """Collusion signals among the section's bidders, with their evidence (C-12, C-18).
        They advise the supervisors; they never refuse or penalise anyone by themselves."""
        found = await service.section_signals(session, settings, section_id, request.user, at=clock.now())
        names = await service.organisation_names(session, found)
        return [
            SignalOut(
                kind=s.kind,
                rule=s.rule,
                organisations=[Party(id=o, name=names.get(o, str(o))) for o in s.organisations],
                evidence=s.evidence,
                message={"zh-CN": MESSAGES[s.kind][0], "en": MESSAGES[s.kind][1]},
            )
            for s in found
        ]
