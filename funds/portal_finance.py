"""The center's finance console (/portal/funds): refunds due, issued and failed, with the bank's
answer recorded from the page (confirm, fail, retry); the payment files for the bank; the bank's
daily statements imported and their reconciliation reports.

The same services and the same input schemas as the API (funds/refunds, funds/reconciliation): a
refusal is shown beside the field that caused it and changes nothing. Staff act; auditors (and,
for refunds, the sectors' supervisors) read, as they may through the API.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import visible_sectors
from funds.portal import REFUND_STATUS
from funds.reconciliation import service as reconciliation
from funds.reconciliation.models import BankStatement
from funds.refunds import service as refunds
from funds.refunds.models import Refund
from funds.refunds.schemas import ConfirmIn, FailIn
from trading.auth.identity import Identity, Role
from trading.clock import Clock, local_date
from trading.errors import DomainError, NotFound
from trading.organisations.models import Organisation
from trading.portal.web import FORM_WIDE, form_errors, page, portal_guard, t
from trading.projects.models import Section
from trading.settings import Settings
from trading.storage import BlobStore

Me = Request[Identity, Any, Any]
Session = NamedDependency[AsyncSession]
# The API's guards: refunds are listed to staff, auditors and supervisors (their sectors);
# statements and payment files to staff and auditors; only staff act.
REFUND_READERS = portal_guard(Role.staff, Role.auditor, Role.supervisor)
FILE_READERS = portal_guard(Role.staff, Role.auditor)
STAFF = portal_guard(Role.staff)
# The worklist: due (pending), issued to the bank (sent), failed; paid ones on their own tab.
OPEN_STATUSES = ("pending", "sent", "failed")
LIST_LIMIT = 200
UPLOAD_CHUNK = 64 * 1024
# Refusals that concern one field of the confirm form although the service names none.
CONFIRM_FIELDS = {"refund.amount_mismatch": "amount"}
TRIGGERS = {
    "registration.withdrawn": ("撤回投标/报名", "withdrawn"),
    "section.failed": ("流标", "section failed"),
    "section.cancelled": ("终止", "section cancelled"),
    "section.awarded": ("定标（未中标人）", "awarded (losing bidders)"),
    "section.contracted": ("合同签订", "contract signed"),
    "manual": ("人工退还", "manual"),
    "late_payment": ("逾期到账退回", "paid late, returned"),
    "suspense_return": ("误入款项退回", "suspense item returned"),
}
REPORT_CATEGORIES = {
    "matched": ("已匹配", "Matched"),
    "posted_from_statement": ("据对账单补记", "Posted from the statement"),
    "amount_mismatches": ("金额不符", "Amount mismatches"),
    "payer_name_mismatches": ("付款人不符", "Payer mismatches"),
    "unmatched": ("无法匹配（挂账）", "Unmatched (suspense)"),
    "late": ("逾期到账", "Late"),
    "refunds_confirmed": ("确认退款已支付", "Refunds confirmed"),
    "interest": ("银行结息", "Bank interest"),
    "missing_from_statement": ("通知已到、对账单未列", "Notified but not on the statement"),
}


# --- refunds ------------------------------------------------------------------------------------


async def _names(session: AsyncSession, rows: list[Refund]) -> tuple[dict[Any, str], dict[Any, str]]:
    """Section codes and organisation names of the refunds shown."""
    section_ids = sorted({r.section_id for r in rows if r.section_id})
    organisation_ids = sorted({r.organisation_id for r in rows if r.organisation_id})
    sections = await session.execute(select(Section.id, Section.code).where(Section.id.in_(section_ids)))
    organisations = await session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids))
    )
    return {i: code for i, code in sections}, {i: name for i, name in organisations}


async def _refunds_page(
    request: Me,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    *,
    status: str | None = None,
    errors: dict[str, str] | None = None,
    failed: uuid.UUID | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    shown = ("confirmed",) if status == "confirmed" else OPEN_STATUSES
    groups = {
        name: await refunds.list_refunds(
            session,
            sectors=visible_sectors(request.user),
            status=name,
            limit=LIST_LIMIT,
            newest_first=name == "confirmed",
        )
        for name in shown
    }
    sections, organisations = await _names(session, [r for rows in groups.values() for r in rows])
    return page(
        "funds/finance/refunds.html",
        status_code=status_code,
        groups=groups,
        paid_tab=status == "confirmed",
        statuses={k: t(request, *v) for k, v in REFUND_STATUS.items()},
        triggers={k: t(request, *v) for k, v in TRIGGERS.items()},
        sections=sections,
        organisations=organisations,
        today=local_date(clock.now(), settings.zone),
        total=refunds.total_fen,
        reference=refunds.payment_reference,
        may_act=Role.staff in request.user.roles,
        limit=LIST_LIMIT,
        errors=errors or {},
        failed=failed,
        form=form or {},
    )


@get("/", opt=REFUND_READERS)
async def refund_list(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    status: FromQuery[str | None] = None,
) -> Template:
    return await _refunds_page(request, session, clock, settings, status=status)


async def _refund_action(
    request: Me,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    refund_id: uuid.UUID,
    form: dict[str, str],
    work: Any,
    fields: dict[str, str] | None = None,
) -> Any:
    """Run one of the bank's answers; a refusal shows the worklist again, the message beside the
    refund's form, and nothing changed."""
    try:
        await work()
    except NotFound:
        raise  # no such refund: the 404 page, not the worklist
    except (DomainError, ValidationError) as exc:
        await session.rollback()
        errors = form_errors(request, exc)
        if isinstance(exc, DomainError) and exc.code in (fields or {}):
            errors = {(fields or {})[exc.code]: errors.popitem()[1]}
        return await _refunds_page(
            request,
            session,
            clock,
            settings,
            errors=errors,
            failed=refund_id,
            form=form,
            status_code=exc.status if isinstance(exc, DomainError) else 400,
        )
    await session.commit()
    return Redirect(path=f"/portal/funds#r-{refund_id}", status_code=303)


