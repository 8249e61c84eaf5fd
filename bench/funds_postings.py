"""The escrow ledger's speed, each figure next to a baseline measured in the same run.

(a) Postings per second through the journal service (`funds.journal.service.post`: journal lock,
    idempotency check, the previous balance of each account, the hash chain, the inserts) against a
    bare INSERT of the same rows (one entry and its two postings, no lock, no lookup, no hash);
    both one entry per transaction (how the platform posts) and 1,000 entries per transaction (the
    cost of the work itself, without the commit).
(b) A balance query (now, and as of a past instant) at 1,000 and at 1,000,000 journal lines: each
    posting stores the account's balance after it, and the index (account_id, posted_at,
    entry_seq) makes the query one index lookup whatever the length of the journal. The million
    lines are built with bulk SQL (a series and a window sum), not through the service.

    .venv/bin/python bench/funds_postings.py                    # SQLite, and PostgreSQL if it answers
    .venv/bin/python bench/funds_postings.py --only sqlite --entries 1000
    .venv/bin/python bench/funds_postings.py --entries 1000 --rounds 5 --lines 0   # (a) only
    .venv/bin/python bench/funds_postings.py --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

PostgreSQL: a scratch database `funds_bench_<pid>` is created on that server and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from funds.journal import chart  # noqa: E402
from funds.journal import service as journal  # noqa: E402
from funds.journal.models import Account, JournalEntry, Posting  # noqa: E402
from trading.app import import_all_models  # noqa: E402
from trading.audit.service import Actor  # noqa: E402
from trading.db import migrate  # noqa: E402
from trading.db.session import Database  # noqa: E402

BENCH = Actor(id=None, name="bench")
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
ACCOUNTS = 1_000


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>9,.0f}/s"


async def fresh_schema(db: Database) -> None:
    import_all_models()
    await migrate.upgrade(db.engine)


async def make_accounts(db: Database) -> tuple[Account, list[Account]]:
    async with db.session() as session:
        bank = await journal.ensure_account(session, chart.center(chart.ESCROW_BANK), at=T0)
        subs = [
            await journal.ensure_account(
                session,
                chart.AccountSpec(f"bench:{n}", chart.Kind.liability, f"bench {n}", "construction"),
                at=T0,
            )
            for n in range(ACCOUNTS)
        ]
        await session.commit()
    return bank, subs


async def empty_journal(db: Database) -> None:
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text("TRUNCATE funds_posting, funds_journal_entry CASCADE"))
        else:
            await conn.execute(text("DELETE FROM funds_posting"))
            await conn.execute(text("DELETE FROM funds_journal_entry"))


# --- (a) postings per second -----------------------------------------------------------------


async def service_postings(
    db: Database, bank: Account, subs: list[Account], entries: int, per_tx: int
) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    done = 0
    while done < entries:
        async with db.session() as session:
            for _ in range(min(per_tx, entries - done)):
                amount = 100 + done % 997
                await journal.post(
                    session,
                    key=f"svc:{per_tx}:{done}",
                    code="deposit_received",
                    legs=[journal.Leg(bank, amount), journal.Leg(subs[done % ACCOUNTS], -amount)],
                    memo="bench",
                    actor=BENCH,
                    at=T0 + dt.timedelta(seconds=done),
                )
                done += 1
            await session.commit()
    return time.perf_counter() - started, time.process_time() - cpu


async def bare_inserts(
    db: Database, bank: Account, subs: list[Account], entries: int, per_tx: int, base: int
) -> tuple[float, float]:
    """The same rows, written with plain INSERTs: the floor under any ledger on this database."""
    started, cpu = time.perf_counter(), time.process_time()
    done = 0
    while done < entries:
        async with db.engine.begin() as conn:
            for _ in range(min(per_tx, entries - done)):
                seq = base + done
                at = T0 + dt.timedelta(seconds=seq)
                amount = 100 + done % 997
                await conn.execute(
                    insert(JournalEntry),
                    {
                        "seq": seq,
                        "id": uuid.uuid4(),
                        "idempotency_key": f"bare:{per_tx}:{done}",
                        "code": "deposit_received",
                        "posted_at": at,
                        "value_at": at,
                        "memo": "bench",
                        "actor_name": "bench",
                        "prev_hash": "0" * 64,
                        "hash": uuid.uuid4().hex * 2,
                    },
                )
                await conn.execute(
                    insert(Posting),
                    [
                        {
                            "entry_seq": seq,
                            "line": 1,
                            "account_id": bank.id,
                            "amount_fen": amount,
                            "balance_after_fen": amount,
                            "posted_at": at,
                        },
                        {
                            "entry_seq": seq,
                            "line": 2,
                            "account_id": subs[done % ACCOUNTS].id,
                            "amount_fen": -amount,
                            "balance_after_fen": -amount,
                            "posted_at": at,
                        },
                    ],
                )
                done += 1
    return time.perf_counter() - started, time.process_time() - cpu


async def postings_per_second(
    db: Database, bank: Account, subs: list[Account], entries: int, rounds: int
) -> None:
    """Service and bare insert alternate, `rounds` times each; the ratio is the median of the
    rounds' ratios (the machine is shared: a neighbour's burst hits one round, not the figure).
    Besides the wall clock, this process's CPU time: on SQLite it holds all the work (aiosqlite's
    thread included) and a loaded machine stretches it far less than the wall clock."""
    print(f"  (a) {entries:,} entries of 2 postings each, {rounds} round(s), medians")
    for per_tx in (1, 1_000):
        services, bares = [], []
        for _ in range(rounds):
            await empty_journal(db)
            services.append(await service_postings(db, bank, subs, entries, per_tx))
            await empty_journal(db)
            bares.append(await bare_inserts(db, bank, subs, entries, per_tx, base=1))
        wall = [b[0] / s[0] for b, s in zip(bares, services, strict=True)]
        cpu = [b[1] / s[1] for b, s in zip(bares, services, strict=True)]
        service, bare = statistics.median(s[0] for s in services), statistics.median(b[0] for b in bares)
        label = "1 entry per transaction    " if per_tx == 1 else "1,000 entries per transaction"
        print(
            f"      {label}: service {rate(2 * entries, service)} postings,"
            f" bare insert {rate(2 * entries, bare)}"
            f"  → the service runs at {statistics.median(wall):.0%} of the bare insert's speed"
            f" (rounds: {', '.join(f'{r:.0%}' for r in wall)});"
            f" by CPU time {statistics.median(cpu):.0%} (rounds: {', '.join(f'{r:.0%}' for r in cpu)})"
        )
    await empty_journal(db)


# --- (b) balance query at 1,000 and 1,000,000 lines --------------------------------------------


def bulk_sql(dialect: str, entries: int, escrow: uuid.UUID) -> list[tuple[str, dict]]:
    """Entries 1..n at one second apart; entry g debits the escrow account and credits bench
    account g mod 1000; every balance_after is the running sum of the account (a window sum)."""
    if dialect == "postgresql":
        return [
            (
                "INSERT INTO funds_journal_entry (seq, id, idempotency_key, code, posted_at, value_at, memo,"
                " actor_name, prev_hash, hash)"
                " SELECT g, gen_random_uuid(), 'bulk:' || g, 'deposit_received',"
                " CAST(:t0 AS timestamptz) + g * interval '1 second',"
                " CAST(:t0 AS timestamptz) + g * interval '1 second', '', 'bench', repeat('0', 64),"
                " md5(g::text) || md5((-g)::text) FROM generate_series(1, :n) g",
                {"t0": T0, "n": entries},
            ),
            (
                "INSERT INTO funds_posting"
                " (entry_seq, line, account_id, amount_fen, balance_after_fen, posted_at)"
                " SELECT seq, line, account_id, amount,"
                " SUM(amount) OVER (PARTITION BY account_id ORDER BY seq),"
                " CAST(:t0 AS timestamptz) + seq * interval '1 second'"
                " FROM (SELECT g AS seq, 1 AS line, CAST(:escrow AS uuid) AS account_id,"
                "       (g % 997 + 1) AS amount"
                "       FROM generate_series(1, :n) g"
                "       UNION ALL"
                "       SELECT g, 2, a.id, -(g % 997 + 1) FROM generate_series(1, :n) g"
                "       JOIN bench_account a ON a.n = g % 1000) x",
                {"t0": T0, "n": entries, "escrow": str(escrow)},
            ),
        ]
    base = T0.replace(tzinfo=None).isoformat(sep=" ")
    series = "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n)"
    at = "strftime('%Y-%m-%d %H:%M:%f', :t0, '+' || g || ' seconds') || '000'"
    return [
        (
            f"{series} INSERT INTO funds_journal_entry"
            " (seq, id, idempotency_key, code, posted_at, value_at, memo, actor_name, prev_hash, hash)"
            " SELECT g, lower(hex(randomblob(16))), 'bulk:' || g, 'deposit_received',"
            f" {at}, {at}, '', 'bench',"
            " '0000000000000000000000000000000000000000000000000000000000000000',"
            " lower(hex(randomblob(32))) FROM s",
            {"t0": base, "n": entries},
        ),
        (
            f"{series} INSERT INTO funds_posting"
            " (entry_seq, line, account_id, amount_fen, balance_after_fen, posted_at)"
            " SELECT seq, line, account_id, amount,"
            " SUM(amount) OVER (PARTITION BY account_id ORDER BY seq), "
            " strftime('%Y-%m-%d %H:%M:%f', :t0, '+' || seq || ' seconds') || '000'"
            " FROM (SELECT g AS seq, 1 AS line, :escrow AS account_id, (g % 997 + 1) AS amount FROM s"
            "       UNION ALL"
            "       SELECT g, 2, a.id, -(g % 997 + 1) FROM s JOIN bench_account a ON a.n = g % 1000) x",
            {"t0": base, "n": entries, "escrow": escrow.hex},
        ),
    ]


async def bulk_build(db: Database, lines: int, bank: Account, subs: list[Account]) -> float:
    entries = lines // 2
    started = time.perf_counter()
    await empty_journal(db)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP TABLE IF EXISTS bench_account"))
        await conn.execute(
            text(
                "CREATE TABLE bench_account (n integer primary key, id "
                + ("uuid" if db.dialect == "postgresql" else "char(32)")
                + ")"
            )
        )
        await conn.execute(
            text("INSERT INTO bench_account (n, id) VALUES (:n, :id)"),
            [{"n": n, "id": s.id if db.dialect == "postgresql" else s.id.hex} for n, s in enumerate(subs)],
        )
        if db.dialect == "postgresql":
            # The deferred balance check would run once per bulk row at COMMIT; this load is ours.
            await conn.execute(text("ALTER TABLE funds_posting DISABLE TRIGGER USER"))
        for statement, params in bulk_sql(db.dialect, entries, bank.id):
            await conn.execute(text(statement), params)
        if db.dialect == "postgresql":
            await conn.execute(text("ALTER TABLE funds_posting ENABLE TRIGGER USER"))
        await conn.execute(text("DROP TABLE bench_account"))
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


async def time_balances(
    db: Database, bank: Account, subs: list[Account], lines: int, queries: int
) -> dict[str, float]:
    """Median µs of a balance query now and as of a past instant. The same queries run once
    untimed first, so that both ledger sizes are measured with the pages they need in memory."""
    entries = lines // 2
    timings: dict[str, list[float]] = {"now": [], "past": [], "sum": []}
    async with db.session() as session:
        for timed in (False, True):
            rng = random.Random(7)
            for i in range(queries):
                account = bank if i % 2 == 0 else subs[rng.randrange(ACCOUNTS)]
                instant = T0 + dt.timedelta(seconds=rng.randrange(1, entries + 1))
                started = time.perf_counter()
                await journal.balance(session, account.id)
                now = time.perf_counter()
                await journal.balance(session, account.id, at=instant)
                past = time.perf_counter()
                if timed:
                    timings["now"].append(now - started)
                    timings["past"].append(past - now)
        # What a ledger without stored balances would do: add up the account's postings.
        for i in range(20):
            account = bank if i % 2 == 0 else subs[i]
            started = time.perf_counter()
            await session.scalar(select(func.sum(Posting.amount_fen)).where(Posting.account_id == account.id))
            timings["sum"].append(time.perf_counter() - started)
        # The answer is right, too: the escrow account's balance is the sum of its postings.
        expected = sum(g % 997 + 1 for g in range(1, entries + 1))
        assert await journal.balance(session, bank.id) == expected
    return {k: statistics.median(v) * 1e6 for k, v in timings.items()}


async def plan(db: Database, bank: Account) -> str:
    query = (
        "SELECT balance_after_fen FROM funds_posting WHERE account_id = :a AND posted_at <= :t"
        " ORDER BY posted_at DESC, entry_seq DESC LIMIT 1"
    )
    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            rows = await conn.execute(
                text("EXPLAIN " + query), {"a": bank.id, "t": T0 + dt.timedelta(days=1)}
            )
            return " / ".join(r[0].strip() for r in rows.all()[:2])
        rows = await conn.execute(
            text("EXPLAIN QUERY PLAN " + query), {"a": bank.id.hex, "t": "2026-03-03 01:00:00.000000"}
        )
        return " / ".join(str(r[-1]) for r in rows.all())


async def balance_costs(db: Database, bank: Account, subs: list[Account], big: int, queries: int) -> None:
    print(
        f"  (b) balance query, median of {queries:,} queries"
        " (half on the escrow account, half on random sub-accounts)"
    )
    results = {}
    for lines in (1_000, big):
        built = await bulk_build(db, lines, bank, subs)
        results[lines] = await time_balances(db, bank, subs, lines, queries)
        print(
            f"      {lines:>9,} lines (built in {built:5.1f} s): now {results[lines]['now']:6.0f} µs,"
            f" as of a past instant {results[lines]['past']:6.0f} µs;"
            f" baseline SUM of the postings {results[lines]['sum']:9,.0f} µs"
        )
    small, large = results[1_000], results[big]
    print(
        f"      ratio {big:,} / 1,000 lines: now ×{large['now'] / small['now']:.2f},"
        f" past ×{large['past'] / small['past']:.2f}  (1.00 = the same cost);"
        f" the SUM baseline ×{large['sum'] / small['sum']:.0f}"
    )
    print(f"      plan: {await plan(db, bank)}")


# --- driver -----------------------------------------------------------------------------------


async def run(name: str, url: str, entries: int, big: int, queries: int, rounds: int) -> None:
    print(f"\n{name}")
    db = Database(url)
    try:
        await fresh_schema(db)
        bank, subs = await make_accounts(db)
        await postings_per_second(db, bank, subs, entries, rounds)
        if big:
            await balance_costs(db, bank, subs, big, queries)
    finally:
        await db.dispose()


async def with_postgres(admin_url: str, entries: int, big: int, queries: int, rounds: int) -> None:
    name = f"funds_bench_{os.getpid()}"
    admin = Database(admin_url)
    async with admin.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        await run("PostgreSQL", f"{admin_url.rsplit('/', 1)[0]}/{name}", entries, big, queries, rounds)
    finally:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--entries", type=int, default=2_000, help="entries posted in (a), per mode")
    parser.add_argument(
        "--lines", type=int, default=1_000_000, help="journal lines of the large ledger in (b); 0 skips (b)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (a), alternating with the bare")
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
            name = "SQLite (embedded default, WAL)"
            asyncio.run(run(name, url, args.entries, args.lines, args.queries, args.rounds))
    if args.only != "sqlite":
        if not answers("127.0.0.1", 5432) and "127.0.0.1" in args.postgres_url:
            print("\nPostgreSQL does not answer on 127.0.0.1:5432; skipped")
            return
        asyncio.run(with_postgres(args.postgres_url, args.entries, args.lines, args.queries, args.rounds))


if __name__ == "__main__":
    main()
