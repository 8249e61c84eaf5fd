"""Sealed bids under load, each figure next to the raw speed of the same cryptography, measured in
the same run on the same machine.

(a) Hundreds of bidders hand in sealed packages at once, two minutes before the deadline, to a real
    server on 127.0.0.1 (uvicorn in its own process; the embedded SQLite default, or PostgreSQL +
    Redis with several instances). Every receipt must verify offline and name a bid the server
    stored; reported: throughput, p50/p99 latency; baseline: the server-side cryptography of one
    submission (SHA-256 of the package, bidder signature, certificate chain, receipt signature)
    run back to back in one thread.
(b) The opening of 1,000 bids through the opening service on a real database: two key holders
    release 1,000 shares each (checked against the bidders' commitments), then every bid is
    unsealed, verified and recorded; baseline: the same key recovery, decryption and signature
    checks alone.

    .venv/bin/python bench/bidding_submissions.py                      # (a) 300 bidders, (b) 1,000 bids
    .venv/bin/python bench/bidding_submissions.py --only a --bidders 500
    .venv/bin/python bench/bidding_submissions.py --only a --instances 2 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench --redis-url redis://127.0.0.1:6379/14
    .venv/bin/python bench/bidding_submissions.py --only b --bids 1000

With --database-url the database is emptied first: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bidding.certificates import authority  # noqa: E402
from bidding.sealing import keys, package  # noqa: E402
from bidding.sealing.documents import verify_document  # noqa: E402
from bidding.sealing.manifest import BidData, SealingParameters  # noqa: E402
from bidding.sealing.receipts import verify_receipt  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
BANK_SECRET = "bench-bank-feed-secret-long-enough-0123456789"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DEADLINE = START + dt.timedelta(days=25)
WORK_DIRS: list[Path] = []


class FileClock:
    """Real time shifted by the number of seconds in a file: the bench moves the server's clock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=float(self.path.read_text()))

    def set(self, instant: dt.datetime) -> None:
        offset = (instant - dt.datetime.now(dt.UTC)).total_seconds()
        temp = self.path.with_suffix(".tmp")
        temp.write_text(repr(offset))
        os.replace(temp, self.path)


def settings_for(data_dir: Path, database_url: str | None, redis_url: str | None) -> Any:
    from trading.settings import Settings

    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=SECRET,
        bank_feed_secret=BANK_SECRET,
        migrate_on_start=False,
        event_dispatch_seconds=0,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def uscc(i: int) -> str:
    from trading.organisations.uscc import check_character

    first = f"91320115{i:09d}"
    return first + check_character(first)


# --- seeding, in-process through the services ----------------------------------------------


@dataclass
class Seeded:
    section_id: uuid.UUID
    cast: Any
    bidders: list[Any]  # Organisation rows of the bench bidders
    users: list[Any]
    holder_keys: dict[str, Any]


async def empty_postgres(url: str) -> None:
    from trading.db.session import Database

    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await db.dispose()


