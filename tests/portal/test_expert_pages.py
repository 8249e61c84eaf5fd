"""The expert's page (/portal/expert): a drawn expert signs in to the committee with the declaration,
or steps aside with a reason (E-07); refusals beside the field; the guards."""

from __future__ import annotations

import re

from tests.experts.helpers import DRAW, drawn_members, opened_section, pool, seated
from tests.experts.test_construction_scenario import PRICES
from tests.portal.helpers import HTML, csrf_token, sign_in
from trading.auth.tokens import SESSION_COOKIE


async def as_expert(client, headers: dict) -> None:
    """The drawn experts are the pool's, with no password: their login token goes in the cookie
    the login form would have set."""
    client.cookies.set(SESSION_COOKIE, headers["Authorization"].removeprefix("Bearer "))


async def form_post(client, action: str, data: dict):
    token = await csrf_token(client, "/portal/expert")
    return await client.post(action, data={**data, "_csrf_token": token}, headers=HTML)


async def test_a_drawn_expert_signs_in_or_steps_aside_with_a_reason(
    client, people, settings, clock, tmp_path, db
):
    kit = await opened_section(client, people, settings, clock, tmp_path, PRICES)
    sid = kit.section_id
    await pool(db, clock.now())
    drawn = await client.post(f"/api/experts/sections/{sid}/draw", json=DRAW, headers=people.headers("clerk"))
    assert drawn.status_code == 201, drawn.text
    members = await drawn_members(client, people, db, sid)
    sitting = [s["expert_id"] for s in await seated(client, people, sid) if s["kind"] == "member"]
    first, second = sitting[0], sitting[1]
    action = f"/portal/expert/sections/{sid}/sign-in"

    await as_expert(client, members[first]["headers"])
    page = await client.get("/portal/expert", headers=HTML)
    assert page.status_code == 200 and f'action="{action}"' in page.text and "待签到" in page.text
    signed = await form_post(client, action, {"declaration": "none"})
    assert signed.status_code == 303
    assert "已签到" in (await client.get("/portal/expert", headers=HTML)).text

    await as_expert(client, members[second]["headers"])
    no_reason = await form_post(client, action, {"declaration": "conflict", "reason": ""})
    assert no_reason.status_code == 422
    assert re.search(rf'id="e-reason-{sid}" role="alert">[^<]+<', no_reason.text)
    stepped_aside = await form_post(
        client, action, {"declaration": "conflict", "reason": "曾在华建集团任职，三年内"}
    )
    assert stepped_aside.status_code == 303
    states = {s["expert_id"]: s["state"] for s in await seated(client, people, sid)}
    assert (states[first], states[second]) == ("signed_in", "recused")


async def test_only_experts_open_the_expert_page(client, people):
    anonymous = await client.get("/portal/expert", headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    for who in ("clerk", "bidder_a"):
        await sign_in(client, who)
        assert (await client.get("/portal/expert", headers=HTML)).status_code == 403
    await sign_in(client, "expert")
    assert "目前没有抽取到您的评标任务" in (await client.get("/portal/expert", headers=HTML)).text
