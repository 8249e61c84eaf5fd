"""The data of a sealed package, as strict Pydantic models: what travels in clear (the manifest,
the section's sealing parameters) and what travels sealed (the signed statement with the price).
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bidding.sealing.envelope import CHUNK_SIZE, HPKE_NAME, INNER_BLOCK
from bidding.sealing.keys import unb64
from trading.money import MAX_FEN

FORMAT = "trading-sealed-bid/1"
PARAMETERS_FORMAT = "trading-sealing-parameters/1"
SHARE_SCHEME = "shamir/gf(2^521-1)"
MAX_INNER_BYTES = 64 * INNER_BLOCK
HEX64 = r"^[0-9a-f]{64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _b64_of(length: int | None):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        unb64(value, expected=length)
        return value

    return check


# --- what the bidder declares, sealed ----------------------------------------------------------


class BidData(Strict):
    """The key bid data read out at the opening (开标一览表): price in fen and the usual figures."""

    price_fen: int = Field(ge=0, le=MAX_FEN, description="投标报价 / 报价, in fen")
    duration_days: int | None = Field(default=None, ge=1, le=36500, description="工期 / 交货期 (days)")
    quality: str | None = Field(default=None, max_length=100, description="质量目标 / 质量标准")
    project_manager: str | None = Field(default=None, max_length=60, description="项目经理")
    extra: dict[str, str] = Field(default_factory=dict, max_length=20, description="other key figures")


class FileInfo(Strict):
    name: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0)
    sha256: str = Field(pattern=HEX64)


class Statement(Strict):
    """What the bidder signs inside the seal: this price, for this section, with this file."""

    format: Literal["trading-sealed-bid/1"]
    package_id: str
    section_id: str
    bidder_uscc: str
    bid_data: BidData
    file: FileInfo
    signed_at: str


class Inner(Strict):
    statement: Statement
    signature: str


# --- the section's sealing parameters, published by the platform -------------------------------


class Holder(Strict):
    index: int = Field(ge=1, le=255)
    name: str
    party: str
    public_key: str  # base64 of the 32 raw X25519 bytes

    _key = field_validator("public_key")(_b64_of(32))


class SealingParameters(Strict):
    """To whom a section's bids are sealed: the key holders and the threshold of shares."""

    format: Literal["trading-sealing-parameters/1"] = PARAMETERS_FORMAT
    section_id: str
    section_code: str
    section_name: str
    bid_deadline: str
    threshold: int = Field(ge=2, le=255)
    holders: list[Holder] = Field(min_length=2, max_length=255)

    @field_validator("holders")
    @classmethod
    def _indices_one_to_n(cls, holders: list[Holder]) -> list[Holder]:
        if [h.index for h in holders] != list(range(1, len(holders) + 1)):
            raise ValueError("holders must be numbered 1..n in order")
        return holders


# --- the manifest: in clear, signed by the bidder --------------------------------------------


class BidderInfo(Strict):
    uscc: str = Field(min_length=18, max_length=18)
    certificate: str = Field(max_length=16_000)


class ContentInfo(Strict):
    aead: Literal["AES-256-GCM-STREAM"]
    chunk_size: Literal[1048576] = CHUNK_SIZE
    nonce_prefix: str
    size: int = Field(ge=16)
    sha256: str = Field(pattern=HEX64)

    _prefix = field_validator("nonce_prefix")(_b64_of(7))


class InnerInfo(Strict):
    aead: Literal["AES-256-GCM"]
    nonce: str
    size: int = Field(ge=16, le=MAX_INNER_BYTES + 16)
    sha256: str = Field(pattern=HEX64)

    _nonce = field_validator("nonce")(_b64_of(12))


class ShareWrap(Strict):
    index: int = Field(ge=1, le=255)
    holder_key: str = Field(pattern=HEX64)  # fingerprint of the holder's X25519 public key
    enc: str  # HPKE: 32-byte encapsulated key + sealed share
    commitment: str = Field(pattern=HEX64)  # SHA-256(salt | package | index | share)

    _enc = field_validator("enc")(_b64_of(32 + 67 + 16))


class SharesInfo(Strict):
    scheme: Literal["shamir/gf(2^521-1)"]
    threshold: int = Field(ge=2, le=255)
    salt: str
    parameters_digest: str = Field(pattern=HEX64)
    wraps: list[ShareWrap] = Field(min_length=2, max_length=255)

    _salt = field_validator("salt")(_b64_of(32))


class BidderWrap(Strict):
    recipient_key: str  # base64 of the bidder's X25519 public key
    enc: str

    _recipient = field_validator("recipient_key")(_b64_of(32))
    _enc = field_validator("enc")(_b64_of(32 + 32 + 16))


class Manifest(Strict):
    format: Literal["trading-sealed-bid/1"]
    package_id: str
    section_id: str
    bidder: BidderInfo
    sealed_at: str = Field(max_length=40)
    hpke: Literal["DHKEM(X25519,HKDF-SHA256)/HKDF-SHA256/AES-256-GCM"] = HPKE_NAME
    key_commitment: str
    content: ContentInfo
    inner: InnerInfo
    shares: SharesInfo
    bidder_wrap: BidderWrap

    _commitment = field_validator("key_commitment")(_b64_of(32))

    @field_validator("package_id", "section_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        if str(uuid.UUID(value)) != value:
            raise ValueError("expected a UUID in its canonical form")
        return value
