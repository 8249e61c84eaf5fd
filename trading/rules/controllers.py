"""The rules catalogue, public: anyone may read which rule the platform enforces and why."""

from dataclasses import asdict

from litestar import Controller, get
from litestar.params import FromPath, FromQuery

from trading.rules.catalogue import RULES, RuleSector, rule
from trading.rules.schemas import RuleOut


class RulesController(Controller):
    path = "/api/rules"
    tags = ("rules",)

    @get("/", operation_id="listRules", exclude_from_auth=True)
    async def list_rules(self, sector: FromQuery[RuleSector | None] = None) -> list[RuleOut]:
        return [RuleOut(**asdict(r)) for r in RULES.values() if sector is None or r.sector == sector]

    @get("/{rule_id:str}", operation_id="getRule", exclude_from_auth=True)
    async def get_rule(self, rule_id: FromPath[str]) -> RuleOut:
        return RuleOut(**asdict(rule(rule_id)))
