"""The staff console (/portal/staff): announcements reviewed and published from the page, key
holders chosen by name, the opening started and the bids unsealed; refusals beside the field; the
guards."""

from __future__ import annotations

import re

import pytest

from tests.bidding.helpers import open_section, register_bidder, small_pdf, upload
from tests.bidding.kit import pass_deadline, ready_section, release_all
from tests.portal.helpers import HTML, csrf_token, sign_in
from tests.trading.factories import call_announcement, construction_project
from tests.trading.test_projects import register


async def form_post(client, page: str, action: str, data: dict):
    token = await csrf_token(client, page)
    return await client.post(action, data={**data, "_csrf_token": token}, headers=HTML)


async def submitted_announcement(client, people) -> str:
    project = (await register(client, people, construction_project(people))).json()
    draft = await client.post(
        "/api/announcements/", json=call_announcement(project["id"]), headers=people.headers("agency")
    )
    await client.post(f"/api/announcements/{draft.json()['id']}/submit", headers=people.headers("agency"))
    return draft.json()["id"]


async def test_staff_send_back_without_a_reason_are_told_beside_the_note_then_approve_and_publish(
    client, people
):
    announcement_id = await submitted_announcement(client, people)
    await sign_in(client, "clerk")
    console = await client.get("/portal/staff", headers=HTML)
    assert console.status_code == 200 and "江宁区城南中学教学楼新建工程施工招标公告" in console.text

    base = f"/portal/staff/announcements/{announcement_id}"
    refused = await form_post(client, "/portal/staff", f"{base}/reject", {"note": ""})
    assert refused.status_code == 422
    assert re.search(rf'id="e-note-{announcement_id}" role="alert">退回须说明原因<', refused.text)

    approved = await form_post(client, "/portal/staff", f"{base}/approve", {"note": "同意"})
    assert approved.status_code == 303
    published = await form_post(client, "/portal/staff", f"{base}/publish", {})
    assert published.status_code == 303
    public = await client.get(f"/api/public/announcements/{announcement_id}")
    assert public.status_code == 200 and public.json()["published_at"]


async def test_staff_choose_key_holders_by_name_among_those_who_may_hold_a_share(client, people):
    section_id = await open_section(client, people)
    await sign_in(client, "clerk")
    page = f"/portal/staff/sections/{section_id}/opening"
    shown = await client.get(page, headers=HTML)
    assert shown.status_code == 200
    for name in ("王敏（交易中心）", "李强（交易中心）", "周监督（住建局）", "钱经理（城投集团）"):
        assert name in shown.text
    # Another bureau's supervisor and the bidders may not hold a share of this project.
    for name in ("吴监督（财政局）", "蒋投标（华建集团）"):
        assert name not in shown.text

    clerk, zj = str(people.user("clerk").id), str(people.user("zj_supervisor").id)
    staff_only = await form_post(
        client,
        page,
        f"/portal/staff/sections/{section_id}/keyholders",
        {"holder": [clerk, str(people.user("clerk2").id)], "threshold": "2"},
    )
    assert staff_only.status_code == 422
    assert re.search(r'id="e-holders" role="alert">[^<]*交易中心', staff_only.text)

    chosen = await form_post(
        client,
        page,
        f"/portal/staff/sections/{section_id}/keyholders",
        {"holder": [clerk, zj, str(people.user("principal").id)], "threshold": "2"},
    )
    assert chosen.status_code == 303, chosen.text
    plan = await client.get(f"/api/bidding/sections/{section_id}/keyholders", headers=people.headers("clerk"))
    assert [h["display_name"] for h in plan.json()["holders"]] == [
        "王敏（交易中心）",
        "周监督（住建局）",
        "钱经理（城投集团）",
    ]


