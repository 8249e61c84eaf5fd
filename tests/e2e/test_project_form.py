"""The staff's project form in a real browser: as the dates and the deposit are typed, htmx posts
the form to the check route and each rule broken appears beside its field with its RULES.md id,
while the field being typed keeps its focus; nothing is registered until the form is sent."""

from __future__ import annotations

from tests.e2e.conftest import sign_in


def test_rules_broken_appear_beside_their_fields_as_the_form_is_filled(page, shoot):
    from playwright.sync_api import expect  # only where the e2e tests run at all

    sign_in(page, "clerk")
    page.goto("/portal/staff/projects/new")
    page.get_by_label("行业").select_option("construction")
    page.get_by_label("交易方式").select_option("open_tender")
    page.get_by_label("合同类型（工程建设）").select_option("works")
    page.get_by_label("预算或估算价（元）").fill("48600000.00")
    page.get_by_label("招标文件发出时间").fill("2026-03-02T09:00")
    deadline = page.get_by_label("投标截止（挂牌、披露截止）")
    deadline.fill("2026-03-10T09:00")
    deadline.dispatch_event("change")
    page.locator("#e-bid_deadline .rule", has_text="C-02").wait_for()
    deposit = page.get_by_label("投标/竞买保证金（元）")
    deposit.fill("1500000.00")
    deposit.dispatch_event("change")
    page.locator("#e-deposit .rule", has_text="C-06").wait_for()
    assert page.evaluate("document.activeElement.id") == "f-deposit"
    assert "C-02" in page.locator("#check-summary").inner_text()
    shoot(page, "staff-project-form")
    deadline.fill("2026-03-27T09:30")
    deadline.dispatch_event("change")
    expect(page.locator("#e-bid_deadline")).not_to_contain_text("C-02")
