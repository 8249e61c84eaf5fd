"""The committee's evaluation of a section: the method, the review of each bid, the members'
score sheets, the ranking and the signed report."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin, JsonType


class Evaluation(IdMixin, Base):
    __tablename__ = "expert_evaluation"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    committee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert_committee.id"))
    # comprehensive (综合评分法) | lowest_price (最低评标价法)
    method: Mapped[str] = mapped_column(String(20))
    # [{"code": "T1", "name": "施工组织设计", "max_points": 30}, ...] scored by the members.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    # The price score, computed: max_points × lowest valid price / the bid's price.
    price_points: Mapped[int] = mapped_column(Integer)
    # Flags for the supervisor: a member's total further than this share of the maximum from the
    # committee's mean (percent), and a sheet done in less than this share of the median time.
    outlier_percent: Mapped[int] = mapped_column(Integer)
    fast_percent: Mapped[int] = mapped_column(Integer)
    candidates_wanted: Mapped[int] = mapped_column(Integer)
    # Projects where state funds hold control award the first-ranked candidate (C-20).
    state_controlled: Mapped[bool] = mapped_column(default=False)
    # reviewing → scoring → ranked → signed; an upheld objection returns it to reviewing.
    status: Mapped[str] = mapped_column(String(12), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime]
    scoring_started_at: Mapped[dt.datetime | None]
    ranking: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType)
    flags: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType)
    # {member_id: {"at": iso, "dissent": text | null}}
    signatures: Mapped[dict[str, Any]] = mapped_column(JsonType)
    report: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    report_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime | None]


class BidReview(IdMixin, Base):
    """The committee's finding on one bid before scoring: valid, or rejected with reasons."""

    __tablename__ = "expert_bid_review"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "organisation_id", name="uq_expert_bid_review_bidder"),
    )

    evaluation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert_evaluation.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    price_fen: Mapped[int | None] = mapped_column(BigInteger)
    valid: Mapped[bool]
    # [{"ground": "TLR-51-5", "text": "..."}]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    decided_at: Mapped[dt.datetime]


class ScoreSheet(IdMixin, Base):
    """One member's scores of every valid bid in one round; locked once submitted."""

    __tablename__ = "expert_score_sheet"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "member_id", "round", name="uq_expert_score_sheet_round"),
    )

    evaluation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert_evaluation.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert_committee_member.id"))
    round: Mapped[int] = mapped_column(Integer)
    # {organisation_id: {criterion code: points}}
    scores: Mapped[dict[str, Any]] = mapped_column(JsonType)
    submitted_at: Mapped[dt.datetime]
