"""Transaction service fees: a configurable sliding scale per sector, one invoice per section."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funds.fees.service import Band, check_bands, compute_fee
from tests.funds.helpers import move, open_section
from tests.funds.test_refunds import to_award
from trading.errors import DomainError

# A typical scale: 1.5 ‰ up to 1 million, 1 ‰ up to 5 million, 0.5 ‰ above.
SCALE = [Band(0, 100_000_000, 1500), Band(100_000_000, 500_000_000, 1000), Band(500_000_000, None, 500)]
SCALE_IN = {
    "effective_from": "2026-01-01",
    "payer": "winner",
    "source": "交易服务收费标准（示例）",
    "bands": [
        {"lower": "0.00", "upper": "1000000.00", "rate_percent": "0.15"},
        {"lower": "1000000.00", "upper": "5000000.00", "rate_percent": "0.1"},
        {"lower": "5000000.00", "upper": None, "rate_percent": "0.05"},
    ],
}


def test_each_band_pays_its_rate_on_its_part_of_the_value():
    fee, lines = compute_fee(SCALE, 800_000_000)  # 8,000,000.00 yuan
    # 1,000,000 × 0.15 % + 4,000,000 × 0.1 % + 3,000,000 × 0.05 % = 1,500 + 4,000 + 1,500
    assert fee == 700_000
    assert lines == [
        "0.00–1000000.00 × 0.15% = 1500.00",
        "1000000.00–5000000.00 × 0.1% = 4000.00",
        "5000000.00–8000000.00 × 0.05% = 1500.00",
    ]


def test_a_scale_with_a_gap_or_a_closed_top_is_refused():
    with pytest.raises(DomainError) as gap:
        check_bands([Band(0, 100, 1000), Band(200, None, 500)])
    assert gap.value.code == "fee.schedule_invalid"
    with pytest.raises(DomainError):
        check_bands([Band(0, 100, 1000)])
    with pytest.raises(DomainError):
        check_bands([Band(1, None, 1000)])


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=0, max_value=10**13))
def test_the_fee_never_falls_when_the_value_rises(a, b):
    low, high = sorted((a, b))
    assert compute_fee(SCALE, low)[0] <= compute_fee(SCALE, high)[0]


async def test_the_winner_is_invoiced_by_the_sectors_scale(client, people, clock):
    put = await client.put(
        "/api/funds/fees/schedules/construction", json=SCALE_IN, headers=people.headers("clerk")
    )
    assert put.status_code == 200, put.text
    section_id = await open_section(client, people)
    early = await client.post(
        "/api/funds/fees/invoices",
        json={"section_id": section_id, "contract_value": "8000000.00"},
        headers=people.headers("clerk"),
    )
    assert early.status_code == 409
    assert early.json()["code"] == "fee.no_winner"
    await to_award(client, people, clock, section_id, "construction", winner="builder_b")
    await move(client, people, section_id, "contract")
    invoice = await client.post(
        "/api/funds/fees/invoices",
        json={"section_id": section_id, "contract_value": "8000000.00"},
        headers=people.headers("clerk"),
    )
    assert invoice.status_code == 201, invoice.text
    body = invoice.json()
    assert (body["amount"], body["payer"], body["payer_organisation_id"]) == (
        "7000.00",
        "winner",
        str(people.org("builder_b").id),
    )
    assert body["number"] == "FEE-2026-00001"
    twice = await client.post(
        "/api/funds/fees/invoices",
        json={"section_id": section_id, "contract_value": "8000000.00"},
        headers=people.headers("clerk"),
    )
    assert twice.status_code == 409
    balance = (await client.get("/api/funds/views/trial-balance", headers=people.headers("auditor"))).json()
    lines = {line["account"]: line for line in balance["lines"]}
    assert lines["fees_receivable:construction"]["debit"] == "7000.00"
    assert lines["fee_income:construction"]["credit"] == "7000.00"


async def test_a_scale_is_replaced_from_a_later_date_and_never_edited(client, people):
    first = await client.put("/api/funds/fees/schedules/land", json=SCALE_IN, headers=people.headers("admin"))
    assert first.status_code == 200
    same_day = await client.put(
        "/api/funds/fees/schedules/land", json=SCALE_IN, headers=people.headers("admin")
    )
    assert same_day.status_code == 409
    assert same_day.json()["code"] == "fee.schedule_exists"
    later = await client.put(
        "/api/funds/fees/schedules/land",
        json={**SCALE_IN, "effective_from": "2026-07-01", "payer": "principal"},
        headers=people.headers("admin"),
    )
    assert later.status_code == 200
    listed = await client.get(
        "/api/funds/fees/schedules", params={"sector": "land"}, headers=people.headers("auditor")
    )
    assert [(s["effective_from"], s["payer"]) for s in listed.json()] == [
        ("2026-01-01", "winner"),
        ("2026-07-01", "principal"),
    ]
    assert listed.json()[0]["bands"][0] == {"lower": "0.00", "upper": "1000000.00", "rate_percent": "0.15"}


async def test_no_scale_no_invoice(client, people):
    section_id = await open_section(client, people)
    response = await client.post(
        "/api/funds/fees/invoices",
        json={"section_id": section_id, "contract_value": "100.00"},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "fee.schedule_missing"
