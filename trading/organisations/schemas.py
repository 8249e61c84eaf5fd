import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Capacity = Literal["bidder", "principal", "agency"]
Kind = Literal["organisation", "natural_person"]


class OrganisationIn(BaseModel):
    kind: Kind = Field(default="organisation", description="organisation (单位) or natural_person (自然人)")
    uscc: str = Field(
        min_length=1,
        max_length=30,
        description="统一社会信用代码, 18 characters; for a natural person the resident identity number",
    )
    name: str = Field(min_length=2, max_length=200)
    capacities: list[Capacity] = Field(min_length=1)
    region: str = Field(min_length=2, max_length=60)
    legal_representative: str = Field(min_length=1, max_length=60)
    contact_phone: str = Field(pattern=r"^[0-9+\- ]{6,30}$")
    basic_account_name: str | None = Field(default=None, max_length=200)
    basic_account_number: str | None = Field(default=None, pattern=r"^[0-9]{8,40}$")
    basic_account_bank: str | None = Field(default=None, max_length=100)
    controlled_by_id: uuid.UUID | None = Field(
        default=None, description="the organisation that controls (控股) or manages this one (C-18)"
    )


class ControlIn(BaseModel):
    """Who controls (控股) or manages the organisation; null when nobody does (C-18)."""

    controlled_by_id: uuid.UUID | None


class BidderSignUp(BaseModel):
    """A company registering itself online as a bidder, with its first user."""

    organisation: OrganisationIn
    username: str = Field(pattern=r"^[A-Za-z0-9_.\-]{3,60}$")
    password: str = Field(min_length=10, max_length=200)
    display_name: str = Field(min_length=1, max_length=100)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    uscc: str
    name: str
    capacities: list[str]
    region: str
    legal_representative: str
    contact_phone: str
    basic_account_name: str | None
    basic_account_number: str | None
    basic_account_bank: str | None
    controlled_by_id: uuid.UUID | None
    registered_at: dt.datetime
