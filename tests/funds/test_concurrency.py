"""Money paths under real concurrency (PostgreSQL, one connection per contender): the same bank
notification twenty times at once credits once; conflicting refunds of one deposit give one effect.

The HTTP test client hands requests to the app one at a time, so these tests race the use cases
themselves, each in its own session and connection, as several app instances would.
"""

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from funds.bankfeed.models import BankCredit
from funds.bankfeed.service import CreditNotice, receive_credit
from funds.deposits.rules import ForfeitReason
from funds.deposits.service import deposit_position, forfeit_deposit
from funds.journal.models import JournalEntry
from funds.journal.service import verify_ledger
from funds.refunds.models import Refund
from funds.refunds.service import request_refund
from funds.subaccounts.service import open_subaccount
from tests.funds.helpers import open_section, pay
from trading.audit.service import Actor
from trading.errors import DomainError

CLERK = Actor(id=None, name="clerk")
ZONE = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def only_postgresql(backend):
    if backend != "distributed":
        pytest.skip("SQLite serialises every transaction; these races need PostgreSQL")


async def _each_in_its_own_session(db, count, work):
    async def one(i):
        async with db.session() as session:
            try:
                result = await work(session, i)
                await session.commit()
                return result
            except DomainError as refused:
                await session.rollback()
                return refused

    return await asyncio.gather(*(one(i) for i in range(count)))


async def test_twenty_concurrent_copies_of_one_notification_credit_once(client, people, db, clock):
    section_id = await open_section(client, people)
    builder = people.org("builder_a")
    async with db.session() as session:
        account = await open_subaccount(
            session, section_id=section_id, organisation_id=builder.id, actor=CLERK, at=clock.now()
        )
        await session.commit()
    notice = CreditNotice(
        bank_txn_id="CCB-RACE-1",
        virtual_account=account.number,
        amount_fen=2_000_000,
        payer_name=builder.basic_account_name,
        payer_account=builder.basic_account_number,
        payer_bank="",
        value_at=clock.now(),
    )

    async def receive(session, i):
        received = await receive_credit(
            session, notice, source="notification", actor=CLERK, at=clock.now(), zone=ZONE
        )
        return received.credit.id, received.created

    results = await _each_in_its_own_session(db, 20, receive)
    assert not [r for r in results if isinstance(r, Exception)]
    assert len({credit_id for credit_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 19 + [True]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(BankCredit)) == 1
        assert await session.scalar(select(func.count()).select_from(JournalEntry)) == 1
        position = await deposit_position(
            session, section_id=section_id, organisation_id=builder.id, at=clock.now()
        )
        assert position.paid_fen == 2_000_000
        assert (await verify_ledger(session)).intact


async def test_twenty_concurrent_openings_give_one_sub_account(client, people, db, clock):
    section_id = await open_section(client, people)
    builder = people.org("builder_a")

    async def open_one(session, i):
        account = await open_subaccount(
            session, section_id=section_id, organisation_id=builder.id, actor=CLERK, at=clock.now()
        )
        return account.number

    numbers = await _each_in_its_own_session(db, 20, open_one)
    assert len(set(numbers)) == 1


async def test_conflicting_refunds_and_a_forfeiture_of_one_deposit_have_exactly_one_effect(
    client, people, settings, db, clock
):
    section_id = await open_section(client, people)
    builder = people.org("builder_a")
    account = (
        await client.post(
            "/api/funds/subaccounts/",
            json={"section_id": section_id, "organisation_id": str(builder.id)},
            headers=people.headers("clerk"),
        )
    ).json()
    await pay(client, people, settings, clock, account["number"], "12000.00")
    await pay(client, people, settings, clock, account["number"], "8000.00")
    clock.advance(dt.timedelta(days=26))  # after the deadline, so forfeiting is possible too

    async def refund_or_forfeit(session, i):
        if i == 5:
            return await forfeit_deposit(
                session,
                section_id=section_id,
                organisation_id=builder.id,
                reason=ForfeitReason.withdrawal_after_deadline,
                note="截止后撤回投标文件",
                actor=CLERK,
                at=clock.now(),
            )
        return await request_refund(
            session,
            section_id=section_id,
            organisation_id=builder.id,
            reason="资格审查未通过",
            actor=CLERK,
            at=clock.now(),
            zone=ZONE,
        )

    results = await _each_in_its_own_session(db, 10, refund_or_forfeit)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert {r.code for r in refused} == {"deposit.already_settled"}
    assert len(refused) == 9
    async with db.session() as session:
        refunds = (await session.scalars(select(Refund))).all()
        position = await deposit_position(
            session, section_id=section_id, organisation_id=builder.id, at=clock.now()
        )
        if position.status == "refunded":
            assert sorted(r.principal_fen for r in refunds) == [800_000, 1_200_000]
            assert {r.payee_account for r in refunds} == {builder.basic_account_number}
        else:
            assert position.status == "forfeited"
            assert refunds == []
        assert (await verify_ledger(session)).intact
