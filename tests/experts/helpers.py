"""Steps the evaluation tests share: a pool of experts, the drawn experts' own logins, the
committee signing in, a section through sealed bids and the opening (tests/bidding/kit.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from experts.pool.models import Expert
from experts.pool.service import seed_pool
from tests.bidding.kit import Kit, pass_deadline, ready_section, release_all, submit
from trading.auth.models import User
from trading.auth.service import identity_of
from trading.auth.tokens import issue_token

DRAW = {
    "lines": [
        {"specialty": "A01", "experts": 3, "reserves": 2},
        {"specialty": "A04", "experts": 2, "reserves": 1},
    ],
    "cooldown_days": 90,
}


async def pool(
    db: Any, at: dt.datetime, count: int = 12, codes: tuple[str, ...] = ("A0101", "A0401")
) -> list[uuid.UUID]:
    async with db.session() as session:
        ids = []
        for n, code in enumerate(codes):
            ids += await seed_pool(
                session, count, at=at, seed=n, prefix=f"t{code}-", codes=[code], realistic=False
            )
        await session.commit()
    return ids


async def expert_headers(people: Any, db: Any, expert_id: str) -> dict[str, str]:
    """The drawn expert's own login (the pool's made-up experts have no password to log in with)."""
    async with db.session() as session:
        user = await session.scalar(
            select(User).join(Expert, Expert.user_id == User.id).where(Expert.id == uuid.UUID(expert_id))
        )
        assert user is not None
        token, _ = issue_token(people.app.state.jwt_auth, identity_of(user))
    return {"Authorization": f"Bearer {token}"}


async def opened_section(
    client: Any,
    people: Any,
    settings: Any,
    clock: Any,
    tmp_path: Any,
    prices: dict[str, str],
    sector: str = "construction",
) -> Kit:
    """A section whose bids were sealed, handed in and opened: `opened`."""
    if sector == "construction":
        kit = await ready_section(client, people, settings, clock, tmp_path)
        holders: tuple[str, ...] = ("clerk", "zj_supervisor")
    else:
        kit = await procurement_kit(client, people, settings, clock, tmp_path)
        holders = PROCUREMENT_HOLDERS[:2]
    for username, price in prices.items():
        answer = await submit(client, people, kit, username, kit.seal(username, price))
        assert answer.status_code == 201, answer.text
    await pass_deadline(clock, kit)
    started = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
    )
    assert started.status_code == 201, started.text
    await release_all(client, people, kit, holders)
    unsealed = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening/unseal", headers=people.headers("clerk")
    )
    assert unsealed.json()["status"] == "recorded", unsealed.text
    return kit


async def drawn_members(
    client: Any, people: Any, db: Any, section_id: str, supervisor: str = "zj_supervisor"
) -> dict[str, dict]:
    """What the sector's supervisor sees: every drawn expert, with its login headers."""
    answer = await client.get(f"/api/experts/sections/{section_id}/draw", headers=people.headers(supervisor))
    assert answer.status_code == 200, answer.text
    return {
        e["expert_id"]: {**e, "headers": await expert_headers(people, db, e["expert_id"])}
        for e in answer.json()["experts"]
    }


