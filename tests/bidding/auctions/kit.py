"""Shared steps of the auction tests: a land listing or a property transfer announced at START,
bidders registered, accepted, paid up and joined, and the clock moved to the listing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tests.bidding.helpers import accepted_bidder
from tests.conftest import START
from tests.funds.helpers import pay
from tests.trading.factories import call_announcement, iso
from tests.trading.test_projects import publish, register

DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)
# From Sunday 22 March 2026, 20 days after the notice (L-01), to Friday 3 April: the ten working
# days after its first day (L-02, counted from the next day as the Civil Code counts, D-01).
LISTING_START = START + 20 * DAY
LISTING_END = START + 32 * DAY + dt.timedelta(hours=6)  # Friday 3 April 15:00
# Property: from Monday 2 March to Monday 30 March 2026, the twenty working days after its first day.
DISCLOSURE_END = START + 28 * DAY + dt.timedelta(hours=6)
ORG_OF = {"bidder_a": "builder_a", "bidder_b": "builder_b", "bidder_c": "builder_c", "developer": "developer"}


def land_body(people: Any, *, reserve: str | None = "98000000.00", deposit: str = "19200000.00") -> dict:
    section = {
        "name": "R2-05地块",
        "procedure": "land_listing",
        "starting_price": "96000000.00",
        "deposit": deposit,
        "registration_start": iso(START),
        "listing_start": iso(LISTING_START),
        "listing_end": iso(LISTING_END),
        "bid_deadline": iso(LISTING_END - 2 * DAY),
    }
    if reserve:
        section["reserve_price"] = reserve
    return {
        "name": "江宁区东山街道R2-05地块国有建设用地使用权挂牌出让",
        "sector": "land",
        "region": "江宁区",
        "principal_id": str(people.org("land_bureau").id),
        "sections": [section],
    }


def property_body(people: Any, *, starting: str = "12500000.00", appraised: str = "12300000.00") -> dict:
    return {
        "name": "宁城物业管理有限公司40%股权转让",
        "sector": "property",
        "region": "江宁区",
        "principal_id": str(people.org("state_holding").id),
        "sections": [
            {
                "name": "40%股权",
                "procedure": "listed_transfer",
                "starting_price": starting,
                "appraised_value": appraised,
                "deposit": "1000000.00",
                "registration_start": iso(START),
                "listing_start": iso(START),
                "listing_end": iso(DISCLOSURE_END),
                "bid_deadline": iso(DISCLOSURE_END - 2 * DAY),
            }
        ],
    }


@dataclass
class Sale:
    section_id: str
    listing_id: str = ""
    numbers: dict[str, int] = field(default_factory=dict)
    subaccounts: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/api/auctions/{self.listing_id}"


async def announced(client: Any, people: Any, body: dict) -> Sale:
    author = "land_bureau" if body["sector"] == "land" else "state_holding"
    project = await register(client, people, body, as_=author)
    assert project.status_code == 201, project.text
    published = await publish(client, people, call_announcement(project.json()["id"]), author=author)
    assert published.status_code in (200, 201), published.text
    return Sale(project.json()["sections"][0]["id"])


async def open_listing(client: Any, people: Any, sale: Sale, **terms: Any) -> Any:
    body = {
        "increment": "1000000.00",
        "extension_minutes": 5,
        "auction_minutes": 5,
        "auction_delay_minutes": 10,
    }
    body.update(terms)
    return await client.post(
        f"/api/auctions/sections/{sale.section_id}/listing", json=body, headers=people.headers("clerk")
    )


async def listed(client: Any, people: Any, body: dict, **terms: Any) -> Sale:
    sale = await announced(client, people, body)
    opened = await open_listing(client, people, sale, **terms)
    assert opened.status_code == 201, opened.text
    sale.listing_id = opened.json()["listing_id"]
    return sale


def declared(*conditions: str) -> list[dict]:
    """A transferee's answers: it declares it meets each condition (no evidence named)."""
    return [{"condition": condition, "met": True} for condition in conditions]


async def qualified(
    client: Any,
    people: Any,
    settings: Any,
    clock: Any,
    sale: Sale,
    *bidders: str,
    amount: str,
    answers: list[dict] | None = None,
) -> None:
    """Each bidder registers (a transferee with its `answers` to the transferor's conditions), is
    accepted and pays its deposit in full."""
    for username in bidders:
        registration = await accepted_bidder(client, people, sale.section_id, username, answers)
        sale.subaccounts[username] = registration["subaccount_number"]
        await pay(
            client, people, settings, clock, registration["subaccount_number"], amount, org=ORG_OF[username]
        )


async def join(client: Any, people: Any, sale: Sale, username: str, **body: Any) -> Any:
    response = await client.post(f"{sale.url}/bidders", json=body, headers=people.headers(username))
    if response.status_code == 200:
        sale.numbers[username] = response.json()["number"]
    return response


async def bid(client: Any, people: Any, sale: Sale, username: str, price: str) -> Any:
    return await client.post(f"{sale.url}/bids", json={"price": price}, headers=people.headers(username))


async def room(client: Any, people: Any, sale: Sale, username: str = "clerk") -> dict:
    response = await client.get(sale.url, headers=people.headers(username))
    assert response.status_code == 200, response.text
    return response.json()


async def settle(client: Any, people: Any, sale: Sale) -> dict:
    response = await client.post(f"{sale.url}/settle", headers=people.headers("clerk"))
    assert response.status_code == 200, response.text
    return response.json()


async def section(client: Any, people: Any, sale: Sale) -> dict:
    response = await client.get(f"/api/sections/{sale.section_id}", headers=people.headers("clerk"))
    assert response.status_code == 200, response.text
    return response.json()


async def land_sale(client: Any, people: Any, settings: Any, clock: Any, *bidders: str, **body: Any) -> Sale:
    """A land listing with `bidders` qualified, paid and joined; the clock at the listing's start."""
    sale = await listed(client, people, land_body(people, **body))
    await qualified(client, people, settings, clock, sale, *bidders, amount="19200000.00")
    for username in bidders:
        joined = await join(client, people, sale, username)
        assert joined.status_code == 200, joined.text
    clock.set(LISTING_START)
    return sale
