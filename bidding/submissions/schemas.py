import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field


class WithdrawIn(BaseModel):
    reason: str | None = Field(
        default=None, max_length=500, description="the written withdrawal notice (C-07)"
    )


class ReceiptOut(BaseModel):
    """A receipt signed by the platform: check it offline with `trading bid verify-receipt`."""

    body: dict[str, Any]
    signature: str
    certificate: str


class BidOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    organisation_id: uuid.UUID
    status: str
    package_sha256: str
    package_size: int
    manifest_sha256: str
    received_at: dt.datetime
    ended_at: dt.datetime | None
    receipts: list[ReceiptOut]


class BidsOverviewOut(BaseModel):
    section_id: uuid.UUID
    bid_deadline: dt.datetime | None
    active_bids: int
    sealed: bool = Field(description="true until the deadline: who has bid is not shown before it")
    bids: list[BidOut]


class PackageCheckOut(BaseModel):
    """One check of a stored package against its receipt's digest (E-05)."""

    model_config = {"from_attributes": True}

    bid_id: uuid.UUID
    organisation_id: uuid.UUID
    trigger: str = Field(description="deadline | request | opening | bidder")
    result: str = Field(description="intact | corrupted | missing | restored")
    expected_sha256: str
    found_sha256: str | None
    checked_at: dt.datetime
