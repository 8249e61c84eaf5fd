"""Projects and sections in the staff console (/portal/staff/projects): the list, a new project with
its first section, a draft section's schedule. While the form is filled, htmx posts it to a check
route that runs the same checks registration and the schedule's API apply
(`projects.service.check_section_fields`, `section_rule_violations`) and shows every rule broken
beside its field, with its RULES.md id; nothing is saved until the form is sent."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import DomainError
from trading.organisations.service import list_organisations
from trading.portal.labels import sector_label
from trading.portal.web import FORM_WIDE, page, portal_guard, t
from trading.projects import service
from trading.projects.models import Project, Section
from trading.projects.rules import STATUS_ZH, Status
from trading.projects.schemas import ProjectIn, Schedule, SectionIn
from trading.rules.checks import RuleViolation
from trading.sectors import PROCEDURE_ZH, Procedure, Sector
from trading.settings import Settings

Me = Request[Identity, Any, Any]
Session = NamedDependency[AsyncSession]
STAFF = portal_guard(Role.staff)
READERS = portal_guard(Role.staff, Role.admin)

PROJECT_FIELDS = ("name", "sector", "region", "description", "principal_id", "agency_id")
AMOUNT_FIELDS = ("budget", "starting_price", "reserve_price", "appraised_value", "deposit")
SCHEDULE_FIELDS = tuple(Schedule.model_fields)
SECTION_FIELDS = (
    "section_name",
    "procedure",
    "contract_kind",
    *AMOUNT_FIELDS,
    "below_appraisal_consent",
    "bid_validity_days",
    *SCHEDULE_FIELDS,
)
# Where a rule's refusal is shown: beside the field whose value breaks it (the later date of a period).
RULE_FIELD = {
    "C-01": "procedure",
    "C-02": "bid_deadline",
    "P-01": "bid_deadline",
    "P-10": "bid_deadline",
    "P-11": "bid_deadline",
    "P-12": "bid_deadline",
    "C-03": "documents_sale_end",
    "P-02": "documents_sale_end",
    "C-06": "deposit",
    "P-04": "deposit",
    "L-01": "sale_start",
    "L-02": "listing_end",
    "R-01": "listing_end",
    "R-05": "listing_end",
    "R-02": "starting_price",
}
# The service's own names for what a form calls otherwise.
RENAME = {"section.name": "section_name", "sections.0.name": "section_name"}

Findings = dict[str, list[dict[str, str]]]


def procedure_label(request: Me, code: str) -> str:
    try:
        return t(request, PROCEDURE_ZH[Procedure(code)], code.replace("_", " "))
    except ValueError:
        return code


def _local(value: str, zone: ZoneInfo) -> dt.datetime:
    """A `datetime-local` field is the center's wall clock."""
    return dt.datetime.fromisoformat(value).replace(tzinfo=zone)


def _note(findings: Findings, field: str, request: Me, zh: str, en: str, rule: str = "") -> None:
    findings.setdefault(field, []).append({"rule": rule, "text": t(request, zh, en)})


def _payload(
    form: Mapping[str, str], fields: tuple[str, ...], zone: ZoneInfo, request: Me
) -> tuple[dict[str, Any], Findings]:
    """The form as the API's JSON body: blank is absent, dates on the center's clock, yuan as text."""
    body: dict[str, Any] = {}
    findings: Findings = {}
    for name in fields:
        value = (form.get(name) or "").strip()
        if name == "below_appraisal_consent":
            body[name] = value in ("on", "true", "1")
        elif not value:
            continue
        elif name in SCHEDULE_FIELDS:
            try:
                body[name] = _local(value, zone)
            except ValueError:
                _note(findings, name, request, "日期时间格式有误", "Not a date and time")
        else:
            body["name" if name == "section_name" else name] = value
    return body, findings


def _validation(
    findings: Findings, exc: ValidationError, request: Me, *, filled: Mapping[str, str] | None
) -> None:
    """Pydantic's refusals beside their fields; while the form is being filled (`filled` given),
    a field not reached yet is not an error."""
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        name = RENAME.get(".".join(loc), loc[-1] if loc else FORM_WIDE)
        if filled is not None and not (filled.get(name) or "").strip():
            continue
        message = error["msg"].removeprefix("Value error, ")
        _note(findings, name, request, "填写有误：" + message, "Invalid: " + message)


