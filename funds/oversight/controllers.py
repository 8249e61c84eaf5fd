from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import visible_sectors
from funds.oversight import service
from funds.oversight.schemas import WarningOut
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.settings import Settings


class OversightController(Controller):
    path = "/api/funds/oversight"
    tags = ["funds"]

    @get("/warnings", operation_id="listRefundWarnings", opt=allow(Role.staff, Role.auditor, Role.supervisor))
    async def warnings(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> list[WarningOut]:
        """Yellow: a refund due today and not yet paid; red: overdue, or paid after its deadline."""
        found = await service.refund_warnings(
            session, now=clock.now(), zone=settings.zone, sectors=visible_sectors(request.user)
        )
        return [
            WarningOut(
                level=w.level,
                refund_id=w.refund_id,
                sector=w.sector,
                section_id=w.section_id,
                section_code=w.section_code,
                organisation_id=w.organisation_id,
                organisation_name=w.organisation_name,
                payee_name=w.payee_name,
                principal=w.principal_fen,
                due_on=w.due_on,
                status=w.status,
                rule=w.rule,
                days_overdue=w.days_overdue,
                message={"zh-CN": w.zh, "en": w.en},
            )
            for w in found
        ]