async def seated(client: Any, people: Any, section_id: str, supervisor: str = "zj_supervisor") -> list[dict]:
    answer = await client.get(
        f"/api/experts/sections/{section_id}/committee", headers=people.headers(supervisor)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["seats"]


async def procurement_kit(client: Any, people: Any, settings: Any, clock: Any, tmp_path: Any) -> Kit:
    """The kit's sealed-bid section, for a procurement open tender (the hospital's CT scanner)."""
    from bidding.sealing import keys
    from tests.bidding.helpers import accepted_bidder
    from tests.bidding.kit import (
        BIDDERS,
        Bidder,
        _org_of,
        certify,
        configure_holders,
        pay_deposit,
        platform_ca,
        sealing_parameters,
    )
    from tests.conftest import START
    from tests.trading.factories import call_announcement, construction_project
    from tests.trading.test_projects import publish, register

    body = construction_project(people, deposit="10000.00")
    body.update(
        sector="procurement",
        name="江宁区人民医院医学影像设备采购项目",
        principal_id=str(people.org("hospital").id),
    )
    body["sections"][0].pop("contract_kind")
    body["sections"][0].update(
        name="64排CT", budget="6800000.00", documents_sale_end=(START + dt.timedelta(days=8)).isoformat()
    )
    project = await register(client, people, body)
    assert project.status_code == 201, project.text
    published = await publish(
        client, people, call_announcement(project.json()["id"], title="医学影像设备采购项目公开招标公告")
    )
    assert published.status_code == 200, published.text
    section_id = project.json()["sections"][0]["id"]
    holder_keys = await configure_holders(client, people, section_id, holders=PROCUREMENT_HOLDERS)
    ca = await platform_ca(client)
    bidders = {}
    for username in BIDDERS:
        registration = await accepted_bidder(client, people, section_id, username)
        await pay_deposit(client, people, settings, clock, username, registration)
        signing_key, certificate_pem = await certify(client, people, username)
        bidders[username] = Bidder(
            username=username,
            signing_key=signing_key,
            decryption_key=keys.new_x25519_key(),
            certificate_pem=certificate_pem,
            uscc=people.cast.organisations[_org_of(people, username)].uscc,
            registration=registration,
        )
    workdir = tmp_path / "bidder-side"
    workdir.mkdir(exist_ok=True)
    return Kit(
        section_id=section_id,
        ca=ca,
        parameters=await sealing_parameters(client, people, section_id, ca),
        holder_keys=holder_keys,
        bidders=bidders,
        workdir=workdir,
        deadline=START + dt.timedelta(days=25),
    )


PROCUREMENT_HOLDERS = ("clerk", "cz_supervisor", "hospital")


async def evaluated_by_lowest_price(
    client: Any, people: Any, settings: Any, clock: Any, tmp_path: Any, db: Any, prices: dict[str, str]
) -> tuple[Kit, dict[str, dict], str]:
    """A construction section the committee evaluated by the lowest evaluated price: `evaluated`.
    Returns the kit, the drawn experts with their logins, and the chair's expert id."""
    kit = await opened_section(client, people, settings, clock, tmp_path, prices)
    sid = kit.section_id
    await pool(db, clock.now())
    drawn = await client.post(f"/api/experts/sections/{sid}/draw", json=DRAW, headers=people.headers("clerk"))
    assert drawn.status_code == 201, drawn.text
    members = await drawn_members(client, people, db, sid)
    seats = {s["expert_id"]: s for s in await seated(client, people, sid)}
    sitting = [e for e, s in seats.items() if s["kind"] == "member"]
    for expert in sitting:
        await client.post(
            f"/api/experts/sections/{sid}/committee/sign-in",
            json={"conflict": False},
            headers=members[expert]["headers"],
        )
    await client.post(
        f"/api/experts/sections/{sid}/committee/chair",
        json={"member_id": seats[sitting[0]]["member_id"]},
        headers=people.headers("clerk"),
    )
    started = await client.post(
        f"/api/experts/sections/{sid}/evaluation",
        json={"method": "lowest_price", "candidates": 2},
        headers=people.headers("clerk"),
    )
    assert started.status_code == 201, started.text
    await sign_off(client, sid, members, sitting)
    return kit, {e: members[e] for e in sitting}, sitting[0]


async def sign_off(client: Any, sid: str, members: dict[str, dict], sitting: list[str]) -> None:
    """The chair starts the scoring and ranks (no sheets in the lowest-price method); all sign."""
    chair = members[sitting[0]]["headers"]
    assert (
        await client.post(f"/api/experts/sections/{sid}/evaluation/scoring", headers=chair)
    ).status_code == 200
    ranked = await client.post(f"/api/experts/sections/{sid}/evaluation/ranking", headers=chair)
    assert ranked.status_code == 200, ranked.text
    for expert in sitting:
        signed = await client.post(
            f"/api/experts/sections/{sid}/evaluation/report/signatures",
            json={},
            headers=members[expert]["headers"],
        )
        assert signed.status_code == 200, signed.text


async def publish_draft(client: Any, people: Any, announcement_id: str, author: str = "agency") -> Any:
    """Submit (the author), approve and publish (the clerk) a drafted announcement; the last answer."""
    submitted = await client.post(
        f"/api/announcements/{announcement_id}/submit", headers=people.headers(author)
    )
    assert submitted.status_code == 200, submitted.text
    await client.post(
        f"/api/announcements/{announcement_id}/approve",
        json={"note": "同意"},
        headers=people.headers("clerk"),
    )
    return await client.post(f"/api/announcements/{announcement_id}/publish", headers=people.headers("clerk"))
