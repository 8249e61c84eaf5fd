"""Whether a complaint holds a section's procedure suspended, asked before every move.

GPL art. 57 (P-16): "政府采购监督管理部门在处理投诉事项期间，可以视具体情况书面通知采购人暂停采购活动，
但暂停时间最长不得超过三十日。" In construction the oversight department may likewise order the
tendering suspended while it handles a complaint (TLR art. 62 ¶2; C-21). A suspension holds from
the day it is ordered through its `suspended_until` day (the center's calendar), unless lifted
earlier or the complaint is decided first. While it holds, no move of the section is made:
transitions (opening, evaluation, candidates, award, contract, failure, cancellation), the start of
the electronic opening, and the publication of its announcements are refused with
`section.suspended`. What the clock decides by itself (registration open, bidding closed) is not a
move and still happens.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.clock import DEFAULT_ZONE, local_date
from trading.complaints.models import Complaint
from trading.errors import Conflict
from trading.sectors import Sector


async def suspending_complaint(
    session: AsyncSession, section_id: uuid.UUID, *, at: dt.datetime, zone: ZoneInfo = DEFAULT_ZONE
) -> Complaint | None:
    """The accepted, undecided complaint whose suspension of the section holds at `at`, if any."""
    return await session.scalar(
        select(Complaint)
        .where(
            Complaint.section_id == section_id,
            Complaint.status == "accepted",
            Complaint.suspended_until >= local_date(at, zone),
            Complaint.suspension_lifted_at.is_(None),
        )
        .order_by(Complaint.suspended_until.desc())
        .limit(1)
    )


async def check_not_suspended(
    session: AsyncSession, section_id: uuid.UUID, *, at: dt.datetime, zone: ZoneInfo = DEFAULT_ZONE
) -> None:
    """Refuse any move of a section a complaint holds suspended (`section.suspended`, 409)."""
    complaint = await suspending_complaint(session, section_id, at=at, zone=zone)
    if complaint is None:
        return
    until = complaint.suspended_until
    raise Conflict(
        "section.suspended",
        f"该标段因投诉处理已暂停交易活动至{until}，暂停期间不能进行任何环节的操作",
        f"the procedure is suspended until {until} while a complaint is handled: no step may be taken",
        rule="P-16" if complaint.sector == Sector.procurement else "C-21",
        details={"complaint_id": str(complaint.id), "suspended_until": str(until)},
    )
