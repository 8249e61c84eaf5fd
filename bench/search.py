"""Chinese keyword search over 100,000 published announcements: the indexed search (FTS5 trigram
and bigram tables on SQLite, pg_trgm and bigram GIN indexes on PostgreSQL;
trading/announcements/search.py) against a plain `LIKE` over title and body, measured in the same
run on the same data, overall and for the two-character words alone. Each query is what the
public list runs: the count and the first page of 20. `--explain` prints PostgreSQL's
EXPLAIN ANALYZE of both for each query.

    .venv/bin/python bench/search.py                    # SQLite, and PostgreSQL if it answers
    .venv/bin/python bench/search.py --rows 20000 --only sqlite

PostgreSQL gets a scratch database of its own (created and dropped) on the server of
TRADING_TEST_POSTGRES_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, or_, select, text

from trading.announcements import service
from trading.announcements.models import Announcement
from trading.app import import_all_models
from trading.db import migrate
from trading.db.session import Database
from trading.ids import new_id
from trading.organisations.models import Organisation
from trading.projects.models import Project

# Filler: random common characters, so that a query word is rare (as a real word is) rather than in
# every body; some rows get one of the query words planted.
CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
    "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向"
)
# Two-character words use the bigram index, longer ones the trigram index.
QUERIES = ["监理", "排水管网", "教学楼", "供水 改造", "数据中心", "挂牌出让", "物业服务", "隧道"]
TWO_CHARACTER = {"监理", "隧道", "供水 改造"}
PLANTED = [w for q in QUERIES for w in q.split()]
SECTORS = ("construction", "procurement", "land", "property")
PG_ADMIN = os.environ.get("TRADING_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def text_of(rng: random.Random, words: int) -> str:
    chunks = ["".join(rng.choices(CHARS, k=8)) for _ in range(words // 4)]
    if rng.random() < 0.08:
        chunks[rng.randrange(len(chunks))] += rng.choice(PLANTED)
    return "，".join(chunks) + "。"


async def fill(db: Database, rows: int) -> None:
    rng = random.Random(24)
    now = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    async with db.session() as session:
        org = Organisation(
            uscc="91320115MA1XXXXX0X",
            name="基准单位",
            capacities=["principal"],
            region="江宁区",
            legal_representative="基准",
            contact_phone="025-00000000",
            registered_at=now,
        )
        session.add(org)
        await session.flush()
        project = Project(
            code="GC-2026-9999",
            name="基准项目",
            sector="construction",
            region="江宁区",
            principal_id=org.id,
            registered_at=now,
        )
        session.add(project)
        await session.flush()
        batch = 5000
        for start in range(0, rows, batch):
            await session.execute(
                insert(Announcement),
                [
                    {
                        "id": new_id(),
                        "project_id": project.id,
                        "section_ids": [],
                        "kind": "call",
                        "status": "published",
                        "sector": rng.choice(SECTORS),
                        "region": "江宁区",
                        "title": text_of(rng, 8) + "招标公告",
                        "body": text_of(rng, 120),
                        "affects_bids": False,
                        "created_at": now,
                        "published_at": now + dt.timedelta(minutes=i),
                    }
                    for i in range(start, min(start + batch, rows))
                ],
            )
            print(f"  inserted {min(start + batch, rows)}/{rows}", file=sys.stderr)
        await session.commit()


async def indexed(session, q: str) -> int:  # type: ignore[no-untyped-def]
    total, _ = await service.search_published(
        session,
        sector=None,
        kind=None,
        region=None,
        published_from=None,
        published_to=None,
        q=q,
        limit=20,
        offset=0,
    )
    return total


async def like(session, q: str) -> int:  # type: ignore[no-untyped-def]
    """The search before the index: every keyword a LIKE over title or body, newest first."""
    conditions = [Announcement.status == "published"] + [
        or_(Announcement.title.contains(t, autoescape=True), Announcement.body.contains(t, autoescape=True))
        for t in q.split()
    ]
    total = await session.scalar(select(func.count()).select_from(Announcement).where(*conditions))
    await session.scalars(
        select(Announcement).where(*conditions).order_by(Announcement.published_at.desc()).limit(20)
    )
    return total or 0


async def measure(db: Database, rounds: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    async with db.session() as session:
        for _ in range(rounds):
            for q in QUERIES:
                for name, run in (("indexed", indexed), ("like", like)):
                    began = time.perf_counter()
                    found = await run(session, q)
                    elapsed = (time.perf_counter() - began) * 1000
                    timings.setdefault(name, []).append(elapsed)
                    if q in TWO_CHARACTER:
                        timings.setdefault(f"{name}, 2-char", []).append(elapsed)
                    assert found >= 0
        # Both must find the same announcements.
        for q in QUERIES:
            assert await indexed(session, q) == await like(session, q), q
    return timings


async def explain(db: Database) -> None:
    """EXPLAIN ANALYZE of the indexed search and of the plain LIKE, per query (PostgreSQL)."""
    from trading.announcements import search

    async with db.session() as session:
        for q in QUERIES:
            terms = search.keywords(q)
            found = search.plan("postgresql", terms)
            conditions = [Announcement.status == "published", *found.conditions]
            plain = [Announcement.status == "published"] + [
                or_(
                    Announcement.title.contains(t, autoescape=True),
                    Announcement.body.contains(t, autoescape=True),
                )
                for t in terms
            ]
            for name, query in (
                ("indexed count", select(func.count()).select_from(Announcement).where(*conditions)),
                (
                    "indexed page",
                    select(Announcement.id)
                    .where(*conditions)
                    .order_by(found.rank, Announcement.published_at.desc(), Announcement.id.desc())
                    .limit(20),
                ),
                ("like count", select(func.count()).select_from(Announcement).where(*plain)),
                (
                    "like page",
                    select(Announcement.id)
                    .where(*plain)
                    .order_by(Announcement.published_at.desc())
                    .limit(20),
                ),
            ):
                compiled = query.compile(session.bind, compile_kwargs={"literal_binds": True})
                rows = (await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"))).scalars().all()
                print(f"--- {q} / {name}", *rows, sep="\n", file=sys.stderr)


def report(backend: str, rows: int, timings: dict[str, list[float]]) -> None:
    for name, values in timings.items():
        cuts = statistics.quantiles(values, n=100)
        print(f"{backend:10} {rows:>7} rows  {name:16} p50 {cuts[49]:8.1f} ms  p95 {cuts[94]:8.1f} ms")


SEARCH_INDEXES = (
    "ix_announcement_search_title_trgm",
    "ix_announcement_search_body_trgm",
    "ix_announcement_search_title_bigram",
    "ix_announcement_search_body_bigram",
)


async def fill_then_index(db: Database, rows: int) -> None:
    """PostgreSQL: the search indexes are dropped for the load and built again after it (a bulk
    build instead of 100,000 incremental GIN updates); the same definitions as the migrations'."""
    async with db.engine.begin() as conn:
        definitions = (
            (
                await conn.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
                    {"names": list(SEARCH_INDEXES)},
                )
            )
            .scalars()
            .all()
        )
        assert len(definitions) == len(SEARCH_INDEXES), definitions
        for name in SEARCH_INDEXES:
            await conn.execute(text(f"DROP INDEX {name}"))
    await fill(db, rows)
    async with db.engine.begin() as conn:
        # The body's bigram index has ~30 million keys: the default 64 MB makes the build spill.
        await conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for definition in definitions:
            began = time.perf_counter()
            await conn.execute(text(definition))
            print(f"  {definition[:70]}… {time.perf_counter() - began:.1f} s", file=sys.stderr)


