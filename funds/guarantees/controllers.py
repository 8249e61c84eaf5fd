import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import hidden, sees_sector
from funds.guarantees import service
from funds.guarantees.models import Guarantee
from funds.guarantees.schemas import GuaranteeIn, GuaranteeOut
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.projects.models import Project
from trading.projects.service import get_section
from trading.settings import Settings


def guarantee_out(guarantee: Guarantee) -> GuaranteeOut:
    return GuaranteeOut(
        id=guarantee.id,
        section_id=guarantee.section_id,
        organisation_id=guarantee.organisation_id,
        issuer=guarantee.issuer,
        number=guarantee.number,
        amount=guarantee.amount_fen,
        valid_from=guarantee.valid_from,
        valid_until=guarantee.valid_until,
        status=guarantee.status,
        recorded_at=guarantee.recorded_at,
        closed_at=guarantee.closed_at,
        closed_reason=guarantee.closed_reason,
    )


class GuaranteeController(Controller):
    path = "/api/funds/guarantees"
    tags = ["funds"]

    @post("/", operation_id="recordGuarantee", opt=allow(Role.staff), status_code=201)
    async def record(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[GuaranteeIn],
    ) -> GuaranteeOut:
        """Record an electronic guarantee checked with its issuer; it secures the deposit if it covers
        the whole deposit for the whole bid validity period (C-06)."""
        guarantee = await service.record_guarantee(
            session,
            section_id=data.section_id,
            organisation_id=data.organisation_id,
            issuer=data.issuer,
            number=data.number,
            amount_fen=data.amount,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            actor=request.user.actor,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return guarantee_out(guarantee)

    @get(
        "/", operation_id="listGuarantees", opt=allow(Role.staff, Role.auditor, Role.supervisor, Role.bidder)
    )
    async def list_guarantees(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromQuery[uuid.UUID],
        organisation_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[GuaranteeOut]:
        """A section's guarantees; a bidder names its own organisation and sees only its own."""
        section = await get_section(session, section_id)
        project = await session.get(Project, section.project_id)
        assert project is not None
        viewer = request.user
        if not (
            viewer.has(Role.staff, Role.auditor, Role.supervisor) and sees_sector(viewer, project.sector)
        ):
            if viewer.organisation_id is None:
                raise hidden("section", "标段", section_id)
            organisation_id = viewer.organisation_id
        rows = await service.list_guarantees(session, section_id=section_id, organisation_id=organisation_id)
        return [guarantee_out(g) for g in rows]
