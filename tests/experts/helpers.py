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
    client: Any, people: Any, settings: Any, clock: Any, tmp_path: Any, prices: dict[str, str]
) -> Kit:
    """A construction section whose bids were sealed, handed in and opened: `opened`."""
    kit = await ready_section(client, people, settings, clock, tmp_path)
    for username, price in prices.items():
        answer = await submit(client, people, kit, username, kit.seal(username, price))
        assert answer.status_code == 201, answer.text
    await pass_deadline(clock, kit)
    started = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
    )
    assert started.status_code == 201, started.text
    await release_all(client, people, kit)
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


async def seated(client: Any, people: Any, section_id: str) -> list[dict]:
    answer = await client.get(
        f"/api/experts/sections/{section_id}/committee", headers=people.headers("zj_supervisor")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["seats"]
