"""Daily bank statements imported for reconciliation (docs/bank-statement.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class BankStatement(IdMixin, Base):
    __tablename__ = "funds_bank_statement"

    statement_date: Mapped[dt.date] = mapped_column(index=True)
    # SHA-256 of the file as uploaded; the file itself is kept in the blob store (E-08).
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime]
    imported_by: Mapped[str] = mapped_column(String(100))
    line_count: Mapped[int] = mapped_column(Integer)
    # The reconciliation report as computed at import (funds/reconciliation/schemas.py).
    report: Mapped[dict[str, Any]]
