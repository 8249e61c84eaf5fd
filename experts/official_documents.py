"""The evaluation's official documents, registered with the core's registry at wiring time
(`experts.document_kinds()`): the evaluation report (评标报告), the candidates' publicity
(中标候选人公示), the award notice to the winner (中标通知书) and the result notice to each other
bidder (中标结果通知书).

Each renders what the evaluation already holds: the report every member signed (its data is frozen
with its SHA-256 at the last signature), the committee, the rejected bids with their reasons, the
ranking, and the principal's award. The committee's names stay sealed until the award (E-06): a
report issued before it names the seats by position and specialty only.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from experts.awards.models import Award
from experts.committees.models import Member
from experts.evaluations.models import BidReview, Evaluation
from experts.pool.models import Expert
from trading.auth.identity import Role
from trading.documents.registry import DocumentKind, Loaded, LoadRequest, subject_uuid
from trading.errors import Conflict, DomainError, NotFound
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section

TEMPLATES = Path(__file__).parent / "document_templates"
OVERSIGHT = frozenset({Role.staff, Role.admin, Role.auditor, Role.supervisor})
EVERYONE = frozenset(Role)


def _hidden(zh: str, en: str, subject: str) -> NotFound:
    return NotFound("document.subject_not_found", f"{zh}不存在：{subject}", f"no {en} {subject}")


async def _signed_evaluation(
    request: LoadRequest, section_id: uuid.UUID
) -> tuple[Evaluation, Section, Project]:
    evaluation = await request.session.scalar(select(Evaluation).where(Evaluation.section_id == section_id))
    if evaluation is None or evaluation.status != "signed" or evaluation.report is None:
        raise Conflict(
            "document.no_evaluation_report",
            "该标段的评标报告尚未经评标委员会全体成员签字",
            "the section's evaluation report is not signed by the whole committee yet",
        )
    section = await request.session.get(Section, section_id)
    assert section is not None
    project = await request.session.get(Project, section.project_id)
    assert project is not None
    return evaluation, section, project


def _sees_section(request: LoadRequest, project: Project) -> bool:
    viewer = request.viewer
    if viewer.has(Role.supervisor) and not viewer.has(Role.staff, Role.admin, Role.auditor):
        return viewer.supervises(project.sector)
    if viewer.has(Role.principal, Role.agency) and not viewer.has(*OVERSIGHT):
        return viewer.organisation_id in (project.principal_id, project.agency_id)
    return True


async def _award(request: LoadRequest, section_id: uuid.UUID) -> Award | None:
    return await request.session.scalar(select(Award).where(Award.section_id == section_id))


async def _committee(request: LoadRequest, evaluation: Evaluation, unsealed: bool) -> list[dict[str, Any]]:
    """The sitting members who signed, in seat order; names only once the award unsealed them."""
    rows = (
        await request.session.execute(
            select(Member, Expert)
            .join(Expert, Expert.id == Member.expert_id)
            .where(Member.committee_id == evaluation.committee_id)
            .order_by(Member.position)
        )
    ).all()
    signatures = evaluation.report["signatures"] if evaluation.report else {}
    return [
        {
            "position": member.position,
            "name": expert.name if unsealed else None,
            "specialty": member.specialty,
            "chair": member.chair,
            "signed_at": signatures[str(member.id)]["at"],
            "dissent": signatures[str(member.id)]["dissent"],
        }
        for member, expert in rows
        if str(member.id) in signatures
    ]


def _project(project: Project, section: Section) -> dict[str, Any]:
    return {
        "project": {"code": project.code, "name": project.name},
        "section": {"code": section.code, "name": section.name},
    }


async def _name(request: LoadRequest, organisation_id: uuid.UUID | None) -> str | None:
    if organisation_id is None:
        return None
    organisation = await request.session.get(Organisation, organisation_id)
    return organisation.name if organisation else None


async def load_report(request: LoadRequest) -> Loaded:
    section_id = subject_uuid(request, "标段", "section")
    evaluation, section, project = await _signed_evaluation(request, section_id)
    if not _sees_section(request, project):
        raise _hidden("评标报告", "evaluation report", request.subject)
    award = await _award(request, section_id)
    report = evaluation.report
    assert report is not None
    return Loaded(
        title=f"{project.name} {section.name} 评标报告",
        sector=project.sector,
        data={
            **_project(project, section),
            "principal": await _name(request, project.principal_id),
            "method": report["method"],
            "criteria": report["criteria"],
            "price_points": report["price_points"],
            "round": report["round"],
            "rejected": report["rejected"],
            "ranking": report["ranking"],
            "candidates": report["candidates"],
            "committee": await _committee(request, evaluation, unsealed=award is not None),
            "signed_at": evaluation.signed_at,
            "report_sha256": evaluation.report_sha256,
        },
    )


async def load_candidates(request: LoadRequest) -> Loaded:
    """The publicity's content from the signed report (TLR art. 54; the Puyang regulation art. 18
    asks for each candidate's scores and the reasons bids were rejected)."""
    section_id = subject_uuid(request, "标段", "section")
    evaluation, section, project = await _signed_evaluation(request, section_id)
    if section.publicity_end is None:
        # Public to every reader once issued: not before the publicity itself is published.
        raise Conflict(
            "document.not_published",
            "中标候选人公示发布后才能出具正式文书",
            "the candidates' publicity becomes an official document once it is published",
        )
    report = evaluation.report
    assert report is not None
    return Loaded(
        title=f"{project.name} {section.name} 中标候选人公示",
        sector=project.sector,
        data={
            **_project(project, section),
            "principal": await _name(request, project.principal_id),
            "candidates": report["candidates"],
            "rejected": report["rejected"],
            "signed_at": evaluation.signed_at,
            "publicity_end": section.publicity_end,
            "report_sha256": evaluation.report_sha256,
        },
    )


