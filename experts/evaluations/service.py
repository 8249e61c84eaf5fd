"""The committee's evaluation: set up with the method, bids rejected with reasons before scoring,
sheets locked on submission, the ranking and flags, the report signed by every member, after
which the section is evaluated (the only way it becomes so)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.opening.models import Opening, OpeningEntry
from experts.committees import service as committees
from experts.committees.models import Committee, Member
from experts.evaluations import rules
from experts.evaluations.models import BidReview, Evaluation, ScoreSheet
from experts.evaluations.schemas import EvaluationIn
from experts.once import add_once
from trading.audit.service import Actor, record
from trading.auth.identity import Identity
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.organisations.models import Organisation
from trading.projects import service as projects
from trading.projects.models import Section
from trading.projects.rules import Status


async def get_evaluation(session: AsyncSession, section_id: uuid.UUID) -> Evaluation:
    found = await session.scalar(select(Evaluation).where(Evaluation.section_id == section_id))
    if found is None:
        raise not_found("evaluation", "评标", section_id)
    return found


def _refuse(code: str, zh: str, en: str, **details: Any) -> Conflict:
    return Conflict(code, zh, en, details=details)


def _started_already() -> Conflict:
    return _refuse("evaluation.exists", "该标段已开始评标", "this section's evaluation has already started")


def _locked() -> Conflict:
    return _refuse(
        "evaluation.sheet_locked", "评分表已提交，不能修改", "the sheet was submitted and is locked"
    )


async def start(
    session: AsyncSession, section_id: uuid.UUID, data: EvaluationIn, *, actor: Actor, at: dt.datetime
) -> Evaluation:
    """The committee begins once the bids are opened and every seat has signed in with a chair."""
    section = await projects.get_section(session, section_id)
    if await projects.catch_up(session, section, at) != Status.opened:
        raise _refuse(
            "evaluation.not_opened",
            "标段开标后方可评标",
            "evaluation starts after the opening",
            status=section.status,
        )
    committee = await committees.committee_of(session, section_id)
    if not committees.ready(committee, await committees.seats(session, committee)):
        raise _refuse(
            "evaluation.committee_not_ready",
            "评标委员会成员未全部签到或未推举负责人",
            "the committee is not complete: members to sign in or a chair to choose",
        )
    if await session.scalar(select(Evaluation.id).where(Evaluation.section_id == section_id)):
        raise _started_already()
    criteria = [c.model_dump() for c in data.criteria] if data.method == "comprehensive" else []
    price_points = data.price_points if data.method == "comprehensive" else 0
    rules.check_method(data.method, criteria, price_points, data.candidates)
    evaluation = Evaluation(
        section_id=section_id,
        committee_id=committee.id,
        method=data.method,
        criteria=criteria,
        price_points=price_points,
        outlier_percent=data.outlier_percent,
        fast_percent=data.fast_percent,
        candidates_wanted=data.candidates,
        state_controlled=data.state_controlled,
        status="reviewing",
        round=1,
        created_at=at,
        signatures={},
    )
    await add_once(session, evaluation, _started_already())
    await _reviews_from_opening(session, evaluation, at)
    await record(
        session,
        actor=actor,
        action="evaluation.started",
        subject_type="section",
        subject_id=section_id,
        data=data.model_dump(mode="json"),
        at=at,
    )
    return evaluation


async def _reviews_from_opening(session: AsyncSession, evaluation: Evaluation, at: dt.datetime) -> None:
    """Every bid the opening decided on; those it rejected (E-05) come rejected with its reasons."""
    entries = (
        await session.scalars(
            select(OpeningEntry)
            .join(Opening, Opening.id == OpeningEntry.opening_id)
            .where(Opening.section_id == evaluation.section_id)
            .order_by(OpeningEntry.decided_at)
        )
    ).all()
    for entry in entries:
        reasons = (
            []
            if entry.status == "valid"
            else [
                {
                    "ground": "E-05",
                    "text": "; ".join(str(a.get("zh") or a.get("code") or a) for a in entry.anomalies)
                    or rules.GROUNDS["E-05"],
                }
            ]
        )
        session.add(
            BidReview(
                evaluation_id=evaluation.id,
                organisation_id=entry.organisation_id,
                price_fen=entry.price_fen,
                valid=entry.status == "valid",
                reasons=reasons,
                decided_at=at,
            )
        )
    await session.flush()


async def reviews(session: AsyncSession, evaluation: Evaluation) -> list[BidReview]:
    rows = await session.scalars(
        select(BidReview).where(BidReview.evaluation_id == evaluation.id).order_by(BidReview.id)
    )
    return list(rows.all())


async def sitting_member(
    session: AsyncSession, evaluation: Evaluation, user: Identity, *, chair: bool = False
) -> Member:
    seat = await committees.seat_of(session, evaluation.section_id, user)
    if seat.kind != "member" or seat.state != "signed_in":
        raise not_found("evaluation", "评标", evaluation.section_id)
    if chair and not seat.chair:
        raise Forbidden(
            "evaluation.chair_only",
            "只有评标委员会负责人可以执行此操作",
            "only the committee's chair does this",
        )
    return seat


def _in_status(evaluation: Evaluation, *allowed: str) -> None:
    if evaluation.status not in allowed:
        raise _refuse(
            "evaluation.wrong_step",
            f"评标当前处于{evaluation.status}阶段，不能执行此操作",
            f"the evaluation is at '{evaluation.status}': this step is not open",
            status=evaluation.status,
        )


async def reject_bid(
    session: AsyncSession,
    evaluation: Evaluation,
    organisation_id: uuid.UUID,
    ground: str,
    text: str,
    *,
    actor: Actor,
    at: dt.datetime,
) -> BidReview:
    """TLR art. 51: "有下列情形之一的，评标委员会应当否决其投标" — before any scoring, with the ground."""
    _in_status(evaluation, "reviewing")
    if ground not in rules.GROUNDS:
        raise DomainError(
            "evaluation.ground_unknown",
            "否决投标须注明条例第五十一条所列情形",
            "a rejection names a ground of TLR art. 51",
            status=422,
            details={"grounds": list(rules.GROUNDS)},
        )
    review = next(
        (r for r in await reviews(session, evaluation) if r.organisation_id == organisation_id), None
    )
    if review is None:
        raise not_found("bid", "投标", organisation_id)
    review.valid = False
    review.reasons = [*review.reasons, {"ground": ground, "text": text}]
    await record(
        session,
        actor=actor,
        action="evaluation.bid_rejected",
        subject_type="section",
        subject_id=evaluation.section_id,
        data={"organisation": str(organisation_id), "ground": ground, "text": text},
        at=at,
    )
    return review


async def begin_scoring(
    session: AsyncSession, evaluation: Evaluation, *, actor: Actor, at: dt.datetime
) -> Evaluation:
    _in_status(evaluation, "reviewing")
    if not any(r.valid for r in await reviews(session, evaluation)):
        raise _refuse("evaluation.no_valid_bid", "没有有效投标，无法评分", "no valid bid is left to score")
    evaluation.status, evaluation.scoring_started_at = "scoring", at
    await record(
        session,
        actor=actor,
        action="evaluation.scoring_started",
        subject_type="section",
        subject_id=evaluation.section_id,
        data={"round": evaluation.round},
        at=at,
    )
    return evaluation


async def sheets(session: AsyncSession, evaluation: Evaluation) -> list[ScoreSheet]:
    rows = await session.scalars(
        select(ScoreSheet).where(
            ScoreSheet.evaluation_id == evaluation.id, ScoreSheet.round == evaluation.round
        )
    )
    return list(rows.all())


async def submit_sheet(
    session: AsyncSession,
    evaluation: Evaluation,
    seat: Member,
    scores: dict[str, dict[str, float]],
    *,
    actor: Actor,
    at: dt.datetime,
) -> ScoreSheet:
    """A member's sheet for every valid bid; once submitted it is locked."""
    _in_status(evaluation, "scoring")
    if any(s.member_id == seat.id for s in await sheets(session, evaluation)):
        raise _locked()
    valid = {str(r.organisation_id) for r in await reviews(session, evaluation) if r.valid}
    rules.check_sheet(evaluation.criteria, valid, scores)
    sheet = ScoreSheet(
        evaluation_id=evaluation.id, member_id=seat.id, round=evaluation.round, scores=scores, submitted_at=at
    )
    await add_once(session, sheet, _locked())
    await record(
        session,
        actor=actor,
        action="evaluation.sheet_submitted",
        subject_type="section",
        subject_id=evaluation.section_id,
        data={"member": str(seat.id), "round": evaluation.round, "scores": scores},
        at=at,
    )
    return sheet


