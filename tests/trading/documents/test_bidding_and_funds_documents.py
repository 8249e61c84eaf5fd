"""The documents bidding and funds register: the bid receipt, the opening record, the deposit
receipt, the refund notice and a supervisor's ledger statement, from a real procedure (sealed
bids, a remote opening, deposits paid through the bank feed), and who may issue and read them."""

import pytest

from tests.bidding.kit import Kit, pass_deadline, ready_section, release_all, submit
from tests.trading.documents.helpers import check_document, fetch, issue


@pytest.fixture
async def kit(client, people, settings, clock, tmp_path) -> Kit:
    return await ready_section(client, people, settings, clock, tmp_path)


async def bid_and_open(client, people, kit, clock) -> dict[str, str]:
    """Three sealed bids, the deadline, key shares, the unsealing; the receipt id of each bidder."""
    receipts = {}
    for username, price in (
        ("bidder_a", "48600000.00"),
        ("bidder_b", "47900000.00"),
        ("bidder_c", "49000000.00"),
    ):
        answer = await submit(client, people, kit, username, kit.seal(username, price))
        assert answer.status_code == 201, answer.text
        receipts[username] = answer.json()["body"]["receipt_id"]
    await pass_deadline(clock, kit)
    url = f"/api/bidding/sections/{kit.section_id}/opening"
    assert (await client.post(url, json={}, headers=people.headers("clerk"))).status_code == 201
    await release_all(client, people, kit)
    assert (await client.post(f"{url}/unseal", headers=people.headers("clerk"))).status_code == 200
    return receipts


async def test_bidding_and_funds_documents_render_signed(client, people, kit, clock):
    receipts = await bid_and_open(client, people, kit, clock)
    a, c = people.org("builder_a"), people.org("builder_c")

    receipt = await issue(client, people, "bidder_a", "bid.receipt", receipts["bidder_a"])
    await check_document(
        client, await fetch(client, people, "bidder_a", receipt), receipt, "投标文件递交回执", a.name, a.uscc
    )
    record = await issue(client, people, "clerk", "bid.opening_record", kit.section_id)
    await check_document(
        client,
        await fetch(client, people, "bidder_c", record),
        record,
        "开标记录",
        "唱标一览",
        a.name,
        c.name,
        "47900000.00",
        "49000000.00",
    )

    credits = await client.get(
        "/api/funds/bank/credits", params={"section_id": kit.section_id}, headers=people.headers("clerk")
    )
    credit = next(x for x in credits.json() if x["payer_name"] == a.basic_account_name)
    deposit = await issue(client, people, "bidder_a", "funds.deposit_receipt", credit["id"])
    await check_document(
        client,
        await fetch(client, people, "bidder_a", deposit),
        deposit,
        "投标保证金收款凭证",
        a.name,
        credit["virtual_account"],
        "20000.00",
    )

    refunded = await client.post(
        f"/api/funds/deposits/{kit.section_id}/{c.id}/refund",
        json={"reason": "投标人资格审查未通过"},
        headers=people.headers("clerk"),
    )
    assert refunded.status_code == 200, refunded.text
    notice = await issue(client, people, "clerk", "funds.refund_notice", refunded.json()[0]["id"])
    await check_document(
        client,
        await fetch(client, people, "bidder_c", notice),
        notice,
        "保证金退还通知书",
        c.name,
        c.basic_account_name,
    )

    for subject in (kit.section_id, "2026-03/construction"):
        statement = await issue(client, people, "zj_supervisor", "funds.ledger_statement", subject)
        await check_document(
            client,
            await fetch(client, people, "zj_supervisor", statement),
            statement,
            "保证金账务对账单",
            "借方合计",
            "20000.00",
        )


async def test_a_bidder_gets_only_its_own_papers(client, people, kit, clock):
    receipts = await bid_and_open(client, people, kit, clock)
    theirs = await client.post(
        "/api/documents/",
        json={"kind": "bid.receipt", "subject": receipts["bidder_b"]},
        headers=people.headers("bidder_a"),
    )
    assert theirs.status_code == 404 and theirs.json()["code"] == "document.subject_not_found"
    mine = await issue(client, people, "bidder_b", "bid.receipt", receipts["bidder_b"])
    other = await client.get(f"/api/documents/{mine['id']}/pdf", headers=people.headers("bidder_a"))
    assert other.status_code == 404
    listed = await client.get("/api/documents/", headers=people.headers("bidder_a"))
    assert listed.json() == []
    # A bureau names the sector it supervises for a month; another bureau's month is refused.
    month = await client.post(
        "/api/documents/",
        json={"kind": "funds.ledger_statement", "subject": "2026-03"},
        headers=people.headers("zj_supervisor"),
    )
    assert month.status_code == 422 and month.json()["code"] == "document.sector_required"
    # The construction bureau's statement is not the procurement bureau's to read.
    statement = await issue(client, people, "zj_supervisor", "funds.ledger_statement", kit.section_id)
    other_bureau = await client.get(
        f"/api/documents/{statement['id']}", headers=people.headers("cz_supervisor")
    )
    assert other_bureau.status_code == 404
    assert (await client.get("/api/documents/", headers=people.headers("cz_supervisor"))).json() == []
    assert (
        await client.get(f"/api/documents/{statement['id']}", headers=people.headers("auditor"))
    ).status_code == 200
    bidder = await client.post(
        "/api/documents/",
        json={"kind": "funds.ledger_statement", "subject": kit.section_id},
        headers=people.headers("bidder_a"),
    )
    assert bidder.status_code == 403 and bidder.json()["code"] == "document.not_allowed"
