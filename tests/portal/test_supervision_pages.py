"""Supervisors' and auditors' pages (/portal/supervision): a supervisor acknowledges a warning and
writes the session log from the browser; refusals show beside the field; the guards."""

from __future__ import annotations

import re

import pytest

from tests.portal.helpers import HTML, csrf_token, sign_in
from tests.trading.oversight.helpers import at, evaluated_section, opening_session, warnings

PAGES = [
    "/portal/supervision",
    "/portal/supervision/warnings",
    "/portal/supervision/sessions",
    "/portal/supervision/letters",
    "/portal/supervision/complaints",
    "/portal/supervision/ledger",
    "/portal/supervision/exports/warnings.csv",
    "/portal/supervision/ledger/outstanding.csv",
    "/portal/supervision/ledger/trial-balance.csv",
]


async def form_post(client, page: str, action: str, data: dict):
    token = await csrf_token(client, page)
    return await client.post(action, data={**data, "_csrf_token": token}, headers=HTML)


async def test_a_supervisor_acknowledges_a_red_card_with_a_note_from_the_warnings_page(client, people, clock):
    await evaluated_section(client, people, clock)
    clock.set(at("2026-04-02"))
    (red,) = await warnings(client, people)
    await sign_in(client, "zj_supervisor")
    listed = await client.get("/portal/supervision/warnings", headers=HTML)
    assert listed.status_code == 200
    assert "红牌" in listed.text and red["message"]["zh-CN"] in listed.text
    action = f"/portal/supervision/warnings/{red['id']}/acknowledge"
    assert f'action="{action}"' in listed.text

    empty = await form_post(client, "/portal/supervision/warnings", action, {"note": "  "})
    assert empty.status_code == 422
    # The refusal stands beside the note of that card; nothing was acknowledged.
    assert re.search(rf'id="e-note-{red["id"]}" role="alert">确认预警须填写处理意见<', empty.text)
    assert (await warnings(client, people))[0]["acknowledged_at"] is None

    done = await form_post(
        client, "/portal/supervision/warnings", action, {"note": "已电话督促代理机构当日公示"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/portal/supervision/warnings#w-{red['id']}"
    assert (await warnings(client, people))[0]["acknowledgement"] == "已电话督促代理机构当日公示"
    again = await client.get("/portal/supervision/warnings", headers=HTML)
    assert "已电话督促代理机构当日公示" in again.text and f'action="{action}"' not in again.text


async def test_the_overview_charts_warnings_per_department_and_month(client, people, clock):
    await evaluated_section(client, people, clock)
    clock.set(at("2026-04-02"))
    await sign_in(client, "auditor")
    overview = await client.get("/portal/supervision", headers=HTML)
    assert overview.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in overview.text
    # Read first on 2 April, three days late: one red card for the agency, raised in April.
    assert "<title>26-04 金陵工程咨询招标代理有限公司: 1</title>" in overview.text
    exported = await client.get("/portal/supervision/exports/warnings.csv", headers=HTML)
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.count("金陵工程咨询招标代理有限公司") == 1


async def test_a_supervisor_writes_the_session_log_from_its_timeline(client, people, clock):
    _, _, session_id = await opening_session(client, people, clock)
    await sign_in(client, "zj_supervisor")
    page = f"/portal/supervision/sessions/{session_id}"
    listed = await client.get("/portal/supervision/sessions", headers=HTML)
    assert f'href="{page}"' in listed.text
    timeline = await client.get(page, headers=HTML)
    assert timeline.status_code == 200 and "started" in timeline.text

    too_long = await form_post(client, page, f"{page}/entries", {"kind": "observation", "body": "x" * 5001})
    assert too_long.status_code == 400
    assert re.search(r'id="e-body" role="alert">填写有误', too_long.text)

    written = await form_post(
        client, page, f"{page}/entries", {"kind": "incident", "body": "3号投标人递交时间有争议，已核对监控"}
    )
    assert written.status_code == 303, written.text
    shown = await client.get(page, headers=HTML)
    assert "No.1" in shown.text and "3号投标人递交时间有争议，已核对监控" in shown.text
    entries = await client.get(
        f"/api/supervision/sessions/{session_id}/entries", headers=people.headers("auditor")
    )
    assert [(e["kind"], e["author_name"]) for e in entries.json()] == [("incident", "周监督（住建局）")]


async def test_staff_read_the_log_but_have_no_form_to_write_it(client, people, clock):
    _, _, session_id = await opening_session(client, people, clock)
    await sign_in(client, "clerk")
    page = await client.get(f"/portal/supervision/sessions/{session_id}", headers=HTML)
    assert page.status_code == 200 and "/entries" not in page.text
    refused = await form_post(
        client,
        "/portal/supervision",
        f"/portal/supervision/sessions/{session_id}/entries",
        {"kind": "observation", "body": "x"},
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("path", PAGES)
async def test_anonymous_browsers_are_sent_to_log_in_and_bidders_refused(client, people, path):
    anonymous = await client.get(path, headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    await sign_in(client, "bidder_a")
    refused = await client.get(path, headers=HTML)
    assert refused.status_code == 403


@pytest.mark.parametrize("who", ["zj_supervisor", "auditor", "clerk"])
async def test_every_supervision_page_opens_for_its_readers(client, people, who):
    await sign_in(client, who)
    for path in PAGES:
        answer = await client.get(path, headers=HTML)
        assert answer.status_code == 200, (who, path, answer.text[:300])
