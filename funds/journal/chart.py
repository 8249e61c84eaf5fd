"""The chart of accounts of the center's escrow (保证金代收代退, E-09).

Balances are kept debit positive. Assets and expenses normally carry debit balances; liabilities
and income credit balances (negative numbers here; views show them with their natural sign).

- `escrow_bank` (asset): the center's single escrow bank account, every fen in or out (E-09).
- `subaccount:<number>` (liability): one bidder's qualifying deposit for one section (虚拟子账号).
- `suspense` (liability): credits that are nobody's deposit yet (unknown virtual account, foreign payer).
- `late_payments:<sector>` (liability): deposits paid after the deadline or after settlement, to return.
- `refunds_payable[:<sector>]` (liability): refunds and returns due, until the bank confirms payment.
- `forfeitures_payable:<sector>` (liability): forfeited deposits, payable to the principal.
- `price_payable:<sector>` (liability): land / property winners' deposits converted into the price,
  payable to the grantor or transferor.
- `fees_receivable:<sector>` (asset): transaction service fees invoiced and not yet settled.
- `fee_income:<sector>` (income): transaction service fees earned.
- `interest_expense:<sector>` (expense): interest on refunded deposits (C-16), late-refund charges (P-05).
- `interest_income` (income): interest the bank credits to the escrow account.
- `center_funding` (income): money the center transfers into the escrow account from its own
  account to fund the interest it pays on refunds (when the bank's interest does not cover it).

Liability accounts may never run a debit balance (TigerBeetle's `debits_must_not_exceed_credits`):
a sub-account can never pay out more than it received. The escrow bank account may never run a
credit balance (`credits_must_not_exceed_debits`): no payment leaves it that is not in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trading.sectors import SECTOR_ZH, Sector


class Kind(StrEnum):
    asset = "asset"
    liability = "liability"
    income = "income"
    expense = "expense"


# Debit-normal kinds show their balance as is; credit-normal kinds with the sign turned.
NATURAL_SIGN = {Kind.asset: 1, Kind.expense: 1, Kind.liability: -1, Kind.income: -1}

ESCROW_BANK = "escrow_bank"
SUSPENSE = "suspense"
INTEREST_INCOME = "interest_income"
CENTER_FUNDING = "center_funding"
LATE_PAYMENTS = "late_payments"
REFUNDS_PAYABLE = "refunds_payable"
FORFEITURES_PAYABLE = "forfeitures_payable"
PRICE_PAYABLE = "price_payable"
FEES_RECEIVABLE = "fees_receivable"
FEE_INCOME = "fee_income"
INTEREST_EXPENSE = "interest_expense"
SUBACCOUNT = "subaccount"


@dataclass(frozen=True)
class AccountSpec:
    code: str
    kind: Kind
    name: str
    sector: str | None = None


_CENTER_WIDE = {
    ESCROW_BANK: (Kind.asset, "中心保证金专户（银行存款）"),
    SUSPENSE: (Kind.liability, "待查款项（暂挂）"),
    INTEREST_INCOME: (Kind.income, "专户利息收入"),
    CENTER_FUNDING: (Kind.income, "中心划入资金（支付退还保证金利息）"),
    REFUNDS_PAYABLE: (Kind.liability, "应退款项（待查款项退回）"),
}

_PER_SECTOR = {
    LATE_PAYMENTS: (Kind.liability, "逾期到账保证金（待退回）"),
    REFUNDS_PAYABLE: (Kind.liability, "应退保证金"),
    FORFEITURES_PAYABLE: (Kind.liability, "没收保证金（应付招标人）"),
    PRICE_PAYABLE: (Kind.liability, "保证金转价款（应付出让人/转让方）"),
    FEES_RECEIVABLE: (Kind.asset, "应收交易服务费"),
    FEE_INCOME: (Kind.income, "交易服务费收入"),
    INTEREST_EXPENSE: (Kind.expense, "退还保证金利息支出"),
}


def center(code: str) -> AccountSpec:
    kind, name = _CENTER_WIDE[code]
    return AccountSpec(code, kind, name)


def sector_account(base: str, sector: str) -> AccountSpec:
    kind, name = _PER_SECTOR[base]
    return AccountSpec(f"{base}:{sector}", kind, f"{name}（{SECTOR_ZH[Sector(sector)]}）", sector)


def subaccount(number: str, sector: str, bidder_name: str, section_code: str) -> AccountSpec:
    return AccountSpec(
        f"{SUBACCOUNT}:{number}",
        Kind.liability,
        f"保证金子账户 {number}（{bidder_name}，{section_code}）",
        sector,
    )


# Accounts that stand for money in a bank: they cannot pay out what they do not hold.
NEVER_CREDIT = frozenset({ESCROW_BANK})


def may_run_credit(code: str) -> bool:
    """Whether an account may hold a credit balance (the escrow bank account may not)."""
    return code not in NEVER_CREDIT


def may_run_debit(kind: str) -> bool:
    """Whether an account of this kind may hold a debit balance (liabilities may not)."""
    return kind != Kind.liability
