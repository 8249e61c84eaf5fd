"""The rules on deposits: what a bidder's deposit must be, and when it may be kept.

- C-06 (TLR art. 26): a domestic bidder pays its deposit from its basic bank account: a credit
  from any other name or account is not the bidder's deposit (it waits in suspense, to be returned).
- The deposit deadline is the section's bid deadline: a credit whose value time is at or after it
  does not qualify (recorded, and returned).
- Forfeiture only by a staff action naming one of the reasons below, with a written note:
  withdrawal after the deadline (C-07), refusing to sign the contract (C-15: the winner must sign
  within 30 days; TLR art. 74 lets the deposit be kept), false documents (TL art. 54; no row of
  the catalogue yet, so no rule id is cited).
- Conversion only for land and property winners (L-05: the winner's deposit becomes part of the
  price; the center may first take its service fee out of it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from trading.sectors import Sector


class ForfeitReason(StrEnum):
    withdrawal_after_deadline = "withdrawal_after_deadline"
    refused_to_sign = "refused_to_sign"
    false_documents = "false_documents"


@dataclass(frozen=True)
class ForfeitRule:
    rule: str | None
    zh: str
    en: str


FORFEIT_REASONS = {
    ForfeitReason.withdrawal_after_deadline: ForfeitRule(
        "C-07", "投标截止后撤回投标文件", "withdrew its bid after the bid deadline"
    ),
    ForfeitReason.refused_to_sign: ForfeitRule(
        "C-15", "中标人无正当理由不与招标人订立合同", "the winner refused to sign the contract"
    ),
    ForfeitReason.false_documents: ForfeitRule(None, "提供虚假材料", "submitted false documents"),
}

CONVERTIBLE_SECTORS = frozenset({Sector.land, Sector.property})

_SPACES = re.compile(r"\s+")
_FULL_WIDTH = str.maketrans({"（": "(", "）": ")"})


def normalise_name(name: str) -> str:
    """Company names as banks print them: full-width brackets and stray spaces do not matter."""
    return _SPACES.sub("", name.translate(_FULL_WIDTH))


def normalise_account(number: str) -> str:
    return "".join(ch for ch in number if ch.isalnum())


def is_basic_account(
    *, payer_name: str, payer_account: str, basic_name: str | None, basic_number: str | None
) -> bool:
    """C-06: the payment comes from the bidder's own basic account (name and number both match)."""
    if not basic_name or not basic_number:
        return False
    return normalise_account(payer_account) == normalise_account(basic_number) and normalise_name(
        payer_name
    ) == normalise_name(basic_name)
