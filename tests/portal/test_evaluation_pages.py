"""The staff's evaluation console (/portal/staff/sections/{id}/evaluation): the draw requested from
the page (a committee too small refused beside its field), the seats signed in, the chair recorded
and the evaluation started from the page, the session's progress, the candidates' publicity (C-14
checked as its end is typed) and the award decided through the award decision; the guards."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.bidding.helpers import open_section
from tests.experts.helpers import drawn_members, opened_section, pool, seated, sign_off
from tests.experts.test_construction_scenario import PRICES
from tests.portal.helpers import HTML, csrf_token, sign_in


def beside(text: str, field: str) -> str:
    found = re.search(rf'id="e-{field}" role="alert">(.*?)</p>', text, re.S)
    assert found, f"no error slot for {field}"
    return found.group(1)


async def staff_post(client, page: str, action: str, data: dict):
    token = await csrf_token(client, page)
    return await client.post(action, data={**data, "_csrf_token": token}, headers=HTML)


async def test_staff_draw_run_the_session_publish_candidates_and_award_from_the_page(
    client, people, settings, clock, tmp_path, db
):
    kit = await opened_section(client, people, settings, clock, tmp_path, PRICES)
    sid = kit.section_id
    await pool(db, clock.now())
    await sign_in(client, "clerk")
    page = f"/portal/staff/sections/{sid}/evaluation"
    base = page

    # Three experts are too few for a committee (C-10): refused beside the count, nothing drawn.
    small = await staff_post(
        client, page, f"{base}/draw", {"line0_specialty": "A01", "line0_experts": "3", "line0_reserves": "2"}
    )
    assert small.status_code == 422
    assert "C-10" in beside(small.text, "line0_experts")
    assert (
        await client.get(f"/api/experts/sections/{sid}/draw", headers=people.headers("clerk"))
    ).status_code == 404

    drawn = await staff_post(
        client,
        page,
        f"{base}/draw",
        {
            "line0_specialty": "A01",
            "line0_experts": "3",
            "line0_reserves": "2",
            "line1_specialty": "A04",
            "line1_experts": "2",
            "line1_reserves": "1",
            "cooldown_days": "90",
        },
    )
    assert drawn.status_code == 303, drawn.text
    shown = await client.get(page, headers=HTML)
    assert shown.text.count("待签到") == 5 and "候补待命" in shown.text

    members = await drawn_members(client, people, db, sid)
    seats = {s["expert_id"]: s for s in await seated(client, people, sid)}
    sitting = [e for e, s in seats.items() if s["kind"] == "member"]
    for expert in sitting:
        await client.post(
            f"/api/experts/sections/{sid}/committee/sign-in",
            json={"conflict": False},
            headers=members[expert]["headers"],
        )
    assert "已签到" in (await client.get(page, headers=HTML)).text
    chosen = await staff_post(client, page, f"{base}/chair", {"member_id": seats[sitting[0]]["member_id"]})
    assert chosen.status_code == 303
    started = await staff_post(client, page, f"{base}/start", {"method": "lowest_price", "candidates": "2"})
    assert started.status_code == 303, started.text
    await sign_off(client, sid, members, sitting)
    session_page = await client.get(page, headers=HTML)
    assert session_page.text.count("已签名") == 5 and "中标候选人公示" in session_page.text

    # The publicity's end two days after today: C-14 beside the field, as typed and when sent.
    checked = await staff_post(client, page, f"{base}/publicity/check", {"publicity_end": "2026-03-29T17:00"})
    assert checked.status_code == 200 and "C-14" in beside(checked.text, "publicity_end")
    refused = await staff_post(client, page, f"{base}/publicity", {"publicity_end": "2026-03-29T17:00"})
    assert refused.status_code == 422 and "C-14" in beside(refused.text, "publicity_end")
    drafted = await staff_post(client, page, f"{base}/publicity", {"publicity_end": "2026-04-06T17:00"})
    assert drafted.status_code == 303, drafted.text
    # Four eyes: another member of staff approves and publishes it from the console.
    await sign_in(client, "clerk2")
    console = await client.get("/portal/staff", headers=HTML)
    [publicity_id] = re.findall(r"/portal/staff/announcements/([0-9a-f-]+)/approve", console.text)
    for action in ("approve", "publish"):
        moved = await staff_post(
            client, "/portal/staff", f"/portal/staff/announcements/{publicity_id}/{action}", {}
        )
        assert moved.status_code == 303, moved.text
    section = await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))
    assert section.json()["publicity_end"].startswith("2026-04-06T09:00")
    clock.advance(dt.timedelta(days=11))

    evaluation = (
        await client.get(f"/api/experts/sections/{sid}/evaluation", headers=people.headers("clerk"))
    ).json()
    first = evaluation["ranking"][0]["organisation_id"]
    outsider = str(people.org("agency").id)
    not_candidate = await staff_post(client, page, f"{base}/award/check", {"winner_id": outsider})
    assert "C-13" in beside(not_candidate.text, "winner_id")
    awarded = await staff_post(client, page, f"{base}/award", {"winner_id": first})
    assert awarded.status_code == 303, awarded.text
    award = await client.get(f"/api/experts/sections/{sid}/award", headers=people.headers("clerk"))
    assert award.status_code == 200 and award.json()["winner_id"] == first


@pytest.mark.parametrize("who", ["bidder_a", "zj_supervisor", "expert"])
async def test_other_roles_are_refused_and_anonymous_browsers_log_in_first(client, people, who):
    section_id = await open_section(client, people)
    page = f"/portal/staff/sections/{section_id}/evaluation"
    anonymous = await client.get(page, headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    await sign_in(client, who)
    assert (await client.get(page, headers=HTML)).status_code == 403
    token = await csrf_token(client, "/portal")
    posted = await client.post(
        f"{page}/draw",
        data={"line0_specialty": "A01", "line0_experts": "5", "_csrf_token": token},
        headers=HTML,
    )
    assert posted.status_code == 403


async def test_a_draw_without_the_csrf_token_is_refused(client, people):
    section_id = await open_section(client, people)
    await sign_in(client, "clerk")
    page = f"/portal/staff/sections/{section_id}/evaluation"
    assert (await client.get(page, headers=HTML)).status_code == 200
    refused = await client.post(
        f"{page}/draw", data={"line0_specialty": "A01", "line0_experts": "5"}, headers=HTML
    )
    assert refused.status_code == 403
    answer = await client.get(f"/api/experts/sections/{section_id}/draw", headers=people.headers("clerk"))
    assert answer.status_code == 404


async def test_a_malformed_draw_is_told_beside_its_field_and_draws_nothing(client, people):
    section_id = await open_section(client, people)
    await sign_in(client, "clerk")
    page = f"/portal/staff/sections/{section_id}/evaluation"
    for form, field in (
        ({"line0_specialty": "A01", "line0_experts": "many"}, "line0_experts"),
        ({"line0_specialty": "Z99", "line0_experts": "5"}, "line0_specialty"),
        ({"line0_experts": "5"}, "line0_specialty"),
    ):
        refused = await staff_post(client, page, f"{page}/draw", form)
        assert refused.status_code == 422, form
        assert beside(refused.text, field), form
    answer = await client.get(f"/api/experts/sections/{section_id}/draw", headers=people.headers("clerk"))
    assert answer.status_code == 404
