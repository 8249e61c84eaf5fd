"""A bidder's deposit: the position bidding asks about, forfeiture and conversion by staff."""

import datetime as dt
import uuid

from funds.deposits.service import DepositStatus, deposit_position
from tests.funds.helpers import dispatch, move, open_section, open_subaccount, pay, position, verify
from tests.funds.test_refunds import to_award


async def test_a_section_without_deposit_needs_none_and_may_bid(client, people, db, clock):
    section_id = uuid.UUID(await open_section(client, people, deposit="0.00"))
    async with db.session() as session:
        got = await deposit_position(
            session, section_id=section_id, organisation_id=people.org("builder_a").id, at=clock.now()
        )
    assert (got.status, got.required_fen, got.may_bid) == (DepositStatus.not_required, 0, True)


async def test_the_position_moves_from_unpaid_to_partly_paid_to_secured(client, people, settings, db, clock):
    section_id = await open_section(client, people, deposit="20000.00")
    account = await open_subaccount(client, people, section_id)
    async with db.session() as session:
        unpaid = await deposit_position(
            session,
            section_id=uuid.UUID(section_id),
            organisation_id=people.org("builder_a").id,
            at=clock.now(),
        )
    assert (unpaid.status, unpaid.paid_fen, unpaid.may_bid) == ("unpaid", 0, False)
    assert unpaid.deadline == dt.datetime(2026, 3, 27, 1, 0, tzinfo=dt.UTC)
    await pay(client, people, settings, clock, account["number"], "15000.00")
    got = await position(client, people, section_id)
    assert (got["status"], got["paid"], got["outstanding"], got["may_bid"]) == (
        "partly_paid",
        "15000.00",
        "5000.00",
        False,
    )
    clock.advance(dt.timedelta(hours=2))
    await pay(client, people, settings, clock, account["number"], "5000.00")
    got = await position(client, people, section_id)
    assert (got["status"], got["paid"], got["may_bid"]) == ("secured", "20000.00", True)


async def test_the_position_can_be_asked_as_of_an_earlier_instant(client, people, settings, db, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    before = clock.now()
    clock.advance(dt.timedelta(hours=1))
    await pay(client, people, settings, clock, account["number"], "20000.00")
    async with db.session() as session:
        then = await deposit_position(
            session, section_id=uuid.UUID(section_id), organisation_id=people.org("builder_a").id, at=before
        )
    assert then.status == "unpaid"


async def test_forfeiting_for_a_withdrawal_before_the_deadline_is_refused_citing_c07(
    client, people, settings, clock
):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    response = await client.post(
        f"/api/funds/deposits/{section_id}/{people.org('builder_a').id}/forfeit",
        json={"reason": "withdrawal_after_deadline", "note": "书面撤回"},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "deposit.forfeit_before_deadline"
    assert response.json()["rule"]["id"] == "C-07"


async def test_staff_forfeit_with_a_reason_and_the_money_goes_to_the_principal(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    clock.advance(dt.timedelta(days=26))
    forfeited = await client.post(
        f"/api/funds/deposits/{section_id}/{people.org('builder_a').id}/forfeit",
        json={"reason": "withdrawal_after_deadline", "note": "2026年3月28日书面撤回投标文件"},
        headers=people.headers("clerk"),
    )
    assert forfeited.status_code == 200, forfeited.text
    assert forfeited.json()["state"] == "forfeited"
    assert (await position(client, people, section_id))["status"] == "forfeited"
    balance = (await client.get("/api/funds/views/trial-balance", headers=people.headers("auditor"))).json()
    lines = {line["account"]: line for line in balance["lines"]}
    assert lines["forfeitures_payable:construction"]["credit"] == "20000.00"
    # The section failing later refunds nothing of a forfeited deposit.
    await move(client, people, section_id, "fail", reason="有效投标不足三家")
    await dispatch(app, db, clock)
    assert (await position(client, people, section_id))["status"] == "forfeited"
    assert (await verify(client, people))["intact"]


async def test_a_bidder_or_a_supervisor_cannot_forfeit(client, people):
    section_id = await open_section(client, people)
    for who in ("bidder_a", "zj_supervisor", "auditor"):
        response = await client.post(
            f"/api/funds/deposits/{section_id}/{people.org('builder_a').id}/forfeit",
            json={"reason": "false_documents", "note": "伪造业绩"},
            headers=people.headers(who),
        )
        assert response.status_code == 403


async def test_a_construction_deposit_does_not_convert_into_the_price(client, people, settings, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    await to_award(client, people, clock, section_id, "construction")
    response = await client.post(
        f"/api/funds/deposits/{section_id}/{people.org('builder_a').id}/convert",
        json={"settle_fee": False},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["rule"]["id"]) == ("deposit.conversion_sector", "L-05")


async def test_only_the_property_winner_converts_and_the_fee_is_paid_first(
    client, people, settings, db, clock, app
):
    await client.put(
        "/api/funds/fees/schedules/property",
        json={
            "effective_from": "2026-01-01",
            "payer": "winner",
            "source": "产权交易服务收费标准",
            "bands": [{"lower": "0.00", "upper": None, "rate_percent": "1"}],
        },
        headers=people.headers("admin"),
    )
    section_id = await open_section(client, people, "property", deposit="1000000.00")
    for org in ("developer", "builder_b"):
        account = await open_subaccount(client, people, section_id, org=org)
        await pay(client, people, settings, clock, account["number"], "1000000.00", org=org)
    await to_award(client, people, clock, section_id, "property", winner="developer", price_fen=1300000000)
    await dispatch(app, db, clock)
    wrong = await client.post(
        "/api/funds/fees/invoices",
        json={"section_id": section_id, "contract_value": "12500000.00"},
        headers=people.headers("clerk"),
    )
    assert (wrong.status_code, wrong.json()["code"]) == (409, "fee.not_the_sale_price")
    loser = await client.post(
        f"/api/funds/deposits/{section_id}/{people.org('builder_b').id}/convert",
        json={"settle_fee": False},
        headers=people.headers("clerk"),
    )
    assert loser.status_code in (409, 422)
    invoice = await client.post(
        "/api/funds/fees/invoices",
        json={"section_id": section_id, "contract_value": "13000000.00"},
        headers=people.headers("clerk"),
    )
    assert invoice.json()["amount"] == "130000.00"
    converted = await client.post(
        f"/api/funds/deposits/{section_id}/{people.org('developer').id}/convert",
        json={"settle_fee": True},
        headers=people.headers("clerk"),
    )
    assert converted.status_code == 200, converted.text
    assert (converted.json()["to_fee"], converted.json()["to_price"]) == ("130000.00", "870000.00")
    invoices = await client.get("/api/funds/fees/invoices", headers=people.headers("clerk"))
    assert invoices.json()[0]["settled"] == "130000.00"
    balance = (await client.get("/api/funds/views/trial-balance", headers=people.headers("auditor"))).json()
    lines = {line["account"]: line for line in balance["lines"]}
    assert "fees_receivable:property" not in lines  # settled
    assert lines["fee_income:property"]["credit"] == "130000.00"
    assert lines["price_payable:property"]["credit"] == "870000.00"
    assert balance["balanced"]
