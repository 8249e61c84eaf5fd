"""The in-venue supervision log (场内监督日志): append-only, each entry signed, each entry's digest
also written to the audit chain. A PostgreSQL (and SQLite) trigger refuses UPDATE and DELETE."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class SupervisionEntry(IdMixin, Base):
    __tablename__ = "supervision_entry"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_supervision_entry_seq"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venue_session.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    # observation | incident | intervention | correction
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    # A correction names the entry it corrects; the corrected entry stays as it was.
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("supervision_entry.id"))
    # {"files": [{"sha256", "file_name", "media_type", "size"}]}
    attachments: Mapped[dict[str, Any]]
    author_id: Mapped[uuid.UUID]
    author_name: Mapped[str] = mapped_column(String(100))
    written_at: Mapped[dt.datetime]
    digest: Mapped[str] = mapped_column(String(64))
    # Ed25519 by the platform's log key over the digest, base64.
    signature: Mapped[str] = mapped_column(String(100))
