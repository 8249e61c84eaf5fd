"""Signed checkpoints of the journal: a rewritten journal whose hash chain and balances were all
computed again is caught by its checkpoints, stored or exported."""

import datetime as dt

import pytest

from funds.journal import service as journal
from tests.funds.test_journal import AT, credit
from tests.trading import tamper
from trading.audit import checkpoints, offline
from trading.audit.checkpoints import log_signer


async def checkpoint(db, settings, at=AT):
    async with db.session() as session:
        row = await checkpoints.write_checkpoint(
            session, journal.JOURNAL_LOG, log_signer(settings), at=at, reason="request"
        )
        await session.commit()
        return checkpoints.checkpoint_document(row, log_signer(settings))


async def verify(db, settings, given=()):
    async with db.session() as session:
        return await checkpoints.verify_log(session, journal.JOURNAL_LOG, log_signer(settings), given)


async def credits(db, start, n):
    async with db.session() as session:
        for i in range(start, start + n):
            await credit(session, f"bank:T{i}", 1000 + i)
        await session.commit()


async def test_the_journal_checkpoint_proves_each_entry_offline(db, settings):
    signer = log_signer(settings)
    await credits(db, 1, 5)
    first = await checkpoint(db, settings)
    await credits(db, 6, 30)
    await checkpoint(db, settings, at=AT + dt.timedelta(minutes=5))
    async with db.session() as session:
        proof = await checkpoints.inclusion_proof(session, journal.JOURNAL_LOG, signer, index=2, tree_size=35)
        grown = await checkpoints.consistency_proof(session, journal.JOURNAL_LOG, signer, first=5, second=35)
    _, _, leaf = offline.check_inclusion(proof, trusted_key=signer.public_b64)
    assert '"idempotency_key":"bank:T3"' in leaf.decode()
    old, _ = offline.check_consistency(grown, trusted_key=signer.public_b64)
    assert old.root_hash == first["root_hash"]
    report = await verify(db, settings)
    assert (report.intact, report.checkpoints_checked, report.checkpoint_size) == (True, 2, 35)


@pytest.mark.parametrize("how", tamper.TAMPERINGS)
@pytest.mark.parametrize("kept", ["stored", "exported"])
async def test_a_rewritten_journal_is_caught_by_its_checkpoint(db, settings, how, kept):
    await credits(db, 1, 6)
    exported = await checkpoint(db, settings)
    await credits(db, 7, 3)
    await checkpoint(db, settings, at=AT + dt.timedelta(minutes=5))
    await tamper.rewrite_journal(db, how, at=2 if how != "tail_deletion" else 4)
    async with db.session() as session:
        assert (await journal.verify_ledger(session)).intact  # chain and balances all recomputed
    if kept == "exported":
        await tamper.forget_checkpoints(db, "journal")
        assert (await verify(db, settings)).intact
    report = await verify(db, settings, given=[exported] if kept == "exported" else [])
    assert not report.intact
    if how == "tail_deletion":
        assert report.first_broken_seq == 5
        assert f"rows 5..{9 if kept == 'stored' else 6} were removed" in report.reason
    else:
        assert report.first_broken_seq == 1
        assert "do not give the root" in report.reason
