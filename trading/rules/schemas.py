"""What the rules API answers."""

from pydantic import BaseModel

from trading.rules.catalogue import RuleSector


class RuleOut(BaseModel):
    id: str
    sector: RuleSector
    text_zh: str
    text_en: str
    source: str