async def _decided(request: LoadRequest, section_id: uuid.UUID) -> tuple[Award, Evaluation, Section, Project]:
    award = await _award(request, section_id)
    if award is None:
        raise Conflict(
            "document.no_award", "该标段尚未定标", "the principal has not decided the award of the section"
        )
    evaluation, section, project = await _signed_evaluation(request, section_id)
    return award, evaluation, section, project


def _row_of(evaluation: Evaluation, organisation_id: uuid.UUID) -> dict[str, Any] | None:
    assert evaluation.report is not None
    return next(
        (r for r in evaluation.report["ranking"] if r["organisation_id"] == str(organisation_id)), None
    )


async def load_award_notice(request: LoadRequest) -> Loaded:
    section_id = subject_uuid(request, "标段", "section")
    award, evaluation, section, project = await _decided(request, section_id)
    if not _sees_section(request, project):
        raise _hidden("中标通知书", "award notice", request.subject)
    row = _row_of(evaluation, award.winner_id)
    assert row is not None
    winner = await request.session.get(Organisation, award.winner_id)
    assert winner is not None
    return Loaded(
        title=f"{project.name} {section.name} 中标通知书",
        sector=project.sector,
        organisation_id=award.winner_id,
        copy_to_id=project.principal_id,
        data={
            **_project(project, section),
            "principal": await _name(request, project.principal_id),
            "agency": await _name(request, project.agency_id),
            "winner": {"name": winner.name, "uscc": winner.uscc},
            "price_fen": row["price_fen"],
            "rank": award.rank,
            "decided_at": award.decided_at,
            "contract_due": award.contract_due,
        },
    )


async def _section_and_bidder(request: LoadRequest) -> tuple[uuid.UUID, Organisation | None]:
    """The subject `<section id>/<USCC>`: the bidder by its credit code, which it knows (and which
    keeps the subject within the 64 characters a subject may have)."""
    try:
        section, uscc = request.subject.split("/")
        section_id = uuid.UUID(section)
    except ValueError:
        raise DomainError(
            "document.bad_subject",
            f"应写作“标段编号/投标人统一社会信用代码”：{request.subject}",
            f"write the subject as <section id>/<bidder's USCC>: {request.subject}",
            status=422,
        ) from None
    return section_id, await request.session.scalar(select(Organisation).where(Organisation.uscc == uscc))


async def load_result_notice(request: LoadRequest) -> Loaded:
    """The copy of the result to a bidder that did not win: who won at what price, and where this
    bidder stood (its place, or why its bid was rejected)."""
    section_id, organisation = await _section_and_bidder(request)
    award, evaluation, section, project = await _decided(request, section_id)
    organisation_id = organisation.id if organisation else None
    review = await request.session.scalar(
        select(BidReview).where(
            BidReview.evaluation_id == evaluation.id, BidReview.organisation_id == organisation_id
        )
    )
    if review is None or organisation_id == award.winner_id or not _sees_section(request, project):
        raise _hidden("中标结果通知书", "result notice", request.subject)
    assert organisation is not None
    bidder = organisation.name
    winner_row = _row_of(evaluation, award.winner_id)
    assert winner_row is not None
    return Loaded(
        title=f"{project.name} {section.name} 中标结果通知书（{bidder}）",
        sector=project.sector,
        organisation_id=organisation_id,
        copy_to_id=project.principal_id,
        data={
            **_project(project, section),
            "principal": await _name(request, project.principal_id),
            "bidder": bidder,
            "winner": await _name(request, award.winner_id),
            "price_fen": winner_row["price_fen"],
            "decided_at": award.decided_at,
            "own": _row_of(evaluation, organisation_id),
            "reasons": review.reasons if not review.valid else [],
        },
    )


def document_kinds() -> list[DocumentKind]:
    def kind(name: str, zh: str, en: str, template: str, load: Any, **more: Any) -> DocumentKind:
        return DocumentKind(
            name=name, zh=zh, en=en, template_dir=TEMPLATES, template=template, load=load, **more
        )

    return [
        kind(
            "evaluation.report",
            "评标报告",
            "evaluation report",
            "evaluation_report.html",
            load_report,
            issuers=frozenset({Role.staff}),
            readers=OVERSIGHT | {Role.principal, Role.agency},
            subject_help="section id",
        ),
        kind(
            "evaluation.candidates",
            "中标候选人公示",
            "publicity of the winning candidates",
            "candidates.html",
            load_candidates,
            issuers=frozenset({Role.staff}),
            readers=EVERYONE,
            subject_help="section id",
            public=True,
        ),
        kind(
            "award.notice",
            "中标通知书",
            "award notice",
            "award_notice.html",
            load_award_notice,
            issuers=frozenset({Role.staff}),
            readers=OVERSIGHT | {Role.bidder, Role.principal},
            subject_help="section id",
        ),
        kind(
            "award.result_notice",
            "中标结果通知书",
            "result notice to a bidder that did not win",
            "result_notice.html",
            load_result_notice,
            issuers=frozenset({Role.staff}),
            readers=OVERSIGHT | {Role.bidder, Role.principal},
            subject_help="section id/bidder's USCC",
        ),
    ]
