"""The layout in a real browser: sign in and out by the forms, the language switch, a phone-sized
screen, and nothing fetched from outside this machine."""

from __future__ import annotations

from tests.e2e.conftest import sign_in


def test_a_person_signs_in_and_out_with_the_keyboard(page, shoot):
    page.goto("/login")
    page.keyboard.press("Tab")  # the skip link comes first
    page.get_by_label("用户名").focus()
    page.keyboard.type("bidder_a")
    page.keyboard.press("Tab")
    page.keyboard.type("bidder_a-demo-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal")
    assert page.get_by_role("heading", level=1).inner_text() == "蒋投标（华建集团）"
    shoot(page, "account")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.get_by_role("link", name="登录").is_visible()


def test_a_wrong_password_is_shown_beside_the_form(page, shoot):
    page.goto("/login")
    page.get_by_label("用户名").fill("bidder_b")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").first.inner_text() == "用户名或密码错误"
    shoot(page, "login-error")


def test_english_is_one_click_away(page):
    page.goto("/")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("navigation").get_by_role("link", name="Announcements", exact=True).is_visible()
    page.get_by_role("link", name="中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_the_layout_fits_a_phone(browser, portal, outside, shoot):
    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, base_url=portal.url)
    phone.route(
        "**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort()
    )
    tab = phone.new_page()
    sign_in(tab, "clerk")
    tab.goto("/")
    # Nothing wider than the screen: no sideways scrolling of the page itself.
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(tab, "front-page-phone")
    phone.close()
