import uuid
from typing import Any

from pydantic import BaseModel


class Party(BaseModel):
    id: uuid.UUID
    name: str


class SignalOut(BaseModel):
    kind: str
    rule: str
    organisations: list[Party]
    evidence: dict[str, Any]
    message: dict[str, str]
