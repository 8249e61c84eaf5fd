"""Every public page loads in a real browser with every request outside this machine blocked,
and the API docs UI renders offline too. Screenshots go to tests/e2e/artifacts/."""

from __future__ import annotations

import json
import urllib.request


def _first_announcement(portal) -> str:
    with urllib.request.urlopen(f"{portal.url}/api/public/announcements/?limit=1") as answer:
        return json.load(answer)["items"][0]["id"]


def test_every_public_page_loads_offline(page, portal, shoot):
    announcement = _first_announcement(portal)
    for path, name, heading in (
        ("/", "front-page", "最新公告"),
        ("/announcements", "announcements", "交易公告"),
        (f"/announcements/{announcement}", "announcement", None),
        ("/disclosure", "disclosure", "八公开"),
        ("/verify", "verify", "文书核验"),
        ("/login", "login", "登录"),
        ("/signup", "signup", "注册"),
        ("/disclosure/fees", "fees", "收费依据和标准"),
        ("/auctions", "auctions", "竞价大厅"),
    ):
        response = page.goto(path)
        assert response.status == 200, path
        if heading:
            assert heading in page.get_by_role("heading", level=1).inner_text(), path
        # The style sheet applied (a blocked or missing CSS would leave the masthead unstyled).
        colour = page.eval_on_selector(".masthead", "el => getComputedStyle(el).backgroundColor")
        assert colour == "rgb(139, 26, 26)", path
        shoot(page, name)


def test_a_visitor_searches_in_chinese_and_opens_a_tender(page, shoot):
    page.goto("/announcements")
    page.get_by_label("关键词").fill("施工")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url("**/announcements?**")
    first = page.locator(".results h2 a").first
    assert "施工" in first.inner_text()
    shoot(page, "announcements-search")
    first.click()
    assert page.get_by_role("heading", name="标段").is_visible()
    assert page.get_by_text("保证金").first.is_visible()


def test_the_api_docs_ui_renders_without_internet(page, shoot):
    page.goto("/schema/swagger")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "公共资源交易平台" in page.locator(".swagger-ui .info .title").inner_text()
    shoot(page, "api-docs")


def test_the_credit_code_is_checked_as_it_is_typed(page):
    page.goto("/signup")
    code = page.get_by_label("统一社会信用代码")
    right = _check("91320100MA1R4BC6M")
    code.fill("91320100MA1R4BC6M" + ("0" if right != "0" else "1"))  # the wrong check character
    assert "第18位应为" in page.locator("#e-uscc").inner_text()
    assert code.get_attribute("aria-invalid") == "true"
    code.fill("91320100MA1R4BC6M" + right)
    code.blur()
    assert page.locator("#e-uscc").inner_text() == ""


def _check(first17: str) -> str:
    from trading.organisations.uscc import check_character

    return check_character(first17)
