"""The double-entry journal: balanced, append-only, idempotent, hash-chained, verifiable."""

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar.cli._utils import LitestarEnv
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from funds.cli import funds_group
from funds.journal import chart
from funds.journal import service as journal
from funds.journal.models import JournalEntry, Posting
from funds.journal.service import LedgerError, Leg
from trading.audit.service import SYSTEM

AT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


async def accounts(session):
    bank = await journal.ensure_account(session, chart.center(chart.ESCROW_BANK), at=AT)
    suspense = await journal.ensure_account(session, chart.center(chart.SUSPENSE), at=AT)
    payable = await journal.ensure_account(session, chart.center(chart.REFUNDS_PAYABLE), at=AT)
    return bank, suspense, payable


async def credit(session, key, amount, at=AT):
    bank, suspense, _ = await accounts(session)
    return await journal.post(
        session,
        key=key,
        code="suspense",
        legs=[Leg(bank, amount), Leg(suspense, -amount)],
        memo="到账",
        actor=SYSTEM,
        at=at,
    )


async def test_an_entry_whose_postings_do_not_sum_to_zero_is_refused(db):
    async with db.session() as session:
        bank, suspense, _ = await accounts(session)
        with pytest.raises(LedgerError) as refused:
            await journal.post(
                session,
                key="k1",
                code="suspense",
                legs=[Leg(bank, 100), Leg(suspense, -99)],
                memo="",
                actor=SYSTEM,
                at=AT,
            )
        assert refused.value.code == "ledger.unbalanced"
        assert refused.value.details == {"sum_fen": 1}
        assert await session.scalar(select(func.count()).select_from(JournalEntry)) == 0


async def test_a_retry_with_the_same_key_returns_the_first_entry(db):
    async with db.session() as session:
        first = await credit(session, "bank:T1", 5000)
        again = await credit(session, "bank:T1", 5000)
        await session.commit()
        assert first.created and not again.created
        assert again.entry.id == first.entry.id
        assert await session.scalar(select(func.count()).select_from(JournalEntry)) == 1


async def test_the_same_key_for_a_different_entry_is_refused(db):
    async with db.session() as session:
        await credit(session, "bank:T1", 5000)
        with pytest.raises(LedgerError) as refused:
            await credit(session, "bank:T1", 5001)
        assert refused.value.code == "ledger.idempotency_conflict"


async def test_a_liability_account_cannot_pay_out_more_than_it_holds(db):
    async with db.session() as session:
        await credit(session, "bank:T1", 5000)
        _, suspense, payable = await accounts(session)
        with pytest.raises(LedgerError) as refused:
            await journal.post(
                session,
                key="refund:x",
                code="return",
                legs=[Leg(suspense, 5001), Leg(payable, -5001)],
                memo="",
                actor=SYSTEM,
                at=AT,
            )
        assert refused.value.code == "ledger.overdraft"
        assert refused.value.details == {"account": "suspense", "overdrawn_fen": 1}


async def test_a_balance_is_known_now_and_at_any_past_instant(db):
    async with db.session() as session:
        await credit(session, "bank:T1", 5000, at=AT)
        await credit(session, "bank:T2", 700, at=AT + dt.timedelta(days=1))
        await session.commit()
        bank, suspense, _ = await accounts(session)
        assert await journal.balance(session, bank.id) == 5700
        assert await journal.balance(session, suspense.id) == -5700
        assert await journal.balance(session, bank.id, at=AT + dt.timedelta(hours=1)) == 5000
        assert await journal.balance(session, bank.id, at=AT - dt.timedelta(seconds=1)) == 0


async def test_ledger_time_never_runs_backwards(db):
    """An entry posted with an earlier clock reading is dated no earlier than the one before it,
    so that "the balance at instant t" has one answer."""
    async with db.session() as session:
        first = await credit(session, "bank:T1", 5000, at=AT)
        second = await credit(session, "bank:T2", 100, at=AT - dt.timedelta(minutes=5))
        assert second.entry.posted_at == first.entry.posted_at
        assert second.entry.value_at == AT - dt.timedelta(minutes=5)


async def test_a_reversal_names_the_entry_it_reverses_and_undoes_it_once(db):
    async with db.session() as session:
        original = await credit(session, "bank:T1", 5000)
        reversal = await journal.reverse(session, original.entry.id, reason="银行退汇", actor=SYSTEM, at=AT)
        again = await journal.reverse(session, original.entry.id, reason="银行退汇", actor=SYSTEM, at=AT)
        await session.commit()
        bank, suspense, _ = await accounts(session)
        assert reversal.entry.reverses_id == original.entry.id
        assert reversal.entry.code == "reversal"
        assert again.entry.id == reversal.entry.id
        assert await journal.balance(session, bank.id) == 0
        assert await journal.balance(session, suspense.id) == 0
        with pytest.raises(Exception) as refused:
            await journal.reverse(session, reversal.entry.id, reason="再冲", actor=SYSTEM, at=AT)
        assert refused.value.code == "ledger.reversal_of_reversal"


async def test_verify_replays_every_balance_of_an_intact_journal(db):
    async with db.session() as session:
        await credit(session, "bank:T1", 5000)
        await credit(session, "bank:T2", 250)
        await session.commit()
        report = await journal.verify_ledger(session)
    assert report.intact, report.reason
    assert (report.entries, report.postings) == (2, 4)
    assert report.balances == {"escrow_bank": 5250, "suspense": -5250}


