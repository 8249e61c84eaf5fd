"""Opening and finding virtual sub-accounts (虚拟子账号).

A number is the center's prefix, nine random digits and a Luhn check digit, like the numbers banks
issue for deposits: a mistyped digit in a bidder's transfer is caught (the credit then lands in
suspense instead of in another bidder's sub-account). The digits are random, not a sequence, so a
bidder's number says nothing about how many others registered before it.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from funds.journal import chart
from funds.journal.service import ensure_account
from funds.subaccounts.models import FundsCounter, VirtualAccount
from trading.audit.service import Actor, record
from trading.errors import DomainError, not_found
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section

# The escrow account's branch and product code: every virtual number starts with it.
NUMBER_PREFIX = "320501"
SEQUENCE_DIGITS = 9
NUMBER_ATTEMPTS = 5


def luhn_digit(digits: str) -> str:
    """The check digit that makes `digits + check` pass the Luhn test."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def is_well_formed(number: str) -> bool:
    return (
        number.isdigit()
        and len(number) == len(NUMBER_PREFIX) + SEQUENCE_DIGITS + 1
        and number.startswith(NUMBER_PREFIX)
        and luhn_digit(number[:-1]) == number[-1]
    )


async def next_number(session: AsyncSession, name: str) -> int:
    """The next number of a named sequence; concurrent callers never get the same one."""
    bump = (
        update(FundsCounter)
        .where(FundsCounter.name == name)
        .values(last_number=FundsCounter.last_number + 1)
        .returning(FundsCounter.last_number)
    )
    number = await session.scalar(bump)
    if number is None:
        try:
            async with session.begin_nested():
                session.add(FundsCounter(name=name, last_number=1))
            number = 1
        except IntegrityError:
            number = await session.scalar(bump)
    assert number is not None
    return number


def random_number() -> str:
    body = f"{NUMBER_PREFIX}{secrets.randbelow(10**SEQUENCE_DIGITS):0{SEQUENCE_DIGITS}d}"
    return body + luhn_digit(body)


async def _unused_number(session: AsyncSession) -> str:
    """A random number nobody has (one in a billion draws is taken: draw again)."""
    while True:
        number = random_number()
        if await get_by_number(session, number) is None:
            return number


async def find_subaccount(
    session: AsyncSession, *, section_id: uuid.UUID, organisation_id: uuid.UUID, lock: bool = False
) -> VirtualAccount | None:
    query = select(VirtualAccount).where(
        VirtualAccount.section_id == section_id, VirtualAccount.organisation_id == organisation_id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def open_subaccount(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    organisation_id: uuid.UUID,
    actor: Actor,
    at: dt.datetime,
) -> VirtualAccount:
    """The bidder's sub-account for the section, opened on the first call (with an audit event);
    later calls return the same account. Does not commit."""
    existing = await find_subaccount(session, section_id=section_id, organisation_id=organisation_id)
    if existing is not None:
        return existing
    section = await session.get(Section, section_id)
    if section is None:
        raise not_found("section", "标段", section_id)
    project = await session.get(Project, section.project_id)
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise not_found("organisation", "单位", organisation_id)
    if "bidder" not in organisation.capacities:
        raise DomainError(
            "subaccount.not_a_bidder",
            f"{organisation.name}未登记为投标人/竞买人，不能开立保证金子账户",
            f"{organisation.name} is not registered as a bidder and gets no deposit sub-account",
            status=422,
        )
    assert project is not None
    for _ in range(NUMBER_ATTEMPTS):
        subaccount = await _insert(session, section, project, organisation, actor=actor, at=at)
        if subaccount is not None:
            break
        # Opened by a concurrent call for the same bidder and section: theirs is the account.
        existing = await find_subaccount(session, section_id=section_id, organisation_id=organisation_id)
        if existing is not None:
            return existing
        # Otherwise another bidder drew the same number at the same instant: draw again.
    else:
        raise RuntimeError("no unused virtual account number after several draws")
    await record(
        session,
        actor=actor,
        action="funds.subaccount_opened",
        subject_type="virtual_account",
        subject_id=subaccount.id,
        data={
            "number": subaccount.number,
            "section_id": str(section.id),
            "section_code": section.code,
            "organisation_id": str(organisation.id),
            "deposit_fen": section.deposit_fen,
        },
        at=at,
    )
    return subaccount


async def _insert(
    session: AsyncSession,
    section: Section,
    project: Project,
    organisation: Organisation,
    *,
    actor: Actor,
    at: dt.datetime,
) -> VirtualAccount | None:
    """Insert the sub-account under a fresh number; None if a unique key was taken meanwhile."""
    number = await _unused_number(session)
    try:
        async with session.begin_nested():
            account = await ensure_account(
                session,
                chart.subaccount(number, project.sector, organisation.name, section.code),
                at=at,
                section_id=section.id,
                organisation_id=organisation.id,
            )
            subaccount = VirtualAccount(
                number=number,
                section_id=section.id,
                organisation_id=organisation.id,
                sector=project.sector,
                account_id=account.id,
                opened_at=at,
                opened_by=actor.name[:100],
                state="held",
            )
            session.add(subaccount)
    except IntegrityError:
        return None
    return subaccount


async def get_by_number(session: AsyncSession, number: str, *, lock: bool = False) -> VirtualAccount | None:
    query = select(VirtualAccount).where(VirtualAccount.number == number)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)
