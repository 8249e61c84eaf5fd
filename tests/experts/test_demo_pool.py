"""The demo holds a realistic expert pool, relative to the clock, and its expert logs in to it."""

from sqlalchemy import func, select

from experts.pool.models import Expert
from experts.pool.service import DEMO_POOL
from trading.demo import load_demo


async def test_the_demo_pool_holds_thousands_and_the_demo_expert_sees_its_profile(client, db, clock):
    await load_demo(db, clock)
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Expert)) == DEMO_POOL + 1
        statuses = dict(
            (await session.execute(select(Expert.status, func.count()).group_by(Expert.status))).all()
        )
        expired = await session.scalar(
            select(func.count()).where(Expert.certificate_expires < clock.now().date())
        )
    assert statuses["active"] > 0.9 * DEMO_POOL and statuses["suspended"] and statuses["retired"]
    assert 0 < expired < DEMO_POOL / 3
    login = await client.post("/api/auth/login", json={"username": "expert", "password": "expert-demo-2026"})
    me = await client.get("/api/experts/me", headers={"Authorization": f"Bearer {login.json()['token']}"})
    assert (me.json()["name"], me.json()["specialties"]) == ("朱专家", ["A0401", "A0402"])
    # The generated experts have no password: nobody logs in as them until an admin sets one.
    refused = await client.post("/api/auth/login", json={"username": "expert000001", "password": "!"})
    assert refused.status_code == 401
