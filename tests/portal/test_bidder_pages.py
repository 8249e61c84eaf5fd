"""The bidder's workspace in the browser's terms: register by form, see the sub-account and what
to pay, pay (the bank's signed credit), seal with the tool, upload, read and download the receipt,
withdraw; and the pages refuse the wrong people."""

from __future__ import annotations

import hashlib
import re

from tests.bidding.helpers import open_section
from tests.bidding.kit import pay_deposit, ready_section
from tests.portal.helpers import HTML, csrf_token, post_form, sign_in


async def test_a_bidder_registers_by_form_and_sees_the_sub_account_and_what_to_pay(client, people):
    section_id = await open_section(client, people)
    await sign_in(client, "bidder_a")
    form = await client.get(f"/portal/bidder/sections/{section_id}/register", headers=HTML)
    assert form.status_code == 200 and "联系电话" in form.text
    wrong = await post_form(
        client,
        f"/portal/bidder/sections/{section_id}/register",
        {"contact_name": "蒋投标", "contact_phone": "call me", "contact_email": "bid@huajian.example.cn"},
        from_page=f"/portal/bidder/sections/{section_id}/register",
    )
    assert wrong.status_code == 400
    beside = re.search(r'id="e-contact_phone"[^>]*>([^<]+)<', wrong.text)
    assert beside, "the phone error is shown beside the phone field"
    assert 'value="bid@huajian.example.cn"' in wrong.text  # what was typed stays
    done = await post_form(
        client,
        f"/portal/bidder/sections/{section_id}/register",
        {
            "contact_name": "蒋投标",
            "contact_phone": "025-52100001",
            "contact_email": "bid@huajian.example.cn",
        },
        from_page=f"/portal/bidder/sections/{section_id}/register",
    )
    assert done.status_code == 303 and done.headers["location"] == "/portal/bidder"
    mine = (await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))).json()
    workspace = await client.get("/portal/bidder", headers=HTML)
    assert workspace.status_code == 200
    assert mine[0]["subaccount_number"] in workspace.text
    assert "¥20,000.00" in workspace.text and "deposit-unpaid" in workspace.text
    twice = await post_form(
        client,
        f"/portal/bidder/sections/{section_id}/register",
        {
            "contact_name": "蒋投标",
            "contact_phone": "025-52100001",
            "contact_email": "bid@huajian.example.cn",
        },
        from_page=f"/portal/bidder/sections/{section_id}/register",
    )
    assert twice.status_code == 400 and 'class="error form-error"' in twice.text


