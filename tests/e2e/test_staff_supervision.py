"""Staff, supervisors and auditors in a real browser, on a network that reaches nothing outside
this machine: staff run an opening (the demo's closed procurement, whose bids are counted at the
opening), a supervisor writes the session log and acknowledges a warning, every page of theirs
loads. Screenshots go to tests/e2e/artifacts/."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import CLOCK_AT, sign_in

START = dt.datetime.fromisoformat(CLOCK_AT)


def api(portal: Any, method: str, path: str, who: str | None = None, body: Any = None) -> Any:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if who:
        login = api(portal, "POST", "/api/auth/login", body={"username": who, "password": f"{who}-demo-2026"})
        headers["Authorization"] = f"Bearer {login['token']}"
    request = urllib.request.Request(
        portal.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{method} {path}: {exc.code} {exc.read().decode()}") from exc


def sections(portal: Any) -> list[dict]:
    projects = api(portal, "GET", "/api/projects/?limit=100", "clerk")
    return [{**s, "sector": p["sector"]} for p in projects for s in p["sections"]]


@pytest.fixture(scope="module")
def center(portal: Any) -> dict[str, Any]:
    """What the demo lacks for these pages: a running opening session in a construction section
    and a step three days overdue (its red card appears when a supervisor looks)."""
    building = next(s for s in sections(portal) if s["sector"] == "construction" and s["bid_deadline"])
    deadline = dt.datetime.fromisoformat(building["bid_deadline"])
    room = api(
        portal,
        "POST",
        "/api/venue/rooms",
        "clerk",
        {"name": "第二开标室", "kind": "opening", "capacity": 30, "equipment": ["投影", "录像"]},
    )
    booking = api(
        portal,
        "POST",
        "/api/venue/bookings",
        "clerk",
        {
            "room_id": room["id"],
            "section_id": building["id"],
            "purpose": "opening",
            "starts_at": (deadline - dt.timedelta(hours=1)).isoformat(),
            "ends_at": (deadline + dt.timedelta(hours=2)).isoformat(),
        },
    )
    session = api(portal, "POST", f"/api/venue/bookings/{booking['id']}/session", "clerk")
    # Playwright's sync API keeps an event loop on this thread: the database work runs on another.
    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, _overdue_step(portal, uuid.UUID(building["id"]))).result()
    return {"session_id": session["id"], "section": building}


async def _overdue_step(portal: Any, section_id: uuid.UUID) -> None:
    from trading.db.session import Database
    from trading.oversight import steps
    from trading.oversight.feed import StepDue

    db = Database(f"sqlite+aiosqlite:///{portal.data_dir / 'trading.db'}")
    try:
        async with db.session() as session:
            due = START.date() - dt.timedelta(days=3)
            await steps.sync(
                session,
                StepDue(
                    key=f"e2e:{section_id}",
                    step="candidates_publication",
                    rule="C-14",
                    sector="construction",
                    started_on=due - dt.timedelta(days=3),
                    due_on=due,
                    department="金陵工程咨询招标代理有限公司",
                    subject="江宁区演示工程",
                    section_id=section_id,
                ),
                source="event",
                at=START,
            )
            await session.commit()
    finally:
        await db.dispose()


def test_a_supervisor_writes_the_session_log_and_acknowledges_a_warning(page, center, shoot):
    sign_in(page, "zj_supervisor")
    page.goto("/portal/supervision/sessions")
    page.get_by_role("link", name=center["section"]["code"]).click()
    page.get_by_label("类别").select_option("incident")
    page.get_by_label("记录内容").fill("开标前核对递交记录时发现一份投标文件递交时间有争议，已调取监控核实")
    page.get_by_role("button", name="签名并保存").click()
    page.wait_for_url("**#log")
    assert page.locator("#entry-1").inner_text().startswith("No.1 异常情况")
    shoot(page, "supervisor-session-log")

    page.goto("/portal/supervision/warnings")
    card = page.locator("li.card.red").first
    assert "逾期" in card.inner_text()
    card.get_by_role("button", name="确认预警").click()
    assert card.get_by_role("alert").first.inner_text() == "确认预警须填写处理意见"
    page.locator("li.card.red").first.get_by_label("处理意见").fill("已电话督促代理机构当日公示")
    page.locator("li.card.red").first.get_by_role("button", name="确认预警").click()
    page.wait_for_url("**/portal/supervision/warnings#w-*")
    assert "已电话督促代理机构当日公示" in page.locator("li.card.red").first.inner_text()
    shoot(page, "supervisor-warnings")

    page.goto("/portal/supervision")
    assert (
        page.locator("svg.chart rect title").first.text_content().endswith("金陵工程咨询招标代理有限公司: 1")
    )
    shoot(page, "supervisor-overview")


def test_staff_run_the_opening_of_a_closed_tender(page, portal, center, shoot):
    closed = next(s for s in sections(portal) if s["sector"] == "procurement")
    sign_in(page, "clerk")
    page.goto("/portal/staff")
    shoot(page, "staff-console")
    page.get_by_role("row", name=closed["code"]).get_by_role("link", name="密钥持有人与开标").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(closed["code"])
    page.get_by_role("button", name="开始开标").click()
    page.wait_for_url("**#opening")
    # No bid reached the deadline: the opening counts them and the tender fails, bids unopened (P-06).
    assert page.locator("#opening-status").inner_text() == "failed"
    shoot(page, "staff-opening")


PAGES = {
    "clerk": [
        "/portal/staff",
        "/portal/supervision",
        "/portal/supervision/ledger",
        "/portal/supervision/signals",
        "/portal/funds",
        "/portal/funds/instructions",
        "/portal/funds/statements",
    ],
    "zj_supervisor": [
        "/portal/supervision",
        "/portal/supervision/warnings",
        "/portal/supervision/sessions",
        "/portal/supervision/letters",
        "/portal/supervision/complaints",
        "/portal/supervision/ledger",
        "/portal/supervision/signals",
    ],
    "auditor": [
        "/portal/supervision",
        "/portal/supervision/warnings",
        "/portal/supervision/ledger",
        "/portal/funds",
        "/portal/funds/statements",
    ],
    "expert": ["/portal/expert"],
}


@pytest.mark.parametrize("who", sorted(PAGES))
def test_every_page_of_staff_and_supervisors_loads_with_nothing_from_outside(page, center, shoot, who):
    sign_in(page, who)
    pages = list(PAGES[who])
    if who != "expert":
        pages.append(f"/portal/supervision/sessions/{center['session_id']}")
        pages.append(f"/portal/supervision/signals/{center['section']['id']}")
    if who == "clerk":
        pages.append(f"/portal/staff/sections/{center['section']['id']}/opening")
    for path in pages:
        answer = page.goto(path)
        assert answer is not None and answer.status == 200, (who, path)
        assert page.get_by_role("heading", level=1).count() == 1
    shoot(page, f"pages-{who}")
