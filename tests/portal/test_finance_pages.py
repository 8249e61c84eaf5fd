"""The center's finance console (/portal/funds): a payment file issued and downloaded from the page,
the bank's answers recorded (confirm, fail, retry) with the four-eyes rule, a day's statement
imported and its report read; refusals beside the field, changing nothing; the guards."""

from __future__ import annotations

import csv
import io
import re

import pytest

from funds.reconciliation.service import COLUMNS
from tests.funds.helpers import dispatch, move, open_section, open_subaccount, pay, refunds_of
from tests.portal.helpers import HTML, csrf_token, sign_in

READ_PAGES = ["/portal/funds", "/portal/funds/instructions", "/portal/funds/statements"]


async def form_post(client, page: str, action: str, data: dict, **kw):
    token = await csrf_token(client, page)
    return await client.post(action, data={**data, "_csrf_token": token}, headers=HTML, **kw)


async def refund_due(client, people, settings, clock, app, db) -> dict:
    """builder_b paid a land deposit; the sale is cancelled: the deposit is due back (L-05)."""
    section_id = await open_section(client, people, "land", deposit="1000.00")
    account = await open_subaccount(client, people, section_id, org="builder_b")
    await pay(client, people, settings, clock, account["number"], "1000.00", org="builder_b")
    await move(client, people, section_id, "cancel", reason="出让方案调整")
    await dispatch(app, db, clock)
    (refund,) = await refunds_of(client, people, section_id)
    assert refund["status"] == "pending"
    return refund


async def status_of(client, people, refund: dict) -> dict:
    (now,) = await refunds_of(client, people, refund["section_id"])
    return now


async def test_staff_issue_the_payment_file_download_it_and_the_second_staff_confirms(
    client, people, settings, clock, app, db
):
    refund = await refund_due(client, people, settings, clock, app, db)
    builder = people.org("builder_b")
    await sign_in(client, "clerk")
    worklist = await client.get("/portal/funds", headers=HTML)
    assert worklist.status_code == 200
    assert builder.name in worklist.text and builder.basic_account_number in worklist.text
    assert "¥1,000.00" in worklist.text

    issued = await form_post(client, "/portal/funds/instructions", "/portal/funds/instructions", {})
    assert issued.status_code == 303
    files = await client.get("/portal/funds/instructions", headers=HTML)
    (link,) = re.findall(r'href="(/portal/funds/instructions/[0-9a-f-]+/file)"', files.text)
    download = await client.get(link)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    (line,) = csv.DictReader(io.StringIO(download.text))
    assert (line["payee_account"], line["amount"]) == (builder.basic_account_number, "1000.00")
    sent = await status_of(client, people, refund)
    assert (sent["status"], sent["reference"]) == ("sent", line["reference"])

    # Four eyes: who issued the file does not confirm its payments.
    own = await form_post(
        client,
        "/portal/funds",
        f"/portal/funds/refunds/{refund['id']}/confirm",
        {"bank_txn_id": "CCBD1", "paid_on": "2026-03-03", "amount": ""},
    )
    assert own.status_code == 403
    assert re.search(rf'id="r-{refund["id"]}"[\s\S]*?role="alert">四眼原则', own.text)
    assert (await status_of(client, people, refund))["status"] == "sent"

    await sign_in(client, "clerk2")
    wrong = await form_post(
        client,
        "/portal/funds",
        f"/portal/funds/refunds/{refund['id']}/confirm",
        {"bank_txn_id": "CCBD1", "paid_on": "2026-03-03", "amount": "999.00"},
    )
    assert wrong.status_code == 409
    assert re.search(rf'id="e-amount-{refund["id"]}" role="alert">银行支付金额999.00元', wrong.text)
    assert 'value="CCBD1"' in wrong.text  # what was typed stays in the form
    assert (await status_of(client, people, refund))["status"] == "sent"

    paid = await form_post(
        client,
        "/portal/funds",
        f"/portal/funds/refunds/{refund['id']}/confirm",
        {"bank_txn_id": "CCBD1", "paid_on": "2026-03-03", "amount": "1000.00"},
    )
    assert paid.status_code == 303
    confirmed = await status_of(client, people, refund)
    assert (confirmed["status"], confirmed["paid_on"], confirmed["bank_txn_id"]) == (
        "confirmed",
        "2026-03-03",
        "CCBD1",
    )
    paid_tab = await client.get("/portal/funds?status=confirmed", headers=HTML)
    assert "CCBD1" in paid_tab.text


async def test_a_failed_payment_is_recorded_with_its_reason_then_retried(
    client, people, settings, clock, app, db
):
    refund = await refund_due(client, people, settings, clock, app, db)
    await sign_in(client, "clerk")
    await form_post(client, "/portal/funds/instructions", "/portal/funds/instructions", {})
    action = f"/portal/funds/refunds/{refund['id']}"

    no_reason = await form_post(client, "/portal/funds", f"{action}/fail", {"reason": " "})
    assert no_reason.status_code == 400
    assert re.search(rf'id="e-reason-{refund["id"]}" role="alert">填写有误', no_reason.text)
    assert (await status_of(client, people, refund))["status"] == "sent"

    early = await form_post(client, "/portal/funds", f"{action}/retry", {})
    assert early.status_code == 409
    assert (await status_of(client, people, refund))["status"] == "sent"

    failed = await form_post(client, "/portal/funds", f"{action}/fail", {"reason": "收款账户已销户"})
    assert failed.status_code == 303
    shown = await client.get("/portal/funds", headers=HTML)
    assert "收款账户已销户" in shown.text and f"{action}/retry" in shown.text
    assert (await status_of(client, people, refund))["failure_reason"] == "收款账户已销户"

    retried = await form_post(client, "/portal/funds", f"{action}/retry", {})
    assert retried.status_code == 303
    assert (await status_of(client, people, refund))["status"] == "pending"


