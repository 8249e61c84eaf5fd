import datetime as dt
import uuid

from pydantic import BaseModel

from trading.money import YuanOut


class WarningOut(BaseModel):
    level: str
    refund_id: uuid.UUID
    sector: str | None
    section_id: uuid.UUID | None
    section_code: str | None
    organisation_id: uuid.UUID | None
    organisation_name: str | None
    payee_name: str
    principal: YuanOut
    due_on: dt.date
    status: str
    rule: str | None
    days_overdue: int
    message: dict[str, str]
