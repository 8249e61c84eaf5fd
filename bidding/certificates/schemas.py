import datetime as dt
import uuid
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class PlatformCertificatesOut(BaseModel):
    ca: str = Field(description="The platform root CA (PEM): trust it once, verify everything offline")
    signer: str = Field(description="The document signer (PEM): receipts, sealing parameters, records")


class CertificateRequestIn(BaseModel):
    csr: str = Field(min_length=100, max_length=20_000, description="PEM certificate signing request")


class RevokeIn(BaseModel):
    reason: Literal[
        "key_compromise", "affiliation_changed", "superseded", "cessation_of_operation", "unspecified"
    ]
    note: str | None = Field(default=None, max_length=500)
    invalid_since: AwareDatetime | None = Field(
        default=None, description="key compromise: from when its signatures are not trusted (default: now)"
    )


class CertificateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    serial: str
    organisation_id: uuid.UUID
    uscc: str
    subject: str
    key_fingerprint: str
    not_before: dt.datetime
    not_after: dt.datetime
    issued_at: dt.datetime
    revoked_at: dt.datetime | None
    revocation_reason: str | None
    invalid_since: dt.datetime | None
    certificate_pem: str
