"""Many bidders for one listing, made straight in the database (their registrations accepted),
for the concurrency test and the benchmark."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from bidding.registrations.models import Registration
from trading.audit.service import SYSTEM
from trading.auth.service import create_user, identity_of
from trading.auth.tokens import issue_token
from trading.db.session import Database
from trading.organisations.models import Organisation
from trading.organisations.uscc import check_character


async def crowd(app: Any, section_id: str, size: int, at: dt.datetime) -> list[dict[str, str]]:
    """`size` bidder organisations, each with a user and an accepted registration for the section;
    returns their request headers. Uses its own connections (the caller's loop may be new)."""
    db = Database(app.state.settings.resolved_database_url())
    try:
        return await _crowd(db, app, section_id, size, at)
    finally:
        await db.dispose()


async def _crowd(db: Database, app: Any, section_id: str, size: int, at: dt.datetime) -> list[dict[str, str]]:
    headers = []
    async with db.session() as session:
        for n in range(size):
            first17 = f"91320100{n:09d}"
            organisation = Organisation(
                uscc=first17 + check_character(first17),
                name=f"竞买人{n:03d}置业有限公司",
                capacities=["bidder"],
                region="江宁区",
                legal_representative="张伟",
                contact_phone="025-52100000",
                registered_at=at,
            )
            session.add(organisation)
            await session.flush()
            user = await create_user(
                session,
                username=f"crowd{n:03d}-{uuid.uuid4().hex[:6]}",
                password=None,
                password_hash="not-a-login",
                display_name=f"竞买人{n:03d}",
                roles=["bidder"],
                sectors=[],
                organisation_id=organisation.id,
                actor=SYSTEM,
                at=at,
            )
            session.add(
                Registration(
                    section_id=uuid.UUID(section_id),
                    organisation_id=organisation.id,
                    contact_name="张伟",
                    contact_phone="025-52100000",
                    contact_email="bid@example.cn",
                    status="accepted",
                    registered_at=at,
                    registered_by=user.id,
                )
            )
            token, _ = issue_token(app.state.jwt_auth, identity_of(user))
            headers.append({"Authorization": f"Bearer {token}"})
        await session.commit()
    return headers
