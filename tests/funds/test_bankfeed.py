"""The bank's credit notifications: signed, idempotent, classified by the deposit rules."""

import asyncio
import datetime as dt

from tests.funds.helpers import (
    notification,
    notify,
    open_section,
    open_subaccount,
    pay,
    position,
    refunds_of,
    signed,
    verify,
)


async def test_a_notification_with_a_bad_signature_is_refused_with_401(client, people, settings, clock):
    raw, headers = signed(settings, clock, notification(people, "3205010000000010", "100.00"))
    headers["X-Bank-Signature"] = "0" * 64
    response = await client.post("/api/funds/bank/credits", content=raw, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "bankfeed.signature_invalid"


async def test_a_notification_signed_over_another_body_is_refused(client, people, settings, clock):
    raw, headers = signed(settings, clock, notification(people, "3205010000000010", "100.00"))
    tampered = raw.replace(b"100.00", b"900.00")
    response = await client.post("/api/funds/bank/credits", content=tampered, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "bankfeed.signature_invalid"


async def test_a_stale_or_unsigned_notification_is_refused(client, people, settings, clock):
    body = notification(people, "3205010000000010", "100.00")
    six_minutes_ago = int(clock.now().timestamp()) - 360
    raw, headers = signed(settings, clock, body, timestamp=six_minutes_ago)
    stale = await client.post("/api/funds/bank/credits", content=raw, headers=headers)
    assert stale.status_code == 401
    assert stale.json()["code"] == "bankfeed.timestamp_stale"
    unsigned = await client.post(
        "/api/funds/bank/credits", content=raw, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401
    assert unsigned.json()["code"] == "bankfeed.signature_missing"


async def test_a_signed_notification_with_a_number_for_an_amount_is_a_400(client, people, settings, clock):
    body = notification(people, "3205010000000010", "100.00")
    body["amount"] = 100.5
    response = await notify(client, settings, clock, body)
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"
    assert "amount" in response.json()["message"]["en"]


async def test_a_deposit_from_the_bidders_basic_account_secures_its_deposit(client, people, settings, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    credit = await pay(client, people, settings, clock, account["number"], "20000.00")
    assert credit["disposition"] == "deposit"
    assert credit["duplicate"] is False
    got = await position(client, people, section_id, as_="bidder_a")
    assert got["status"] == "secured"
    assert got["paid"] == "20000.00"
    assert got["may_bid"] is True


async def test_the_same_notification_twice_credits_once_and_answers_the_first_result(
    client, people, settings, clock
):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    body = notification(people, account["number"], "12000.00", txn="CCB20260302000001")
    first = await notify(client, settings, clock, body)
    clock.advance(dt.timedelta(minutes=1))
    second = await notify(client, settings, clock, body)
    assert first.status_code == second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["duplicate"] is True
    assert second.json()["received_at"] == first.json()["received_at"]
    got = await position(client, people, section_id)
    assert (got["status"], got["paid"]) == ("partly_paid", "12000.00")


async def test_a_known_transaction_id_with_another_amount_is_a_conflict(client, people, settings, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await notify(client, settings, clock, notification(people, account["number"], "12000.00", txn="CCB1"))
    response = await notify(
        client, settings, clock, notification(people, account["number"], "12000.01", txn="CCB1")
    )
    assert response.status_code == 409
    assert response.json()["code"] == "bankfeed.txn_conflict"
    assert (await position(client, people, section_id))["paid"] == "12000.00"


async def test_a_payment_from_another_name_is_held_in_suspense_not_counted(client, people, settings, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    credit = await pay(
        client,
        people,
        settings,
        clock,
        account["number"],
        "20000.00",
        payer_name="蒋某某（个人）",
        payer_account="6222020000000000001",
    )
    assert credit["disposition"] == "foreign_payer"
    got = await position(client, people, section_id)
    assert (got["status"], got["paid"], got["may_bid"]) == ("unpaid", "0.00", False)
    suspense = await client.get(
        "/api/funds/bank/credits", params={"disposition": "foreign_payer"}, headers=people.headers("clerk")
    )
    assert [c["bank_txn_id"] for c in suspense.json()] == [credit["bank_txn_id"]]


async def test_a_payment_from_the_right_name_but_another_account_is_not_the_deposit(
    client, people, settings, clock
):
    """C-06: the deposit comes from the bidder's basic account, not merely from a same-named one."""
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    credit = await pay(
        client, people, settings, clock, account["number"], "20000.00", payer_account="6217000000000000099"
    )
    assert credit["disposition"] == "foreign_payer"


async def test_full_width_brackets_and_spaces_in_the_payer_name_do_not_matter(
    client, people, settings, clock
):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id, org="builder_b")
    name = people.org("builder_b").basic_account_name
    credit = await pay(
        client,
        people,
        settings,
        clock,
        account["number"],
        "20000.00",
        org="builder_b",
        payer_name=f" {name} ",
    )
    assert credit["disposition"] == "deposit"


async def test_a_payment_after_the_deadline_is_recorded_late_and_returned(client, people, settings, clock):
    section_id = await open_section(client, people, days_to_deadline=25)
    account = await open_subaccount(client, people, section_id)
    clock.advance(dt.timedelta(days=25, minutes=1))
    credit = await pay(client, people, settings, clock, account["number"], "20000.00")
    assert credit["disposition"] == "late"
    got = await position(client, people, section_id)
    assert (got["status"], got["may_bid"]) == ("unpaid", False)
    (refund,) = await refunds_of(client, people, section_id)
    assert refund["kind"] == "return"
    assert refund["payee_account"] == people.org("builder_a").basic_account_number
    assert refund["principal"] == "20000.00"


async def test_a_credit_to_an_unknown_virtual_account_waits_in_suspense(client, people, settings, clock):
    credit = await pay(client, people, settings, clock, "3205019999999999", "500.00")
    assert credit["disposition"] == "unmatched"
    assert credit["section_id"] is None
    report = await verify(client, people)
    assert report["intact"]


async def test_staff_return_a_suspense_item_to_its_payer_once(client, people, settings, clock):
    credit = await pay(client, people, settings, clock, "3205019999999999", "500.00")
    first = await client.post(
        f"/api/funds/bank/credits/{credit['id']}/return",
        json={"reason": "子账号不符，退回"},
        headers=people.headers("clerk"),
    )
    again = await client.post(
        f"/api/funds/bank/credits/{credit['id']}/return",
        json={"reason": "子账号不符，退回"},
        headers=people.headers("clerk"),
    )
    assert first.status_code == again.status_code == 200, first.text
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["payee_account"] == people.org("builder_a").basic_account_number


async def test_a_deposit_credit_posted_by_mistake_is_reversed_by_a_reversing_entry(
    client, people, settings, clock
):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    credit = await pay(client, people, settings, clock, account["number"], "20000.00")
    reversed_ = await client.post(
        f"/api/funds/bank/credits/{credit['id']}/reverse",
        json={"reason": "银行退汇"},
        headers=people.headers("clerk"),
    )
    assert reversed_.status_code == 200, reversed_.text
    assert reversed_.json()["reversed_at"] is not None
    assert (await position(client, people, section_id))["status"] == "unpaid"
    movements = await client.get(
        f"/api/funds/views/sections/{section_id}/movements", headers=people.headers("auditor")
    )
    codes = [m["code"] for m in movements.json()]
    assert codes == ["deposit_received", "deposit_received", "reversal", "reversal"]
    assert (await verify(client, people))["intact"]


async def test_twenty_copies_of_one_notification_sent_at_once_over_http_credit_once(
    client, people, settings, clock
):
    """The race between real connections is in test_concurrency.py; this is the bank's view."""
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    body = notification(people, account["number"], "20000.00", txn="CCB-RACE-1")
    answers = await asyncio.gather(*(notify(client, settings, clock, body) for _ in range(20)))
    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers if a.status_code != 200]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sorted(a.json()["duplicate"] for a in answers) == [False] + [True] * 19
    got = await position(client, people, section_id)
    assert got["paid"] == "20000.00"
    movements = await client.get(
        f"/api/funds/views/sections/{section_id}/movements", headers=people.headers("auditor")
    )
    assert [m["code"] for m in movements.json()] == ["deposit_received", "deposit_received"]
    assert (await verify(client, people))["intact"]
