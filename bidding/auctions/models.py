"""A listing (挂牌) and its live auction (拍卖/网络竞价), its bidders' anonymous numbers (竞买号),
and every accepted offer and bid, numbered per listing.

The `listing` row is the serialisation point of a sale: every offer or bid locks it (`FOR UPDATE`
on PostgreSQL; SQLite's `BEGIN IMMEDIATE` holds the database write lock) and takes the next
`last_seq`, so accepted bids are numbered 1, 2, 3... with no gap and no number twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin, JsonType

Fen = BigInteger


class Listing(IdMixin, Base):
    __tablename__ = "listing"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    sector: Mapped[str] = mapped_column(String(20))
    # listing → auction → sold | failed; sold → signed | refused (rules.TRANSITIONS). Whether the
    # listing period or the auction has ended is derived from the clock (rules.phase_of).
    status: Mapped[str] = mapped_column(String(20), index=True)
    # How the price is found (rules.SaleMethod): offers then an English auction, or, for a property
    # transfer whose listing says so, one sealed quote per transferee (一次性报价, R-03).
    method: Mapped[str] = mapped_column(String(20), default="auction", server_default="auction")
    # 1 for the first formal disclosure; a relisting names the listing it follows.
    round: Mapped[int] = mapped_column(Integer, default=1)
    previous_listing_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("listing.id"))
    starting_price_fen: Mapped[int] = mapped_column(Fen)
    increment_fen: Mapped[int] = mapped_column(Fen)
    # Secret until the end (L-04): never in a bidder's or the public's answer before the result.
    reserve_price_fen: Mapped[int | None] = mapped_column(Fen)
    appraised_value_fen: Mapped[int | None] = mapped_column(Fen)
    appraised_on: Mapped[dt.date | None]
    below_appraisal_consent: Mapped[bool] = mapped_column(default=False)
    listing_start: Mapped[dt.datetime]
    listing_end: Mapped[dt.datetime]
    # a transfer of control is pre-disclosed (预披露) too.
    changes_control: Mapped[bool] = mapped_column(default=False)
    pre_disclosure_start: Mapped[dt.datetime | None]
    pre_disclosure_end: Mapped[dt.datetime | None]
    # The transferor's conditions for transferees, each {"text", "evidence_required"}; a transferee
    # answers each when it registers (rules.check_transferee_answers).
    transferee_conditions: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    # lump_sum (5 working days) or instalments (≥ 30 % first, the rest within 12 months, secured).
    payment: Mapped[dict[str, Any]] = mapped_column(JsonType)
    auction_delay_minutes: Mapped[int] = mapped_column(Integer)
    auction_minutes: Mapped[int] = mapped_column(Integer)
    extension_minutes: Mapped[int] = mapped_column(Integer)
    # Hours the winner has to sign the transaction confirmation (成交确认书).
    sign_hours: Mapped[int] = mapped_column(Integer)
    auction_start: Mapped[dt.datetime | None]
    # Moved on by a bid in the extension window.
    auction_end: Mapped[dt.datetime | None]
    current_price_fen: Mapped[int | None] = mapped_column(Fen)
    current_organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    current_number: Mapped[int | None] = mapped_column(Integer)
    # The number of the last accepted offer or bid.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The result: when the sale ended (the clock's instant, not when someone noticed), who won.
    ended_at: Mapped[dt.datetime | None]
    result_reason: Mapped[str | None] = mapped_column(String(300))
    result_rule: Mapped[str | None] = mapped_column(String(10))
    winner_organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    final_price_fen: Mapped[int | None] = mapped_column(Fen)
    confirmation_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    sign_due_at: Mapped[dt.datetime | None]
    announcement_due_on: Mapped[dt.date | None]
    signed_at: Mapped[dt.datetime | None]
    refused_at: Mapped[dt.datetime | None]
    converted_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    created_by: Mapped[uuid.UUID | None]


class ListingBidder(IdMixin, Base):
    """A qualified bidder with a secured deposit that joined the listing, under its number."""

    __tablename__ = "listing_bidder"
    __table_args__ = (
        UniqueConstraint("listing_id", "organisation_id", name="uq_listing_bidder_organisation"),
        UniqueConstraint("listing_id", "number", name="uq_listing_bidder_number"),
    )

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listing.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    # The anonymous bidder number (竞买号), drawn at random: it says nothing of who or when.
    number: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[dt.datetime]
    # L-03: the bidder asked, before the listing ended, to keep bidding in an auction.
    wants_auction: Mapped[bool] = mapped_column(default=False)


class AuctionBid(IdMixin, Base):
    """An accepted offer (listing) or bid (auction); refused ones leave no row."""

    __tablename__ = "auction_bid"
    __table_args__ = (UniqueConstraint("listing_id", "seq", name="uq_auction_bid_seq"),)

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listing.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(10))  # listing | auction
    number: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    price_fen: Mapped[int] = mapped_column(Fen)
    placed_at: Mapped[dt.datetime]
    placed_by: Mapped[uuid.UUID]
    # The auction's end after this bid (moved on when it fell in the extension window).
    auction_end: Mapped[dt.datetime | None]
