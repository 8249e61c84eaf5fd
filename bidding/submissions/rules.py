"""The rules of handing in bids: before the deadline by the server's clock, and how large a package may be."""

from __future__ import annotations

import datetime as dt

from bidding.sealing.receipts import RECEIPT_FORMAT
from trading.clock import local_time
from trading.errors import Conflict
from trading.projects.models import Section
from trading.projects.rules import STATUS_ZH, Status, effective_status

# A sealed package may be this large (bid files of 50 MB and more must pass; the route's own body
# limit sits a little above so that the store, not the framework, gives the clear answer).
MAX_PACKAGE_BYTES = 200 * (1 << 20)
REQUEST_LIMIT_BYTES = MAX_PACKAGE_BYTES + (1 << 20)
__all__ = [
    "MAX_PACKAGE_BYTES",
    "RECEIPT_FORMAT",
    "REQUEST_LIMIT_BYTES",
    "check_before_deadline",
    "deadline_passed",
]


def deadline_passed(section: Section) -> Conflict:
    deadline = section.bid_deadline.isoformat() if section.bid_deadline else None
    shown = local_time(section.bid_deadline) if section.bid_deadline else "—"
    return Conflict(
        "bid.deadline_passed",
        f"投标截止时间（{shown}）已过，投标文件不再接收、撤回或更改",
        f"the bid deadline ({shown}) has passed: bids can no longer be handed in, withdrawn or replaced",
        rule="C-08",
        details={"bid_deadline": deadline},
    )


def check_before_deadline(section: Section, at: dt.datetime) -> None:
    """C-08 / E-03: bids arrive, change and leave only while registration is open and before the
    deadline, by the server's clock at the moment the last byte arrived."""
    status = effective_status(
        Status(section.status),
        now=at,
        registration_start=section.registration_start,
        bid_deadline=section.bid_deadline,
    )
    if section.bid_deadline is not None and at >= section.bid_deadline:
        raise deadline_passed(section)
    if status != Status.registration_open or section.bid_deadline is None:
        raise Conflict(
            "bid.section_not_open",
            f"标段当前状态为“{STATUS_ZH[status]}”，不接收投标文件",
            f"a section that is {status} does not take bids",
            rule="E-03",
            details={"status": status},
        )
