"""When a deposit falls due for refund, by which day it must be made, and with what interest.

| sector | trigger | who | deadline | interest | rule |
|---|---|---|---|---|---|
| construction | written withdrawal before the deadline | that bidder | 5 days | no | C-07 |
| construction | section failed / cancelled | every bidder | 5 days | yes | C-16 (*) |
| construction | contract signed | every bidder, winner included | 5 days | yes | C-16 |
| procurement | written withdrawal before the deadline | that bidder | 5 working days | late charge | P-05 |
| procurement | award notice | every bidder but the winner | 5 working days | late charge | P-05 |
| procurement | contract signed | the winner (and any left) | 5 working days | late charge | P-05 |
| procurement | section failed / cancelled | every bidder | 5 working days | late charge | P-05 |
| land | sale ended (award) | every bidder but the winner | 5 working days | no | L-05 |
| land | failed / cancelled / withdrawal | every bidder concerned | 5 working days | no | L-05 |
| property | award, failure, cancellation, withdrawal | bidders concerned | 5 working days | no | none (**) |

(*) RULES.md has no row for a failed or cancelled construction tender; TLR art. 31 says the
tenderee refunds "promptly, with the bank's interest for the same period". We apply C-16's 5 days
and interest and cite C-16.
(**) RULES.md has no deposit row for property-rights transfers; we apply the land terms as center
policy and cite no rule.

The land and property winner's deposit does not fall due at the award: it awaits conversion into
the price (L-05). A manual refund by staff (e.g. a registration rejected) takes the sector's terms
for a failed section. Returns of money that never was a deposit (paid late, from a foreign payer,
to an unknown virtual account) are due within 5 working days as center policy, with no interest.

Days are dates in the center's time zone, counted as the Civil Code counts (D-01, D-02,
trading/calendar/periods.py): "within 5 days of X" is due by 24:00 of date(X) + 5, moved past a
holiday that ends it; "5 working days" is the 5th working day after date(X). A year whose holiday
notice is not loaded is estimated (D-03): the refund's basis says `_provisional`, and its deadline
is recounted when the notice is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trading.sectors import Sector


class Trigger(StrEnum):
    withdrawn = "registration.withdrawn"
    failed = "section.failed"
    cancelled = "section.cancelled"
    awarded = "section.awarded"
    contracted = "section.contracted"
    manual = "manual"
    late_payment = "late_payment"
    suspense_return = "suspense_return"


@dataclass(frozen=True)
class Term:
    rule: str | None
    days: int
    working_days: bool
    with_interest: bool
    late_charge: bool


_C07 = Term("C-07", 5, working_days=False, with_interest=False, late_charge=False)
_C16 = Term("C-16", 5, working_days=False, with_interest=True, late_charge=False)
_P05 = Term("P-05", 5, working_days=True, with_interest=False, late_charge=True)
_L05 = Term("L-05", 5, working_days=True, with_interest=False, late_charge=False)
_POLICY = Term(None, 5, working_days=True, with_interest=False, late_charge=False)

RETURN_TERM = _POLICY

TERMS: dict[tuple[str, Trigger], Term] = {
    (Sector.construction, Trigger.withdrawn): _C07,
    (Sector.construction, Trigger.failed): _C16,
    (Sector.construction, Trigger.cancelled): _C16,
    (Sector.construction, Trigger.contracted): _C16,
    (Sector.construction, Trigger.manual): _C16,
    **{(Sector.procurement, t): _P05 for t in Trigger},
    **{(Sector.land, t): _L05 for t in Trigger},
    **{(Sector.property, t): _POLICY for t in Trigger},
}


def term_for(sector: str, trigger: Trigger) -> Term | None:
    return TERMS.get((sector, trigger))


def falls_due_at(sector: str, trigger: Trigger, *, winner: bool) -> bool:
    """Whether the bidder's deposit falls due for refund when `trigger` happens to the section."""
    if trigger in (Trigger.failed, Trigger.cancelled):
        return True
    if trigger == Trigger.awarded:
        return sector != Sector.construction and not winner
    if trigger == Trigger.contracted:
        # Construction refunds everyone now (C-16), procurement its winner (P-05); land and property
        # winners' deposits convert into the price instead (L-05).
        return sector in (Sector.construction, Sector.procurement) or not winner
    return False