async def rank(session: AsyncSession, evaluation: Evaluation, *, actor: Actor, at: dt.datetime) -> Evaluation:
    _in_status(evaluation, "scoring")
    committee = await session.get(Committee, evaluation.committee_id)
    assert committee is not None
    members = committees.sitting(await committees.seats(session, committee))
    submitted = {str(s.member_id): s for s in await sheets(session, evaluation)}
    if evaluation.method == "comprehensive" and set(submitted) != {str(m.id) for m in members}:
        raise _refuse(
            "evaluation.sheets_missing",
            "尚有评标委员会成员未提交评分表",
            "some members have not submitted their sheets",
            missing=sorted({str(m.id) for m in members} - set(submitted)),
        )
    prices = {str(r.organisation_id): r.price_fen or 0 for r in await reviews(session, evaluation) if r.valid}
    seed = hashlib.sha256(f"{evaluation.id}:{evaluation.round}".encode()).hexdigest()
    evaluation.ranking = rules.rank(
        evaluation.method, prices, [s.scores for s in submitted.values()], evaluation.price_points, seed
    )
    assert evaluation.scoring_started_at is not None
    evaluation.flags = (
        rules.flags(
            {m: s.scores for m, s in submitted.items()},
            {
                m: (s.submitted_at - evaluation.scoring_started_at).total_seconds()
                for m, s in submitted.items()
            },
            full_marks=sum(int(c["max_points"]) for c in evaluation.criteria) or 1,
            outlier_percent=evaluation.outlier_percent,
            fast_percent=evaluation.fast_percent,
        )
        if evaluation.method == "comprehensive"
        else []
    )
    evaluation.status = "ranked"
    await record(
        session,
        actor=actor,
        action="evaluation.ranked",
        subject_type="section",
        subject_id=evaluation.section_id,
        data={"ranking": evaluation.ranking, "flags": evaluation.flags},
        at=at,
    )
    return evaluation


