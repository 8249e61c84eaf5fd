"""Ids that sort by creation time (UUIDv7)."""

from __future__ import annotations

import uuid

import uuid_utils


def new_id() -> uuid.UUID:
    """A version-7 UUID as the standard library type, so SQLAlchemy and Pydantic take it as is."""
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)
