"""Signed checkpoints of the audit log: a rewrite the hash chain cannot see is caught by them,
whether they are the database's own or a file a supervisor kept."""

import datetime as dt

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.trading import tamper
from trading.audit import checkpoints, merkle, offline
from trading.audit.checkpoints import log_signer
from trading.audit.models import LogCheckpoint, LogNode
from trading.audit.service import AUDIT_LOG, SYSTEM, record, verify_chain

AT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


async def events(db, n, start=0, at=AT):
    async with db.session() as session:
        for i in range(start, start + n):
            await record(
                session,
                actor=SYSTEM,
                action="test.step",
                subject_type="test",
                subject_id=i,
                data={"i": i},
                at=at,
            )
        await session.commit()


async def size(db):
    """The events already there (the reference data's own)."""
    async with db.session() as session:
        return await AUDIT_LOG.size(session)


async def checkpoint(db, settings, at=AT, reason="request"):
    async with db.session() as session:
        row = await checkpoints.write_checkpoint(
            session, AUDIT_LOG, log_signer(settings), at=at, reason=reason
        )
        await session.commit()
        return checkpoints.checkpoint_document(row, log_signer(settings))


async def verify(db, settings, given=()):
    async with db.session() as session:
        return await checkpoints.verify_log(session, AUDIT_LOG, log_signer(settings), given)


async def test_a_checkpoint_signs_the_rfc_9162_root_of_the_events(db, settings):
    await events(db, 37 - await size(db))
    document = await checkpoint(db, settings)
    async with db.session() as session:
        leaves = await AUDIT_LOG.leaves(session, 0, 37)
    assert document["tree_size"] == 37
    assert document["root_hash"] == merkle.root_of([merkle.leaf_hash(leaf) for leaf in leaves]).hex()
    signer = log_signer(settings)
    assert offline.read_checkpoint(document, trusted_key=signer.public_b64).tree_size == 37
    forged = document | {"root_hash": "00" * 32}
    with pytest.raises(offline.OfflineError, match="signature"):
        offline.read_checkpoint(forged, trusted_key=signer.public_b64)
    report = await verify(db, settings)
    assert (report.intact, report.checkpoints_checked, report.checkpoint_size) == (True, 1, 37)


async def test_the_next_checkpoint_hashes_only_the_new_events_and_keeps_inner_nodes(db, settings):
    await events(db, 20 - await size(db))
    await checkpoint(db, settings)
    await events(db, 20, start=20)
    second = await checkpoint(db, settings, at=AT + dt.timedelta(minutes=1))
    async with db.session() as session:
        leaves = await AUDIT_LOG.leaves(session, 0, 40)
        nodes = (
            await session.execute(select(LogNode.level, LogNode.index).where(LogNode.log_id == "audit"))
        ).all()
    assert second["root_hash"] == merkle.root_of([merkle.leaf_hash(leaf) for leaf in leaves]).hex()
    # Perfect subtrees of 16 leaves and more, each stored once: [0,16), [16,32), [0,32).
    assert sorted(nodes) == [(4, 0), (4, 1), (5, 0)]


async def test_nothing_written_since_gives_the_same_checkpoint(db, settings):
    await events(db, 3)
    first = await checkpoint(db, settings)
    again = await checkpoint(db, settings, at=AT + dt.timedelta(hours=1))
    assert again == first


async def test_inclusion_and_consistency_proofs_check_offline(db, settings):
    signer = log_signer(settings)
    await events(db, 21 - await size(db))
    old = await checkpoint(db, settings)
    await events(db, 50, start=21)
    new = await checkpoint(db, settings, at=AT + dt.timedelta(minutes=5))
    async with db.session() as session:
        proof = await checkpoints.inclusion_proof(session, AUDIT_LOG, signer, index=17, tree_size=71)
        grown = await checkpoints.consistency_proof(session, AUDIT_LOG, signer, first=21, second=71)
    checked, index, leaf = offline.check_inclusion(proof, trusted_key=signer.public_b64)
    assert (checked.tree_size, index) == (71, 17)
    assert b'"seq":18' in leaf
    first, second = offline.check_consistency(grown, trusted_key=signer.public_b64)
    assert (first.root_hash, second.root_hash) == (old["root_hash"], new["root_hash"])
    with pytest.raises(offline.OfflineError, match="NOT in the tree"):
        offline.check_inclusion(proof | {"leaf": leaf.decode().replace("test.step", "test.forged")})
    with pytest.raises(offline.OfflineError, match="another key"):
        offline.check_consistency(grown, trusted_key=checkpoints.LogSigner.from_secret("x" * 40).public_b64)