async def test_a_payment_file_with_nothing_due_is_refused_on_the_page(client, people):
    await sign_in(client, "clerk")
    refused = await form_post(client, "/portal/funds/instructions", "/portal/funds/instructions", {})
    assert refused.status_code == 409
    assert re.search(r'class="error form-error" role="alert">没有待支付的退款<', refused.text)
    assert "/portal/funds/instructions/" not in refused.text  # no file was made


def statement(*lines: str) -> bytes:
    return "\n".join([",".join(COLUMNS), *lines]).encode("utf-8")


async def upload(client, day: str, content: bytes):
    token = await csrf_token(client, "/portal/funds/statements")
    return await client.post(
        "/portal/funds/statements",
        data={"statement_date": day, "_csrf_token": token},
        files={"file": ("statement.csv", content, "text/csv")},
        headers=HTML,
    )


async def test_staff_import_the_days_statement_and_read_its_report(client, people, settings, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id, org="builder_a")
    builder = people.org("builder_a")
    credit = (
        f"CCB-P1,2026-03-02 10:15:00,C,20000.00,{account['number']},{builder.basic_account_name},"
        f"{builder.basic_account_number},中国建设银行,,投标保证金"
    )
    await sign_in(client, "clerk")

    bad = await upload(client, "2026-03-02", statement(credit, "CCB-P2,2026-03-02 11:00:00,X,5.00,,,,,,"))
    assert bad.status_code == 422
    assert re.search(r'id="e-file" role="alert"><p>对账单有1行格式错误', bad.text)
    assert "第3行：direction must be C (credit) or D (debit)" in bad.text
    gbk = await upload(client, "2026-03-02", "\n".join([",".join(COLUMNS), credit]).encode("gbk"))
    assert gbk.status_code == 422
    assert re.search(r'id="e-file" role="alert"><p>对账单须为UTF-8编码', gbk.text)
    no_date = await upload(client, "", statement(credit))
    assert no_date.status_code == 400
    assert re.search(r'id="e-statement_date" role="alert">请填写对账单日期', no_date.text)
    listed = await client.get("/api/funds/bank/statements", headers=people.headers("auditor"))
    assert listed.json() == []  # neither refusal imported anything

    imported = await upload(client, "2026-03-02", statement(credit))
    assert imported.status_code == 303
    report = await client.get(imported.headers["location"], headers=HTML)
    assert report.status_code == 200
    assert re.search(r"据对账单补记</a></th><td>1<", report.text) and "CCB-P1" in report.text
    (stored,) = (await client.get("/api/funds/bank/statements", headers=people.headers("auditor"))).json()
    assert stored["report"]["counts"]["posted_from_statement"] == 1

    again = await upload(client, "2026-03-02", statement(credit))
    assert again.status_code == 303 and again.headers["location"].endswith("?already=1")
    assert "此前已导入" in (await client.get(again.headers["location"], headers=HTML)).text
    listed = await client.get("/api/funds/bank/statements", headers=people.headers("auditor"))
    assert len(listed.json()) == 1


@pytest.mark.parametrize("path", READ_PAGES)
async def test_anonymous_browsers_are_sent_to_log_in_and_bidders_refused(client, people, path):
    anonymous = await client.get(path, headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    await sign_in(client, "bidder_a")
    assert (await client.get(path, headers=HTML)).status_code == 403


async def test_auditors_read_without_forms_and_supervisors_see_only_refunds(client, people):
    await sign_in(client, "auditor")
    for path in READ_PAGES:
        answer = await client.get(path, headers=HTML)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert 'method="post" action="/portal/funds' not in answer.text
    assert (await form_post(client, "/portal/funds", "/portal/funds/instructions", {})).status_code == 403
    await sign_in(client, "zj_supervisor")
    ledger = await client.get("/portal/supervision/ledger", headers=HTML)
    assert 'href="/portal/funds"' in ledger.text
    assert (await client.get("/portal/funds", headers=HTML)).status_code == 200
    assert (await client.get("/portal/funds/statements", headers=HTML)).status_code == 403
    assert (await client.get("/portal/funds/instructions", headers=HTML)).status_code == 403


async def test_a_post_without_the_csrf_token_is_refused(client, people, settings, clock, app, db):
    await refund_due(client, people, settings, clock, app, db)
    await sign_in(client, "clerk")
    refused = await client.post("/portal/funds/instructions", data={}, headers=HTML)
    assert refused.status_code == 403
    (refund,) = (await client.get("/api/funds/refunds/", headers=people.headers("clerk"))).json()
    assert refund["status"] == "pending"
