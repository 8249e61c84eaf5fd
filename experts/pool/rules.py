"""What makes an expert of the pool eligible for a draw (C-11, E-07): each check names the reason
an expert is left out, so a draw can say how many were excluded and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from experts.pool.taxonomy import is_known
from trading.errors import DomainError

STATUSES = ("active", "suspended", "retired")


def check_specialties(codes: Iterable[str]) -> list[str]:
    codes = list(codes)
    unknown = [c for c in codes if not is_known(c)]
    if not codes or unknown:
        raise DomainError(
            "expert.specialty_unknown",
            f"专业代码不在专家库专业分类中：{'、'.join(unknown) or '（未填写）'}",
            f"specialty codes not in the pool's taxonomy: {', '.join(unknown) or '(none given)'}",
            status=422,
            details={"unknown": unknown},
        )
    return codes


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise DomainError(
            "expert.status_invalid",
            f"专家状态只能是：{'、'.join(STATUSES)}",
            f"an expert's status is one of: {', '.join(STATUSES)}",
            status=422,
        )
    return status


def certificate_valid(expires: dt.date, on: dt.date) -> bool:
    """The expert's evaluation certificate still runs on the evaluation day."""
    return expires >= on