async def seed(settings: Any, bidders: int) -> Seeded:
    """The demo people, `bidders` extra bidder organisations with a user each, a construction
    section announced at START with its deadline 25 days on, and its key holders (2 of 3)."""
    from bidding.keyholders import service as keyholders
    from trading.announcements import service as announcements
    from trading.announcements.schemas import AnnouncementIn, Kind
    from trading.app import seed_reference_data
    from trading.auth.passwords import hash_password_sync
    from trading.auth.service import create_user
    from trading.clock import ManualClock
    from trading.db import migrate
    from trading.db.session import Database
    from trading.demo import DEMO_ACTOR, PEOPLE, create_cast
    from trading.organisations.schemas import OrganisationIn
    from trading.organisations.service import register_organisation
    from trading.projects import service as projects
    from trading.projects.schemas import ProjectIn, SectionIn

    if settings.database_url:
        await empty_postgres(settings.database_url)
    db = Database(settings.resolved_database_url())
    await migrate.upgrade(db.engine)
    await seed_reference_data(db, ManualClock(START))
    zone = settings.zone
    password = hash_password_sync("bench-password-2026")
    async with db.session() as session:
        cast = await create_cast(session, START, {p.username: password for p in PEOPLE})
        organisations, users = [], []
        for i in range(bidders):
            name = f"基准测试建设工程有限公司{i:04d}"
            organisation = await register_organisation(
                session,
                OrganisationIn(
                    uscc=uscc(i),
                    name=name,
                    capacities=["bidder"],
                    region="江宁区",
                    # One each: bidders with one legal representative may not share a section (C-18).
                    legal_representative=f"负责人{i:04d}",
                    contact_phone="025-52100000",
                    basic_account_name=name,
                    basic_account_number=f"32001990{i:010d}",
                    basic_account_bank="中国建设银行南京江宁支行",
                ),
                actor=DEMO_ACTOR,
                at=START,
            )
            organisations.append(organisation)
            users.append(
                await create_user(
                    session,
                    username=f"bench{i:04d}",
                    password=None,
                    password_hash=password,
                    display_name=f"投标员{i:04d}",
                    roles=["bidder"],
                    sectors=[],
                    organisation_id=organisation.id,
                    actor=DEMO_ACTOR,
                    at=START,
                )
            )
        project = await projects.register_project(
            session,
            ProjectIn(
                name="江宁区城南中学教学楼新建工程（基准测试）",
                sector="construction",
                region="江宁区",
                principal_id=cast.organisations["city_invest"].id,
                agency_id=cast.organisations["agency"].id,
                sections=[
                    SectionIn(
                        name="施工总承包",
                        procedure="open_tender",
                        contract_kind="works",
                        budget="48600000.00",
                        deposit="20000.00",
                        bid_validity_days=90,
                        documents_issued_at=START,
                        documents_sale_start=START,
                        documents_sale_end=START + dt.timedelta(days=6),
                        registration_start=START,
                        bid_deadline=DEADLINE,
                    )
                ],
            ),
            actor=cast.identity("agency"),
            at=START,
            zone=zone,
        )
        draft = await announcements.create_draft(
            session,
            AnnouncementIn(
                project_id=project.id,
                kind=Kind.call,
                title="江宁区城南中学教学楼新建工程施工招标公告（基准测试）",
                body="本招标项目已批准建设，现对施工总承包进行公开招标，投标文件须通过交易平台加密递交。",
            ),
            author=cast.identity("agency"),
            at=START,
        )
        await announcements.review(
            session, draft, "submit", actor=cast.identity("agency"), at=START, zone=zone
        )
        await announcements.review(
            session, draft, "approve", actor=cast.identity("clerk"), at=START, zone=zone, note="同意"
        )
        await announcements.review(
            session, draft, "publish", actor=cast.identity("clerk"), at=START, zone=zone
        )
        section = project.sections[0]
        holder_names = ("clerk", "zj_supervisor", "principal")
        await keyholders.configure(
            session,
            section,
            threshold=2,
            user_ids=[cast.users[h].id for h in holder_names],
            actor=cast.identity("clerk"),
            at=START,
        )
        holder_keys = {}
        for name in holder_names:
            holder_keys[name] = keys.new_x25519_key()
            await keyholders.register_key(
                session,
                section,
                public_key=keys.PublicKeyInfo.of(holder_keys[name]).b64,
                holder=cast.identity(name),
                at=START,
            )
        await session.commit()
    await db.dispose()
    return Seeded(section.id, cast, organisations, users, holder_keys)


# --- (a) submissions against a real server ------------------------------------------------


