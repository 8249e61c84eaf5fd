"""The construction trade's money, end to end through the API: three deposits in, the contract,
three refunds with interest, funded before they are paid; the escrow ends on its right side, the
trial balance at zero, and both logs verify against a checkpoint a supervisor took away."""

import datetime as dt

from tests.funds.helpers import dispatch, move, open_section, refunds_of
from tests.funds.test_refunds import RATE, bidders_paid, fund, issue, to_award

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Debit-normal kinds carry debit balances, credit-normal kinds credit balances.
RIGHT_SIDE = {"asset": "debit", "expense": "debit", "liability": "credit", "income": "credit"}


async def test_construction_refunds_leave_the_escrow_on_its_right_side_and_provable(
    client, people, settings, db, clock, app
):
    supervisor = people.headers("zj_supervisor")
    await client.post("/api/funds/refunds/rates", json=RATE, headers=people.headers("clerk"))
    section_id = await open_section(client, people)
    await bidders_paid(
        client, people, settings, clock, section_id, orgs=("builder_a", "builder_b", "builder_c")
    )
    await to_award(client, people, clock, section_id, "construction")
    clock.set(dt.datetime(2026, 3, 31, 10, 0, tzinfo=SHANGHAI))
    await move(client, people, section_id, "contract")
    await dispatch(app, db, clock)
    clock.set(dt.datetime(2026, 4, 15, 10, 0, tzinfo=SHANGHAI))
    unfunded = await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    assert (unfunded.status_code, unfunded.json()["code"]) == (409, "refund.interest_unfunded")
    needed = unfunded.json()["details"]["needed"]
    # The bank's quarterly interest on the escrow account is booked first (it funds the interest).
    await fund(client, people, needed, source="bank_interest", txn="I-2026Q1")
    kept = (await client.post("/api/audit/logs/journal/checkpoint", headers=supervisor)).json()
    instruction = await issue(client, people)
    assert instruction["count"] == 3
    for n, refund in enumerate(await refunds_of(client, people, section_id)):
        paid = await client.post(
            f"/api/funds/refunds/{refund['id']}/confirm",
            json={"bank_txn_id": f"D-{n}", "paid_on": "2026-04-15", "amount": refund["total"]},
            headers=people.headers("clerk2"),  # four eyes: not who issued the payment file
        )
        assert paid.status_code == 200, paid.text

    balance = (await client.get("/api/funds/views/trial-balance", headers=people.headers("auditor"))).json()
    assert balance["balanced"] and balance["total_debit"] == balance["total_credit"]
    wrong_side = [
        line["account"]
        for line in balance["lines"]
        if (line["debit"] != "0.00") != (RIGHT_SIDE[line["kind"]] == "debit")
    ]
    assert wrong_side == []
    assert "escrow_bank" not in {line["account"] for line in balance["lines"]}  # every fen paid out

    for log in ("audit", "journal"):
        report = await client.post(
            f"/api/audit/logs/{log}/verify",
            json={"checkpoint": kept if log == "journal" else None},
            headers=supervisor,
        )
        assert report.json()["intact"], report.json()
    ledger = (await client.get("/api/funds/views/ledger/verify", headers=people.headers("auditor"))).json()
    assert ledger["intact"] and ledger["checkpoints_checked"] >= 1
