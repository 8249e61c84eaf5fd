import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

from trading.money import YuanOut


class StartIn(BaseModel):
    decryption_minutes: int = Field(
        default=60, ge=10, le=240, description="how long bidders may decrypt their own bids (E-05 remedy)"
    )


class ShareIn(BaseModel):
    bid_id: uuid.UUID
    share: str = Field(
        max_length=100, description="base64 of the share opened by `trading keyholder release`"
    )


class SharesIn(BaseModel):
    shares: list[ShareIn] = Field(min_length=1, max_length=5000)


class BidderKeyIn(BaseModel):
    content_key: str = Field(
        max_length=64, description="base64 of the bid's content key (`trading bid decrypt-key`)"
    )


class AnswerIn(BaseModel):
    decision: Literal["confirm", "object"]
    comment: str | None = Field(default=None, max_length=2000)


class HolderWrapsOut(BaseModel):
    position: int
    bids: list[dict[str, Any]] = Field(description="[{bid_id, manifest}]: open your share of each manifest")


class ReleasedOut(BaseModel):
    accepted: int
    already_released: int


class HolderStateOut(BaseModel):
    position: int
    party: str
    released_shares: int


class EntryOut(BaseModel):
    bid_id: uuid.UUID
    organisation_id: uuid.UUID
    bidder: str
    status: str
    key_source: str | None
    price: YuanOut | None
    duration_days: int | None
    bid_data: dict[str, Any] | None
    anomalies: list[dict[str, Any]]


class AnswerOut(BaseModel):
    organisation_id: uuid.UUID
    bidder: str
    decision: str
    comment: str | None
    answered_at: dt.datetime | None


class OpeningOut(BaseModel):
    section_id: uuid.UUID
    status: str
    started_at: dt.datetime
    bids_at_deadline: int
    decryption_ends_at: dt.datetime
    threshold: int
    holders: list[HolderStateOut]
    entries: list[EntryOut]
    pending_bids: int
    recorded_at: dt.datetime | None
    record_sha256: str | None
    failure: dict[str, Any] | None
    confirmation_ends_at: dt.datetime | None
    answers: list[AnswerOut]
    deemed_confirmed: list[str] = Field(description="bidders who did not answer before the window closed")
    last_event: int


class EventOut(BaseModel):
    seq: int
    kind: str
    section_id: uuid.UUID
    at: dt.datetime
    data: dict[str, Any]


class RecordOut(BaseModel):
    body: dict[str, Any]
    signature: str
    certificate: str