async def test_a_bidder_pays_uploads_the_sealed_package_sees_the_receipt_and_withdraws(
    client, people, settings, clock, tmp_path
):
    kit = await ready_section(client, people, settings, clock, tmp_path, bidders=("bidder_a",))
    await sign_in(client, "bidder_a")
    workspace = await client.get("/portal/bidder", headers=HTML)
    assert "deposit-secured" in workspace.text  # the bank's credit arrived (ready_section paid)
    page = await client.get(f"/portal/bidder/sections/{kit.section_id}/bid", headers=HTML)
    assert page.status_code == 200
    assert "本平台不在浏览器中加密" in page.text and "trading bid seal" in page.text
    parameters = await client.get(f"/portal/bidder/sections/{kit.section_id}/sealing-parameters.json")
    assert parameters.status_code == 200 and "attachment" in parameters.headers["content-disposition"]
    assert (await client.get("/portal/bidder/platform-ca.pem")).text.startswith("-----BEGIN CERTIFICATE-----")

    sealed = kit.seal("bidder_a", "48000000.00")
    token = await csrf_token(client, f"/portal/bidder/sections/{kit.section_id}/bid")
    without_csrf = await client.post(
        f"/portal/bidder/sections/{kit.section_id}/bid",
        content=sealed.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert without_csrf.status_code == 403
    uploaded = await client.post(
        f"/portal/bidder/sections/{kit.section_id}/bid",
        content=sealed.read_bytes(),
        headers={
            "Content-Type": "application/octet-stream",
            "x-csrftoken": token,
            "Accept": "application/json",
        },
    )
    assert uploaded.status_code == 201, uploaded.text
    receipt_url = uploaded.json()["receipt"]
    receipt = await client.get(receipt_url, headers=HTML)
    assert receipt.status_code == 200
    assert hashlib.sha256(sealed.read_bytes()).hexdigest() in receipt.text
    assert "trading bid verify-receipt" in receipt.text
    signed = await client.get(receipt_url + "/receipt.json")
    assert signed.status_code == 200 and signed.json()["body"]["kind"] == "submitted"
    assert signed.json()["signature"]

    withdrawn = await post_form(
        client,
        f"/portal/bidder/sections/{kit.section_id}/withdrawal",
        {"reason": "报价有误"},
        from_page=f"/portal/bidder/sections/{kit.section_id}/bid",
    )
    assert withdrawn.status_code == 303
    assert (await client.get(withdrawn.headers["location"] + "/receipt.json")).json()["body"][
        "kind"
    ] == "withdrawn"


async def test_the_bidder_pages_refuse_the_anonymous_the_wrong_role_and_a_missing_csrf_token(client, people):
    section_id = await open_section(client, people)
    assert (await client.get("/portal/bidder", headers=HTML)).headers[
        "location"
    ] == "/login?next=%2Fportal%2Fbidder"
    assert (await client.get("/portal/bidder", headers={"Accept": "application/json"})).status_code == 401
    await sign_in(client, "clerk")
    refused = await client.get("/portal/bidder", headers=HTML)
    assert refused.status_code == 403 and "当前身份无权访问此页面" in refused.text
    client.cookies.clear()
    await sign_in(client, "bidder_a")
    no_token = await client.post(
        f"/portal/bidder/sections/{section_id}/register",
        data={
            "contact_name": "蒋投标",
            "contact_phone": "025-52100001",
            "contact_email": "bid@huajian.example.cn",
        },
        headers=HTML,
    )
    assert no_token.status_code == 403
    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    assert mine.json() == []  # the refused post changed nothing


async def test_paying_turns_the_deposit_status_secured(client, people, settings, clock):
    section_id = await open_section(client, people)
    await sign_in(client, "bidder_a")
    await post_form(
        client,
        f"/portal/bidder/sections/{section_id}/register",
        {
            "contact_name": "蒋投标",
            "contact_phone": "025-52100001",
            "contact_email": "bid@huajian.example.cn",
        },
        from_page="/portal/bidder",
    )
    registration = (
        await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    ).json()[0]
    await pay_deposit(client, people, settings, clock, "bidder_a", registration)
    assert "deposit-secured" in (await client.get("/portal/bidder", headers=HTML)).text


async def test_the_bidder_sees_its_refund_with_when_it_is_due(client, people, settings, db, clock, app):
    import datetime as dt

    from tests.funds.helpers import dispatch
    from tests.funds.helpers import open_section as funds_section
    from tests.funds.test_refunds import bidders_paid
    from trading.events import publish

    section_id = await funds_section(client, people)
    await bidders_paid(client, people, settings, clock, section_id, orgs=("builder_a",))
    await sign_in(client, "bidder_a")
    assert "暂无退还记录" in (await client.get("/portal/bidder/refunds", headers=HTML)).text
    clock.advance(dt.timedelta(days=3))
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
    page = await client.get("/portal/bidder/refunds", headers=HTML)
    assert page.status_code == 200
    assert "¥20,000.00" in page.text and "2026-03-10" in page.text and "待退还" in page.text
    assert people.org("builder_a").basic_account_number in page.text
    client.cookies.clear()
    await sign_in(client, "bidder_b")  # another organisation sees none of it
    assert "暂无退还记录" in (await client.get("/portal/bidder/refunds", headers=HTML)).text
