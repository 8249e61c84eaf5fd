"""The bank's daily statement, reconciled with the notifications (docs/bank-statement.md)."""

import datetime as dt

from funds.reconciliation.service import COLUMNS
from tests.funds.helpers import (
    dispatch,
    move,
    notification,
    notify,
    open_section,
    open_subaccount,
    position,
    verify,
)

HEADER = ",".join(COLUMNS)


def line(
    txn,
    amount,
    account="",
    name="",
    number="",
    *,
    direction="C",
    time="2026-03-02 10:15:00",
    reference="",
    summary="",
):
    return f"{txn},{time},{direction},{amount},{account},{name},{number},中国建设银行,{reference},{summary}"


async def upload(client, people, text, day="2026-03-02"):
    return await client.post(
        "/api/funds/bank/statements",
        params={"statement_date": day},
        content=text.encode("utf-8"),
        headers={**people.headers("clerk"), "Content-Type": "text/csv"},
    )


async def test_the_statement_is_matched_posted_and_its_differences_listed(client, people, settings, clock):
    section_id = await open_section(client, people)
    a = await open_subaccount(client, people, section_id, org="builder_a")
    b = await open_subaccount(client, people, section_id, org="builder_b")
    c = await open_subaccount(client, people, section_id, org="builder_c")
    builder_a, builder_b, builder_c = (people.org(o) for o in ("builder_a", "builder_b", "builder_c"))
    for txn, account, amount, org in (
        ("T1", a, "20000.00", "builder_a"),
        ("T3", c, "20000.00", "builder_c"),
        ("T7", a, "100.00", "builder_a"),
    ):
        assert (
            await notify(
                client, settings, clock, notification(people, account["number"], amount, org=org, txn=txn)
            )
        ).status_code == 200
    statement = "\n".join(
        [
            HEADER,
            line("T1", "20000.00", a["number"], builder_a.basic_account_name, builder_a.basic_account_number),
            line("T2", "20000.00", b["number"], builder_b.basic_account_name, builder_b.basic_account_number),
            line("T3", "2000.00", c["number"], builder_c.basic_account_name, builder_c.basic_account_number),
            line("T4", "300.00", "3205019999999999", "某某公司", "6222000000000000001"),
            line("T5", "500.00", b["number"], "王某（个人）", "6222000000000000002"),
            line("T6", "12.34", summary="结息"),
        ]
    )
    response = await upload(client, people, statement)
    assert response.status_code == 200, response.text
    report = response.json()["report"]
    assert report["counts"] == {
        "matched": 1,
        "posted_from_statement": 3,
        "amount_mismatches": 1,
        "payer_name_mismatches": 1,
        "unmatched": 1,
        "late": 0,
        "refunds_confirmed": 0,
        "interest": 1,
        "missing_from_statement": 1,
    }
    assert report["matched"][0]["bank_txn_id"] == "T1"
    assert [i["bank_txn_id"] for i in report["posted_from_statement"]] == ["T2", "T4", "T5"]
    assert report["amount_mismatches"][0]["line"] == 4
    assert (report["amount_mismatches"][0]["amount"], report["amount_mismatches"][0]["recorded_amount"]) == (
        "2000.00",
        "20000.00",
    )
    assert report["payer_name_mismatches"][0]["bank_txn_id"] == "T5"
    assert report["unmatched"][0]["bank_txn_id"] == "T4"
    assert report["missing_from_statement"][0]["bank_txn_id"] == "T7"
    # The credit the notifications missed counts as builder_b's deposit; the foreign payer's does not.
    assert (await position(client, people, section_id, org="builder_b"))["paid"] == "20000.00"
    assert (await verify(client, people))["intact"]

    again = await upload(client, people, statement)
    assert again.json()["already_imported"] is True
    assert again.json()["id"] == response.json()["id"]
    assert (await position(client, people, section_id, org="builder_b"))["paid"] == "20000.00"


async def test_a_malformed_line_refuses_the_whole_statement(client, people):
    statement = "\n".join(
        [
            HEADER,
            line("T1", "20000.00", "320501000000001"),
            line("T2", "20,000.00"),
            line("T3", "5.00", direction="X"),
        ]
    )
    response = await upload(client, people, statement)
    assert response.status_code == 422
    assert response.json()["code"] == "statement.lines_invalid"
    assert [e["line"] for e in response.json()["details"]["errors"]] == [3, 4]
    listed = await client.get("/api/funds/bank/statements", headers=people.headers("auditor"))
    assert listed.json() == []


async def test_a_statement_with_the_wrong_columns_is_refused(client, people):
    response = await upload(client, people, "txn,amount\nT1,5.00\n")
    assert response.status_code == 422
    assert response.json()["code"] == "statement.header_invalid"


async def test_a_debit_line_confirms_the_refund_it_pays(client, people, settings, db, clock, app):
    section_id = await open_section(client, people, "land", deposit="1000.00")
    account = await open_subaccount(client, people, section_id, org="developer")
    developer = people.org("developer")
    await notify(
        client, settings, clock, notification(people, account["number"], "1000.00", org="developer", txn="T1")
    )
    await move(client, people, section_id, "cancel", reason="出让方案调整")
    await dispatch(app, db, clock)
    await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    (refund,) = (await client.get("/api/funds/refunds/", headers=people.headers("clerk"))).json()
    clock.advance(dt.timedelta(days=1))
    statement = "\n".join(
        [
            HEADER,
            line(
                "T1",
                "1000.00",
                account["number"],
                developer.basic_account_name,
                developer.basic_account_number,
            ),
            line(
                "D1",
                "1000.00",
                "",
                developer.basic_account_name,
                developer.basic_account_number,
                direction="D",
                time="2026-03-03 11:00:00",
                reference=refund["reference"],
            ),
        ]
    )
    report = (await upload(client, people, statement)).json()["report"]
    assert report["counts"]["refunds_confirmed"] == 1
    (refund,) = (await client.get("/api/funds/refunds/", headers=people.headers("clerk"))).json()
    assert (refund["status"], refund["paid_on"], refund["bank_txn_id"]) == ("confirmed", "2026-03-03", "D1")
    assert (await verify(client, people))["intact"]


async def test_an_oversized_statement_is_refused(client, people):
    big = HEADER + "\n" + ("x" * 1000 + "\n") * 11_000
    response = await upload(client, people, big)
    assert response.status_code == 413


async def test_a_gbk_export_is_refused_with_what_to_do_not_a_server_error(client, people):
    gbk = "\n".join([HEADER, line("T1", "20000.00", "320501000000001", "江苏华建建设集团有限公司")])
    response = await client.post(
        "/api/funds/bank/statements",
        params={"statement_date": "2026-03-02"},
        content=gbk.encode("gbk"),
        headers={**people.headers("clerk"), "Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "statement.encoding_invalid"
    assert "UTF-8" in response.json()["message"]["zh-CN"]
    listed = await client.get("/api/funds/bank/statements", headers=people.headers("auditor"))
    assert listed.json() == []
