"""The dates after the award, each on both sides of its limit, read from the clock: the tenderee's
report to the oversight department within 15 days of the decision (C-19), the contract within 30
days of the award notice (C-15); in procurement the award notice within 2 working days of the
decision (P-14) and the contract published within 2 working days of signing (P-15)."""

import datetime as dt
import uuid

from experts.awards.controllers import award_out
from experts.awards.models import Award
from tests.experts.helpers import evaluated_by_lowest_price, publish_draft
from tests.trading.factories import iso

DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)
PRICES = {"bidder_a": "48000000.00", "bidder_b": "47500000.00", "bidder_c": "49000000.00"}


async def test_the_report_and_the_contract_are_late_only_after_their_last_day(
    client, people, settings, clock, tmp_path, db
):
    kit, _, _ = await evaluated_by_lowest_price(client, people, settings, clock, tmp_path, db, PRICES)
    sid = kit.section_id
    base = f"/api/experts/sections/{sid}/award"
    principal = people.headers("principal")
    drafted = await client.post(
        f"/api/experts/sections/{sid}/notices/candidates",
        json={"publicity_end": iso(clock.now() + 3 * DAY)},
        headers=people.headers("agency"),
    )
    assert (await publish_draft(client, people, drafted.json()["announcement_id"])).status_code == 200
    clock.advance(4 * DAY)
    decided = await client.post(base, json={"winner_id": str(people.org("builder_b").id)}, headers=principal)
    assert decided.status_code == 201, decided.text
    decided_on = clock.now().astimezone(settings.zone).date()
    report_due = dt.datetime.fromisoformat(decided.json()["report_due"])
    # 24:00 of the 15th day after the decision (the decision's day not counted, D-01).
    assert report_due.astimezone(settings.zone).date() == decided_on + 16 * DAY
    assert (await client.post(f"{base}/notice", headers=principal)).status_code == 200
    contract_due = dt.datetime.fromisoformat(
        (await client.get(base, headers=principal)).json()["contract_due"]
    )

    clock.set(report_due - MINUTE)
    assert (await client.get(base, headers=principal)).json()["late"] == []
    clock.set(report_due + MINUTE)
    assert (await client.get(base, headers=principal)).json()["late"] == ["C-19"]
    filed = await client.post(f"{base}/report", headers=principal)
    assert filed.json()["late"] == ["C-19"]  # filed late stays late

    clock.set(contract_due - MINUTE)
    assert (await client.get(base, headers=principal)).json()["late"] == ["C-19"]
    clock.set(contract_due + MINUTE)
    assert (await client.get(base, headers=principal)).json()["late"] == ["C-15", "C-19"]
    signed = await client.post(f"{base}/contract", json={"price": "47500000.00"}, headers=principal)
    assert signed.status_code == 200, signed.text
    assert signed.json()["late"] == ["C-15", "C-19"]


def test_the_procurement_notice_and_publication_are_late_only_after_their_due():
    # The due instants come from the working-day calendar (the procurement scenario reads them);
    # here each side of them.
    due = dt.datetime(2026, 4, 8, 16, 0, tzinfo=dt.UTC)
    award = Award(
        section_id=uuid.uuid4(),
        winner_id=uuid.uuid4(),
        rank=1,
        passed_over=[],
        decided_at=due - 2 * DAY,
        decided_by=uuid.uuid4(),
        notice_due=due,
        report_due=due + 30 * DAY,
        contract_signed_at=due - DAY,
        publication_due=due,
    )
    assert award_out(award, due).late == []
    assert award_out(award, due + MINUTE).late == ["P-14", "P-15"]
    award.notice_issued_at, award.contract_published_at = due, due + MINUTE
    assert award_out(award, due + 10 * DAY).late == ["P-15"]
