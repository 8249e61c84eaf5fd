import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel


class StatementOut(BaseModel):
    id: uuid.UUID
    statement_date: dt.date
    sha256: str
    size: int
    imported_at: dt.datetime
    imported_by: str
    line_count: int
    already_imported: bool = False
    report: dict[str, Any]
