"""Shared steps of the funds tests: a published section of each sector, a bidder's sub-account, a
signed bank notification, the section's life (fail, award, contract), event dispatch."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from funds.bankfeed.service import sign
from tests.conftest import START
from tests.trading.factories import call_announcement, construction_project, iso
from tests.trading.test_projects import publish, register

DAY = dt.timedelta(days=1)


def section_body(people: Any, sector: str, *, deposit: str = "20000.00", days_to_deadline: int = 25) -> dict:
    """A project of one section in `sector`, its documents issued (or its listing announced) at START."""
    deadline = START + dt.timedelta(days=days_to_deadline)
    if sector == "construction":
        return construction_project(people, deposit=deposit, days_to_deadline=days_to_deadline)
    if sector == "procurement":
        body = construction_project(people, deposit=deposit, days_to_deadline=days_to_deadline)
        body.update(sector="procurement", name="江宁区人民医院医学影像设备采购项目")
        body["principal_id"] = str(people.org("hospital").id)
        body["sections"][0].pop("contract_kind")
        body["sections"][0].update(name="64排CT", budget="6800000.00")
        return body
    if sector == "land":
        listing_start = START + dt.timedelta(days=21)
        return {
            "name": "江宁区东山街道R2-05地块国有建设用地使用权挂牌出让",
            "sector": "land",
            "region": "江宁区",
            "principal_id": str(people.org("land_bureau").id),
            "sections": [
                {
                    "name": "R2-05地块",
                    "procedure": "land_listing",
                    "starting_price": "960000000.00",
                    "deposit": deposit,
                    "registration_start": iso(START),
                    "listing_start": iso(listing_start),
                    "listing_end": iso(deadline),
                    "bid_deadline": iso(deadline),
                }
            ],
        }
    assert sector == "property"
    return {
        "name": "宁城物业管理有限公司40%股权转让",
        "sector": "property",
        "region": "江宁区",
        "principal_id": str(people.org("state_holding").id),
        "sections": [
            {
                "name": "40%股权",
                "procedure": "listed_transfer",
                "starting_price": "12500000.00",
                "appraised_value": "12300000.00",
                "deposit": deposit,
                "registration_start": iso(START),
                "listing_start": iso(START),
                "listing_end": iso(deadline),
                "bid_deadline": iso(deadline),
            }
        ],
    }


async def open_section(
    client: Any,
    people: Any,
    sector: str = "construction",
    *,
    deposit: str = "20000.00",
    days_to_deadline: int = 0,
) -> str:
    """A section of `sector` whose call announcement is published at START; returns its id."""
    days = days_to_deadline or (45 if sector == "land" else 35 if sector == "property" else 25)
    body = section_body(people, sector, deposit=deposit, days_to_deadline=days)
    author = {
        "construction": "agency",
        "procurement": "agency",
        "land": "land_bureau",
        "property": "state_holding",
    }[sector]
    project = await register(client, people, body, as_=author)
    assert project.status_code == 201, project.text
    published = await publish(client, people, call_announcement(project.json()["id"]), author=author)
    assert published.status_code in (200, 201), published.text
    return project.json()["sections"][0]["id"]


async def open_subaccount(client: Any, people: Any, section_id: str, org: str = "builder_a") -> dict:
    response = await client.post(
        "/api/funds/subaccounts/",
        json={"section_id": section_id, "organisation_id": str(people.org(org).id)},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def bank_secret(settings: Any) -> str:
    return settings.resolved_bank_feed_secret()


def notification(
    people: Any,
    number: str,
    amount: str,
    *,
    org: str = "builder_a",
    txn: str | None = None,
    payer_name: str | None = None,
    payer_account: str | None = None,
    value_time: dt.datetime | None = None,
) -> dict:
    organisation = people.org(org)
    return {
        "bank_txn_id": txn or f"CCB{uuid.uuid4().hex[:16].upper()}",
        "virtual_account": number,
        "amount": amount,
        "payer_name": payer_name or organisation.basic_account_name,
        "payer_account": payer_account or organisation.basic_account_number,
        "payer_bank": organisation.basic_account_bank or "",
        "value_time": (value_time or START).isoformat(),
    }


def signed(
    settings: Any, clock: Any, body: dict | bytes, *, timestamp: int | None = None
) -> tuple[bytes, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    stamp = str(timestamp if timestamp is not None else int(clock.now().timestamp()))
    return raw, {
        "X-Bank-Timestamp": stamp,
        "X-Bank-Signature": sign(bank_secret(settings), stamp, raw),
        "Content-Type": "application/json",
    }


async def notify(client: Any, settings: Any, clock: Any, body: dict) -> Any:
    raw, headers = signed(settings, clock, body)
    return await client.post("/api/funds/bank/credits", content=raw, headers=headers)


async def pay(
    client: Any, people: Any, settings: Any, clock: Any, number: str, amount: str, **kw: Any
) -> dict:
    """The bidder pays `amount` into its sub-account; the bank notifies the platform."""
    value_time = kw.pop("value_time", None) or clock.now()
    response = await notify(
        client, settings, clock, notification(people, number, amount, value_time=value_time, **kw)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def move(client: Any, people: Any, section_id: str, action: str, **extra: Any) -> Any:
    response = await client.post(
        f"/api/sections/{section_id}/transitions",
        json={"action": action, **extra},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def dispatch(app: Any, db: Any, clock: Any) -> int:
    return await app.state.event_bus.dispatch_pending(db.sessionmaker, clock.now)


async def position(
    client: Any, people: Any, section_id: str, org: str = "builder_a", as_: str = "clerk"
) -> dict:
    response = await client.get(
        f"/api/funds/deposits/{section_id}/{people.org(org).id}", headers=people.headers(as_)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def refunds_of(client: Any, people: Any, section_id: str) -> list[dict]:
    response = await client.get(
        "/api/funds/refunds/", params={"section_id": section_id}, headers=people.headers("clerk")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def verify(client: Any, people: Any) -> dict:
    response = await client.get("/api/funds/views/ledger/verify", headers=people.headers("auditor"))
    assert response.status_code == 200, response.text
    return response.json()
