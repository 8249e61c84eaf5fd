import datetime as dt
import uuid
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Kind(StrEnum):
    call = "call"  # 招标/采购/出让/挂牌公告
    amendment = "amendment"  # 变更公告 / 澄清
    candidates = "candidates"  # 中标候选人公示
    award = "award"  # 中标(成交)结果公告
    failure = "failure"  # 流标(终止)公告


class AnnouncementIn(BaseModel):
    project_id: uuid.UUID
    section_ids: list[uuid.UUID] = Field(default_factory=list, description="empty: every section")
    kind: Kind
    title: str = Field(min_length=4, max_length=300)
    body: str = Field(min_length=10, max_length=100_000)
    affects_bids: bool = False
    new_bid_deadline: AwareDatetime | None = None
    publicity_end: AwareDatetime | None = None
    winner_id: uuid.UUID | None = Field(default=None, description="award notices: the winning organisation")


class AnnouncementEdit(BaseModel):
    title: str = Field(min_length=4, max_length=300)
    body: str = Field(min_length=10, max_length=100_000)
    affects_bids: bool = False
    new_bid_deadline: AwareDatetime | None = None
    publicity_end: AwareDatetime | None = None
    winner_id: uuid.UUID | None = None


class ReviewIn(BaseModel):
    note: str | None = Field(default=None, max_length=500)


class AnnouncementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    section_ids: list[str]
    kind: str
    status: str
    sector: str
    region: str
    title: str
    body: str
    affects_bids: bool
    new_bid_deadline: dt.datetime | None
    publicity_end: dt.datetime | None
    winner_id: uuid.UUID | None
    created_at: dt.datetime
    review_note: str | None
    published_at: dt.datetime | None


class PublicAnnouncement(BaseModel):
    """What anyone may read: no internal review notes, no author."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    section_ids: list[str]
    kind: str
    sector: str
    region: str
    title: str
    body: str
    new_bid_deadline: dt.datetime | None
    publicity_end: dt.datetime | None
    winner_id: uuid.UUID | None
    published_at: dt.datetime
    # Keyword searches only: the title and a short excerpt of the body, HTML-escaped, with each
    # keyword in <mark>…</mark> (the excerpt is null when the keywords are only in the title).
    title_marked: str | None = None
    snippet: str | None = None


class Page(BaseModel):
    total: int
    items: list[PublicAnnouncement]
