"""Signed checkpoints of the audit log: their cost next to a plain SHA-256 over the same bytes,
measured in the same run on the same rows.

(a) Checkpoint: the first checkpoint of a log of N events (every leaf hashed, the inner nodes from
    level 4 up stored), and the steady state: a checkpoint after 1,000 more events (only those are
    hashed: the previous checkpoint keeps the frontier).
(b) Verify: `verify_log` over the N events (the hash chain, every data digest, the Merkle root at
    each stored checkpoint, the signatures).
(c) An inclusion proof and a consistency proof at size N (stored nodes: O(log N) reads).
Baselines: reading the same leaf bytes from the database and taking one SHA-256 of each (what a
bare hash chain costs), and one SHA-256 of each with the bytes already in memory.

    .venv/bin/python bench/integrity_checkpoints.py                      # 1,000,000 events, SQLite
    .venv/bin/python bench/integrity_checkpoints.py --events 100000 --repeat 5

Medians of `--repeat` runs; nothing here is asserted (tests never time anything).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert  # noqa: E402

from trading.app import import_all_models  # noqa: E402
from trading.audit import checkpoints  # noqa: E402
from trading.audit.models import AuditEvent, LogCheckpoint, LogNode  # noqa: E402
from trading.audit.service import AUDIT_LOG, GENESIS, canonical_json, event_leaf  # noqa: E402
from trading.db import migrate  # noqa: E402
from trading.db.session import Database  # noqa: E402

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
SIGNER = checkpoints.LogSigner.from_secret("bench-secret-key-that-is-long-enough-0123456789")


def events(start: int, count: int, prev: str) -> tuple[list[dict[str, Any]], str]:
    """`count` chained audit events from seq `start`, as the service would write them."""
    rows = []
    for seq in range(start, start + count):
        data = {"section_id": str(uuid.UUID(int=seq)), "step": "bench", "n": seq}
        row = {
            "seq": seq,
            "id": uuid.UUID(int=seq << 1),
            "occurred_at": T0 + dt.timedelta(seconds=seq),
            "actor_id": None,
            "actor_name": "bench",
            "action": "bench.step",
            "subject_type": "bench",
            "subject_id": str(seq),
            "data": data,
            "data_digest": hashlib.sha256(canonical_json(data).encode()).hexdigest(),
            "prev_hash": prev,
        }
        row["hash"] = prev = hashlib.sha256(event_leaf(_Row(row))).hexdigest()
        rows.append(row)
    return rows, prev


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


async def fill(db: Database, start: int, count: int, prev: str) -> str:
    for first in range(start, start + count, 10_000):
        rows, prev = events(first, min(10_000, start + count - first), prev)
        async with db.engine.begin() as conn:
            await conn.execute(insert(AuditEvent.__table__), rows)
    return prev


async def timed(
    work: Callable[[], Awaitable[Any]], repeat: int, before: Callable[[], Awaitable[Any]] | None = None
) -> float:
    runs = []
    for _ in range(repeat):
        if before is not None:
            await before()
        started = time.perf_counter()
        await work()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


async def main(n: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        import_all_models()
        await migrate.upgrade(db.engine)
        started = time.perf_counter()
        prev = await fill(db, 1, n, GENESIS)
        print(f"{n:,} audit events written in {time.perf_counter() - started:.1f} s (setup, not measured)")

        async def leaves() -> list[bytes]:
            async with db.session() as session:
                out: list[bytes] = []
                for start in range(0, n, checkpoints.BATCH):
                    out.extend(await AUDIT_LOG.leaves(session, start, min(start + checkpoints.BATCH, n)))
                return out

        async def read_and_hash() -> None:
            for leaf in await leaves():
                hashlib.sha256(leaf).digest()

        in_memory = await leaves()

        async def hash_in_memory() -> None:
            for leaf in in_memory:
                hashlib.sha256(leaf).digest()

        async def forget() -> None:
            async with db.engine.begin() as conn:
                await conn.execute(delete(LogCheckpoint))
                await conn.execute(delete(LogNode))

        async def checkpoint() -> None:
            async with db.session() as session:
                await checkpoints.write_checkpoint(session, AUDIT_LOG, SIGNER, at=T0, reason="request")
                await session.commit()

        async def verify() -> None:
            async with db.session() as session:
                report = await checkpoints.verify_log(session, AUDIT_LOG, SIGNER)
            assert report.intact and report.checkpoints_checked >= 1

        baseline_db = await timed(read_and_hash, repeat)
        baseline_mem = await timed(hash_in_memory, repeat)
        first = await timed(checkpoint, repeat, before=forget)
        await checkpoint()
        size = [n]

        async def grow() -> None:
            nonlocal prev
            prev = await fill(db, size[0] + 1, 1000, prev)
            size[0] += 1000

        steady = await timed(checkpoint, repeat, before=grow)
        verified = await timed(verify, repeat)

        async def proofs() -> None:
            async with db.session() as session:
                await checkpoints.inclusion_proof(
                    session, AUDIT_LOG, SIGNER, index=size[0] // 3, tree_size=size[0]
                )
                await checkpoints.consistency_proof(session, AUDIT_LOG, SIGNER, first=n, second=size[0])

        proved = await timed(proofs, repeat)
        await db.dispose()

    print(f"medians of {repeat} runs, {n:,} events (SQLite)")
    print(f"  baseline: read leaves + SHA-256 each       {baseline_db:8.2f} s")
    print(f"  baseline: SHA-256 each, bytes in memory    {baseline_mem:8.2f} s")
    print(f"  first checkpoint (all {n:,} leaves)   {first:8.2f} s   {first / baseline_db:5.2f}x read+hash")
    print(
        f"  checkpoint after 1,000 more events         {steady * 1000:8.1f} ms  {steady / first:7.4f}x first"
    )
    ratio = verified / baseline_db
    print(f"  verify (chain + Merkle + signatures)       {verified:8.2f} s   {ratio:5.2f}x read+hash")
    print(f"  inclusion + consistency proof              {proved * 1000:8.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.events, arguments.repeat))
