import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from litestar.datastructures import UploadFile
from pydantic import BaseModel, ConfigDict, Field


class AttachmentRef(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    file_name: str = Field(min_length=1, max_length=255)


class EntryIn(BaseModel):
    kind: Literal["observation", "incident", "intervention", "correction"]
    body: str = Field(min_length=1, max_length=5000)
    corrects_id: uuid.UUID | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=20)


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    sector: str
    seq: int
    kind: str
    body: str
    corrects_id: uuid.UUID | None
    attachments: dict[str, Any]
    author_id: uuid.UUID
    author_name: str
    written_at: dt.datetime
    digest: str
    signature: str


@dataclass
class AttachmentUpload:
    """multipart/form-data: one `file` (PDF, JPEG or PNG, judged by content; 10 MB at most)."""

    file: UploadFile


class AttachmentOut(BaseModel):
    sha256: str
    size: int
    media_type: str
    file_name: str


class FindingOut(BaseModel):
    entry_id: uuid.UUID
    seq: int
    reason: str


class VerifyOut(BaseModel):
    entries: int
    intact: bool
    findings: list[FindingOut]


class KeyOut(BaseModel):
    algorithm: str
    public_key_pem: str
