"""Refunds fall due by the rules of each sector, go back where the money came from, once; the bank
gets a payment file and answers confirmed or failed (and a failed one is retried)."""

import csv
import datetime as dt
import io

from sqlalchemy import select

from funds.refunds.models import Refund
from tests.funds.helpers import (
    dispatch,
    move,
    open_section,
    open_subaccount,
    pay,
    position,
    refunds_of,
    verify,
)
from tests.trading.factories import (
    award_as_the_decision_does,
    award_as_the_sale_does,
    evaluate_as_the_committee_does,
    open_as_the_opening_does,
)
from trading.events import publish

RATE = {
    "kind": "current_deposit",
    "effective_from": "2025-01-01",
    "rate_percent": "0.35",
    "source": "建行活期存款挂牌利率",
}
LOAN = {
    "kind": "benchmark_loan",
    "effective_from": "2015-10-24",
    "rate_percent": "4.35",
    "source": "人民银行贷款基准利率",
}


async def bidders_paid(
    client, people, settings, clock, section_id, orgs=("builder_a", "builder_b"), amount="20000.00"
):
    accounts = {}
    for org in orgs:
        account = await open_subaccount(client, people, section_id, org=org)
        await pay(client, people, settings, clock, account["number"], amount, org=org)
        accounts[org] = account
    return accounts


async def to_award(client, people, clock, section_id, sector, winner="builder_a", price_fen=None):
    clock.advance(
        dt.timedelta(days=(45 if sector == "land" else 35 if sector == "property" else 25), hours=1)
    )
    if sector in ("construction", "procurement"):
        await open_as_the_opening_does(people, section_id, clock.now())
        await evaluate_as_the_committee_does(people, section_id, clock.now())
    else:
        # Land and property sections are awarded by their listing or auction (bidding/auctions).
        await award_as_the_sale_does(people, section_id, clock.now(), people.org(winner).id, price_fen)
        return
    if sector == "construction":
        await move(client, people, section_id, "publish_candidates")
    await award_as_the_decision_does(people, section_id, clock.now(), people.org(winner).id)


