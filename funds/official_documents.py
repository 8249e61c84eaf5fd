"""The escrow's official documents, registered with the core's registry at wiring time
(`funds.document_kinds()`): the deposit receipt (保证金收款凭证), the refund notice (保证金退还通知书)
and a supervisor's ledger statement (保证金账务对账单) for a section or a month.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from typing import Any

from funds.access import require_own_or_sector, visible_sectors
from funds.audit_views.service import movements
from funds.bankfeed.models import BankCredit
from funds.refunds.models import Refund
from funds.refunds.service import total_fen
from trading.auth.identity import Role
from trading.documents.registry import DocumentKind, Loaded, LoadRequest, subject_uuid
from trading.errors import DomainError, NotFound
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section
from trading.sectors import SECTOR_ZH, Sector

TEMPLATES = Path(__file__).parent / "document_templates"
OVERSIGHT = frozenset({Role.staff, Role.admin, Role.auditor, Role.supervisor})
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(?:/([a-z]+))?$")


async def _section(request: LoadRequest, section_id: uuid.UUID | None) -> dict[str, Any]:
    section = await request.session.get(Section, section_id) if section_id else None
    if section is None:
        return {"code": "—", "name": "—", "project": "—"}
    project = await request.session.get(Project, section.project_id)
    assert project is not None
    return {"code": section.code, "name": section.name, "project": project.name}


async def load_deposit_receipt(request: LoadRequest) -> Loaded:
    credit = await request.session.get(BankCredit, subject_uuid(request, "收款", "bank credit"))
    if credit is None or credit.disposition != "deposit" or credit.organisation_id is None:
        raise NotFound(
            "document.subject_not_found", f"保证金收款不存在：{request.subject}", "no such deposit"
        )
    require_own_or_sector(
        request.viewer,
        organisation_id=credit.organisation_id,
        sector=credit.sector,
        kind="deposit",
        zh_kind="保证金",
        key=request.subject,
    )
    bidder = await request.session.get(Organisation, credit.organisation_id)
    section = await _section(request, credit.section_id)
    return Loaded(
        title=f"{section['code']} 投标保证金收款凭证",
        sector=credit.sector,
        organisation_id=credit.organisation_id,
        data={
            "bidder": bidder.name if bidder else "—",
            "section": section,
            "amount_fen": credit.amount_fen,
            "payer": {"name": credit.payer_name, "account": credit.payer_account, "bank": credit.payer_bank},
            "virtual_account": credit.virtual_account_number,
            "bank_txn_id": credit.bank_txn_id,
            "value_at": credit.value_at,
            "received_at": credit.received_at,
            "reversed_at": credit.reversed_at,
        },
    )


async def load_refund_notice(request: LoadRequest) -> Loaded:
    refund = await request.session.get(Refund, subject_uuid(request, "退还", "refund"))
    if refund is None or refund.organisation_id is None:
        raise NotFound("document.subject_not_found", f"保证金退还不存在：{request.subject}", "no such refund")
    require_own_or_sector(
        request.viewer,
        organisation_id=refund.organisation_id,
        sector=refund.sector,
        kind="refund",
        zh_kind="退还",
        key=request.subject,
    )
    bidder = await request.session.get(Organisation, refund.organisation_id)
    section = await _section(request, refund.section_id)
    return Loaded(
        title=f"{section['code']} 保证金退还通知书",
        sector=refund.sector,
        organisation_id=refund.organisation_id,
        data={
            "bidder": bidder.name if bidder else "—",
            "section": section,
            "principal_fen": refund.principal_fen,
            "interest_fen": refund.interest_fen,
            "late_charge_fen": refund.late_charge_fen,
            "total_fen": total_fen(refund),
            "payee": {"name": refund.payee_name, "account": refund.payee_account, "bank": refund.payee_bank},
            "trigger": refund.trigger,
            "rule": refund.rule,
            "fell_due_at": refund.fell_due_at,
            "due_on": refund.due_on,
            "status": refund.status,
            "paid_on": refund.paid_on,
        },
    )


def _statement_scope(
    request: LoadRequest,
) -> tuple[uuid.UUID | None, tuple[dt.datetime, dt.datetime] | None, str | None]:
    """A section id, or a month (2026-03, optionally /sector): (section, month bounds, sector)."""
    month = MONTH.match(request.subject)
    if month is None:
        return subject_uuid(request, "标段", "section"), None, None
    year, number, sector = int(month[1]), int(month[2]), month[3]
    start = dt.datetime(year, number, 1, tzinfo=request.zone)
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=request.zone)
    if sector is not None and sector not in {s.value for s in Sector}:
        raise DomainError(
            "document.bad_subject", f"未知的交易类别：{sector}", f"unknown sector {sector}", status=422
        )
    return None, (start, end), sector


async def load_ledger_statement(request: LoadRequest) -> Loaded:
    section_id, month, sector = _statement_scope(request)
    seen = visible_sectors(request.viewer)
    if section_id is not None:
        section = await request.session.get(Section, section_id)
        project = await request.session.get(Project, section.project_id) if section else None
        if section is None or project is None or (seen is not None and project.sector not in seen):
            raise NotFound("document.subject_not_found", f"标段不存在：{request.subject}", "no such section")
        sector, heading = project.sector, f"{section.code} {section.name}"
    else:
        if seen is not None and (sector is None or sector not in seen):
            raise DomainError(
                "document.sector_required",
                "请指明您监管的交易类别，如 2026-03/construction",
                "name a sector you supervise, e.g. 2026-03/construction",
                status=422,
            )
        heading = request.subject.split("/")[0]
    scope = frozenset({sector}) if sector else seen
    rows = await movements(request.session, section_id=section_id, sectors=scope)
    if month is not None:
        rows = [m for m in rows if month[0] <= m.posted_at < month[1]]
    sector_name = SECTOR_ZH[Sector(sector)] if sector else "全部类别"
    return Loaded(
        title=f"保证金账务对账单 {heading}（{sector_name}）",
        sector=sector,
        data={
            "scope": heading,
            "sector": sector_name,
            "movements": [
                {
                    "seq": m.seq,
                    "posted_at": m.posted_at,
                    "code": m.code,
                    "memo": m.memo,
                    "account": f"{m.account_code} {m.account_name}",
                    "debit_fen": m.debit_fen,
                    "credit_fen": m.credit_fen,
                    "balance_fen": m.balance_after_fen,
                }
                for m in rows
            ],
            "total_debit_fen": sum(m.debit_fen for m in rows),
            "total_credit_fen": sum(m.credit_fen for m in rows),
        },
    )


def document_kinds() -> list[DocumentKind]:
    return [
        DocumentKind(
            name="funds.deposit_receipt",
            zh="投标保证金收款凭证",
            en="deposit receipt",
            template_dir=TEMPLATES,
            template="deposit_receipt.html",
            load=load_deposit_receipt,
            issuers=frozenset({Role.staff, Role.bidder}),
            readers=OVERSIGHT | {Role.bidder},
            subject_help="bank credit id",
        ),
        DocumentKind(
            name="funds.refund_notice",
            zh="保证金退还通知书",
            en="deposit refund notice",
            template_dir=TEMPLATES,
            template="refund_notice.html",
            load=load_refund_notice,
            issuers=frozenset({Role.staff, Role.bidder}),
            readers=OVERSIGHT | {Role.bidder},
            subject_help="refund id",
        ),
        DocumentKind(
            name="funds.ledger_statement",
            zh="保证金账务对账单",
            en="deposit ledger statement",
            template_dir=TEMPLATES,
            template="ledger_statement.html",
            load=load_ledger_statement,
            issuers=OVERSIGHT,
            readers=OVERSIGHT,
            subject_help="section id, or a month 2026-03 (a bureau adds its sector: 2026-03/construction)",
        ),
    ]