def serve(args: argparse.Namespace) -> None:
    """Child process: one app instance under uvicorn, its clock read from the clock file."""
    import uvicorn

    from trading.app import create_app

    settings = settings_for(Path(args.data_dir), args.database_url, args.redis_url)
    app = create_app(settings, clock=FileClock(Path(args.clock_file)))
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        app.on_shutdown.append(lambda: profiler.dump_stats(f"{profile}.{args.port}"))
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
            "--port",
            str(port),
        ]
        if args.database_url:
            command += ["--database-url", args.database_url]
        if args.redis_url:
            command += ["--redis-url", args.redis_url]
        processes.append(subprocess.Popen(command, cwd=ROOT))
        urls.append(f"http://127.0.0.1:{port}")
    for url in urls:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"the server at {url} did not start")
    return processes, urls


@dataclass
class Bidder:
    index: int
    token: str
    organisation: Any
    signing_key: Any
    decryption_key: Any
    certificate_pem: str = ""
    sealed: Path | None = None


async def prepare_bidders(
    urls: list[str], seeded: Seeded, settings: Any, clock: FileClock, work: Path
) -> tuple[list[Bidder], x509.Certificate, SealingParameters, dict[str, str]]:
    """Over HTTP, as the bidders and the clerk would: register, upload a licence, be accepted, pay
    the deposit through the bank feed, get a certificate. Not timed."""
    from funds.bankfeed.service import sign
    from tests.bidding.helpers import CONTACT, small_pdf
    from trading.auth.service import identity_of
    from trading.auth.tokens import build_jwt_auth, issue_token

    jwt = build_jwt_auth(SECRET, 8)
    staff = {"Authorization": f"Bearer {issue_token(jwt, seeded.cast.identity('clerk'))[0]}"}
    bidders = [
        Bidder(i, issue_token(jwt, identity_of(user))[0], org, keys.new_signing_key(), keys.new_x25519_key())
        for i, (user, org) in enumerate(zip(seeded.users, seeded.bidders, strict=True))
    ]
    section = seeded.section_id
    limit = asyncio.Semaphore(8)
    licence = small_pdf()

    async with httpx.AsyncClient(base_url=urls[0], timeout=120) as client:
        ca = x509.load_pem_x509_certificate(
            (await client.get("/api/bidding/platform/certificates")).json()["ca"].encode()
        )

        async def one(bidder: Bidder) -> None:
            async with limit:
                headers = {"Authorization": f"Bearer {bidder.token}"}
                registered = await client.post(
                    f"/api/bidding/sections/{section}/registrations", json=CONTACT, headers=headers
                )
                assert registered.status_code == 201, registered.text
                registration = registered.json()
                uploaded = await client.post(
                    f"/api/bidding/registrations/{registration['id']}/documents",
                    files={"file": ("营业执照.pdf", licence, "application/pdf")},
                    data={"kind": "business_licence"},
                    headers=headers,
                )
                assert uploaded.status_code == 201, uploaded.text
                accepted = await client.post(
                    f"/api/bidding/registrations/{registration['id']}/accept", headers=staff
                )
                assert accepted.status_code == 200, accepted.text
                body = json.dumps(
                    {
                        "bank_txn_id": f"BENCH-{registration['id']}",
                        "virtual_account": registration["subaccount_number"],
                        "amount": "20000.00",
                        "payer_name": bidder.organisation.basic_account_name,
                        "payer_account": bidder.organisation.basic_account_number,
                        "payer_bank": bidder.organisation.basic_account_bank,
                        "value_time": clock.now().isoformat(),
                    }
                ).encode()
                stamp = str(int(clock.now().timestamp()))
                paid = await client.post(
                    "/api/funds/bank/credits",
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Bank-Timestamp": stamp,
                        "X-Bank-Signature": sign(BANK_SECRET, stamp, body),
                    },
                )
                assert paid.status_code == 200 and paid.json()["disposition"] == "deposit", paid.text
                csr = keys.certificate_request(
                    bidder.signing_key, uscc=bidder.organisation.uscc, name=bidder.organisation.name
                )
                issued = await client.post(
                    "/api/bidding/certificates",
                    json={"csr": csr.public_bytes(Encoding.PEM).decode()},
                    headers=headers,
                )
                assert issued.status_code == 201, issued.text
                bidder.certificate_pem = issued.json()["certificate_pem"]

        await asyncio.gather(*(one(b) for b in bidders))
        document = (
            await client.get(f"/api/bidding/sections/{section}/sealing-parameters", headers=staff)
        ).json()
    body = verify_document(document, ca)
    body.pop("digest")
    return bidders, ca, SealingParameters.model_validate(body), staff


