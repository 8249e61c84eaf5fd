"""The documents the demo center can issue as it stands at its clock: every published
announcement in the four sectors, and the land sale's deposit receipts and ledger statement, each
with the demo's real names, rendered, signed and verifiable."""

from tests.trading.documents.helpers import check_document
from trading.demo import load_demo


async def login(client, username: str) -> dict[str, str]:
    answer = await client.post(
        "/api/auth/login", json={"username": username, "password": f"{username}-demo-2026"}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


async def issued(client, headers, kind: str, subject: str) -> tuple[dict, bytes]:
    answer = await client.post("/api/documents/", json={"kind": kind, "subject": subject}, headers=headers)
    assert answer.status_code == 201, answer.text
    pdf = await client.get(f"/api/documents/{answer.json()['id']}/pdf", headers=headers)
    assert pdf.status_code == 200
    return answer.json(), pdf.content


async def test_the_demo_centers_documents_render_signed(client, db, clock):
    await load_demo(db, clock)
    clerk = await login(client, "clerk")
    announcements = (await client.get("/api/public/announcements/")).json()["items"]
    assert {a["sector"] for a in announcements} == {"construction", "procurement", "land", "property"}
    for announcement in announcements:
        document, pdf = await issued(
            client, clerk, f"announcement.{announcement['kind']}", announcement["id"]
        )
        await check_document(client, pdf, document, announcement["title"], "招标（采购、出让）公告")

    land = next(
        p for p in (await client.get("/api/projects/", headers=clerk)).json() if p["sector"] == "land"
    )
    section_id = land["sections"][0]["id"]
    credits = (
        await client.get("/api/funds/bank/credits", params={"section_id": section_id}, headers=clerk)
    ).json()
    deposits = [c for c in credits if c["disposition"] == "deposit"]
    assert len(deposits) == 2
    for credit in deposits:
        document, pdf = await issued(client, clerk, "funds.deposit_receipt", credit["id"])
        await check_document(
            client, pdf, document, "投标保证金收款凭证", credit["payer_name"], credit["virtual_account"]
        )
    document, pdf = await issued(client, clerk, "funds.ledger_statement", section_id)
    section = land["sections"][0]
    await check_document(
        client, pdf, document, "保证金账务对账单", section["code"], section["name"], "借方合计"
    )


async def test_every_document_the_issue_asks_for_is_registered(client, people):
    kinds = await client.get("/api/documents/kinds", headers=people.headers("bidder_a"))
    assert {k["name"]: k["zh"] for k in kinds.json()} == {
        "announcement.call": "招标（采购、出让）公告",
        "announcement.amendment": "变更公告",
        "announcement.candidates": "中标候选人公示",
        "announcement.award": "中标（成交）结果公告",
        "announcement.failure": "流标（终止）公告",
        "bid.receipt": "投标回执",
        "bid.opening_record": "开标记录",
        "evaluation.report": "评标报告",
        "evaluation.candidates": "中标候选人公示",
        "award.notice": "中标通知书",
        "award.result_notice": "中标结果通知书",
        "auction.confirmation": "成交确认书",
        "funds.deposit_receipt": "投标保证金收款凭证",
        "funds.refund_notice": "保证金退还通知书",
        "funds.ledger_statement": "保证金账务对账单",
        "supervision.log_extract": "监督记录摘录",
        "oversight.circular": "情况通报",
    }
    assert (await client.get("/api/documents/kinds")).status_code == 401
