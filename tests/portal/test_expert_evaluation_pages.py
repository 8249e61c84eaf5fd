"""The expert's evaluation page (/portal/expert/sections/{id}/evaluation): the chair rejects a bid
with its ground and opens the scoring, each member scores criterion by criterion within the bounds,
the chair ranks, every member signs the report; each refusal beside its field, changing nothing;
the guards and CSRF."""

from __future__ import annotations

import re

from tests.experts.helpers import DRAW, drawn_members, opened_section, pool, seated
from tests.experts.test_construction_scenario import METHOD, PRICES
from tests.portal.helpers import HTML, sign_in
from tests.portal.test_expert_pages import as_expert, form_post


def alert(page: str, field: str) -> str:
    found = re.search(rf'id="e-{re.escape(field)}" role="alert">([^<]*)<', page)
    assert found, f"no error slot for {field}"
    return found.group(1)


async def committee_evaluating(client, people, settings, clock, tmp_path, db):
    """A construction section opened, its committee drawn, signed in with a chair, the evaluation
    started by the comprehensive method: (section id, {expert: headers}, sitting experts, chair)."""
    kit = await opened_section(client, people, settings, clock, tmp_path, PRICES)
    sid = kit.section_id
    await pool(db, clock.now())
    drawn = await client.post(f"/api/experts/sections/{sid}/draw", json=DRAW, headers=people.headers("clerk"))
    assert drawn.status_code == 201, drawn.text
    members = await drawn_members(client, people, db, sid)
    seats = {s["expert_id"]: s for s in await seated(client, people, sid)}
    sitting = [e for e, s in seats.items() if s["kind"] == "member"]
    for expert in sitting:
        answer = await client.post(
            f"/api/experts/sections/{sid}/committee/sign-in",
            json={"conflict": False},
            headers=members[expert]["headers"],
        )
        assert answer.status_code == 200, answer.text
    chair = sitting[0]
    chosen = await client.post(
        f"/api/experts/sections/{sid}/committee/chair",
        json={"member_id": seats[chair]["member_id"]},
        headers=people.headers("clerk"),
    )
    assert chosen.status_code == 200, chosen.text
    started = await client.post(
        f"/api/experts/sections/{sid}/evaluation", json=METHOD, headers=people.headers("clerk")
    )
    assert started.status_code == 201, started.text
    return sid, {e: members[e]["headers"] for e in sitting}, sitting, chair


