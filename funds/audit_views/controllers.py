import datetime as dt
import uuid
from typing import Any, Literal

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import require_sector, visible_sectors
from funds.audit_views import service
from funds.audit_views.schemas import (
    BalanceLineOut,
    HeldDepositOut,
    LedgerReportOut,
    MovementOut,
    OutstandingOut,
    OutstandingRefundOut,
    TrialBalanceOut,
)
from funds.journal.service import JOURNAL_LOG
from trading.audit.checkpoints import LogSigner, verify_log
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import not_found
from trading.organisations.models import Organisation
from trading.projects.models import Project
from trading.projects.service import get_section
from trading.settings import Settings

VIEWERS = allow(Role.staff, Role.auditor, Role.supervisor)
Format = Literal["json", "csv"]
# `format=csv` answers the same rows as CSV: documented beside the JSON (trading/openapi.py).
AS_CSV_TOO = {**VIEWERS, "also_answers": ("text/csv",)}


def csv_response(text: str, name: str) -> Response[str]:
    return Response(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def movements_json(items: list[service.Movement]) -> list[MovementOut]:
    return [
        MovementOut(
            seq=m.seq,
            entry_id=m.entry_id,
            posted_at=m.posted_at,
            value_at=m.value_at,
            code=m.code,
            memo=m.memo,
            section_id=m.section_id,
            organisation_id=m.organisation_id,
            account=m.account_code,
            account_name=m.account_name,
            debit=m.debit_fen,
            credit=m.credit_fen,
            balance_after=m.balance_after_fen,
            reverses_id=m.reverses_id,
        )
        for m in items
    ]


class AuditViewController(Controller):
    path = "/api/funds/views"
    tags = ["funds"]

    @get("/trial-balance", operation_id="getTrialBalance", opt=AS_CSV_TOO)
    async def trial_balance(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        at: FromQuery[dt.datetime | None] = None,
        format: FromQuery[Format] = "json",
    ) -> Any:
        """Every account's balance as it stood at `at` (ISO 8601; default now; without an offset, the
        center's time zone). A bureau sees its own sectors' accounts."""
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=settings.zone)
        instant = (at or clock.now()).astimezone(dt.UTC)
        view = await service.trial_balance(session, at=instant, sectors=visible_sectors(request.user))
        if format == "csv":
            return csv_response(service.trial_balance_csv(view), f"trial-balance-{instant:%Y%m%dT%H%M%SZ}")
        return TrialBalanceOut(
            at=view.at,
            lines=[
                BalanceLineOut(
                    account=line.code,
                    name=line.name,
                    kind=line.kind,
                    sector=line.sector,
                    debit=line.debit_fen,
                    credit=line.credit_fen,
                )
                for line in view.lines
            ],
            total_debit=view.total_debit_fen,
            total_credit=view.total_credit_fen,
            complete=view.complete,
            balanced=view.balanced,
        )

    @get("/sections/{section_id:uuid}/movements", operation_id="getSectionMovements", opt=AS_CSV_TOO)
    async def section_movements(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
        format: FromQuery[Format] = "json",
    ) -> Any:
        """Every posting about one section, in journal order."""
        section = await get_section(session, section_id)
        project = await session.get(Project, section.project_id)
        assert project is not None
        require_sector(request.user, project.sector, "section", "标段", section_id)
        items = await service.movements(session, section_id=section_id, sectors=visible_sectors(request.user))
        if format == "csv":
            return csv_response(service.movements_csv(items), f"movements-{section.code}")
        return movements_json(items)

    @get("/organisations/{organisation_id:uuid}/movements", operation_id="getBidderMovements", opt=AS_CSV_TOO)
    async def organisation_movements(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        organisation_id: FromPath[uuid.UUID],
        format: FromQuery[Format] = "json",
    ) -> Any:
        """Every posting about one bidder; a bureau sees those of its sectors' sections only."""
        organisation = await session.get(Organisation, organisation_id)
        if organisation is None:
            raise not_found("organisation", "单位", organisation_id)
        items = await service.movements(
            session, organisation_id=organisation_id, sectors=visible_sectors(request.user)
        )
        if format == "csv":
            return csv_response(service.movements_csv(items), f"movements-{organisation.uscc}")
        return movements_json(items)

    @get("/deposits/outstanding", operation_id="getOutstandingDeposits", opt=AS_CSV_TOO)
    async def outstanding(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        overdue: FromQuery[bool] = False,
        format: FromQuery[Format] = "json",
    ) -> Any:
        """Deposits still held and refunds not yet paid; `overdue=true`: only refunds past their deadline."""
        view = await service.outstanding(
            session,
            now=clock.now(),
            zone=settings.zone,
            sectors=visible_sectors(request.user),
            overdue_only=overdue,
        )
        if format == "csv":
            return csv_response(service.outstanding_csv(view), "deposits-outstanding")
        return OutstandingOut(
            held=[
                HeldDepositOut(
                    virtual_account=d.virtual_account,
                    sector=d.sector,
                    section_id=d.section_id,
                    section_code=d.section_code,
                    organisation_id=d.organisation_id,
                    organisation_name=d.organisation_name,
                    required=d.required_fen,
                    cash=d.cash_fen,
                    guarantee=d.guarantee_fen,
                )
                for d in view.held
            ],
            refunds=[
                OutstandingRefundOut(
                    refund_id=r.refund_id,
                    kind=r.kind,
                    sector=r.sector,
                    section_id=r.section_id,
                    organisation_id=r.organisation_id,
                    payee_name=r.payee_name,
                    payee_account=r.payee_account,
                    total=r.total_fen,
                    due_on=r.due_on,
                    status=r.status,
                    overdue=r.overdue,
                    warning=r.warning,
                    rule=r.rule,
                )
                for r in view.refunds
            ],
        )

    @get("/ledger/verify", operation_id="verifyLedger", opt=allow(Role.auditor, Role.admin))
    async def verify(
        self, session: NamedDependency[AsyncSession], log_signer: NamedDependency[LogSigner]
    ) -> LedgerReportOut:
        """Replay the whole journal, walk its hash chain and hold it to every signed checkpoint;
        names the first broken link."""
        report = await verify_log(session, JOURNAL_LOG, log_signer)
        return LedgerReportOut(
            intact=report.intact,
            entries=report.entries,
            postings=report.postings,
            accounts=report.accounts,
            first_broken_seq=report.first_broken_seq,
            reason=report.reason,
            checkpoints_checked=report.checkpoints_checked,
            checkpoint_size=report.checkpoint_size,
        )
