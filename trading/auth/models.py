"""Users and their roles."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class User(IdMixin, Base):
    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]]
    # Sectors a supervisor's bureau supervises (住建 construction, 财政 procurement, ...).
    sectors: Mapped[list[str]]
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Raised to end every token issued before (deactivation, password change or reset, logout).
    token_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[dt.datetime]
