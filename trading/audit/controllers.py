from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.models import AuditEvent
from trading.audit.schemas import AuditEventOut, ChainReportOut
from trading.audit.service import verify_chain
from trading.auth.guards import allow
from trading.auth.identity import Role

AUDITORS = allow(Role.auditor, Role.admin)


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]

    @get("/events", operation_id="listAuditEvents", opt=AUDITORS)
    async def events(
        self,
        session: NamedDependency[AsyncSession],
        subject_type: FromQuery[str | None] = None,
        subject_id: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        after_seq: FromQuery[int] = 0,
        limit: FromQuery[int] = 100,
    ) -> list[AuditEventOut]:
        """The chain in order, from `after_seq` on; each event carries its hash and its link."""
        query = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq)
        if subject_type:
            query = query.where(AuditEvent.subject_type == subject_type)
        if subject_id:
            query = query.where(AuditEvent.subject_id == subject_id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = await session.scalars(query.limit(min(max(limit, 1), 1000)))
        return [AuditEventOut.model_validate(r) for r in rows]

    @get("/verify", operation_id="verifyAuditChain", opt=AUDITORS)
    async def verify(self, session: NamedDependency[AsyncSession]) -> ChainReportOut:
        report = await verify_chain(session)
        return ChainReportOut(
            events=report.events,
            intact=report.intact,
            first_broken_seq=report.first_broken_seq,
            reason=report.reason,
        )