async def as_seen_by_staff(client, people, sid) -> dict:
    answer = await client.get(f"/api/experts/sections/{sid}/evaluation", headers=people.headers("clerk"))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_committee_reviews_scores_ranks_and_signs_in_the_browser(
    client, people, settings, clock, tmp_path, db
):
    sid, headers, sitting, chair = await committee_evaluating(client, people, settings, clock, tmp_path, db)
    page_url = f"/portal/expert/sections/{sid}/evaluation"
    orgs = {u: str(people.org(u.replace("bidder", "builder")).id) for u in PRICES}

    await as_expert(client, headers[sitting[1]])
    seats = await client.get("/portal/expert", headers=HTML)
    assert f'href="{page_url}"' in seats.text
    member_view = await client.get(page_url, headers=HTML)
    assert member_view.status_code == 200
    assert "施工组织设计" in member_view.text and "初步评审" in member_view.text
    assert "/evaluation/rejections" not in member_view.text  # only the chair rejects

    # The chair: an unknown ground and a missing reason are refused beside their fields.
    await as_expert(client, headers[chair])
    assert "/evaluation/rejections" in (await client.get(page_url, headers=HTML)).text
    unknown = await form_post(
        client,
        f"{page_url}/rejections",
        {"organisation_id": orgs["bidder_c"], "ground": "TLR-99", "text": "工期未响应"},
    )
    assert unknown.status_code == 422 and "第五十一条" in alert(unknown.text, "ground")
    no_text = await form_post(
        client,
        f"{page_url}/rejections",
        {"organisation_id": orgs["bidder_c"], "ground": "TLR-51-6", "text": ""},
    )
    assert no_text.status_code == 422 and alert(no_text.text, "text")
    assert all(b["valid"] for b in (await as_seen_by_staff(client, people, sid))["bids"])
    rejected = await form_post(
        client,
        f"{page_url}/rejections",
        {"organisation_id": orgs["bidder_c"], "ground": "TLR-51-6", "text": "工期未响应招标文件要求"},
    )
    assert rejected.status_code == 303
    bids = {b["organisation_id"]: b for b in (await as_seen_by_staff(client, people, sid))["bids"]}
    assert bids[orgs["bidder_c"]]["valid"] is False
    assert bids[orgs["bidder_c"]]["reasons"][-1] == {"ground": "TLR-51-6", "text": "工期未响应招标文件要求"}
    assert (await form_post(client, f"{page_url}/scoring", {})).status_code == 303

    # A member's sheet: one score over its criterion's maximum is refused beside that score.
    valid = [orgs["bidder_a"], orgs["bidder_b"]]

    def sheet(t1: str, t2: str) -> dict[str, str]:
        return {f"s-{o}-{c}": v for o in valid for c, v in (("T1", t1), ("T2", t2))}

    await as_expert(client, headers[sitting[1]])
    scoring = await client.get(page_url, headers=HTML)
    assert f'name="s-{orgs["bidder_a"]}-T1"' in scoring.text and 'max="40"' in scoring.text
    assert f'name="s-{orgs["bidder_c"]}-T1"' not in scoring.text  # a rejected bid is not scored
    over = await form_post(
        client, f"{page_url}/sheet", {**sheet("35", "18"), f"s-{orgs['bidder_b']}-T2": "20.5"}
    )
    assert over.status_code == 422
    assert alert(over.text, f"s-{orgs['bidder_b']}-T2") and not alert(over.text, f"s-{orgs['bidder_a']}-T2")
    assert 'value="20.5"' in over.text  # what was typed is kept
    blank = await form_post(
        client, f"{page_url}/sheet", {**sheet("35", "18"), f"s-{orgs['bidder_a']}-T1": ""}
    )
    assert blank.status_code == 422 and alert(blank.text, f"s-{orgs['bidder_a']}-T1")
    assert (await as_seen_by_staff(client, people, sid))["sheets_submitted"] == 0

    # The chair cannot rank while sheets are missing; then every member submits.
    await as_expert(client, headers[chair])
    early = await form_post(client, f"{page_url}/ranking", {})
    assert early.status_code == 409 and "尚有评标委员会成员未提交评分表" in early.text
    for n, expert in enumerate(sitting):
        await as_expert(client, headers[expert])
        answer = await form_post(
            client, f"{page_url}/sheet", {**sheet("35", "18"), f"s-{orgs['bidder_a']}-T1": f"3{n}.5"}
        )
        assert answer.status_code == 303, answer.text
    assert "已锁定" in (await client.get(page_url, headers=HTML)).text
    again = await form_post(client, f"{page_url}/sheet", sheet("1", "1"))
    assert again.status_code == 409 and "评分表已提交" in again.text
    assert (await as_seen_by_staff(client, people, sid))["sheets_submitted"] == len(sitting)

    await as_expert(client, headers[chair])
    assert (await form_post(client, f"{page_url}/ranking", {})).status_code == 303
    ranked = (await client.get(page_url, headers=HTML)).text
    ranking = (await as_seen_by_staff(client, people, sid))["ranking"]
    first, second = (people.org(u.replace("bidder", "builder")).name for u in ("bidder_b", "bidder_a"))
    assert [r["organisation_id"] for r in ranking] == [orgs["bidder_b"], orgs["bidder_a"]]
    assert ranked.index(first) < ranked.index(second, ranked.index('id="ranking"'))
    assert ranking[0]["total"] in ranked

    # Signing: a dissent too long is refused beside it; the last signature completes the report.
    too_long = await form_post(client, f"{page_url}/signature", {"dissent": "异" * 2001})
    assert too_long.status_code == 422 and alert(too_long.text, "dissent")
    assert (await as_seen_by_staff(client, people, sid))["signatures"] == 0
    for expert in sitting:
        await as_expert(client, headers[expert])
        dissent = "对第二名的技术分有保留意见" if expert == sitting[-1] else ""
        assert (await form_post(client, f"{page_url}/signature", {"dissent": dissent})).status_code == 303
    signed = await as_seen_by_staff(client, people, sid)
    assert signed["status"] == "signed" and signed["signatures"] == len(sitting)
    page = (await client.get(page_url, headers=HTML)).text
    assert signed["report_sha256"] in page and "您已在评标报告上签字" in page


async def test_the_evaluation_page_is_only_for_the_sitting_members(
    client, people, settings, clock, tmp_path, db
):
    sid, headers, sitting, chair = await committee_evaluating(client, people, settings, clock, tmp_path, db)
    page_url = f"/portal/expert/sections/{sid}/evaluation"
    anonymous = await client.get(page_url, headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    await sign_in(client, "clerk")
    assert (await client.get(page_url, headers=HTML)).status_code == 403
    await sign_in(client, "expert")  # an expert not on this committee learns nothing
    assert (await client.get(page_url, headers=HTML)).status_code == 404

    # A member who is not the chair may not open the scoring; no CSRF token: refused.
    await as_expert(client, headers[sitting[1]])
    not_chair = await form_post(client, f"{page_url}/scoring", {})
    assert not_chair.status_code == 403 and "负责人" in not_chair.text
    await as_expert(client, headers[chair])
    no_csrf = await client.post(f"{page_url}/scoring", data={}, headers=HTML)
    assert no_csrf.status_code == 403
    assert (await as_seen_by_staff(client, people, sid))["status"] == "reviewing"
