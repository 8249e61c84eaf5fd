"""A company signs itself up by form (the credit code checked, errors beside their fields), and
the fee standards are public (八公开)."""

from __future__ import annotations

import re

from tests.funds.test_fees import SCALE_IN
from tests.portal.helpers import HTML, post_form
from tests.trading.signups import new_uscc

COMPANY = {
    "name": "秦淮新材料科技有限公司",
    "region": "秦淮区",
    "legal_representative": "陆明",
    "contact_phone": "025-84100009",
    "basic_account_name": "秦淮新材料科技有限公司",
    "basic_account_number": "32050188000000009",
    "basic_account_bank": "中国工商银行南京秦淮支行",
    "username": "qinhuai_bid",
    "display_name": "陆明",
    "password": "a-long-enough-password",
}


def _beside(text: str, field: str) -> str:
    found = re.search(rf'id="e-{field}"[^>]*>([^<]*)<', text)
    assert found, field
    return found.group(1)


async def test_a_wrong_check_character_is_shown_beside_the_credit_code_and_nothing_is_created(client, people):
    good = new_uscc()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = await post_form(client, "/signup", {**COMPANY, "uscc": wrong}, from_page="/signup")
    assert response.status_code == 400
    assert f"第18位应为{good[17]}" in _beside(response.text, "uscc")
    assert 'value="秦淮新材料科技有限公司"' in response.text  # what was typed stays
    login = await client.post(
        "/api/auth/login", json={"username": "qinhuai_bid", "password": COMPANY["password"]}
    )
    assert login.status_code == 401


async def test_a_short_password_and_a_bad_account_number_are_each_marked_beside_their_field(client, people):
    response = await post_form(
        client,
        "/signup",
        {**COMPANY, "uscc": new_uscc(), "password": "short", "basic_account_number": "12-34"},
        from_page="/signup",
    )
    assert response.status_code == 400
    assert _beside(response.text, "password") and _beside(response.text, "basic_account_number")
    assert _beside(response.text, "uscc") == ""


async def test_a_company_signs_up_and_waits_for_review(client, people):
    response = await post_form(client, "/signup", {**COMPANY, "uscc": new_uscc()}, from_page="/signup")
    assert response.status_code == 200 and "已收到注册申请" in response.text
    # Inactive until an administrator reviews it.
    login = await client.post(
        "/api/auth/login", json={"username": "qinhuai_bid", "password": COMPANY["password"]}
    )
    assert login.status_code == 401


async def test_the_sign_up_form_checks_the_credit_code_as_typed(client):
    form = await client.get("/signup", headers=HTML)
    assert "data-uscc" in form.text and 'src="/static/portal.js"' in form.text
    script = (await client.get("/static/portal.js")).text
    assert "USCC_ALPHABET" in script and "0123456789ABCDEFGHJKLMNPQRTUWXY" in script


async def test_the_fee_standards_are_public(client, people):
    assert "尚未公布收费标准" in (await client.get("/disclosure/fees", headers=HTML)).text
    published = await client.put(
        "/api/funds/fees/schedules/construction", json=SCALE_IN, headers=people.headers("clerk")
    )
    assert published.status_code == 200, published.text
    page = await client.get("/disclosure/fees", headers=HTML)
    assert page.status_code == 200
    for shown in ("交易服务收费标准（示例）", "工程建设", "¥1,000,000.00", "0.15%", "0.05%", "中标人"):
        assert shown in page.text, shown