async def _hand_edit(session, statement: str) -> None:
    """What a person with database access could do; PostgreSQL's append-only triggers must be
    switched off first (as its owner could)."""
    postgres = session.bind.dialect.name == "postgresql"
    if postgres:
        for table in ("funds_posting", "funds_journal_entry"):
            await session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    await session.execute(text(statement))
    if postgres:
        for table in ("funds_posting", "funds_journal_entry"):
            await session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    await session.commit()


async def test_verify_names_the_entry_of_a_hand_edited_amount(db):
    async with db.session() as session:
        for n in range(1, 5):
            await credit(session, f"bank:T{n}", 1000 * n)
        await session.commit()
        await _hand_edit(
            session, "UPDATE funds_posting SET amount_fen = amount_fen + 100 WHERE entry_seq = 3 AND line = 2"
        )
        report = await journal.verify_ledger(session)
    assert not report.intact
    assert report.first_broken_seq == 3
    assert report.reason == "the postings sum to 100 fen, not zero"


async def test_verify_names_a_hand_edited_balance_and_a_hand_edited_memo(db):
    async with db.session() as session:
        for n in range(1, 5):
            await credit(session, f"bank:T{n}", 1000 * n)
        await session.commit()
        await _hand_edit(session, "UPDATE funds_journal_entry SET memo = '改过' WHERE seq = 4")
        report = await journal.verify_ledger(session)
        assert (report.first_broken_seq, report.reason) == (4, "the entry's fields do not match its hash")
        await _hand_edit(
            session, "UPDATE funds_posting SET balance_after_fen = 0 WHERE entry_seq = 2 AND line = 1"
        )
        report = await journal.verify_ledger(session)
        assert report.first_broken_seq == 2
        assert report.reason == "line 1 (escrow_bank) records a balance of 0 fen; the replay gives 3000"


async def test_verify_names_a_deleted_entry(db):
    async with db.session() as session:
        for n in range(1, 4):
            await credit(session, f"bank:T{n}", 1000 * n)
        await session.commit()
        await _hand_edit(session, "DELETE FROM funds_posting WHERE entry_seq = 2")
        await _hand_edit(session, "DELETE FROM funds_journal_entry WHERE seq = 2")
        report = await journal.verify_ledger(session)
    assert (report.first_broken_seq, report.reason) == (2, "entry 2 is missing")


async def test_postgresql_refuses_to_update_or_delete_journal_rows(db, backend):
    if backend != "distributed":
        pytest.skip("SQLite has no such triggers; `verify` catches edits there")
    async with db.session() as session:
        await credit(session, "bank:T1", 1000)
        await session.commit()
    for statement in (
        "UPDATE funds_posting SET amount_fen = 1 WHERE entry_seq = 1",
        "DELETE FROM funds_journal_entry WHERE seq = 1",
    ):
        async with db.session() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text(statement))


async def test_postgresql_refuses_an_unbalanced_entry_at_commit(db, backend):
    """The constraint trigger checks the sum when the transaction commits, whoever wrote the rows."""
    if backend != "distributed":
        pytest.skip("PostgreSQL only; SQLite relies on the service and `verify`")
    async with db.session() as session:
        bank, suspense, _ = await accounts(session)
        await session.commit()
        session.add(
            JournalEntry(
                seq=1,
                idempotency_key="raw",
                code="suspense",
                posted_at=AT,
                value_at=AT,
                memo="",
                actor_name="x",
                prev_hash="0" * 64,
                hash="f" * 64,
            )
        )
        await session.flush()
        session.add(
            Posting(
                entry_seq=1, line=1, account_id=bank.id, amount_fen=100, balance_after_fen=100, posted_at=AT
            )
        )
        session.add(
            Posting(
                entry_seq=1,
                line=2,
                account_id=suspense.id,
                amount_fen=-99,
                balance_after_fen=-99,
                posted_at=AT,
            )
        )
        await session.flush()  # the deferred trigger has not fired yet
        with pytest.raises(DBAPIError, match="does not balance"):
            await session.commit()


def test_the_verify_command_reports_an_intact_ledger_and_fails_on_a_broken_one(app, db, settings):
    import asyncio

    async def prepare(broken: bool) -> None:
        async with db.session() as session:
            if not broken:
                await credit(session, "bank:T1", 1000)
                await session.commit()
            else:
                await _hand_edit(
                    session, "UPDATE funds_posting SET amount_fen = 7 WHERE entry_seq = 1 AND line = 1"
                )
        await db.dispose()

    env = LitestarEnv(app_path="trading.app:create_app", app=app, cwd=Path.cwd())
    asyncio.run(prepare(broken=False))
    result = CliRunner().invoke(funds_group, ["verify"], obj=env)
    assert result.exit_code == 0, result.output
    assert "ledger intact: 1 entries, 2 postings" in result.output
    asyncio.run(prepare(broken=True))
    result = CliRunner().invoke(funds_group, ["verify"], obj=env)
    assert result.exit_code == 1
    assert "ledger BROKEN at entry 1" in result.output
