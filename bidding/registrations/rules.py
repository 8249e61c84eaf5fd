"""The rules of registration, as data and pure functions: the status machine, when a section
takes registrations and withdrawals, which files count as qualification documents.

Times come from the caller (the Clock); nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from typing import IO
from zoneinfo import ZoneInfo

from trading.clock import local_time
from trading.errors import Conflict, DomainError
from trading.organisations.models import Organisation
from trading.projects.rules import STATUS_ZH, Status
from trading.rules.checks import RuleViolation
from trading.sectors import Sector


class RegistrationStatus(StrEnum):
    submitted = "submitted"  # 已报名，待审核
    accepted = "accepted"  # 资格审查通过
    rejected = "rejected"  # 资格审查未通过
    withdrawn = "withdrawn"  # 已撤回


STATUS_ZH_OF = {
    RegistrationStatus.submitted: "待审核",
    RegistrationStatus.accepted: "审核通过",
    RegistrationStatus.rejected: "审核未通过",
    RegistrationStatus.withdrawn: "已撤回",
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[RegistrationStatus]
    target: RegistrationStatus
    zh: str


# The status machine. A rejected or withdrawn registration is closed for good; the bidder may file
# a new one while registration is still open (models.LIVE_STATUSES hold the one place per bidder).
TRANSITIONS: tuple[Transition, ...] = (
    Transition("accept", frozenset({RegistrationStatus.submitted}), RegistrationStatus.accepted, "审核通过"),
    Transition(
        "reject", frozenset({RegistrationStatus.submitted}), RegistrationStatus.rejected, "审核不通过"
    ),
    Transition(
        "withdraw",
        frozenset({RegistrationStatus.submitted, RegistrationStatus.accepted}),
        RegistrationStatus.withdrawn,
        "撤回报名",
    ),
)


def move(status: str, action: str) -> RegistrationStatus:
    """The status `action` leads to from `status`, or a 409 naming what is allowed."""
    current = RegistrationStatus(status)
    for transition in TRANSITIONS:
        if transition.action == action and current in transition.sources:
            return transition.target
    allowed = sorted(t.action for t in TRANSITIONS if current in t.sources)
    zh_action = next(t.zh for t in TRANSITIONS if t.action == action)
    raise Conflict(
        "registration.transition_refused",
        f"报名当前状态为“{STATUS_ZH_OF[current]}”，不能{zh_action}",
        f"a registration that is {current} cannot be moved by '{action}'",
        details={"status": current, "action": action, "allowed": allowed},
    )


# The section statuses that come after the bid deadline (the clock or the opening moved it there).
AFTER_DEADLINE = frozenset(
    {
        Status.bidding_closed,
        Status.opened,
        Status.evaluated,
        Status.candidates_published,
        Status.awarded,
        Status.contracted,
    }
)


def check_registration_window(
    status: Status,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
    registration_start: dt.datetime | None,
    registration_end: dt.datetime | None,
    bid_deadline: dt.datetime | None,
) -> None:
    """A section takes registrations while it is open for registration (derived from the clock),
    and not after its own registration end when its documents set one."""
    if status in (Status.draft, Status.announced):
        opens_zh = f"，报名开始时间为{_local(registration_start, zone)}" if registration_start else ""
        opens_en = f"; it opens at {_local(registration_start, zone)}" if registration_start else ""
        raise Conflict(
            "registration.not_open",
            f"该标段尚未开始报名{opens_zh}",
            f"registration for this section has not opened yet{opens_en}",
            details={"section_status": status, "registration_start": _iso(registration_start)},
        )
    if status in AFTER_DEADLINE:
        raise Conflict(
            "registration.closed",
            f"投标截止时间（{_local(bid_deadline, zone)}）已过，不再接受报名",
            f"the bid deadline ({_local(bid_deadline, zone)}) has passed: registrations are refused",
            rule="E-03",
            details={"section_status": status, "bid_deadline": _iso(bid_deadline)},
        )
    if status != Status.registration_open:
        raise _section_ended(status, "报名", "register")
    if registration_end is not None and now >= registration_end:
        raise Conflict(
            "registration.closed",
            f"报名已于{_local(registration_end, zone)}截止",
            f"registration closed at {_local(registration_end, zone)}",
            details={"section_status": status, "registration_end": _iso(registration_end)},
        )


# What may still happen to a registration once the section is open: (zh, en, code, rule) of the
# refusal after the bid deadline. Before the deadline a bidder may change or withdraw (E-03); after
# it the registrants are what the opening counts, so nothing changes (a late withdrawal would put
# the deposit at risk, C-07, and is refused rather than recorded).
_UNTIL_DEADLINE = {
    "withdraw": ("撤回报名", "withdraw the registration", "registration.deadline_passed", "E-03"),
    "upload": ("上传资格文件", "upload documents", "registration.deadline_passed", "E-03"),
    "review": ("审核报名", "review registrations", "registration.review_closed", None),
}


def check_before_deadline(
    status: Status, action: str, *, zone: ZoneInfo, bid_deadline: dt.datetime | None
) -> None:
    """Withdrawing, uploading and reviewing happen while the section is open, before its deadline."""
    if status == Status.registration_open:
        return
    zh, en, code, rule = _UNTIL_DEADLINE[action]
    if status in AFTER_DEADLINE:
        raise Conflict(
            code,
            f"投标截止时间（{_local(bid_deadline, zone)}）已过，不能{zh}",
            f"the bid deadline ({_iso(bid_deadline)}) has passed: too late to {en}",
            rule=rule,
            details={"section_status": status, "bid_deadline": _iso(bid_deadline)},
        )
    if status in (Status.failed, Status.cancelled):
        raise _section_ended(status, zh, en)
    raise Conflict(
        "registration.not_open",
        "该标段尚未开始报名",
        "registration for this section has not opened yet",
        details={"section_status": status},
    )


def _section_ended(status: Status, zh: str, en: str) -> Conflict:
    """The section failed or was cancelled: nothing more happens to its registrations (funds
    refunds the deposits on the section's own event)."""
    return Conflict(
        "registration.section_ended",
        f"标段状态为“{STATUS_ZH[status]}”，不能{zh}",
        f"the section is {status}: too late to {en}",
        details={"section_status": status},
    )


def _same_person(a: str, b: str) -> bool:
    """Names as typed by different clerks: spaces (half- or full-width) and case do not matter."""
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def related_units(newcomer: Organisation, other: Organisation) -> str | None:
    """How two bidders are related under C-18, or None: "same_legal_representative", "controls"
    (the newcomer controls or manages the other) or "controlled_by" (the other way round). Only
    units are bound; a natural person has no legal representative to share."""
    if "natural_person" in (newcomer.kind, other.kind):
        return None
    if _same_person(newcomer.legal_representative, other.legal_representative):
        return "same_legal_representative"
    if other.controlled_by_id == newcomer.id:
        return "controls"
    if newcomer.controlled_by_id == other.id:
        return "controlled_by"
    return None


# The unit already registered, as the newcomer is told of it (without its name).
RELATION_TEXT = {
    "same_legal_representative": (
        "与本单位单位负责人为同一人的单位",
        "a unit with your legal representative",
    ),
    "controls": ("本单位控股或管理的单位", "a unit your organisation controls or manages"),
    "controlled_by": ("控股或管理本单位的单位", "a unit that controls or manages your organisation"),
}


def check_no_related_registrant(sector: str, newcomer: Organisation, registered: list[Organisation]) -> None:
    """C-18, TLR art. 34 ¶2: "单位负责人为同一人或者存在控股、管理关系的不同单位，不得参加同一标段投标
    或者未划分标段的同一招标项目投标。" A second registration for one construction section by a unit
    related so to a unit already registered (submitted or accepted) is refused. The refusal does not
    name the other unit: the registrants stay confidential before the opening (TL art. 22).
    Code `registration.related_bidder`."""
    if sector != Sector.construction:
        return
    for other in registered:
        relation = related_units(newcomer, other) if other.id != newcomer.id else None
        if relation is None:
            continue
        zh, en = RELATION_TEXT[relation]
        raise RuleViolation(
            "registration.related_bidder",
            f"{zh}已报名该标段：单位负责人为同一人或者存在控股、管理关系的不同单位，"
            "不得参加同一标段投标（《招标投标法实施条例》第三十四条第二款）",
            f"{en} has already registered for this section: units with the same legal representative, "
            "or that control or manage one another, may not bid on the same section (TLR art. 34 ¶2)",
            rule="C-18",
            details={"relation": relation},
        )


# Who may see the list of registrants. TL art. 22: the tenderee must not disclose the names or the
# number of potential bidders; before the opening only the center and the oversight see them.
REGISTRANTS_DISCLOSED = frozenset(
    {Status.opened, Status.evaluated, Status.candidates_published, Status.awarded, Status.contracted}
)


# Qualification documents: type, size and number limits.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_DOCUMENTS = 20
# The multipart envelope (boundary, part headers, the `kind` field) around one file of the limit.
MULTIPART_OVERHEAD = 64 * 1024


class DocumentKind(StrEnum):
    business_licence = "business_licence"  # 营业执照
    qualification_certificate = "qualification_certificate"  # 资质证书
    safety_licence = "safety_licence"  # 安全生产许可证
    financial_statement = "financial_statement"  # 财务报表
    other = "other"  # 其他


DOCUMENT_KIND_ZH = {
    DocumentKind.business_licence: "营业执照",
    DocumentKind.qualification_certificate: "资质证书",
    DocumentKind.safety_licence: "安全生产许可证",
    DocumentKind.financial_statement: "财务报表",
    DocumentKind.other: "其他",
}

PDF, JPEG, PNG, OFD = "application/pdf", "image/jpeg", "image/png", "application/ofd"
EXTENSION = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", OFD: ".ofd"}
SNIFF_BYTES = 8


def sniff_media_type(head: bytes) -> str | None:
    """The media type the first bytes announce, among the accepted ones; None otherwise.
    OFD (GB/T 33190) is a ZIP package: `ofd_package` confirms it has an OFD.xml at its root."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return OFD
    return None


def ofd_package(file: IO[bytes]) -> bool:
    """True when the ZIP package holds the OFD entry file (only the directory is read)."""
    try:
        with zipfile.ZipFile(file) as package:
            return any(name.lower() == "ofd.xml" for name in package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def refuse_file_type(file_name: str | None) -> DomainError:
    shown = "".join(c for c in (file_name or "") if c.isprintable())[:100]
    return DomainError(
        "document.type_not_allowed",
        f"文件“{shown}”不是PDF、JPEG、PNG或OFD格式（按文件内容识别），请转换后重新上传",
        f"'{shown}' is not a PDF, JPEG, PNG or OFD file (judged by its content); convert it and upload again",
        status=415,
        details={"allowed": [PDF, JPEG, PNG, OFD]},
    )


def too_large() -> DomainError:
    limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
    return DomainError(
        "document.too_large",
        f"资格文件超过{limit}MB上限，请压缩或拆分后重新上传",
        f"the qualification document is larger than the {limit} MB limit; compress or split it and "
        "upload again",
        status=413,
        details={"max_bytes": MAX_DOCUMENT_BYTES},
    )


def clean_file_name(name: str | None, media_type: str) -> str:
    """The name to keep and to offer on download: no directories, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?').strip().strip(".")
    if not base:
        base = "document" + EXTENSION[media_type]
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base


def _iso(instant: dt.datetime | None) -> str | None:
    return instant.isoformat() if instant else None


def _local(instant: dt.datetime | None, zone: ZoneInfo) -> str:
    """The center's wall-clock time, for the messages people read."""
    return local_time(instant, zone) if instant else ""