@pytest.mark.parametrize("how", tamper.TAMPERINGS)
@pytest.mark.parametrize("kept", ["stored", "exported"])
async def test_a_rewritten_audit_log_is_caught_by_its_checkpoint(db, settings, how, kept):
    await events(db, 10 - await size(db))
    exported = await checkpoint(db, settings)
    await events(db, 5, start=10)
    await checkpoint(db, settings, at=AT + dt.timedelta(minutes=5))
    await tamper.rewrite_audit(db, how, at=4 if how != "tail_deletion" else 7)
    async with db.session() as session:
        assert (await verify_chain(session)).intact  # the rewrite left a perfect hash chain
    if kept == "exported":
        await tamper.forget_checkpoints(db, "audit")
        assert (await verify(db, settings)).intact  # nothing left in the database to tell
    report = await verify(db, settings, given=[exported] if kept == "exported" else [])
    assert not report.intact
    if how == "tail_deletion":
        assert report.first_broken_seq == 8
        assert f"rows 8..{15 if kept == 'stored' else 10} were removed" in report.reason
    else:
        assert report.first_broken_seq == 1
        assert "do not give the root" in report.reason


async def test_a_checkpoint_not_signed_by_the_platform_is_reported(db, settings):
    await events(db, 4)
    await checkpoint(db, settings)
    async with db.engine.begin() as conn:
        await tamper._owner(conn, ("log_checkpoint",), False)
        await conn.execute(update(LogCheckpoint).values(root_hash="11" * 32))
        await tamper._owner(conn, ("log_checkpoint",), True)
    report = await verify(db, settings)
    assert not report.intact
    assert "does not carry the platform's signature" in report.reason


async def test_a_checkpoint_file_of_another_key_or_log_is_refused(db, settings):
    await events(db, 4)
    document = await checkpoint(db, settings)
    stranger = checkpoints.LogSigner.from_secret("another-platform-secret-0123456789abcdef")
    with pytest.raises(checkpoints.DomainError) as refused:
        await verify(db, settings, given=[document | {"public_key": stranger.public_b64}])
    assert refused.value.code == "log.checkpoint_invalid"
    with pytest.raises(checkpoints.DomainError, match="log 'audit', not 'journal'"):
        checkpoints.given_head(document, "journal", log_signer(settings))


async def test_the_scheduled_checkpoint_is_written_once_every_few_minutes_when_the_log_grew(db, settings):
    signer, sources = log_signer(settings), [AUDIT_LOG]

    async def job(at):
        return [
            c.tree_size
            for c in await checkpoints.checkpoint_due_logs(
                db.sessionmaker, sources=sources, signer=signer, at=at
            )
        ]

    base = await size(db)
    await events(db, 2)
    assert await job(AT) == [base + 2]
    assert await job(AT) == []  # a second instance at the same moment
    await events(db, 1, start=2)
    assert await job(AT + dt.timedelta(minutes=1)) == []  # not due yet
    due = AT + checkpoints.CHECKPOINT_EVERY
    assert await job(due) == [base + 3]
    assert await job(due + checkpoints.CHECKPOINT_EVERY) == []  # nothing written since
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(LogCheckpoint)) == 2


async def test_postgresql_refuses_to_update_or_delete_audit_events_and_checkpoints(db, settings, backend):
    if backend != "distributed":
        pytest.skip("SQLite has no such triggers; the checkpoints catch edits there")
    await events(db, 1)
    await checkpoint(db, settings)
    for statement in (
        "UPDATE audit_event SET actor_name = 'x'",
        "DELETE FROM audit_event",
        "UPDATE log_checkpoint SET tree_size = 0",
        "DELETE FROM log_checkpoint",
    ):
        async with db.session() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text(statement))
