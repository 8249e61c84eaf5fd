"""A section's opening key holders (k of n): who must release a share for its bids to open."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class KeyPlan(IdMixin, Base):
    """One per section: the threshold k; the holders are KeyHolder rows (n)."""

    __tablename__ = "opening_key_plan"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    threshold: Mapped[int] = mapped_column(Integer)
    configured_at: Mapped[dt.datetime]
    configured_by: Mapped[uuid.UUID]


class KeyHolder(IdMixin, Base):
    __tablename__ = "opening_key_holder"
    __table_args__ = (
        UniqueConstraint("section_id", "position", name="uq_opening_key_holder_position"),
        UniqueConstraint("section_id", "user_id", name="uq_opening_key_holder_user"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opening_key_plan.id"), index=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    # The share index x of Shamir's scheme: 1..n.
    position: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # Whose side the holder is on: staff (the center), supervisor (the bureau), principal.
    party: Mapped[str] = mapped_column(String(20))
    # Base64 of the 32 raw bytes of the holder's X25519 public key; the private key never comes here.
    public_key: Mapped[str | None] = mapped_column(String(64))
    key_registered_at: Mapped[dt.datetime | None]