def _refusal(findings: Findings, exc: DomainError, request: Me, section: Section | None = None) -> None:
    rule = exc.rule or ""
    if exc.code == "section.fields_missing":
        for name in exc.details.get("missing", []):
            _note(
                findings, name, request, "该行业或交易方式须填写此项", "Required for this sector or procedure"
            )
        return
    field = RULE_FIELD.get(rule) or str(exc.details.get("field", "")) or ""
    if exc.code.startswith("section.procedure") or exc.code.startswith("procedure."):
        field = "procedure"
    if rule == "L-01" and section is not None and section.sale_start is None:
        field = "listing_start"
    if exc.code.startswith("project.principal"):
        field = "principal_id"
    if exc.code.startswith("project.agency"):
        field = "agency_id"
    _note(findings, field or FORM_WIDE, request, exc.zh, exc.en, rule)


async def _rules(
    session: AsyncSession, sector: Sector, data: SectionIn, zone: ZoneInfo, request: Me, findings: Findings
) -> None:
    """Every rule of the sector and procedure the section breaks, each beside its field."""
    try:
        service.check_section_fields(sector, data)
        section = service.draft_section(data)
        found, schedule = await service.section_rule_violations(
            session, sector, section, zone=zone, announced_at=None
        )
    except DomainError as exc:
        _refusal(findings, exc, request)
        return
    violation: RuleViolation
    for violation in [*found, *schedule]:
        _refusal(findings, violation, request, section)


async def _check_project(
    session: AsyncSession, form: Mapping[str, str], zone: ZoneInfo, request: Me, *, filling: bool
) -> tuple[ProjectIn | None, Findings]:
    project, findings = _payload(form, PROJECT_FIELDS, zone, request)
    section, more = _payload(form, SECTION_FIELDS, zone, request)
    findings.update(more)
    if filling:
        section.setdefault("name", "待定标段")  # not typed yet: the rules can still be checked
    data = None
    try:
        data = ProjectIn.model_validate({**project, "sections": [section]})
    except ValidationError as exc:
        _validation(findings, exc, request, filled=form if filling else None)
        try:
            sector, section_in = Sector(form.get("sector", "")), SectionIn.model_validate(section)
        except (ValueError, ValidationError):
            return None, findings
        await _rules(session, sector, section_in, zone, request, findings)
        return None, findings
    await _rules(session, data.sector, data.sections[0], zone, request, findings)
    return data, findings


