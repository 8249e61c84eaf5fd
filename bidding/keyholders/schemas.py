import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field


class KeyPlanIn(BaseModel):
    threshold: int = Field(ge=2, le=9, description="k: how many holders must release their share")
    holders: list[uuid.UUID] = Field(min_length=2, max_length=9, description="user ids, in share order")


class HolderKeyIn(BaseModel):
    public_key: str = Field(
        min_length=40,
        max_length=64,
        description="base64 of a 32-byte X25519 public key (trading keyholder keygen)",
    )


class HolderOut(BaseModel):
    position: int
    user_id: uuid.UUID
    display_name: str
    party: str
    public_key: str | None
    key_registered_at: dt.datetime | None


class KeyPlanOut(BaseModel):
    section_id: uuid.UUID
    threshold: int
    configured_at: dt.datetime
    holders: list[HolderOut]
    ready: bool = Field(description="every holder has registered a key: bids can be sealed")


class SignedDocument(BaseModel):
    """A platform-signed JSON document; verify with `trading bid verify-receipt` or the library."""

    body: dict[str, Any]
    signature: str
    certificate: str
