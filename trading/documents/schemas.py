import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=40, examples=["announcement.call"])
    subject: str = Field(min_length=1, max_length=64, description="The id it is about, or a month 2026-03.")
    language: str = Field(default="zh-CN", examples=["zh-CN", "en"])
    supersedes: uuid.UUID | None = Field(default=None, description="The document this one corrects.")
    reason: str | None = Field(default=None, max_length=500, description="Why it is corrected.")


class KindOut(BaseModel):
    name: str
    zh: str
    en: str
    subject: str
    issuers: list[str]
    readers: list[str]


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    verification_code: str
    kind: str
    subject: str
    language: str
    title: str
    sha256: str
    size: int
    pages: int
    issued_at: dt.datetime
    issuer_name: str
    supersedes_id: uuid.UUID | None
    correction_reason: str | None


class Related(BaseModel):
    number: str
    code: str
    issued_at: str
    reason: str | None = None


class SignatureOut(BaseModel):
    signed: bool
    valid: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer: str | None


class VerificationOut(BaseModel):
    genuine: bool
    code: str | None = None
    number: str | None = None
    kind: str | None = None
    kind_name: str | None = None
    title: str | None = None
    language: str | None = None
    issued_at: str | None = Field(default=None, description="Beijing time, 2026-03-02 09:30.")
    issued_by: str | None = None
    issuer: str | None = None
    sha256: str | None = None
    pages: int | None = None
    superseded_by: Related | None = None
    supersedes: Related | None = None
    original_url: str | None = None
    signature: SignatureOut | None = None
    message: dict[str, str]


class CertificateOut(BaseModel):
    ca_pem: str
    signer_pem: str
    ca_sha256_fingerprint: str
