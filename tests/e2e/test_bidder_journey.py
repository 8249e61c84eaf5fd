"""A bidder's whole way in the browser: find the tender, sign in on the way, register, see the
sub-account and what to pay; the bank's credit arrives; the bid sealed on the bidder's machine is
uploaded with a progress bar; the receipt names exactly the uploaded file. The center's part
(accepting the registration, naming the key holders) is done over the API, as staff would."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from bidding.sealing import keys, package
from bidding.sealing.documents import verify_document
from bidding.sealing.manifest import BidData, SealingParameters
from funds.bankfeed.service import sign
from tests.bidding.helpers import small_pdf
from tests.e2e.api import as_
from tests.e2e.conftest import BANK_FEED_SECRET, CLOCK_AT
from trading.demo import ORGANISATIONS

HOLDERS = ("clerk", "zj_supervisor", "principal")
BIDDER = "bidder_c"


def _center_accepts(portal, registration_id: str) -> None:
    with as_(portal, BIDDER) as bidder:
        uploaded = bidder.post(
            f"/api/bidding/registrations/{registration_id}/documents",
            files={"file": ("营业执照.pdf", small_pdf(), "application/pdf")},
            data={"kind": "business_licence"},
        )
        assert uploaded.status_code == 201, uploaded.text
    with as_(portal, "clerk") as clerk:
        accepted = clerk.post(f"/api/bidding/registrations/{registration_id}/accept")
        assert accepted.status_code == 200, accepted.text


def _bank_pays(portal, registration: dict) -> None:
    organisation = next(o for o in ORGANISATIONS if o.key == "builder_c")
    body = json.dumps(
        {
            "bank_txn_id": f"E2E-{registration['id']}",
            "virtual_account": registration["subaccount_number"],
            "amount": registration["deposit"]["required"],
            "payer_name": organisation.name,
            "payer_account": organisation.basic_account,
            "payer_bank": "中国建设银行南京江宁支行",
            "value_time": portal.now().isoformat(),
        }
    ).encode()
    timestamp = str(int(portal.now().timestamp()))
    answer = httpx.post(
        f"{portal.url}/api/funds/bank/credits",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Bank-Timestamp": timestamp,
            "X-Bank-Signature": sign(BANK_FEED_SECRET, timestamp, body),
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["disposition"] == "deposit", answer.text


def _key_holders(portal, section_id: str) -> None:
    users = {}
    for holder in HOLDERS:
        with as_(portal, holder) as client:
            users[holder] = client.get("/api/auth/me").json()["id"]
    with as_(portal, "clerk") as clerk:
        answer = clerk.put(
            f"/api/bidding/sections/{section_id}/keyholders",
            json={"threshold": 2, "holders": [users[h] for h in HOLDERS]},
        )
        assert answer.status_code == 200, answer.text
    for holder in HOLDERS:
        with as_(portal, holder) as client:
            registered = client.put(
                f"/api/bidding/sections/{section_id}/keyholders/me/key",
                json={"public_key": keys.PublicKeyInfo.of(keys.new_x25519_key()).b64},
            )
            assert registered.status_code == 200, registered.text


def _seal(portal, section_id: str, out: Path) -> Path:
    """What `trading bid keygen` and `trading bid seal` do on the bidder's own machine."""
    organisation = next(o for o in ORGANISATIONS if o.key == "builder_c")
    signing_key = keys.new_signing_key()
    csr = keys.certificate_request(signing_key, uscc=organisation.uscc, name=organisation.name)
    ca = x509.load_pem_x509_certificate(
        httpx.get(f"{portal.url}/api/bidding/platform/certificates").json()["ca"].encode()
    )
    with as_(portal, BIDDER) as bidder:
        certificate = bidder.post(
            "/api/bidding/certificates", json={"csr": csr.public_bytes(Encoding.PEM).decode()}
        )
        assert certificate.status_code == 201, certificate.text
        document = bidder.get(f"/api/bidding/sections/{section_id}/sealing-parameters").json()
    body = verify_document(document, ca)
    body.pop("digest")
    package.seal_bid(
        source=io.BytesIO("锡城路桥 投标文件 报价 47800000.00".encode()),
        file_name="投标文件.pdf",
        bid_data=BidData(price_fen=4_780_000_000, duration_days=365, quality="合格", project_manager="李工"),
        parameters=SealingParameters.model_validate(body),
        uscc=organisation.uscc,
        certificate_pem=certificate.json()["certificate_pem"],
        signing_key=signing_key,
        decryption_key=keys.new_x25519_key().public_key(),
        out=out,
        sealed_at=dt.datetime.fromisoformat(CLOCK_AT).astimezone(dt.UTC),
    )
    return out


def test_a_bidder_finds_registers_pays_submits_and_sees_the_receipt(page, portal, shoot, tmp_path):
    # Find the tender by keyword, open it, start registering: the portal asks to sign in first.
    page.goto("/announcements")
    page.get_by_label("关键词").fill("教学楼")
    page.get_by_role("button", name="检索").click()
    page.locator(".results h2 a").first.click()
    page.get_by_role("link", name="报名本标段").first.click()
    page.wait_for_url("**/login?next=**")
    page.get_by_label("用户名").fill(BIDDER)
    page.get_by_label("密码").fill(f"{BIDDER}-demo-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/register")
    section_id = page.url.split("/sections/")[1].split("/")[0]
    page.get_by_label("联系电话").fill("0510-82100003")
    page.get_by_label("联系邮箱").fill("bid@xicheng.example.cn")
    page.get_by_role("button", name="确认报名").click()
    page.wait_for_url("**/portal/bidder")
    with as_(portal, BIDDER) as bidder:
        registration = next(
            r for r in bidder.get("/api/bidding/registrations/mine").json() if r["section_id"] == section_id
        )
    row = page.locator("tr", has_text=registration["subaccount_number"])
    assert row.locator(".deposit-unpaid").is_visible()
    shoot(page, "bidder-workspace-unpaid")

    _center_accepts(portal, registration["id"])
    _bank_pays(portal, registration)
    page.reload()
    assert (
        page.locator("tr", has_text=registration["subaccount_number"])
        .locator(".deposit-secured")
        .is_visible()
    )
    shoot(page, "bidder-workspace-paid")

    _key_holders(portal, section_id)
    sealed = _seal(portal, section_id, tmp_path / "sealed.zip")
    row = page.locator("tr", has_text=registration["subaccount_number"])
    row.get_by_role("link", name="提交/查看投标").click()
    assert page.get_by_text("本平台不在浏览器中加密。").is_visible()
    shoot(page, "bid-page")
    page.get_by_label("加密投标文件（sealed.zip）").set_input_files(str(sealed))
    page.get_by_role("button", name="上传").click()
    page.wait_for_url("**/portal/bidder/receipts/**", timeout=30_000)
    # The receipt names the uploaded file: the browser compared the digests itself.
    page.locator("#digest-check.ok").wait_for(timeout=10_000)
    assert page.locator("#receipt-sha256").inner_text() == hashlib.sha256(sealed.read_bytes()).hexdigest()
    shoot(page, "bid-receipt")