async def run_backend(backend: str, url: str, rows: int, rounds: int, show_plans: bool = False) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        began = time.perf_counter()
        if backend == "postgresql":
            await fill_then_index(db, rows)
        else:
            await fill(db, rows)
        if backend == "postgresql":
            async with db.engine.begin() as conn:
                await conn.execute(text("ANALYZE announcement"))
        print(
            f"{backend}: {rows} announcements loaded in {time.perf_counter() - began:.1f} s", file=sys.stderr
        )
        if show_plans and backend == "postgresql":
            await explain(db)
        report(backend, rows, await measure(db, rounds))
    finally:
        await db.dispose()


async def postgres(rows: int, rounds: int, show_plans: bool) -> None:
    name = f"bench_search_{uuid.uuid4().hex[:8]}"
    admin = Database(PG_ADMIN)
    try:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OSError:
        print("PostgreSQL does not answer: skipped", file=sys.stderr)
        await admin.dispose()
        return
    try:
        await run_backend("postgresql", f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", rows, rounds, show_plans)
    finally:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--explain", action="store_true", help="PostgreSQL: print EXPLAIN ANALYZE")
    args = parser.parse_args()
    import_all_models()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as scratch:
            await run_backend("sqlite", f"sqlite+aiosqlite:///{scratch}/bench.db", args.rows, args.rounds)
    if args.only != "sqlite":
        await postgres(args.rows, args.rounds, args.explain)


if __name__ == "__main__":
    asyncio.run(main())
