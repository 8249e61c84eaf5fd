"""The center assesses its experts (专家考核, the center's duty 6): each sitting member is rated
per evaluation; repeated poor ratings take the expert out of the draws (E-07 lists an expert
"previously penalised for misconduct" among those who step aside)."""

from __future__ import annotations

import datetime as dt

from trading.errors import DomainError

RATINGS = ("good", "fair", "poor")
# Two poor ratings within a year (by staff or the supervisor, on any evaluation) suspend the expert.
POOR_LIMIT = 2
POOR_WINDOW = dt.timedelta(days=365)


def check_rating(rating: str) -> str:
    if rating not in RATINGS:
        raise DomainError(
            "assessment.rating_invalid",
            "考核等次只能是：good（优良）、fair（合格）、poor（不合格）",
            "a rating is good, fair or poor",
            status=422,
        )
    return rating


def suspends(poor_ratings: int) -> bool:
    return poor_ratings >= POOR_LIMIT
