"""The live auction room under load, next to a bare Redis publish to as many subscribers, measured in
the same run on the same machine.

(a) One land auction on a real server on 127.0.0.1 (uvicorn in its own process, channels on Redis;
    the SQLite default or PostgreSQL with --database-url, several instances with --instances),
    1,000 watchers on its websocket room and a crowd of bidders posting bids as fast as the server
    takes them (each at the board's minimum plus a few increments, so some lose the race and are
    refused as too low). Reported: accepted bids per second; bid-to-watcher latency (from sending
    the bid to a watcher receiving it), p50 and p99 over every accepted bid and every watcher; and
    that every watcher saw every accepted bid, numbered 1..N.
(b) Baseline: as many plain redis-py pub/sub subscribers on one channel, the same number of
    messages published one after another; latency from publish to each subscriber, p50 and p99.

    .venv/bin/python bench/auctions_room.py                       # 1,000 watchers, 300 bids
    .venv/bin/python bench/auctions_room.py --watchers 200 --bids 100
    .venv/bin/python bench/auctions_room.py --instances 2 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench --redis-url redis://127.0.0.1:6379/14

With --database-url the database is emptied first: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import websockets  # noqa: E402
from redis.asyncio import Redis  # noqa: E402

from bench.bidding_submissions import FileClock, empty_postgres, percentile, settings_for  # noqa: E402

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
# As tests/bidding/auctions/kit.py: from Sunday 22 March, the ten working days after its first day
# (L-02) end on Friday 3 April; Qingming (4-6 April) leaves no room for a later start.
LISTING_START = START + dt.timedelta(days=20)
LISTING_END = START + dt.timedelta(days=32, hours=6)
INCREMENT_FEN = 100_000_000
WORK_DIRS: list[Path] = []


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# --- seeding, in-process through the services ----------------------------------------------


async def seed(settings: Any, bidders: int) -> tuple[str, list[str], str]:
    """The demo people, a land listing announced at START and opened, `bidders` bidder
    organisations joined; returns the listing id, the bidders' tokens and the clerk's token."""
    from bidding.auctions import service
    from bidding.auctions.schemas import ListingIn
    from tests.bidding.auctions.crowd import _crowd
    from trading.announcements.schemas import AnnouncementIn, Kind
    from trading.app import create_app, seed_reference_data
    from trading.auth.tokens import issue_token
    from trading.clock import ManualClock
    from trading.db import migrate
    from trading.db.session import Database
    from trading.demo import _publish, create_cast
    from trading.projects import service as projects
    from trading.projects.schemas import ProjectIn, SectionIn

    db = Database(settings.resolved_database_url())
    await migrate.upgrade(db.engine)
    await seed_reference_data(db, ManualClock(START))
    app = create_app(settings, clock=ManualClock(START))
    async with db.session() as session:
        cast = await create_cast(session, START)
        project = await projects.register_project(
            session,
            ProjectIn(
                name="江宁区东山街道R2-05地块国有建设用地使用权挂牌出让",
                sector="land",
                region="江宁区",
                principal_id=cast.organisations["land_bureau"].id,
                sections=[
                    SectionIn(
                        name="R2-05地块",
                        procedure="land_listing",
                        starting_price="96000000.00",  # type: ignore[arg-type]
                        deposit="0.00",  # type: ignore[arg-type]
                        registration_start=START,
                        listing_start=LISTING_START,
                        listing_end=LISTING_END,
                        bid_deadline=LISTING_END,
                    )
                ],
            ),
            actor=cast.identity("land_bureau"),
            at=START,
            zone=settings.zone,
        )
        notice = AnnouncementIn(
            project_id=project.id,
            kind=Kind.call,
            title="R2-05地块挂牌出让公告",
            body="经批准，以挂牌方式出让一幅国有建设用地使用权。",
        )
        await _publish(session, cast, notice, "land_bureau", START, settings.zone)
        listing = await service.open_listing(
            session,
            project.sections[0].id,
            ListingIn(increment=yuan(INCREMENT_FEN)),  # type: ignore[arg-type]
            actor=cast.identity("clerk"),
            at=START,
            zone=settings.zone,
        )
        await session.commit()
    headers = await _crowd(db, app, str(project.sections[0].id), bidders, START)
    tokens = [h["Authorization"].split(" ", 1)[1] for h in headers]
    clerk, _ = issue_token(app.state.jwt_auth, cast.identity("clerk"))
    await db.dispose()
    return str(listing.id), tokens, clerk


# --- the server -------------------------------------------------------------------------------


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from trading.app import create_app

    settings = settings_for(Path(args.data_dir), args.database_url, args.redis_url)
    app = create_app(settings, clock=FileClock(Path(args.clock_file)))
    uvicorn.run(
        app, host="127.0.0.1", port=args.port, log_level="warning", backlog=4096, timeout_keep_alive=60
    )


def start_servers(
    data_dir: Path, clock_file: Path, args: argparse.Namespace
) -> tuple[list[subprocess.Popen], list[str]]:
    processes, urls = [], []
    for n in range(args.instances):
        port = args.port + n
        command = [
            sys.executable,
            __file__,
            "--serve",
            "--data-dir",
            str(data_dir),
            "--clock-file",
            str(clock_file),
        ]
        command += ["--port", str(port), "--redis-url", args.redis_url]
        if args.database_url:
            command += ["--database-url", args.database_url]
        processes.append(subprocess.Popen(command, cwd=ROOT))
        urls.append(f"http://127.0.0.1:{port}")
    for url in urls:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"the server at {url} did not start")
    return processes, urls


# --- (a) the room -----------------------------------------------------------------------------


class Watcher:
    def __init__(self) -> None:
        self.received: dict[int, float] = {}
        self.ready = asyncio.Event()

    async def watch(self, url: str, token: str, until: asyncio.Event, gate: asyncio.Semaphore) -> None:
        async with gate:  # a bounded number of handshakes at a time
            ws = await websockets.connect(
                url, additional_headers={"Authorization": f"Bearer {token}"}, max_queue=None, open_timeout=120
            )
            json.loads(await ws.recv())  # hello
        self.ready.set()
        async with ws:
            while not until.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                if message["kind"] == "bid":
                    self.received.setdefault(message["seq"], time.perf_counter())


async def bidding(
    urls: list[str], listing_id: str, tokens: list[str], total: int, concurrency: int
) -> tuple[dict[int, float], int, float]:
    """Post bids until `total` are accepted; returns {seq: send time}, refusals, elapsed seconds."""
    sent: dict[int, float] = {}
    refused = 0
    steps = itertools.count()
    clients = [httpx.AsyncClient(base_url=url, timeout=30) for url in urls]
    board = await clients[0].get(f"/api/public/auctions/{listing_id}")
    minimum = int(board.json()["minimum_bid"].replace(".", ""))

    async def one(worker: int) -> None:
        nonlocal refused, minimum
        client, token = clients[worker % len(clients)], tokens[worker % len(tokens)]
        while len(sent) < total:
            price = minimum + (next(steps) % 3) * INCREMENT_FEN
            began = time.perf_counter()
            answer = await client.post(
                f"/api/auctions/{listing_id}/bids",
                json={"price": yuan(price)},
                headers={"Authorization": f"Bearer {token}"},
            )
            body = answer.json()
            if answer.status_code == 201:
                sent[body["seq"]] = began
                minimum = max(minimum, int(body["price"].replace(".", "")) + INCREMENT_FEN)
            elif body.get("code") == "auction.bid_too_low":
                refused += 1
                minimum = max(minimum, int(body["details"]["minimum"].replace(".", "")))
            else:
                raise RuntimeError(answer.text)

    began = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - began
    for client in clients:
        await client.aclose()
    return sent, refused, elapsed


async def bench_room(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-auction-"))
    WORK_DIRS.append(work)
    clock_file = work / "clock"
    clock = FileClock(clock_file)
    clock.set(START)
    if args.database_url:
        await empty_postgres(args.database_url)
    settings = settings_for(work, args.database_url, args.redis_url)
    listing_id, tokens, clerk = await seed(settings, args.bidders)
    clock.set(LISTING_START + dt.timedelta(minutes=1))
    processes, urls = start_servers(work, clock_file, args)
    try:
        async with httpx.AsyncClient(base_url=urls[0], timeout=30) as client:
            for token in tokens:
                joined = await client.post(
                    f"/api/auctions/{listing_id}/bidders",
                    json={},
                    headers={"Authorization": f"Bearer {token}"},
                )
                joined.raise_for_status()
        done = asyncio.Event()
        watchers = [Watcher() for _ in range(args.watchers)]
        ws_urls = [u.replace("http://", "ws://") + f"/api/auctions/{listing_id}/live" for u in urls]
        gate = asyncio.Semaphore(20)
        tasks = [
            asyncio.create_task(watcher.watch(ws_urls[n % len(ws_urls)], clerk, done, gate))
            for n, watcher in enumerate(watchers)
        ]
        await asyncio.wait_for(asyncio.gather(*(w.ready.wait() for w in watchers)), timeout=600)
        print(f"{len(watchers)} watchers connected", flush=True)
        sent, refused, elapsed = await bidding(urls, listing_id, tokens, args.bids, args.concurrency)
        print(f"{len(sent)} bids accepted in {elapsed:.1f} s", flush=True)
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline and any(len(w.received) < len(sent) for w in watchers):  # noqa: ASYNC110
            await asyncio.sleep(0.1)  # watchers drain their queues
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        missing = sum(len(w.received) < len(sent) for w in watchers)
        print(f"watchers drained; {missing} still missing bids", flush=True)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()  # uvicorn waits for a thousand websockets to close
                process.wait(timeout=15)
    latencies = [
        (w.received[seq] - began) * 1000 for w in watchers for seq, began in sent.items() if seq in w.received
    ]
    complete = sum(sorted(w.received) == sorted(sent) == list(range(1, len(sent) + 1)) for w in watchers)
    return {
        "accepted": len(sent),
        "refused_too_low": refused,
        "accepted_per_second": len(sent) / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "watchers_complete": complete,
    }


# --- (b) bare Redis pub/sub -------------------------------------------------------------------


async def bench_redis(args: argparse.Namespace) -> dict[str, Any]:
    channel = f"bench-auction-{uuid.uuid4().hex}"
    publisher = Redis.from_url(args.redis_url)
    subscribers = [Redis.from_url(args.redis_url) for _ in range(args.watchers)]
    pubsubs = [s.pubsub() for s in subscribers]
    for pubsub in pubsubs:
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=5)  # the subscribe confirmation
    received: list[dict[int, float]] = [{} for _ in pubsubs]

    async def listen(index: int) -> None:
        while len(received[index]) < args.bids:
            message = await pubsubs[index].get_message(ignore_subscribe_messages=True, timeout=5)
            if message is None:
                return
            received[index][int(message["data"])] = time.perf_counter()

    listeners = [asyncio.create_task(listen(n)) for n in range(len(pubsubs))]
    sent: dict[int, float] = {}
    began = time.perf_counter()
    for seq in range(1, args.bids + 1):
        sent[seq] = time.perf_counter()
        await publisher.publish(channel, str(seq))
        await asyncio.sleep(0)
    elapsed = time.perf_counter() - began
    await asyncio.gather(*listeners)
    latencies = [(r[seq] - t) * 1000 for r in received for seq, t in sent.items() if seq in r]
    for pubsub, client in zip(pubsubs, subscribers, strict=True):
        await pubsub.aclose()
        await client.aclose()
    await publisher.aclose()
    return {
        "published_per_second": args.bids / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "subscribers_complete": sum(len(r) == args.bids for r in received),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--bids", type=int, default=300, help="accepted bids to reach")
    parser.add_argument("--bidders", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8, help="bids in flight")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--clock-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.serve:
        serve(args)
        return
    if args.instances > 1 and not args.database_url:
        parser.error("several instances need --database-url (PostgreSQL)")
    try:
        room = asyncio.run(bench_room(args))
        bare = asyncio.run(bench_redis(args))
    finally:
        for work in WORK_DIRS:
            shutil.rmtree(work, ignore_errors=True)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"auction room: {args.instances} instance(s), {backend} + Redis, {args.watchers} watchers")
    print(
        f"  accepted {room['accepted']} bids ({room['refused_too_low']} refused as too low), "
        f"{room['accepted_per_second']:.1f} accepted bids/s"
    )
    print(f"  bid-to-watcher latency p50 {room['p50_ms']:.1f} ms, p99 {room['p99_ms']:.1f} ms")
    print(f"  watchers that saw every bid, numbered 1..N: {room['watchers_complete']}/{args.watchers}")
    print(f"bare Redis publish to {args.watchers} subscribers, {args.bids} messages")
    rate, p50, p99 = bare["published_per_second"], bare["p50_ms"], bare["p99_ms"]
    print(f"  {rate:.1f} messages/s, latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"  subscribers that got every message: {bare['subscribers_complete']}/{args.watchers}")


if __name__ == "__main__":
    main()