@post("/refunds/{refund_id:uuid}/confirm", opt=STAFF, status_code=303)
async def confirm_refund(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    refund_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """The bank paid (its transaction id, the day, the amount if given: checked against the refund).
    Four eyes: not the person who issued the payment file."""
    form = {k: data.get(k, "").strip() for k in ("bank_txn_id", "paid_on", "amount")}

    async def work() -> None:
        answer = ConfirmIn.model_validate({**form, "amount": form["amount"] or None})
        await refunds.confirm_refund(
            session,
            refund_id,
            bank_txn_id=answer.bank_txn_id,
            paid_on=answer.paid_on,
            amount_fen=answer.amount,
            actor=request.user.actor,
            at=clock.now(),
        )

    return await _refund_action(
        request, session, clock, settings, refund_id, form, work, fields=CONFIRM_FIELDS
    )


@post("/refunds/{refund_id:uuid}/fail", opt=STAFF, status_code=303)
async def fail_refund(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    refund_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """The bank could not pay: the reason it gave; the refund waits for a retry."""
    form = {"reason": data.get("reason", "").strip()}

    async def work() -> None:
        answer = FailIn.model_validate(form)
        await refunds.fail_refund(
            session, refund_id, reason=answer.reason, actor=request.user.actor, at=clock.now()
        )

    return await _refund_action(request, session, clock, settings, refund_id, form, work)


@post("/refunds/{refund_id:uuid}/retry", opt=STAFF, status_code=303)
async def retry_refund(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    refund_id: FromPath[uuid.UUID],
) -> Any:
    """A failed refund goes into the next payment file, to the same account."""

    async def work() -> None:
        await refunds.retry_refund(session, refund_id, actor=request.user.actor, at=clock.now())

    return await _refund_action(request, session, clock, settings, refund_id, {}, work)


# --- payment files ------------------------------------------------------------------------------


async def _instructions_page(
    request: Me, session: AsyncSession, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Template:
    pending = await refunds.list_refunds(session, sectors=None, status="pending", limit=LIST_LIMIT)
    return page(
        "funds/finance/instructions.html",
        status_code=status_code,
        instructions=await refunds.list_instructions(session),
        pending=len(pending),
        pending_total=sum(refunds.total_fen(r) for r in pending),
        may_act=Role.staff in request.user.roles,
        errors=errors or {},
    )


@get("/instructions", opt=FILE_READERS)
async def instruction_list(request: Me, session: Session) -> Template:
    return await _instructions_page(request, session)


@post("/instructions", opt=STAFF, status_code=303)
async def issue_instruction(
    request: Me, session: Session, clock: NamedDependency[Clock], settings: NamedDependency[Settings]
) -> Any:
    """A payment file with every pending refund (interest fixed now); they become `sent`."""
    try:
        instruction = await refunds.issue_instruction(
            session, actor=request.user.actor, at=clock.now(), zone=settings.zone
        )
    except DomainError as exc:
        await session.rollback()
        return await _instructions_page(
            request, session, errors=form_errors(request, exc), status_code=exc.status
        )
    await session.commit()
    return Redirect(path=f"/portal/funds/instructions#i-{instruction.id}", status_code=303)


@get("/instructions/{instruction_id:uuid}/file", opt=FILE_READERS)
async def instruction_file(session: Session, instruction_id: FromPath[uuid.UUID]) -> Response[str]:
    """The file for the bank, as the API serves it (the API takes no login cookie)."""
    instruction = await refunds.get_instruction(session, instruction_id)
    return Response(
        instruction.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{instruction.number}.csv"'},
    )


# --- bank statements ----------------------------------------------------------------------------


async def _statements_page(
    request: Me,
    session: AsyncSession,
    *,
    errors: dict[str, str] | None = None,
    line_errors: list[dict[str, Any]] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        "funds/finance/statements.html",
        status_code=status_code,
        statements=await reconciliation.list_statements(session),
        categories={k: t(request, *v) for k, v in REPORT_CATEGORIES.items()},
        may_act=Role.staff in request.user.roles,
        errors=errors or {},
        line_errors=line_errors or [],
        form=form or {},
    )


@get("/statements", opt=FILE_READERS)
async def statement_list(request: Me, session: Session) -> Template:
    return await _statements_page(request, session)


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(UPLOAD_CHUNK):
        yield chunk


def _statement_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            "statement.date_invalid",
            "请填写对账单日期（年-月-日）",
            "Give the statement's date (year-month-day)",
            status=400,
            details={"field": "statement_date"},
        ) from None


@post(
    "/statements",
    opt=STAFF,
    status_code=303,
    # The API's limit on the file, and room for the form around it.
    request_max_body_size=reconciliation.MAX_STATEMENT_BYTES + 64 * 1024,
)
async def import_statement(
    request: Me, session: Session, clock: NamedDependency[Clock], settings: NamedDependency[Settings]
) -> Any:
    """The bank's daily statement as a file field; the report opens once it is reconciled. The
    same file again opens the first import's report."""
    submitted = await request.form()
    form = {"statement_date": str(submitted.get("statement_date") or "").strip()}
    upload = submitted.get("file")
    try:
        statement_date = _statement_date(form["statement_date"])
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise DomainError(
                "statement.file_missing",
                "请选择银行对账单文件（CSV）",
                "Choose the bank's statement file (CSV)",
                status=400,
                details={"field": "file"},
            )
        statement, created = await reconciliation.import_statement(
            session,
            statement_date=statement_date,
            chunks=_chunks(upload),
            store=BlobStore(settings.data_dir / "blobs"),
            actor=request.user.actor,
            at=clock.now(),
            zone=settings.zone,
        )
    except DomainError as exc:
        await session.rollback()
        errors = form_errors(request, exc)
        if FORM_WIDE in errors and exc.code.startswith(("statement.", "upload.")):
            errors = {"file": errors[FORM_WIDE]}  # the file's content or size was refused
        return await _statements_page(
            request,
            session,
            errors=errors,
            line_errors=list((exc.details or {}).get("errors", [])),
            form=form,
            status_code=exc.status,
        )
    await session.commit()
    again = "" if created else "?already=1"
    return Redirect(path=f"/portal/funds/statements/{statement.id}{again}", status_code=303)


@get("/statements/{statement_id:uuid}", opt=FILE_READERS)
async def statement_report(
    request: Me, session: Session, statement_id: FromPath[uuid.UUID], already: FromQuery[bool] = False
) -> Template:
    statement: BankStatement = await reconciliation.get_statement(session, statement_id)
    return page(
        "funds/finance/statement.html",
        statement=statement,
        already=already,
        categories={k: t(request, *v) for k, v in REPORT_CATEGORIES.items()},
    )


def pages() -> list[Any]:
    return [
        Router(
            path="/portal/funds",
            route_handlers=[
                refund_list,
                confirm_refund,
                fail_refund,
                retry_refund,
                instruction_list,
                issue_instruction,
                instruction_file,
                statement_list,
                import_statement,
                statement_report,
            ],
            include_in_schema=False,
        )
    ]