def seal_all(bidders: list[Bidder], parameters: SealingParameters, work: Path, size: int) -> float:
    """Bidder side (each on its own machine in real life): seal one package per bidder."""
    started = time.perf_counter()
    for bidder in bidders:
        content = hashlib.sha256(str(bidder.index).encode()).digest() * (size // 32)
        bidder.sealed = work / f"bid-{bidder.index:04d}.sealed"
        package.seal_bid(
            source=io.BytesIO(content),
            file_name="投标文件.pdf",
            bid_data=BidData(price_fen=4_000_000_000 + bidder.index * 1000, duration_days=365),
            parameters=parameters,
            uscc=bidder.organisation.uscc,
            certificate_pem=bidder.certificate_pem,
            signing_key=bidder.signing_key,
            decryption_key=bidder.decryption_key.public_key(),
            out=bidder.sealed,
            sealed_at=START,
        )
    return time.perf_counter() - started


def submission_crypto_baseline(bidders: list[Bidder], ca: x509.Certificate) -> float:
    """Seconds for the server-side cryptography of every submission, back to back in one thread:
    read and hash the package (shape, digests, bidder signature), check the certificate chain,
    sign a receipt."""
    signer_key = authority.new_key()
    signer = authority.issue_platform_signer(
        signer_key, authority.build_root(signer_key, START), signer_key, START
    )
    from bidding.sealing.documents import issued_by, sign_document

    signer_pem = authority.pem(signer)
    started = time.perf_counter()
    for bidder in bidders:
        assert bidder.sealed is not None
        digest = hashlib.sha256(bidder.sealed.read_bytes()).hexdigest()
        opened = package.read_package(bidder.sealed)
        assert issued_by(opened.certificate, ca)
        sign_document({"package": digest, "bidder": bidder.organisation.uscc}, signer_key, signer_pem)
    return time.perf_counter() - started


async def burst(
    urls: list[str], bidders: list[Bidder], section_id: uuid.UUID, concurrency: int | None = None
) -> tuple[list[float], list[dict], float, list[str]]:
    """Everyone at once: each bidder uploads its package (streamed from disk)."""
    limits = httpx.Limits(max_connections=len(bidders), max_keepalive_connections=len(bidders))
    clients = [httpx.AsyncClient(base_url=url, timeout=300, limits=limits) for url in urls]
    latencies: list[float] = []
    receipts: list[dict] = []
    errors: list[str] = []
    gate = asyncio.Event()
    slots = asyncio.Semaphore(concurrency or len(bidders))

    async def one(bidder: Bidder) -> None:
        assert bidder.sealed is not None
        client = clients[bidder.index % len(clients)]

        async def chunks():  # type: ignore[no-untyped-def]
            with bidder.sealed.open("rb") as source:  # type: ignore[union-attr]
                while block := source.read(256 * 1024):
                    yield block

        await gate.wait()
        async with slots:
            started = time.perf_counter()
            answer = await client.post(
                f"/api/bidding/sections/{section_id}/bids",
                content=chunks(),
                headers={
                    "Authorization": f"Bearer {bidder.token}",
                    "Content-Type": "application/octet-stream",
                },
            )
            latencies.append(time.perf_counter() - started)
        if answer.status_code == 201:
            receipts.append(answer.json())
        else:
            errors.append(f"{answer.status_code} {answer.text[:200]}")

    tasks = [asyncio.create_task(one(b)) for b in bidders]
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    gate.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    for client in clients:
        await client.aclose()
    return latencies, receipts, wall, errors


async def bench_submissions(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-bids-"))
    WORK_DIRS.append(work)
    data_dir = work / "server"
    clock_file = work / "clock"
    clock = FileClock(clock_file)
    clock_file.write_text("0")
    clock.set(START)
    settings = settings_for(data_dir, args.database_url, args.redis_url)
    data_dir.mkdir(parents=True)
    if args.redis_url:
        from redis import Redis

        Redis.from_url(args.redis_url).flushdb()
    print(
        f"(a) {args.bidders} bidders, {args.size // 1024} KiB bid files, {args.instances} instance(s), "
        f"{'PostgreSQL + Redis' if args.database_url else 'embedded SQLite'}; work dir {work}"
    )
    print(f"    load average before (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    seeded = await seed(settings, args.bidders)
    processes, urls = start_servers(data_dir, clock_file, args)
    try:
        t = time.perf_counter()
        bidders, ca, parameters, staff = await prepare_bidders(urls, seeded, settings, clock, work)
        setup = time.perf_counter() - t
        print(f"    set-up over HTTP (register, licence, accept, pay, certificate): {setup:.1f} s")
        sealing = seal_all(bidders, parameters, work, args.size)
        baseline = submission_crypto_baseline(bidders, ca)
        clock.set(DEADLINE - dt.timedelta(minutes=2))
        latencies, receipts, wall, errors = await burst(urls, bidders, seeded.section_id, args.concurrency)
        load = os.getloadavg()
        clock.set(DEADLINE + dt.timedelta(minutes=1))
        async with httpx.AsyncClient(base_url=urls[0], timeout=120) as client:
            late = await client.post(
                f"/api/bidding/sections/{seeded.section_id}/bids",
                content=bidders[0].sealed.read_bytes(),  # type: ignore[union-attr]
                headers={
                    "Authorization": f"Bearer {bidders[0].token}",
                    "Content-Type": "application/octet-stream",
                },
            )
            overview = (
                await client.get(f"/api/bidding/sections/{seeded.section_id}/bids", headers=staff)
            ).json()
        stored = {(b["id"], b["package_sha256"]) for b in overview["bids"] if b["status"] == "active"}
        matched = 0
        for receipt in receipts:
            body = verify_receipt(receipt, ca)
            matched += (body["bid_id"], body["package"]["sha256"]) in stored
        sequences = sorted(verify_receipt(r, ca)["sequence"] for r in receipts)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    n = len(bidders)
    print(f"    bidder-side sealing (not part of the server's work): {sealing / n * 1000:.1f} ms per bid")
    print(f"    accepted {len(receipts)} of {n}; refused {len(errors)}{': ' + errors[0] if errors else ''}")
    all_match = matched == len(receipts) == len(stored)
    print(
        f"    every receipt verifies offline and names a stored bid: {all_match} "
        f"({matched} matched, {len(stored)} stored, receipt numbers 1..{sequences[-1] if sequences else 0} "
        f"without gaps: {sequences == list(range(1, len(receipts) + 1))})"
    )
    print(f"    load average right after the burst (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in load)}")
    print(f"    late upload after the deadline refused: {late.status_code} {late.json().get('code')}")
    print(
        f"    throughput: {n / wall:.0f} submissions/s ({wall:.2f} s for {n}); latency p50 "
        f"{percentile(latencies, 50) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"    raw server-side crypto, one thread: {n / baseline:.0f} submissions/s "
        f"({baseline / n * 1000:.2f} ms each); the server reaches {baseline / wall * 100:.0f} % of it"
    )


# --- (b) opening 1,000 bids ------------------------------------------------------------------


async def opening_round(args: argparse.Namespace) -> dict[str, Any]:
    """Seeds `--bids` bidders with certificates and stored sealed bids (the state the submissions
    leave), then times the opening: holders' releases and the unsealing, through the services."""
    from sqlalchemy import select

    from bidding.certificates import service as certificates
    from bidding.opening import service as opening
    from bidding.submissions.models import Bid
    from bidding.submissions.service import active_bids, blob_store
    from trading.auth.identity import Identity
    from trading.db.session import Database

    work = Path(tempfile.mkdtemp(prefix="bench-opening-"))
    WORK_DIRS.append(work)
    settings = settings_for(work / "server", args.database_url, args.redis_url)
    settings.data_dir.mkdir(parents=True)
    n = args.bids
    seeded = await seed(settings, n)
    db = Database(settings.resolved_database_url())
    store = blob_store(settings)
    at = START + dt.timedelta(hours=1)
    async with db.session() as session:
        from bidding.keyholders.service import sealing_parameters, section_for

        section, _ = await section_for(session, seeded.section_id)
        parameters = await sealing_parameters(session, section)
        rows = []
        sealed_paths = []
        t = time.perf_counter()
        for i, (organisation, user) in enumerate(zip(seeded.bidders, seeded.users, strict=True)):
            identity = Identity(
                user.id, user.username, user.display_name, frozenset({"bidder"}), organisation.id
            )
            signing_key = keys.new_signing_key()
            csr = keys.certificate_request(signing_key, uscc=organisation.uscc, name=organisation.name)
            certificate = await certificates.issue_certificate(
                session, settings, csr_pem=csr.public_bytes(Encoding.PEM).decode(), requester=identity, at=at
            )
            out = work / f"bid-{i:04d}.sealed"
            content = hashlib.sha256(str(i).encode()).digest() * (args.size // 32)
            summary = package.seal_bid(
                source=io.BytesIO(content),
                file_name="投标文件.pdf",
                bid_data=BidData(price_fen=4_000_000_000 + i * 1000, duration_days=365),
                parameters=parameters,
                uscc=organisation.uscc,
                certificate_pem=certificate.certificate_pem,
                signing_key=signing_key,
                decryption_key=keys.new_x25519_key().public_key(),
                out=out,
                sealed_at=at,
            )
            opened = package.read_package(out)
            blob = await store.put_bytes(out.read_bytes())
            sealed_paths.append(out)
            rows.append(
                Bid(
                    section_id=section.id,
                    organisation_id=organisation.id,
                    status="active",
                    certificate_serial=certificate.serial,
                    package_id=opened.manifest.package_id,
                    package_sha256=blob.digest,
                    package_size=blob.size,
                    manifest_sha256=opened.manifest_sha256,
                    manifest=opened.manifest.model_dump(mode="json"),
                    received_at=at,
                    submitted_by=user.id,
                )
            )
            assert summary.package_sha256 == blob.digest
        session.add_all(rows)
        await session.commit()
        print(f"    set-up (certificates, sealing, storing {n} bids): {time.perf_counter() - t:.1f} s")

    clerk = seeded.cast.identity("clerk")
    after = DEADLINE + dt.timedelta(minutes=1)
    timings: dict[str, float] = {}
    async with db.session() as session:
        t = time.perf_counter()
        started = await opening.start(session, settings, section_id=seeded.section_id, actor=clerk, at=after)
        await session.commit()
        timings["start (count, rule check)"] = time.perf_counter() - t
        assert started.status == "collecting"
    holder_side = 0.0
    for name in ("clerk", "zj_supervisor"):
        async with db.session() as session:
            position, wraps = await opening.wraps_for_holder(
                session, seeded.section_id, seeded.cast.identity(name)
            )
        t = time.perf_counter()
        shares = {
            uuid.UUID(item["bid_id"]): keys.b64(
                package.release_share(
                    package.manifest_from_json(item["manifest"]), position, seeded.holder_keys[name]
                )
            )
            for item in wraps
        }
        holder_side += time.perf_counter() - t
        async with db.session() as session:
            t = time.perf_counter()
            released = await opening.release_shares(
                session,
                section_id=seeded.section_id,
                user=seeded.cast.identity(name),
                shares=shares,
                at=after,
            )
            await session.commit()
            timings[f"release {n} shares ({name}, each checked)"] = time.perf_counter() - t
            assert released.accepted == n
    async with db.session() as session:
        t = time.perf_counter()
        result = await opening.unseal_bids(
            session, settings, section_id=seeded.section_id, actor=clerk, at=after
        )
        await session.commit()
        timings["unseal, verify, record and sign"] = time.perf_counter() - t
        assert result.status == "recorded", result.status
        record = result.record or {}
        valid = sum(1 for e in record.get("entries", []) if e["status"] == "valid")
        bids = await active_bids(session, seeded.section_id)
        count = len((await session.scalars(select(Bid.id))).all())
    await db.dispose()

    # The crypto floor: the same cryptography alone, same packages, one thread; then the same
    # spread over one thread per core, which shows how much of it runs outside the GIL.
    def crypto(path: Path) -> None:
        opened = package.read_package(path)
        key = package.recover_content_key(
            opened.manifest,
            {
                p: package.release_share(opened.manifest, p, seeded.holder_keys[h])
                for p, h in ((1, "clerk"), (2, "zj_supervisor"))
            },
        )
        package.unseal(opened, key)

    t = time.perf_counter()
    for path in sealed_paths:
        crypto(path)
    baseline = time.perf_counter() - t
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(crypto, sealed_paths))
    baseline_threads = time.perf_counter() - t
    shutil.rmtree(work, ignore_errors=True)
    return {
        "timings": timings,
        "holder_side": holder_side,
        "valid": valid,
        "bids": len(bids),
        "stored": count,
        "floor": baseline,
        "floor_threads": baseline_threads,
    }


async def bench_opening(args: argparse.Namespace) -> None:
    n = args.bids
    print(
        f"(b) opening {n} bids, {args.size // 1024} KiB each, "
        f"{'PostgreSQL' if args.database_url else 'embedded SQLite'}, median of {args.rounds} rounds "
        "(each on a freshly seeded database)"
    )
    rounds = []
    for i in range(args.rounds):
        result = await opening_round(args)
        server = sum(result["timings"].values())
        rounds.append({**result, "server": server})
        print(
            f"    round {i + 1}: opening {server:.2f} s, crypto floor {result['floor']:.2f} s "
            f"({result['floor_threads']:.2f} s on {os.cpu_count()} threads), "
            f"{server / result['floor']:.2f}x the floor; {result['valid']} valid of {result['bids']}"
        )
    last = rounds[-1]
    for label in last["timings"]:
        print(f"    {label}: median {statistics.median(r['timings'][label] for r in rounds):.2f} s")
    server = statistics.median(r["server"] for r in rounds)
    floor = statistics.median(r["floor"] for r in rounds)
    floor_threads = statistics.median(r["floor_threads"] for r in rounds)
    ratio = statistics.median(r["server"] / r["floor"] for r in rounds)
    print(f"    key holders' side (opening {2 * n} shares on their machines): {last['holder_side']:.2f} s")
    print(f"    opening on the server: median {server:.2f} s, {n / server:.0f} bids/s")
    print(
        "    crypto floor (holders' unwrap + recovery + decryption + signatures, one thread): "
        f"median {floor:.2f} s, {n / floor:.0f} bids/s; on {os.cpu_count()} threads {floor_threads:.2f} s"
    )
    print(f"    opening / crypto floor: median {ratio:.2f}x (goal <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["a", "b"])
    parser.add_argument("--bidders", type=int, default=300)
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="(b): rounds, each on a fresh database")
    parser.add_argument("--size", type=int, default=64 * 1024, help="bid file size in bytes")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--concurrency", type=int, help="at most this many uploads in flight (default: all)")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--keep", action="store_true", help="keep the work directories (data, packages)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--clock-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    if args.instances > 1 and not args.database_url:
        parser.error("several instances need --database-url (PostgreSQL) and --redis-url")
    try:
        if args.only in (None, "a"):
            asyncio.run(bench_submissions(args))
        if args.only in (None, "b"):
            asyncio.run(bench_opening(args))
    finally:
        if not args.keep:
            for work in WORK_DIRS:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
