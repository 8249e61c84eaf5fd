"""Interest on refunded deposits: actual/360, each day at the rate in force, rounded once."""

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funds.refunds.interest import RateMissing, accrued, late_charge, round_half_up

D = dt.date


def test_thirty_days_at_the_current_deposit_rate():
    # 20,000.00 yuan × 0.35 % × 30 / 360 = 5.8333 → 5.83
    assert accrued(2_000_000, D(2026, 3, 2), D(2026, 4, 1), [(D(2025, 1, 1), 3500)]) == 583


def test_each_day_takes_the_rate_in_force_that_day():
    rates = [(D(2026, 1, 1), 3500), (D(2026, 3, 12), 2000)]
    # 10 days at 0.35 % and 20 days at 0.20 % on 1,000,000.00 yuan
    expected = round_half_up(Fraction(100_000_000 * (3500 * 10 + 2000 * 20), 1_000_000 * 360))
    assert accrued(100_000_000, D(2026, 3, 2), D(2026, 4, 1), rates) == expected == 20833


def test_no_days_no_interest_and_a_missing_rate_is_refused():
    assert accrued(2_000_000, D(2026, 3, 2), D(2026, 3, 2), []) == 0
    with pytest.raises(RateMissing) as missing:
        accrued(2_000_000, D(2026, 3, 2), D(2026, 3, 3), [(D(2026, 3, 3), 3500)])
    assert missing.value.code == "interest.rate_missing"
    assert missing.value.details == {"kind": "current_deposit", "date": "2026-03-02"}


def test_the_late_charge_counts_the_days_after_the_deadline():
    loan = [(D(2015, 10, 24), 43500)]
    assert late_charge(1_000_000, D(2026, 4, 3), D(2026, 4, 3), loan) == 0
    # 10,000.00 × 4.35 % × 1.2 × 10 / 360 = 14.50
    assert late_charge(1_000_000, D(2026, 4, 3), D(2026, 4, 13), loan) == 1450


def test_half_a_fen_rounds_up():
    assert round_half_up(Fraction(1, 2)) == 1
    assert round_half_up(Fraction(49, 100)) == 0
    assert round_half_up(Fraction(-1, 2)) == -1


@given(
    principal=st.integers(min_value=1, max_value=10**12),
    days=st.integers(min_value=0, max_value=800),
    split=st.integers(min_value=0, max_value=800),
    rate=st.integers(min_value=0, max_value=100_000),
)
def test_interest_over_two_periods_adds_up_to_within_a_fen(principal, days, split, rate):
    start = D(2026, 1, 1)
    middle, end = start + dt.timedelta(days=min(split, days)), start + dt.timedelta(days=days)
    rates = [(D(2020, 1, 1), rate)]
    whole = accrued(principal, start, end, rates)
    parts = accrued(principal, start, middle, rates) + accrued(principal, middle, end, rates)
    assert abs(whole - parts) <= 1
    assert whole == round_half_up(Fraction(principal * rate * days, 1_000_000 * 360))
