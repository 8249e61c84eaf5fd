"""Organisations: companies and public bodies, identified by their unified social credit code."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Organisation(IdMixin, Base):
    __tablename__ = "organisation"

    # An organisation (unit, 单位) or a natural person (自然人): land and property sales admit
    # natural persons as bidders; they are not bound by the rules on units (C-06, C-18).
    kind: Mapped[str] = mapped_column(String(20), default="organisation", server_default="organisation")
    # The unified social credit code; for a natural person the resident identity number.
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # What the organisation acts as: bidder, principal, agency (an organisation may be several).
    capacities: Mapped[list[str]]
    region: Mapped[str] = mapped_column(String(60))
    # The legal representative (单位负责人 of TLR art. 34 ¶2, C-18); a natural person's own name.
    legal_representative: Mapped[str] = mapped_column(String(60))
    # The organisation that controls (控股) or manages this one, if any (C-18).
    controlled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    contact_phone: Mapped[str] = mapped_column(String(30))
    # The basic bank account (基本存款账户): deposits must come from it (TLR art. 26, C-06).
    basic_account_name: Mapped[str | None] = mapped_column(String(200))
    basic_account_number: Mapped[str | None] = mapped_column(String(40))
    basic_account_bank: Mapped[str | None] = mapped_column(String(100))
    registered_at: Mapped[dt.datetime]
