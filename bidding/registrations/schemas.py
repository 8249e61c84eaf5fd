import datetime as dt
import uuid
from dataclasses import dataclass

from litestar.datastructures import UploadFile
from pydantic import BaseModel, Field

from bidding.registrations.rules import DocumentKind
from trading.money import YuanOut


class ConditionAnswer(BaseModel):
    """A transferee's answer to one of the transferor's conditions (受让方资格条件)."""

    condition: str = Field(max_length=500, description="the condition's text, as the listing states it")
    met: bool = Field(description="the transferee declares it meets the condition")
    evidence: str | None = Field(
        default=None,
        max_length=500,
        description="证明材料: the document or certificate that shows it (required where the condition asks)",
    )


class RegistrationIn(BaseModel):
    """The bidder registers its own organisation (taken from the login); this is who to contact,
    and for a property transfer its answer to each of the transferor's conditions."""

    contact_name: str = Field(min_length=2, max_length=60, description="联系人")
    contact_phone: str = Field(
        pattern=r"^\+?[0-9][0-9 \-]{5,28}$", description="联系电话, e.g. 025-52100000 or 13912345678"
    )
    contact_email: str = Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="联系邮箱")
    transferee_answers: list[ConditionAnswer] = Field(
        default_factory=list,
        max_length=20,
        description="property: one answer per condition the listing states (R-03); none otherwise",
    )


class ReviewIn(BaseModel):
    reason: str | None = Field(
        default=None, max_length=500, description="why the registration is rejected (required to reject)"
    )


class WithdrawIn(BaseModel):
    """The written withdrawal (书面撤回): the bidder's statement, kept with the registration."""

    reason: str | None = Field(default=None, max_length=500)


@dataclass
class DocumentUpload:
    """multipart/form-data: `kind` and one `file` (PDF, JPEG, PNG or OFD; 20 MB at most)."""

    file: UploadFile
    kind: DocumentKind = DocumentKind.other


class DocumentOut(BaseModel):
    id: uuid.UUID
    registration_id: uuid.UUID
    kind: DocumentKind
    kind_zh: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class DepositPositionOut(BaseModel):
    """The bidder's deposit for the section as funds reports it: due, paid (cash and guarantees),
    and whether it is secured so that the bidder may bid."""

    status: str = Field(
        description="not_required, unpaid, partly_paid, secured, refunded, forfeited, converted"
    )
    status_zh: str
    required: YuanOut
    paid: YuanOut
    deadline: dt.datetime | None = Field(description="the deposit must be secured by the bid deadline")
    may_bid: bool


class RegistrationOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    section_code: str
    section_name: str
    organisation_id: uuid.UUID
    organisation_name: str
    contact_name: str
    contact_phone: str
    contact_email: str
    status: str
    status_zh: str
    reason: str | None
    subaccount_number: str | None = Field(description="the deposit sub-account (虚拟子账号) to pay into")
    registered_at: dt.datetime
    reviewed_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    documents: list[DocumentOut]
    transferee_answers: list[ConditionAnswer] = Field(
        default_factory=list, description="the transferee's answers to the transferor's conditions"
    )
    deposit: DepositPositionOut | None = Field(
        default=None, description="the bidder's deposit position (only in the bidder's own list)"
    )
