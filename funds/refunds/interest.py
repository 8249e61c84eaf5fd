"""Interest on refunded deposits and the late-refund charge, in exact integer arithmetic.

Day count: actual/360, the People's Bank of China convention for RMB deposits (人民币利率管理规定:
the daily rate is the annual rate / 360) and the one banks use for current-deposit interest.
Interest runs from the value date of the credit (the day the money reached the escrow account,
counted) to the day the refund is paid out (not counted): one day per night the money was held,
each day at the rate in force on that day. The sum is computed exactly (fractions) and rounded
half up to the fen once, at the end.

Late charge (P-05): a procurement refund made after its deadline carries a charge at the central
bank's benchmark loan rate + 20 %, from the day after the deadline to the day of payment, on the
same day count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction

from trading.errors import DomainError

PPM = 1_000_000
DAYS_IN_YEAR = 360


class RateMissing(DomainError):
    status = 422

    def __init__(self, kind: str, day: dt.date) -> None:
        kind_zh = "活期存款利率" if kind == "current_deposit" else "贷款基准利率"
        super().__init__(
            "interest.rate_missing",
            f"利率表中没有{day}适用的{kind_zh}，请先登记利率",
            f"no {kind.replace('_', ' ')} rate is recorded for {day}; record the rate first",
            details={"kind": kind, "date": str(day)},
        )


def round_half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)) // 1) if value >= 0 else -round_half_up(-value)


def accrued(
    principal_fen: int,
    start: dt.date,
    end: dt.date,
    rates: Sequence[tuple[dt.date, int]],
    *,
    kind: str = "current_deposit",
    multiplier: Fraction = Fraction(1),
) -> int:
    """Interest in fen on `principal_fen` for the days from `start` (counted) to `end` (not counted).

    `rates` are (effective_from, annual rate in ppm) of one kind, in any order; each applies from
    its date until the next one's.
    """
    if end <= start or principal_fen == 0:
        return 0
    ordered = sorted(rates)
    if not ordered or ordered[0][0] > start:
        raise RateMissing(kind, start)
    total = Fraction(0)
    for i, (effective_from, ppm) in enumerate(ordered):
        until = ordered[i + 1][0] if i + 1 < len(ordered) else end
        first, last = max(start, effective_from), min(end, until)
        if last > first:
            total += Fraction(principal_fen * ppm * (last - first).days, PPM * DAYS_IN_YEAR)
    return round_half_up(total * multiplier)


LATE_CHARGE_MULTIPLIER = Fraction(6, 5)  # benchmark loan rate + 20 %


def late_charge(
    principal_fen: int, due_on: dt.date, paid_on: dt.date, loan_rates: Sequence[tuple[dt.date, int]]
) -> int:
    """P-05: from the day after the deadline (counted) to the payment day (not counted)."""
    return accrued(
        principal_fen,
        due_on + dt.timedelta(days=1),
        paid_on + dt.timedelta(days=1),
        loan_rates,
        kind="benchmark_loan",
        multiplier=LATE_CHARGE_MULTIPLIER,
    )