def candidates(evaluation: Evaluation) -> list[dict[str, Any]]:
    """C-13: the first 1 to 3 of the ranking, as many as the method asked for."""
    return list((evaluation.ranking or [])[: evaluation.candidates_wanted])


async def build_report(session: AsyncSession, evaluation: Evaluation, section: Section) -> dict[str, Any]:
    names = await bidder_names(session, [r.organisation_id for r in await reviews(session, evaluation)])
    return {
        "section": {"id": str(section.id), "code": section.code, "name": section.name},
        "method": evaluation.method,
        "criteria": evaluation.criteria,
        "price_points": evaluation.price_points,
        "round": evaluation.round,
        "rejected": [
            {
                "bidder": names[r.organisation_id],
                "organisation_id": str(r.organisation_id),
                "reasons": r.reasons,
            }
            for r in await reviews(session, evaluation)
            if not r.valid
        ],
        "ranking": [
            {**row, "bidder": names[uuid.UUID(row["organisation_id"])]} for row in evaluation.ranking or []
        ],
        "candidates": [
            {**row, "bidder": names[uuid.UUID(row["organisation_id"])]} for row in candidates(evaluation)
        ],
        "flags": evaluation.flags or [],
        "signatures": evaluation.signatures,
    }


async def bidder_names(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
    return {r.id: r.name for r in rows}


async def sign(
    session: AsyncSession,
    evaluation: Evaluation,
    seat: Member,
    dissent: str | None,
    *,
    actor: Actor,
    at: dt.datetime,
) -> Evaluation:
    """TLR art. 53 ¶2: "评标报告应当由评标委员会全体成员签字。" A dissent is written into the report.
    The last signature completes the report and moves the section to evaluated."""
    _in_status(evaluation, "ranked")
    if str(seat.id) in evaluation.signatures:
        raise _refuse("evaluation.already_signed", "已在评标报告上签字", "this member has already signed")
    evaluation.signatures = {
        **evaluation.signatures,
        str(seat.id): {"at": at.isoformat(), "dissent": dissent},
    }
    await record(
        session,
        actor=actor,
        action="evaluation.report_signed_by_member",
        subject_type="section",
        subject_id=evaluation.section_id,
        data={"member": str(seat.id), "dissent": dissent},
        at=at,
    )
    committee = await session.get(Committee, evaluation.committee_id)
    assert committee is not None
    if set(evaluation.signatures) == {
        str(m.id) for m in committees.sitting(await committees.seats(session, committee))
    }:
        await _complete(session, evaluation, actor=actor, at=at)
    return evaluation


async def _complete(session: AsyncSession, evaluation: Evaluation, *, actor: Actor, at: dt.datetime) -> None:
    section = await projects.get_section(session, evaluation.section_id)
    evaluation.report = await build_report(session, evaluation, section)
    evaluation.report_sha256 = hashlib.sha256(
        json.dumps(evaluation.report, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    evaluation.status, evaluation.signed_at = "signed", at
    await projects.transition(
        session,
        section,
        "evaluate",
        actor=actor,
        at=at,
        data={"report_sha256": evaluation.report_sha256, "evaluation": str(evaluation.id)},
    )


async def return_to_committee(
    session: AsyncSession, evaluation: Evaluation, *, reason: str, actor: Actor, at: dt.datetime
) -> None:
    """An upheld objection sends the section back: a new round of review and scoring."""
    section = await projects.get_section(session, evaluation.section_id)
    await projects.transition(
        session,
        section,
        "return_to_committee",
        actor=actor,
        at=at,
        reason=reason,
        data={"evaluation": str(evaluation.id)},
    )
    evaluation.status, evaluation.round = "reviewing", evaluation.round + 1
    evaluation.ranking = evaluation.flags = evaluation.report = None
    evaluation.report_sha256, evaluation.signed_at, evaluation.scoring_started_at = None, None, None
    evaluation.signatures = {}


async def sheet_count(session: AsyncSession, evaluation: Evaluation) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(ScoreSheet)
            .where(ScoreSheet.evaluation_id == evaluation.id, ScoreSheet.round == evaluation.round)
        )
        or 0
    )