async def test_staff_run_the_opening_from_the_console(client, people, settings, clock, tmp_path):
    kit = await ready_section(client, people, settings, clock, tmp_path)
    for username, price in (
        ("bidder_a", "48000000.00"),
        ("bidder_b", "47500000.00"),
        ("bidder_c", "49000000.00"),
    ):
        from tests.bidding.kit import submit

        assert (await submit(client, people, kit, username, kit.seal(username, price))).status_code == 201
    await sign_in(client, "clerk")
    page = f"/portal/staff/sections/{kit.section_id}/opening"
    early = await form_post(client, page, f"/portal/staff/sections/{kit.section_id}/opening/start", {})
    assert early.status_code in (409, 422), early.text
    assert re.search(r'id="e-opening" role="alert">[^<]+<', early.text)

    await pass_deadline(clock, kit)
    started = await form_post(client, page, f"/portal/staff/sections/{kit.section_id}/opening/start", {})
    assert started.status_code == 303, started.text
    collecting = await client.get(page, headers=HTML)
    assert re.search(r'id="opening-status">collecting<', collecting.text)

    await release_all(client, people, kit)
    unsealed = await form_post(client, page, f"/portal/staff/sections/{kit.section_id}/opening/unseal", {})
    assert unsealed.status_code == 303, unsealed.text
    read_out = await client.get(page, headers=HTML)
    for price in ("48000000.00", "47500000.00", "49000000.00"):
        assert price in read_out.text
    opening = await client.get(
        f"/api/bidding/sections/{kit.section_id}/opening", headers=people.headers("clerk")
    )
    assert opening.json()["status"] == "recorded"


@pytest.mark.parametrize(
    "path",
    [
        "/portal/staff",
        "/portal/staff/sections/{section}/opening",
        "/portal/staff/sections/{section}/registrations",
    ],
)
async def test_anonymous_browsers_log_in_first_and_other_roles_are_refused(client, people, path):
    section_id = await open_section(client, people)
    url = path.format(section=section_id)
    anonymous = await client.get(url, headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    for who in ("bidder_a", "zj_supervisor", "expert"):
        await sign_in(client, who)
        assert (await client.get(url, headers=HTML)).status_code == 403, who


async def test_a_supervisor_cannot_start_an_opening_by_posting_the_form(client, people):
    section_id = await open_section(client, people)
    await sign_in(client, "zj_supervisor")
    refused = await form_post(client, "/portal", f"/portal/staff/sections/{section_id}/opening/start", {})
    assert refused.status_code == 403


async def test_staff_reject_with_a_reason_and_accept_registrations_from_the_page(client, people):
    section_id = await open_section(client, people)
    first = (await register_bidder(client, people, section_id, "bidder_a")).json()
    await upload(client, people, first["id"], small_pdf(), as_="bidder_a")
    second = (await register_bidder(client, people, section_id, "bidder_b")).json()
    await sign_in(client, "clerk")
    page = f"/portal/staff/sections/{section_id}/registrations"
    listed = await client.get(page, headers=HTML)
    assert "江苏华建建设集团有限公司" in listed.text and "南京宁安建工有限公司" in listed.text

    base = f"/portal/staff/sections/{section_id}/registrations"
    no_reason = await form_post(client, page, f"{base}/{second['id']}/reject", {"reason": ""})
    assert no_reason.status_code == 422
    assert re.search(rf'id="e-reason-{second["id"]}" role="alert">[^<]+<', no_reason.text)
    rejected = await form_post(client, page, f"{base}/{second['id']}/reject", {"reason": "未上传营业执照"})
    assert rejected.status_code == 303
    accepted = await form_post(client, page, f"{base}/{first['id']}/accept", {})
    assert accepted.status_code == 303, accepted.text
    mine = {
        r["id"]: (r["status"], r["reason"])
        for who in ("bidder_a", "bidder_b")
        for r in (await client.get("/api/bidding/registrations/mine", headers=people.headers(who))).json()
    }
    assert mine == {first["id"]: ("accepted", None), second["id"]: ("rejected", "未上传营业执照")}
