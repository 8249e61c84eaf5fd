import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import visible_sectors
from funds.bankfeed import service
from funds.bankfeed.models import BankCredit
from funds.bankfeed.schemas import CreditNoticeIn, CreditOut, ReasonIn
from funds.reconciliation import service as reconciliation
from funds.reconciliation.models import BankStatement
from funds.reconciliation.schemas import StatementOut
from funds.refunds.controllers import refund_out
from funds.refunds.schemas import RefundOut
from funds.refunds.service import return_suspense_item
from trading.audit.service import Actor
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import DomainError
from trading.settings import Settings
from trading.storage import BlobStore

# The bank's own identity in audit events and journal entries.
BANK = Actor(id=None, name="bank-feed")
NOTIFICATION_MAX_BYTES = 16 * 1024


def credit_out(credit: BankCredit, *, duplicate: bool = False) -> CreditOut:
    return CreditOut(
        id=credit.id,
        bank_txn_id=credit.bank_txn_id,
        virtual_account=credit.virtual_account_number,
        amount=credit.amount_fen,
        payer_name=credit.payer_name,
        payer_account=credit.payer_account,
        value_time=credit.value_at,
        received_at=credit.received_at,
        source=credit.source,
        disposition=credit.disposition,
        reason=credit.reason,
        section_id=credit.section_id,
        organisation_id=credit.organisation_id,
        reversed_at=credit.reversed_at,
        duplicate=duplicate,
    )


def statement_out(statement: BankStatement, *, already: bool = False) -> StatementOut:
    return StatementOut(
        id=statement.id,
        statement_date=statement.statement_date,
        sha256=statement.sha256,
        size=statement.size,
        imported_at=statement.imported_at,
        imported_by=statement.imported_by,
        line_count=statement.line_count,
        already_imported=already,
        report=statement.report,
    )


def _invalid_body(exc: ValidationError) -> DomainError:
    fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()) or "body"
    return DomainError(
        "request.invalid",
        f"请求数据有误：{fields}",
        f"Invalid request data: {fields}",
        status=400,
        details={
            "errors": [{"key": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        },
    )


class BankFeedController(Controller):
    path = "/api/funds/bank"
    tags = ["funds"]

    @post(
        "/credits",
        operation_id="receiveBankCredit",
        exclude_from_auth=True,
        opt={"errors": {"401": "the bank's signature is missing, stale or wrong (`bankfeed.signature_*`)"}},
        status_code=200,
        request_max_body_size=NOTIFICATION_MAX_BYTES,
    )
    async def receive(
        self,
        request: Request[Any, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> CreditOut:
        """The escrow bank's credit notification, signed with the shared secret (HMAC-SHA256 over
        `X-Bank-Timestamp + "\\n" + body`, hex in `X-Bank-Signature`). Idempotent on `bank_txn_id`:
        a repeat answers with the first result and `duplicate: true`."""
        body = await request.body()
        now = clock.now()
        service.check_signature(
            secret=settings.resolved_bank_feed_secret(),
            timestamp=request.headers.get("x-bank-timestamp"),
            signature=request.headers.get("x-bank-signature"),
            body=body,
            now=now,
        )
        try:
            notice = CreditNoticeIn.model_validate_json(body)
        except ValidationError as exc:
            raise _invalid_body(exc) from None
        received = await service.receive_credit(
            session,
            service.CreditNotice(
                bank_txn_id=notice.bank_txn_id,
                virtual_account=notice.virtual_account,
                amount_fen=notice.amount,
                payer_name=notice.payer_name,
                payer_account=notice.payer_account,
                payer_bank=notice.payer_bank,
                value_at=notice.value_time,
            ),
            source="notification",
            actor=BANK,
            at=now,
            zone=settings.zone,
        )
        await session.commit()
        return credit_out(received.credit, duplicate=not received.created)

    @get("/credits", operation_id="listBankCredits", opt=allow(Role.staff, Role.auditor, Role.supervisor))
    async def list_credits(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        disposition: FromQuery[str | None] = None,
        section_id: FromQuery[uuid.UUID | None] = None,
        limit: FromQuery[int] = 200,
        offset: FromQuery[int] = 0,
    ) -> list[CreditOut]:
        """Credits received; `disposition=foreign_payer` or `unmatched` lists the suspense items."""
        credits = await service.list_credits(
            session,
            sectors=visible_sectors(request.user),
            disposition=disposition,
            section_id=section_id,
            limit=min(max(limit, 1), 1000),
            offset=max(offset, 0),
        )
        return [credit_out(c) for c in credits]

    @post(
        "/credits/{credit_id:uuid}/return",
        operation_id="returnSuspenseItem",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def return_item(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        credit_id: FromPath[uuid.UUID],
        data: JSONBody[ReasonIn],
    ) -> RefundOut:
        """Send a suspense item back to the account it came from."""
        refund = await return_suspense_item(
            session,
            credit_id,
            reason=data.reason,
            actor=request.user.actor,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return refund_out(refund)

    @post(
        "/credits/{credit_id:uuid}/reverse",
        operation_id="reverseBankCredit",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def reverse(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        credit_id: FromPath[uuid.UUID],
        data: JSONBody[ReasonIn],
    ) -> CreditOut:
        """Correct a credit posted by mistake (or recalled by the bank) with a reversing entry."""
        credit = await service.reverse_credit(
            session, credit_id, reason=data.reason, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return credit_out(credit)

    @post(
        "/statements",
        operation_id="importBankStatement",
        opt=allow(Role.staff),
        status_code=200,
        request_max_body_size=reconciliation.MAX_STATEMENT_BYTES,
    )
    async def import_statement(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        statement_date: FromQuery[dt.date],
    ) -> StatementOut:
        """Upload the bank's daily statement (CSV, docs/bank-statement.md) as the raw request body;
        answers the reconciliation report. The same file twice gives the first report."""
        statement, created = await reconciliation.import_statement(
            session,
            statement_date=statement_date,
            chunks=request.stream(),
            store=BlobStore(settings.data_dir / "blobs"),
            actor=request.user.actor,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return statement_out(statement, already=not created)

    @get("/statements", operation_id="listBankStatements", opt=allow(Role.staff, Role.auditor))
    async def list_statements(self, session: NamedDependency[AsyncSession]) -> list[StatementOut]:
        return [statement_out(s) for s in await reconciliation.list_statements(session)]

    @get(
        "/statements/{statement_id:uuid}",
        operation_id="getBankStatement",
        opt=allow(Role.staff, Role.auditor),
    )
    async def get_statement(
        self, session: NamedDependency[AsyncSession], statement_id: FromPath[uuid.UUID]
    ) -> StatementOut:
        return statement_out(await reconciliation.get_statement(session, statement_id))