async def _form_page(
    request: Me,
    session: AsyncSession,
    template: str,
    *,
    form: Mapping[str, str] | None = None,
    findings: Findings | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    principals = await list_organisations(session, q=None, capacity="principal", limit=200, offset=0)
    agencies = await list_organisations(session, q=None, capacity="agency", limit=200, offset=0)
    return page(
        template,
        status_code=status_code,
        form=form or {},
        findings=findings or {},
        principals=[(str(o.id), o.name) for o in principals],
        agencies=[(str(o.id), o.name) for o in agencies],
        sectors=[(s.value, sector_label(request, s.value)) for s in Sector],
        procedures=[(p.value, procedure_label(request, p.value)) for p in Procedure],
        **context,
    )


@get("/projects", opt=READERS)
async def project_list(request: Me, session: Session, q: FromQuery[str | None] = None) -> Template:
    projects = await service.list_projects(
        session, request.user, sector=None, q=q or None, limit=100, offset=0
    )
    return page(
        "portal/staff/projects.html",
        projects=projects,
        q=q or "",
        sector_label=lambda code: sector_label(request, code),
        may_act=Role.staff in request.user.roles,
    )


@get("/projects/new", opt=STAFF)
async def new_project(request: Me, session: Session) -> Template:
    return await _form_page(request, session, "portal/staff/project_new.html", form={"deposit": "0.00"})


def _check_fragment(findings: Findings, fields: tuple[str, ...]) -> Template:
    return page("portal/staff/_checks.html", findings=findings, fields=fields)


@post("/projects/check", opt=STAFF, status_code=200)
async def check_project(
    request: Me, session: Session, settings: NamedDependency[Settings], data: URLEncodedBody[dict[str, str]]
) -> Template:
    """The htmx check as the form is filled: every rule broken, beside its field; nothing saved."""
    _, findings = await _check_project(session, data, settings.zone, request, filling=True)
    await session.rollback()
    return _check_fragment(findings, (*PROJECT_FIELDS, *SECTION_FIELDS))


@post("/projects", opt=STAFF, status_code=303)
async def create_project(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    project_in, findings = await _check_project(session, data, settings.zone, request, filling=False)
    if project_in is not None and not findings:
        try:
            project = await service.register_project(
                session, project_in, actor=request.user, at=clock.now(), zone=settings.zone
            )
        except DomainError as exc:
            _refusal(findings, exc, request)
        else:
            await session.commit()
            return Redirect(path=f"/portal/staff/projects/{project.id}", status_code=303)
    await session.rollback()
    return await _form_page(
        request, session, "portal/staff/project_new.html", form=data, findings=findings, status_code=422
    )


@get("/projects/{project_id:uuid}", opt=READERS)
async def project_page(
    request: Me, session: Session, clock: NamedDependency[Clock], project_id: FromPath[uuid.UUID]
) -> Template:
    project = await service.get_project(session, project_id, request.user)
    out = service.project_out(project, clock.now())
    return page(
        "portal/staff/project.html",
        project=out,
        sector=sector_label(request, out.sector),
        procedure_label=lambda code: procedure_label(request, code),
        status_label=lambda code: t(request, STATUS_ZH[Status(code)], code.replace("_", " ")),
        may_act=Role.staff in request.user.roles,
    )


async def _section(session: AsyncSession, section_id: uuid.UUID, viewer: Identity) -> tuple[Section, Project]:
    section = await service.get_section(session, section_id)
    project = await service.get_project(session, section.project_id, viewer)
    return section, project


def _schedule_form(section: Section, zone: ZoneInfo) -> dict[str, str]:
    return {
        name: value.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if (value := getattr(section, name)) else ""
        for name in SCHEDULE_FIELDS
    }


async def _check_schedule(
    session: AsyncSession,
    section: Section,
    project: Project,
    form: Mapping[str, str],
    zone: ZoneInfo,
    request: Me,
) -> tuple[Schedule | None, Findings]:
    body, findings = _payload(form, SCHEDULE_FIELDS, zone, request)
    try:
        schedule = Schedule.model_validate(body)
    except ValidationError as exc:
        _validation(findings, exc, request, filled=None)
        return None, findings
    # The section as it would be with these dates, never added to the session.
    columns = {c.key: getattr(section, c.key) for c in Section.__table__.columns}
    draft = Section(**{**columns, **schedule.model_dump()})
    found, violations = await service.section_rule_violations(
        session, Sector(project.sector), draft, zone=zone, announced_at=None
    )
    for violation in [*found, *violations]:
        _refusal(findings, violation, request, draft)
    return schedule, findings


async def _schedule_page(
    request: Me,
    section: Section,
    project: Project,
    form: Mapping[str, str],
    *,
    findings: Findings | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        "portal/staff/schedule.html",
        status_code=status_code,
        section=section,
        project=project,
        form=form,
        findings=findings or {},
        fields=SCHEDULE_FIELDS,
        procedure=procedure_label(request, section.procedure),
    )


@get("/sections/{section_id:uuid}/schedule", opt=STAFF)
async def schedule_form(
    request: Me, session: Session, settings: NamedDependency[Settings], section_id: FromPath[uuid.UUID]
) -> Template:
    section, project = await _section(session, section_id, request.user)
    return await _schedule_page(request, section, project, _schedule_form(section, settings.zone))


@post("/sections/{section_id:uuid}/schedule/check", opt=STAFF, status_code=200)
async def check_schedule(
    request: Me,
    session: Session,
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    section, project = await _section(session, section_id, request.user)
    _, findings = await _check_schedule(session, section, project, data, settings.zone, request)
    await session.rollback()
    return _check_fragment(findings, SCHEDULE_FIELDS)


@post("/sections/{section_id:uuid}/schedule", opt=STAFF, status_code=303)
async def save_schedule(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    section, project = await _section(session, section_id, request.user)
    schedule, findings = await _check_schedule(session, section, project, data, settings.zone, request)
    if schedule is not None and not findings:
        try:
            await service.update_schedule(
                session, section, schedule, actor=request.user.actor, at=clock.now(), zone=settings.zone
            )
        except DomainError as exc:
            _refusal(findings, exc, request, section)
        else:
            await session.commit()
            return Redirect(path=f"/portal/staff/projects/{project.id}", status_code=303)
    await session.rollback()
    section, project = await _section(session, section_id, request.user)
    return await _schedule_page(request, section, project, data, findings=findings, status_code=422)


def router() -> Router:
    return Router(
        path="/portal/staff",
        route_handlers=[
            project_list,
            new_project,
            check_project,
            create_project,
            project_page,
            schedule_form,
            check_schedule,
            save_schedule,
        ],
        include_in_schema=False,
    )
