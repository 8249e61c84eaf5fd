"""The audit journal (issue 23): events recorded without the chain's lock are sequenced later, in
batches, into one gap-free, valid chain; a crash between the insert and the sequencing loses
nothing; two sequencers (two instances) never give one event two places."""

import asyncio
import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.util import await_

from trading.audit.checkpoints import log_signer
from trading.audit.models import AuditEvent, AuditJournal
from trading.audit.service import (
    AUDIT_LOG,
    SYSTEM,
    Entry,
    journal,
    logged_event,
    record,
    seal,
    seal_pending,
    verify_chain,
)
from trading.db.session import Database

AT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[2]
SECTIONS = 8
BIDS = 6  # per section


def bid_event(section: int, bid: int) -> Entry:
    return Entry(SYSTEM, "bid.uploaded", "bid", f"{section}-{bid}", {"section": section, "bid": bid}, AT)


async def hand_in(db: Database, section: int, bid: int) -> uuid.UUID:
    """One bid's transaction: its event goes into the journal and commits with it."""
    async with db.session() as session:
        [event] = await journal(session, [bid_event(section, bid)])
        await session.commit()
    return event.id


async def chain_of(db: Database) -> tuple[list[int], list[str]]:
    async with db.session() as session:
        rows = (await session.execute(select(AuditEvent.seq, AuditEvent.id).order_by(AuditEvent.seq))).all()
        report = await verify_chain(session)
    assert report.intact, report
    return [r.seq for r in rows], [str(r.id) for r in rows]


async def journal_size(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(AuditJournal)) or 0


async def test_bids_on_many_sections_journal_at_once_and_seal_into_one_gap_free_chain(db):
    async def section(number: int) -> list[uuid.UUID]:
        return [await hand_in(db, number, bid) for bid in range(BIDS)]

    async def sequencer(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await seal_pending(db.sessionmaker)
            await asyncio.sleep(0)

    stop = asyncio.Event()
    running = asyncio.create_task(sequencer(stop))
    handed_in = await asyncio.gather(*(section(n) for n in range(SECTIONS)))
    stop.set()
    await running
    await seal_pending(db.sessionmaker)

    seqs, ids = await chain_of(db)
    assert seqs == list(range(1, len(seqs) + 1))  # no gap, no repeat
    expected = {str(i) for ids_of_section in handed_in for i in ids_of_section}
    assert expected <= set(ids) and len(expected) == SECTIONS * BIDS
    assert await journal_size(db) == 0


async def test_a_sealed_checkpoint_proves_a_journaled_event_and_record_keeps_the_order(db, settings):
    first = await hand_in(db, 1, 1)
    async with db.session() as session:
        # A sequenced append seals what the journal holds first: the journaled event comes before it.
        later = await record(
            session, actor=SYSTEM, action="test.later", subject_type="t", subject_id=1, data={}, at=AT
        )
        await session.commit()
    async with db.session() as session:
        proof = await logged_event(session, log_signer(settings), first, at=AT, reason="request")
        await session.commit()
    assert proof["event_data"] == {"section": 1, "bid": 1}
    assert proof["leaf_index"] + 1 < later.seq
    assert proof["checkpoint"]["tree_size"] >= later.seq


CRASHER = """
import asyncio, os, signal, sys
from trading.audit.service import Entry, SYSTEM, journal
from trading.db.session import Database
import datetime as dt

async def main():
    db = Database(sys.argv[1])
    async with db.session() as session:
        [event] = await journal(session, [Entry(SYSTEM, "bid.uploaded", "bid", "x", {"n": 1},
                                dt.datetime(2026, 3, 2, tzinfo=dt.UTC))])
        await session.commit()
    print(event.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # after the commit, before any sequencer ran

asyncio.run(main())
"""


async def test_a_process_killed_between_the_insert_and_the_sequencing_loses_nothing(db, settings):
    before = (await chain_of(db))[0]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", CRASHER, settings.resolved_database_url()],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == -9, done.stderr
    event_id = done.stdout.strip()
    assert await journal_size(db) == 1  # committed, not sequenced

    await seal_pending(db.sessionmaker)  # any instance's next pass
    seqs, ids = await chain_of(db)
    assert ids[-1] == event_id and seqs[-1] == len(before) + 1
    assert await journal_size(db) == 0


async def test_two_instances_sequencing_at_once_never_place_one_event_twice(db, settings):
    other = Database(settings.resolved_database_url())  # a second instance: its own engine and pool
    try:
        stop = asyncio.Event()
        sealed: list[int] = []

        async def sequencer(instance: Database) -> None:
            while not stop.is_set():
                sealed.append(await seal_pending(instance.sessionmaker))
                await asyncio.sleep(0)

        running = [asyncio.create_task(sequencer(db)), asyncio.create_task(sequencer(other))]
        handed_in = await asyncio.gather(
            *(hand_in(db if n % 2 else other, n, bid) for n in range(SECTIONS) for bid in range(BIDS))
        )
        stop.set()
        await asyncio.gather(*running)
        await seal_pending(other.sessionmaker)
    finally:
        await other.dispose()

    seqs, ids = await chain_of(db)
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(ids) == len(set(ids))  # one place each
    assert {str(i) for i in handed_in} <= set(ids)
    async with db.session() as session:
        assert await AUDIT_LOG.size(session) == len(ids)


async def test_a_journal_row_that_commits_while_a_sequencer_seals_is_sealed_later_not_lost(db, backend):
    """PostgreSQL numbers journal rows at insert and commits them in any order: a row with a lower
    position can commit between the sequencer's read and its delete. (SQLite has one writer.)"""
    if backend != "distributed":
        pytest.skip("SQLite has one writer at a time: nothing commits while the sequencer seals")
    async with db.session() as slow, db.session() as sealer:
        [late] = await journal(slow, [bid_event(1, 1)])  # the lower position, not committed yet
        on_time = await hand_in(db, 2, 1)

        committed = []

        def commit_the_slow_one(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
            if statement.startswith("INSERT INTO audit_event") and not committed:
                committed.append(True)
                await_(slow.commit())  # between the sequencer's read and its delete

        connection = await sealer.connection()
        event.listen(connection.sync_connection, "before_cursor_execute", commit_the_slow_one)
        await seal(sealer)
        await sealer.commit()
    await seal_pending(db.sessionmaker)
    _, ids = await chain_of(db)
    assert {str(on_time), str(late.id)} <= set(ids)
