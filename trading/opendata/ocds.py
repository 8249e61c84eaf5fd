"""A section's public life as OCDS 1.1 releases, and their compiled record (docs/opendata.md).

Pure functions over what the core holds: the section and its project, the section's published
announcements, its status transitions from the audit log and the names of the organisations
involved. What is confidential is never read here: bids, opening prices, experts, reserve prices,
appraisals, construction estimates, and the organisations' identity numbers, accounts and contacts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from trading.sectors import PROCEDURE_ZH, Procedure, Sector

CURRENCY = "CNY"
TENDERING = (Sector.construction, Sector.procurement)
# OCDS procurementMethod (closed codelist) for each procedure; the Chinese name goes in
# procurementMethodDetails.
METHOD = {
    Procedure.open_tender: "open",
    Procedure.invited_tender: "selective",
    Procedure.competitive_negotiation: "selective",
    Procedure.competitive_consultation: "selective",
    Procedure.request_for_quotation: "selective",
    Procedure.single_source: "direct",
    Procedure.land_tender: "open",
    Procedure.land_auction: "open",
    Procedure.land_listing: "open",
    Procedure.listed_transfer: "open",
    Procedure.capital_increase: "open",
}
# documentType (open codelist) of each announcement kind.
DOCUMENT_TYPE = {
    "call": "tenderNotice",
    "amendment": "tenderNotice",
    "candidates": "evaluationReports",
    "award": "awardNotice",
    "failure": "tenderNotice",
}


@dataclass
class Notice:
    id: str
    kind: str
    title: str
    published_at: dt.datetime
    winner_id: str | None = None
    new_bid_deadline: dt.datetime | None = None


@dataclass
class Step:
    """A status transition of the section, from the audit log."""

    seq: int
    to: str
    at: dt.datetime
    reason: str | None = None
    winner_id: str | None = None


@dataclass
class Party:
    id: str
    name: str


@dataclass
class SectionFacts:
    """Everything public about one section that its releases are built from."""

    ocid: str
    sector: str
    code: str
    name: str
    project_name: str
    project_description: str
    region: str
    procedure: str
    contract_kind: str | None
    budget_fen: int | None
    starting_price_fen: int | None
    tender_start: dt.datetime | None
    tender_end: dt.datetime | None
    principal: Party
    agency: Party | None
    notices: list[Notice] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    organisations: dict[str, Party] = field(default_factory=dict)


def stamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def money(fen: int) -> dict[str, Any]:
    return {"amount": fen / 100, "currency": CURRENCY}


def _value(facts: SectionFacts) -> dict[str, Any] | None:
    """What the section is worth in public: the procurement budget (published by law with the
    call) or the starting price of a sale. A construction estimate is not public."""
    if facts.sector == Sector.procurement and facts.budget_fen is not None:
        return money(facts.budget_fen)
    if facts.sector not in TENDERING and facts.starting_price_fen is not None:
        return money(facts.starting_price_fen)
    return None


def _parties(facts: SectionFacts, winner: Party | None) -> list[dict[str, Any]]:
    principal_role = "buyer" if facts.sector in TENDERING else "procuringEntity"
    parties = {
        facts.principal.id: {
            "id": facts.principal.id,
            "name": facts.principal.name,
            "roles": [principal_role],
        }
    }
    if facts.agency is not None:
        entry = parties.setdefault(
            facts.agency.id, {"id": facts.agency.id, "name": facts.agency.name, "roles": []}
        )
        entry["roles"].append("procuringEntity")
    if winner is not None:
        entry = parties.setdefault(winner.id, {"id": winner.id, "name": winner.name, "roles": []})
        entry["roles"].append("supplier")
    return list(parties.values())


def _document(notice: Notice, base_url: str) -> dict[str, Any]:
    return {
        "id": notice.id,
        "documentType": DOCUMENT_TYPE[notice.kind],
        "title": notice.title,
        "url": f"{base_url}/api/public/announcements/{notice.id}",
        "datePublished": stamp(notice.published_at),
        "format": "application/json",
        "language": "zh",
    }


def _release(facts: SectionFacts, release_id: str, at: dt.datetime, tags: list[str]) -> dict[str, Any]:
    return {
        "ocid": facts.ocid,
        "id": release_id,
        "date": stamp(at),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
    }


def _tender(facts: SectionFacts, status: str, **more: Any) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": facts.code,
        "title": f"{facts.project_name} {facts.name}",
        "description": facts.project_description,
        "status": status,
        "procurementMethod": METHOD[Procedure(facts.procedure)],
        "procurementMethodDetails": PROCEDURE_ZH[Procedure(facts.procedure)],
        **more,
    }
    if facts.contract_kind in ("works", "goods", "services"):
        tender["mainProcurementCategory"] = facts.contract_kind
    value = _value(facts)
    if value is not None:
        tender["value"] = value
    period = {k: stamp(v) for k, v in (("startDate", facts.tender_start), ("endDate", facts.tender_end)) if v}
    if period:
        tender["tenderPeriod"] = period
    return tender


def _buyer(facts: SectionFacts) -> dict[str, Any]:
    return {"id": facts.principal.id, "name": facts.principal.name}


def _notice_release(
    facts: SectionFacts, notice: Notice, base_url: str, amendments: list[dict[str, Any]]
) -> dict[str, Any]:
    rid = f"{facts.ocid}-{notice.id}"
    document = [_document(notice, base_url)]
    if notice.kind == "call":
        release = _release(facts, rid, notice.published_at, ["tender"])
        release["tender"] = _tender(facts, "active", documents=document)
    elif notice.kind == "amendment":
        amendments.append(
            {
                "id": notice.id,
                "date": stamp(notice.published_at),
                "description": notice.title,
                "rationale": notice.title,
            }
        )
        release = _release(facts, rid, notice.published_at, ["tenderAmendment"])
        release["tender"] = _tender(facts, "active", documents=document, amendments=list(amendments))
    elif notice.kind == "candidates":
        release = _release(facts, rid, notice.published_at, ["tenderUpdate"])
        release["tender"] = _tender(facts, "complete", documents=document)
    elif notice.kind == "award":
        release = _award(facts, rid, notice.published_at, notice.winner_id, title=notice.title)
        release["awards"][0]["documents"] = document
        return release
    else:
        release = _release(facts, rid, notice.published_at, ["tenderUpdate"])
        release["tender"] = _tender(facts, "unsuccessful", documents=document)
    release["buyer"] = _buyer(facts)
    release["parties"] = _parties(facts, None)
    return release


def _award(
    facts: SectionFacts, release_id: str, at: dt.datetime, winner_id: str | None, *, title: str
) -> dict[str, Any]:
    winner = facts.organisations.get(winner_id or "")
    release = _release(facts, release_id, at, ["award"])
    award: dict[str, Any] = {
        "id": f"{facts.code}-award",
        "title": title,
        "status": "active",
        "date": stamp(at),
    }
    if winner is not None:
        award["suppliers"] = [{"id": winner.id, "name": winner.name}]
    release["awards"] = [award]
    release["buyer"] = _buyer(facts)
    release["parties"] = _parties(facts, winner)
    return release


def _step_release(facts: SectionFacts, step: Step, announced_award: bool) -> dict[str, Any] | None:
    rid = f"{facts.ocid}-step-{step.seq}"
    # Land and property (and procurement without a notice) award by the transition itself; when an
    # award notice was published, its release already tells the award.
    if step.to == "awarded" and not announced_award:
        return _award(facts, rid, step.at, step.winner_id, title=f"{facts.name} 成交结果")
    if step.to == "contracted":
        release = _release(facts, rid, step.at, ["contract"])
        release["contracts"] = [
            {
                "id": f"{facts.code}-contract",
                "awardID": f"{facts.code}-award",
                "status": "active",
                "dateSigned": stamp(step.at),
            }
        ]
        return release
    if step.to == "cancelled":
        release = _release(facts, rid, step.at, ["tenderCancellation"])
        release["tender"] = {"id": facts.code, "status": "cancelled", "statusDetails": step.reason or "终止"}
        return release
    return None


def releases(facts: SectionFacts, base_url: str) -> list[dict[str, Any]]:
    """The section's releases, oldest first. The first call also gives the planning release."""
    out: list[dict[str, Any]] = []
    amendments: list[dict[str, Any]] = []
    for notice in sorted(facts.notices, key=lambda n: n.published_at):
        if notice.kind == "call" and not out:
            planning = _release(facts, f"{facts.ocid}-planning", notice.published_at, ["planning"])
            planning["planning"] = {"rationale": facts.project_description or facts.project_name}
            value = _value(facts)
            if value is not None:
                planning["planning"]["budget"] = {"amount": value}
            planning["buyer"] = _buyer(facts)
            planning["parties"] = _parties(facts, None)
            out.append(planning)
        out.append(_notice_release(facts, notice, base_url, amendments))
    announced_award = any(n.kind == "award" for n in facts.notices)
    out += [r for r in (_step_release(facts, s, announced_award) for s in facts.steps) if r is not None]
    out.sort(key=lambda r: r["date"])
    return out


def _merge(into: dict[str, Any], change: dict[str, Any]) -> None:
    """OCDS merge, simplified: objects merge field by field, arrays of objects with an `id` merge
    by id, any other value replaces the earlier one."""
    for key, value in change.items():
        old = into.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            _merge(old, value)
        elif (
            isinstance(value, list)
            and isinstance(old, list)
            and all(isinstance(v, dict) and "id" in v for v in value)
        ):
            by_id = {item["id"]: item for item in old if isinstance(item, dict)}
            for item in value:
                if item["id"] in by_id:
                    _merge(by_id[item["id"]], item)
                else:
                    old.append(_copy(item))
        else:
            into[key] = _copy(value)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def record(ocid: str, section_releases: list[dict[str, Any]]) -> dict[str, Any]:
    compiled: dict[str, Any] = {}
    for release in section_releases:
        _merge(compiled, {k: v for k, v in release.items() if k != "tag"})
    if section_releases:
        compiled["id"] = f"{ocid}-compiled-{section_releases[-1]['date']}"
    compiled["tag"] = ["compiled"]
    return {"ocid": ocid, "releases": section_releases, "compiledRelease": compiled}