async def fund(client, people, amount="100.00", source="center_transfer", txn="F-2026-0001"):
    """Interest is funded before it is paid: the center's transfer (or the bank's interest) first."""
    response = await client.post(
        "/api/funds/refunds/interest-funding",
        json={"source": source, "bank_txn_id": txn, "amount": amount, "value_date": "2026-03-31"},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def issue(client, people):
    response = await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_construction_withdrawal_before_the_deadline_is_refunded_within_5_days(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people)
    accounts = await bidders_paid(client, people, settings, clock, section_id, orgs=("builder_a",))
    clock.advance(dt.timedelta(days=3))  # Thursday 5 March
    async with db.session() as session:
        publish(
            session,
            "registration.withdrawn",
            {
                "section_id": section_id,
                "organisation_id": str(people.org("builder_a").id),
                "at": clock.now().isoformat(),
            },
            at=clock.now(),
        )
        await session.commit()
    assert await dispatch(app, db, clock) == 1
    (refund,) = await refunds_of(client, people, section_id)
    assert (refund["rule"], refund["due_on"], refund["due_basis"]) == ("C-07", "2026-03-10", "days")
    assert refund["trigger"] == "registration.withdrawn"
    assert refund["payee_account"] == people.org("builder_a").basic_account_number
    assert (await position(client, people, section_id))["status"] == "refunded"
    assert accounts["builder_a"]["number"]


async def test_a_withdrawal_after_the_deadline_is_not_refunded_but_may_be_forfeited(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people)
    await bidders_paid(client, people, settings, clock, section_id, orgs=("builder_a",))
    clock.advance(dt.timedelta(days=26))
    async with db.session() as session:
        publish(
            session,
            "registration.withdrawn",
            {
                "section_id": section_id,
                "organisation_id": str(people.org("builder_a").id),
                "at": clock.now().isoformat(),
            },
            at=clock.now(),
        )
        await session.commit()
    await dispatch(app, db, clock)
    assert await refunds_of(client, people, section_id) == []
    assert (await position(client, people, section_id))["status"] == "secured"


async def test_a_failed_section_refunds_every_deposit_each_to_its_own_account_once(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people)
    await bidders_paid(client, people, settings, clock, section_id)
    clock.advance(dt.timedelta(days=25, hours=1))
    await move(client, people, section_id, "fail", reason="投标人不足三家（C-09）")
    assert await dispatch(app, db, clock) == 1
    refunds = await refunds_of(client, people, section_id)
    assert sorted((r["payee_name"], r["payee_account"]) for r in refunds) == sorted(
        (people.org(o).basic_account_name, people.org(o).basic_account_number)
        for o in ("builder_a", "builder_b")
    )
    assert {(r["rule"], r["due_on"], r["status"]) for r in refunds} == {("C-16", "2026-04-01", "pending")}
    # The event runs again after a crash: nothing more happens.
    async with db.session() as session:
        from funds.refunds.rules import Trigger
        from funds.refunds.service import on_section_event

        await on_section_event(
            Trigger.failed, session, {"section_id": section_id, "sector": "construction"}, clock.now()
        )
        await session.commit()
        assert len((await session.scalars(select(Refund))).all()) == 2
    again = await client.post(
        f"/api/funds/deposits/{section_id}/{people.org('builder_a').id}/refund",
        json={"reason": "再退一次"},
        headers=people.headers("clerk"),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "deposit.already_settled"
    assert (await verify(client, people))["intact"]


async def test_construction_refunds_everyone_after_the_contract_with_interest(
    client, people, settings, db, clock, app
):
    await client.post("/api/funds/refunds/rates", json=RATE, headers=people.headers("clerk"))
    section_id = await open_section(client, people)
    await bidders_paid(client, people, settings, clock, section_id)
    await to_award(client, people, clock, section_id, "construction")
    await dispatch(app, db, clock)
    assert await refunds_of(client, people, section_id) == []  # C-16: not at the award
    clock.set(dt.datetime(2026, 3, 31, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    await move(client, people, section_id, "contract")
    await dispatch(app, db, clock)
    refunds = await refunds_of(client, people, section_id)
    assert len(refunds) == 2
    # Five days from 31 March end on 5 April, Qingming (4-6 April 2026): the period runs to 7 April (D-02).
    assert {(r["rule"], r["due_on"]) for r in refunds} == {("C-16", "2026-04-07")}
    clock.set(dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    # The interest is not paid out of the other bidders' deposits: it must be funded first.
    unfunded = await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    assert (unfunded.status_code, unfunded.json()["code"]) == (409, "refund.interest_unfunded")
    assert unfunded.json()["details"] == {"needed": "11.66", "available": "0.00"}
    assert (await fund(client, people, "8.00", source="bank_interest", txn="I-2026Q1"))["available"] == "8.00"
    short = await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    assert short.json()["details"] == {"needed": "11.66", "available": "8.00"}
    again = await fund(client, people, "8.00", source="bank_interest", txn="I-2026Q1")
    assert (again["created"], again["available"]) == (False, "8.00")  # the same credit, booked once
    assert (await fund(client, people, "3.66", txn="F-2026-0001"))["available"] == "11.66"
    instruction = await issue(client, people)
    # 20,000.00 yuan held from 2 March to 1 April (30 days) at 0.35 % a year, actual/360: 5.83.
    refunds = await refunds_of(client, people, section_id)
    assert {(r["interest"], r["total"], r["status"]) for r in refunds} == {("5.83", "20005.83", "sent")}
    assert (instruction["count"], instruction["total"]) == (2, "40011.66")
    for n, refund in enumerate(refunds):
        confirmed = await client.post(
            f"/api/funds/refunds/{refund['id']}/confirm",
            json={"bank_txn_id": f"D{n}", "paid_on": "2026-04-01"},
            headers=people.headers("clerk2"),  # four eyes: not who issued the payment file
        )
        assert confirmed.status_code == 200, confirmed.text
    balance = (await client.get("/api/funds/views/trial-balance", headers=people.headers("auditor"))).json()
    # Every deposit and every fen of interest paid: nothing left in escrow, nothing overdrawn.
    assert "escrow_bank" not in {line["account"] for line in balance["lines"]}
    assert balance["total_debit"] == balance["total_credit"]


async def test_procurement_losers_are_refunded_at_the_award_and_the_winner_after_the_contract(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people, "procurement", deposit="10000.00")
    await bidders_paid(client, people, settings, clock, section_id, amount="10000.00")
    await to_award(client, people, clock, section_id, "procurement", winner="builder_a")
    await dispatch(app, db, clock)
    (loser,) = await refunds_of(client, people, section_id)
    # Awarded Friday 27 March 2026: the 5th working day after is Friday 3 April.
    assert (loser["organisation_id"], loser["rule"], loser["due_basis"]) == (
        str(people.org("builder_b").id),
        "P-05",
        "working_days",
    )
    assert loser["due_on"] == "2026-04-03"
    assert (await position(client, people, section_id, org="builder_a"))["status"] == "secured"
    await move(client, people, section_id, "contract")
    await dispatch(app, db, clock)
    assert len(await refunds_of(client, people, section_id)) == 2


async def test_a_procurement_refund_paid_late_carries_the_p05_charge(
    client, people, settings, db, clock, app
):
    await client.post("/api/funds/refunds/rates", json=LOAN, headers=people.headers("clerk"))
    section_id = await open_section(client, people, "procurement", deposit="10000.00")
    await bidders_paid(client, people, settings, clock, section_id, orgs=("builder_b",), amount="10000.00")
    await to_award(client, people, clock, section_id, "procurement", winner="builder_a")
    await dispatch(app, db, clock)
    clock.set(dt.datetime(2026, 4, 13, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))  # 10 days late
    await fund(client, people)
    await issue(client, people)
    (refund,) = await refunds_of(client, people, section_id)
    # 10,000.00 × 4.35 % × 1.2 × 10 / 360 = 14.50
    assert (refund["late_charge"], refund["interest"], refund["total"]) == ("14.50", "0.00", "10014.50")


async def test_land_losers_are_refunded_without_interest_and_the_winner_converts(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people, "land", deposit="1000000.00")
    await bidders_paid(
        client, people, settings, clock, section_id, orgs=("developer", "builder_b"), amount="1000000.00"
    )
    await to_award(client, people, clock, section_id, "land", winner="developer")
    await dispatch(app, db, clock)
    (loser,) = await refunds_of(client, people, section_id)
    assert (loser["organisation_id"], loser["rule"]) == (str(people.org("builder_b").id), "L-05")
    converted = await client.post(
        f"/api/funds/deposits/{section_id}/{people.org('developer').id}/convert",
        json={"settle_fee": False},
        headers=people.headers("clerk"),
    )
    assert converted.status_code == 200, converted.text
    assert (converted.json()["state"], converted.json()["to_price"]) == ("converted", "1000000.00")
    assert (await position(client, people, section_id, org="developer"))["status"] == "converted"
    await issue(client, people)
    (loser,) = await refunds_of(client, people, section_id)
    assert (loser["interest"], loser["total"]) == ("0.00", "1000000.00")


async def test_the_payment_file_pays_each_refund_to_the_account_it_came_from(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people)
    accounts = await bidders_paid(
        client, people, settings, clock, section_id, orgs=("builder_a",), amount="12000.00"
    )
    await pay(client, people, settings, clock, accounts["builder_a"]["number"], "8000.00")
    clock.advance(dt.timedelta(days=25, hours=1))
    await move(client, people, section_id, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    await client.post("/api/funds/refunds/rates", json=RATE, headers=people.headers("clerk"))
    await fund(client, people)
    instruction = await issue(client, people)
    download = await client.get(instruction["file_url"], headers=people.headers("auditor"))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    builder = people.org("builder_a")
    assert {(r["payee_name"], r["payee_account"]) for r in rows} == {
        (builder.basic_account_name, builder.basic_account_number)
    }
    assert sorted(r["principal"] for r in rows) == ["12000.00", "8000.00"]
    refunds = await refunds_of(client, people, section_id)
    assert {r["reference"] for r in refunds} == {r["reference"] for r in rows}
    nothing_left = await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    assert nothing_left.status_code == 409
    assert nothing_left.json()["code"] == "refund.nothing_pending"


async def test_a_payment_file_waits_for_the_interest_rate_it_needs(client, people, settings, db, clock, app):
    section_id = await open_section(client, people)
    await bidders_paid(client, people, settings, clock, section_id, orgs=("builder_a",))
    await move(client, people, section_id, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    clock.advance(dt.timedelta(days=1))
    refused = await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "interest.rate_missing"
    (refund,) = await refunds_of(client, people, section_id)
    assert refund["status"] == "pending"


async def test_a_failed_payment_is_retried_on_the_same_refund_then_confirmed(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people, "land", deposit="1000.00")
    await bidders_paid(client, people, settings, clock, section_id, orgs=("builder_b",), amount="1000.00")
    await move(client, people, section_id, "cancel", reason="出让方案调整")
    await dispatch(app, db, clock)
    await issue(client, people)
    (refund,) = await refunds_of(client, people, section_id)
    first_reference = refund["reference"]
    failed = await client.post(
        f"/api/funds/refunds/{refund['id']}/fail",
        json={"reason": "收款账户已销户"},
        headers=people.headers("clerk"),
    )
    assert failed.json()["status"] == "failed"
    early = await client.post(
        f"/api/funds/refunds/{refund['id']}/confirm",
        json={"bank_txn_id": "CCBD1", "paid_on": "2026-03-03"},
        headers=people.headers("clerk2"),
    )
    assert early.status_code == 409
    retried = await client.post(f"/api/funds/refunds/{refund['id']}/retry", headers=people.headers("clerk"))
    assert retried.json()["status"] == "pending"
    await issue(client, people)
    (refund,) = await refunds_of(client, people, section_id)
    assert (refund["status"], refund["attempt"]) == ("sent", 2)
    assert refund["reference"] != first_reference
    assert refund["payee_account"] == people.org("builder_b").basic_account_number
    confirmed = await client.post(
        f"/api/funds/refunds/{refund['id']}/confirm",
        json={"bank_txn_id": "CCBD2", "paid_on": "2026-03-04", "amount": "1000.00"},
        headers=people.headers("clerk2"),
    )
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["paid_on"]) == ("confirmed", "2026-03-04")
    balance = await client.get("/api/funds/views/trial-balance", headers=people.headers("auditor"))
    assert balance.json()["lines"] == []  # the money came in and went back: every account at zero
    assert (await verify(client, people))["intact"]


async def test_a_guarantee_is_released_not_refunded_in_cash(client, people, settings, db, clock, app):
    section_id = await open_section(client, people)
    await open_subaccount(client, people, section_id)
    recorded = await client.post(
        "/api/funds/guarantees/",
        json={
            "section_id": section_id,
            "organisation_id": str(people.org("builder_a").id),
            "issuer": "中国建设银行南京江宁支行",
            "number": "BH2026030200001",
            "amount": "20000.00",
            "valid_from": "2026-03-02",
            "valid_until": "2026-06-30",
        },
        headers=people.headers("clerk"),
    )
    assert recorded.status_code == 201, recorded.text
    await move(client, people, section_id, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    assert await refunds_of(client, people, section_id) == []
    listed = await client.get(
        "/api/funds/guarantees/", params={"section_id": section_id}, headers=people.headers("clerk")
    )
    assert listed.json()[0]["status"] == "released"
    assert (await position(client, people, section_id))["status"] == "refunded"


async def test_a_supervisor_lists_only_its_sectors_refunds(client, people, settings, db, clock, app):
    section_id = await open_section(client, people)
    await bidders_paid(client, people, settings, clock, section_id, orgs=("builder_a",))
    await move(client, people, section_id, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    own = await client.get("/api/funds/refunds/", headers=people.headers("zj_supervisor"))
    other = await client.get("/api/funds/refunds/", headers=people.headers("zr_supervisor"))
    assert len(own.json()) == 1
    assert other.json() == []


async def test_one_deposit_that_cannot_be_refunded_does_not_hold_back_the_others(
    client, people, settings, db, clock, app
):
    from sqlalchemy import text

    from trading.audit.models import AuditEvent

    section_id = await open_section(client, people)
    accounts = await bidders_paid(client, people, settings, clock, section_id)
    async with db.session() as session:  # a credit marked reversed by hand, with no reversing entry
        await session.execute(
            text("UPDATE funds_bank_credit SET reversed_at = received_at WHERE virtual_account_number = :n"),
            {"n": accounts["builder_a"]["number"]},
        )
        await session.commit()
    await move(client, people, section_id, "cancel", reason="项目取消")
    assert await dispatch(app, db, clock) == 1
    (refund,) = await refunds_of(client, people, section_id)
    assert refund["organisation_id"] == str(people.org("builder_b").id)
    assert (await position(client, people, section_id, org="builder_a"))["status"] == "secured"
    async with db.session() as session:
        blocked = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "funds.deposit_refund_blocked")
            )
        ).all()
        assert [e.data["code"] for e in blocked] == ["deposit.lots_mismatch"]
