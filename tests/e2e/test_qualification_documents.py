"""A bidder uploads a qualification document in the browser: the limit is said, the file goes with
a progress bar, and the page the browser lands on marks the stored file's SHA-256 as the one it
computed for the file it sent."""

from __future__ import annotations

import hashlib

from tests.bidding.helpers import small_pdf
from tests.e2e.conftest import sign_in

BIDDER = "bidder_a"


def test_a_bidder_uploads_a_qualification_document_and_sees_its_sha256(page, shoot, tmp_path):
    sign_in(page, BIDDER)
    page.goto("/announcements")
    page.get_by_label("关键词").fill("教学楼")
    page.get_by_role("button", name="检索").click()
    page.locator(".results h2 a").first.click()
    # The supervision section (the other end-to-end bidder registers for the works).
    page.get_by_role("link", name="报名本标段").last.click()
    page.wait_for_url("**/register")
    page.get_by_label("联系电话").fill("025-52100001")
    page.get_by_label("联系邮箱").fill("bid@huajian.example.cn")
    page.get_by_role("button", name="确认报名").click()
    page.wait_for_url("**/portal/bidder")

    page.locator("tr", has_text="工程监理").get_by_role("link", name="资格文件").click()
    page.wait_for_url("**/documents")
    assert "20 MB" in page.locator("#h-file").inner_text()
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(small_pdf("营业执照副本 E2E"))
    page.get_by_label("类别").select_option("business_licence")
    page.get_by_label("文件", exact=True).set_input_files(str(licence))
    page.get_by_role("button", name="上传").click()
    page.locator(".digest-check.ok").wait_for(timeout=15_000)
    digest = hashlib.sha256(licence.read_bytes()).hexdigest()
    assert page.locator(f'[data-sha256="{digest}"]').is_visible()
    shoot(page, "bidder-qualification-documents")
