"""The opening session (开标): released key shares, unsealed bids, the signed record, the
bidders' confirmations, and the numbered live events remote bidders follow."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin, JsonType


class Opening(IdMixin, Base):
    __tablename__ = "bid_opening"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    # collecting (shares and bidder keys) → recorded; or failed (too few bids, C-09 / P-06).
    status: Mapped[str] = mapped_column(String(20), index=True)
    started_at: Mapped[dt.datetime]
    started_by: Mapped[uuid.UUID]
    bids_at_deadline: Mapped[int] = mapped_column(Integer)
    # Bidders may release their own content key until then (E-05 remedy).
    decryption_ends_at: Mapped[dt.datetime]
    recorded_at: Mapped[dt.datetime | None]
    record: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    record_sha256: Mapped[str | None] = mapped_column(String(64))
    record_signature: Mapped[str | None] = mapped_column(Text)
    confirmation_ends_at: Mapped[dt.datetime | None]
    # The sequence number of the last live event of this section.
    last_event: Mapped[int] = mapped_column(Integer, default=0)


class ShareRelease(IdMixin, Base):
    """A key holder's share of one bid, released after the deadline and checked on arrival."""

    __tablename__ = "opening_share_release"
    __table_args__ = (UniqueConstraint("bid_id", "position", name="uq_opening_share_release_slot"),)

    opening_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid_opening.id"), index=True)
    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    share: Mapped[str] = mapped_column(String(100))  # base64
    released_at: Mapped[dt.datetime]


class BidderKeyRelease(IdMixin, Base):
    """A bidder's own content key for its bid, released during the decryption window."""

    __tablename__ = "opening_bidder_key"

    opening_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid_opening.id"), index=True)
    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid.id"), unique=True)
    content_key: Mapped[str] = mapped_column(String(64))  # base64
    released_at: Mapped[dt.datetime]
    released_by: Mapped[uuid.UUID]


class OpeningEntry(IdMixin, Base):
    """One bid as the opening found it: read out (valid) or rejected with its reasons."""

    __tablename__ = "opening_entry"

    opening_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid_opening.id"), index=True)
    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid.id"), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(20))  # valid | rejected
    key_source: Mapped[str | None] = mapped_column(String(20))  # shares | bidder
    price_fen: Mapped[int | None] = mapped_column(BigInteger)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    bid_data: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    file_name: Mapped[str | None] = mapped_column(String(255))
    plaintext_sha256: Mapped[str | None] = mapped_column(String(64))
    plaintext_size: Mapped[int | None] = mapped_column(BigInteger)
    anomalies: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    decided_at: Mapped[dt.datetime]


class Confirmation(IdMixin, Base):
    """A bidder's answer to the opening record: confirm, or object with its reason."""

    __tablename__ = "opening_confirmation"
    __table_args__ = (
        UniqueConstraint("opening_id", "organisation_id", name="uq_opening_confirmation_bidder"),
    )

    opening_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid_opening.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    decision: Mapped[str] = mapped_column(String(10))  # confirm | object
    comment: Mapped[str | None] = mapped_column(String(2000))
    answered_at: Mapped[dt.datetime]
    answered_by: Mapped[uuid.UUID]


class OpeningEvent(IdMixin, Base):
    """What remote bidders saw live, numbered per section; a client that misses one reloads."""

    __tablename__ = "opening_event"
    __table_args__ = (UniqueConstraint("section_id", "seq", name="uq_opening_event_seq"),)

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    at: Mapped[dt.datetime]
