"""Organisations: companies and public bodies, identified by their unified social credit code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Organisation(IdMixin, Base):
    __tablename__ = "organisation"

    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # What the organisation acts as: bidder, principal, agency (an organisation may be several).
    capacities: Mapped[list[str]]
    region: Mapped[str] = mapped_column(String(60))
    legal_representative: Mapped[str] = mapped_column(String(60))
    contact_phone: Mapped[str] = mapped_column(String(30))
    # The basic bank account (基本存款账户): deposits must come from it (TLR art. 26, C-06).
    basic_account_name: Mapped[str | None] = mapped_column(String(200))
    basic_account_number: Mapped[str | None] = mapped_column(String(40))
    basic_account_bank: Mapped[str | None] = mapped_column(String(100))
    registered_at: Mapped[dt.datetime]
