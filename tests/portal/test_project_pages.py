"""Projects and sections in the staff console (/portal/staff/projects): the form checked as it is
filled (every rule broken beside its field with its RULES.md id, nothing saved), a project
registered from the form as the API then shows it, a draft section's schedule changed; the guards."""

from __future__ import annotations

import re

import pytest

from tests.portal.helpers import HTML, csrf_token, sign_in
from tests.trading.factories import construction_project
from tests.trading.test_projects import register

NEW = "/portal/staff/projects/new"


def project_form(people, **changes: str) -> dict[str, str]:
    """What staff type for the works tender of the factories: dates on the center's clock."""
    form = {
        "name": "江宁区城南中学教学楼新建工程",
        "sector": "construction",
        "region": "江宁区",
        "description": "新建教学楼一栋",
        "principal_id": str(people.org("city_invest").id),
        "agency_id": str(people.org("agency").id),
        "section_name": "施工总承包",
        "procedure": "open_tender",
        "contract_kind": "works",
        "budget": "48600000.00",
        "deposit": "20000.00",
        "bid_validity_days": "90",
        "documents_issued_at": "2026-03-02T09:00",
        "documents_sale_start": "2026-03-02T09:00",
        "documents_sale_end": "2026-03-09T09:00",
        "registration_start": "2026-03-02T09:00",
        "bid_deadline": "2026-03-27T09:30",
    }
    return {**form, **changes}


async def projects_seen_by_the_api(client, people) -> list[dict]:
    answer = await client.get("/api/projects/", headers=people.headers("clerk"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def error_beside(text: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}" role="alert"[^>]*>(.*?)</p>', text, re.S)
    assert found, f"no error slot for {field}"
    return found.group(1)


async def test_the_form_shows_every_rule_broken_beside_its_field_as_it_is_filled_and_saves_nothing(
    client, people
):
    await sign_in(client, "clerk")
    token = await csrf_token(client, NEW)
    before = len(await projects_seen_by_the_api(client, people))
    # A deadline 10 days after the documents (C-02: 20 days), a deposit of 3 % (C-06: 2 %), the
    # documents on sale for 2 days (C-03: 5 days).
    form = project_form(
        people,
        bid_deadline="2026-03-12T09:30",
        deposit="1500000.00",
        documents_sale_end="2026-03-04T09:00",
    )
    checked = await client.post(
        "/portal/staff/projects/check", data={**form, "_csrf_token": token}, headers=HTML
    )
    assert checked.status_code == 200
    assert "C-02" in error_beside(checked.text, "bid_deadline")
    assert "投标截止" in error_beside(checked.text, "bid_deadline") or "20" in error_beside(
        checked.text, "bid_deadline"
    )
    assert "C-06" in error_beside(checked.text, "deposit") and "2%" in error_beside(checked.text, "deposit")
    assert "C-03" in error_beside(checked.text, "documents_sale_end")
    assert error_beside(checked.text, "region") == ""
    assert 'hx-swap-oob="true"' in checked.text
    # A field not reached yet is not an error while the form is filled.
    partial = await client.post(
        "/portal/staff/projects/check",
        data={"name": "江宁区城南中学", "sector": "construction", "_csrf_token": token},
        headers=HTML,
    )
    assert partial.status_code == 200 and error_beside(partial.text, "region") == ""
    assert len(await projects_seen_by_the_api(client, people)) == before


async def test_staff_register_a_project_from_the_form_and_the_api_shows_it(client, people):
    await sign_in(client, "clerk")
    token = await csrf_token(client, NEW)
    refused = await client.post(
        "/portal/staff/projects",
        data={**project_form(people, bid_deadline="2026-03-12T09:30"), "_csrf_token": token},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert "C-02" in error_beside(refused.text, "bid_deadline")
    assert 'value="江宁区城南中学教学楼新建工程"' in refused.text  # what was typed stays
    assert await projects_seen_by_the_api(client, people) == []

    saved = await client.post(
        "/portal/staff/projects", data={**project_form(people), "_csrf_token": token}, headers=HTML
    )
    assert saved.status_code == 303, saved.text
    [project] = await projects_seen_by_the_api(client, people)
    assert saved.headers["location"] == f"/portal/staff/projects/{project['id']}"
    [section] = project["sections"]
    assert (section["name"], section["deposit"], section["status"]) == ("施工总承包", "20000.00", "draft")
    assert section["bid_deadline"].startswith("2026-03-27T01:30")  # 09:30 in Beijing
    shown = await client.get(saved.headers["location"], headers=HTML)
    assert shown.status_code == 200 and project["code"] in shown.text
    listed = await client.get("/portal/staff/projects", headers=HTML)
    assert project["code"] in listed.text


async def test_a_draft_sections_schedule_is_checked_then_saved(client, people):
    project = (await register(client, people, construction_project(people))).json()
    section_id = project["sections"][0]["id"]
    await sign_in(client, "clerk")
    page = f"/portal/staff/sections/{section_id}/schedule"
    shown = await client.get(page, headers=HTML)
    assert shown.status_code == 200 and 'value="2026-03-02T09:00"' in shown.text
    token = await csrf_token(client, page)
    dates = {
        "documents_issued_at": "2026-03-02T09:00",
        "documents_sale_start": "2026-03-02T09:00",
        "documents_sale_end": "2026-03-09T09:00",
        "registration_start": "2026-03-02T09:00",
    }
    checked = await client.post(
        f"{page}/check",
        data={**dates, "bid_deadline": "2026-03-10T09:00", "_csrf_token": token},
        headers=HTML,
    )
    assert "C-02" in error_beside(checked.text, "bid_deadline")
    refused = await client.post(
        page, data={**dates, "bid_deadline": "2026-03-10T09:00", "_csrf_token": token}, headers=HTML
    )
    assert refused.status_code == 422 and "C-02" in error_beside(refused.text, "bid_deadline")
    saved = await client.post(
        page, data={**dates, "bid_deadline": "2026-04-01T09:30", "_csrf_token": token}, headers=HTML
    )
    assert saved.status_code == 303
    answer = await client.get(f"/api/sections/{section_id}", headers=people.headers("clerk"))
    assert answer.json()["bid_deadline"].startswith("2026-04-01T01:30")


async def test_a_post_without_the_csrf_token_is_refused(client, people):
    await sign_in(client, "clerk")
    refused = await client.post("/portal/staff/projects", data=project_form(people), headers=HTML)
    assert refused.status_code == 403
    assert await projects_seen_by_the_api(client, people) == []


@pytest.mark.parametrize("path", ["/portal/staff/projects", NEW, "/portal/staff/sections/{section}/schedule"])
async def test_anonymous_browsers_log_in_first_and_other_roles_are_refused(client, people, path):
    project = (await register(client, people, construction_project(people))).json()
    url = path.format(section=project["sections"][0]["id"])
    anonymous = await client.get(url, headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    for who in ("bidder_a", "zj_supervisor", "expert"):
        await sign_in(client, who)
        assert (await client.get(url, headers=HTML)).status_code == 403, who


async def test_a_supervisor_cannot_register_a_project_by_posting_the_form(client, people):
    await sign_in(client, "zj_supervisor")
    token = await csrf_token(client, "/portal")
    refused = await client.post(
        "/portal/staff/projects", data={**project_form(people), "_csrf_token": token}, headers=HTML
    )
    assert refused.status_code == 403
    assert await projects_seen_by_the_api(client, people) == []
