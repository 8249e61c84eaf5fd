"""One row per thing that happens once (a section's draw, its evaluation, its award, a member's
sheet, an assessment): two requests racing past the service's own check meet the unique
constraint, and the loser gets the same Conflict the check gives, not a 500."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trading.db.base import Base
from trading.errors import Conflict


async def add_once(session: AsyncSession, row: Base, refusal: Conflict) -> None:
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as clash:
        raise refusal from clash
