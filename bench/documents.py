"""Official documents: how long a page takes, and whether rendering slows anyone else down.

(a) Milliseconds per page of a 1-page and a 20-page announcement (Noto CJK, letterhead, QR code,
    PAdES signature), rendered and signed by the worker's own function in this process, warm,
    median of 3; the first (cold) render is reported apart.
(b) A real server on 127.0.0.1 (uvicorn in its own process, the embedded SQLite default, one
    render worker): requests per second and p50/p99 latency of an unrelated endpoint (GET /health)
    while idle, then while 20 documents are issued at once, in the same run.

    .venv/bin/python bench/documents.py
    .venv/bin/python bench/documents.py --only a
    .venv/bin/python bench/documents.py --only b --documents 20 --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PARAGRAPH = "本招标项目已批准建设，招标人为江宁城市建设投资集团有限公司，现对施工总承包进行公开招标。" * 3


# --- (a) milliseconds per page -------------------------------------------------------------


def announcement_job(workdir: Path, paragraphs: int) -> Any:
    from trading.documents.rendering import RenderJob
    from trading.documents.signer import load_or_create

    signer = load_or_create(workdir / "documents", center="南京市公共资源交易中心", at=START)
    document = {
        "number": "文书〔2026〕000042",
        "code": "K1CF-024V-QFNF",
        "verify_url": "https://ggzy.example.gov.cn/verify/K1CF-024V-QFNF",
        "title": "江宁区城南中学教学楼新建工程施工招标公告",
        "kind_zh": "招标（采购、出让）公告",
        "kind_en": "call for bids",
        "issued_at": START,
        "issuer": "王敏",
        "center": "南京市公共资源交易中心",
        "supersedes": None,
        "reason": None,
    }
    data = {
        "project_name": "江宁区城南中学教学楼新建工程",
        "project_code": "GC-2026-0001",
        "sector": "construction",
        "sector_zh": "工程建设",
        "region": "江宁区",
        "published_at": START,
        "new_bid_deadline": None,
        "publicity_end": None,
        "winner": None,
        "sections": [],
        "paragraphs": [f"{n}. {PARAGRAPH}" for n in range(1, paragraphs + 1)],
    }
    return RenderJob(
        template_dirs=(str(ROOT / "trading" / "documents" / "templates"),),
        template="announcement.html",
        language="zh-CN",
        zone="Asia/Shanghai",
        document=document,
        data=data,
        signer=signer.files,
        reason="bench",
    )


def per_page() -> None:
    from trading.documents.rendering import render_and_sign

    workdir = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    started = time.perf_counter()
    render_and_sign(announcement_job(workdir, 1))
    cold = 1000 * (time.perf_counter() - started)
    print(f"(a) first document in this process (imports, fonts): {cold:.0f} ms")
    print("    paragraphs  pages  median ms  ms/page  size KiB")
    for paragraphs in (1, 220):
        job = announcement_job(workdir, paragraphs)
        times, rendered = [], None
        for _ in range(3):
            started = time.perf_counter()
            rendered = render_and_sign(job)
            times.append(time.perf_counter() - started)
        assert rendered is not None
        median = 1000 * statistics.median(times)
        print(
            f"    {paragraphs:>10}  {rendered.pages:>5}  {median:>9.0f}  {median / rendered.pages:>7.0f}"
            f"  {len(rendered.pdf) / 1024:>8.0f}"
        )


# --- (b) an unrelated endpoint while documents render ---------------------------------------


def settings_for(data_dir: Path) -> Any:
    from trading.settings import Settings

    return Settings(data_dir=data_dir, secret_key=SECRET, event_dispatch_seconds=0, document_workers=1)


def serve(data_dir: Path, port: int) -> None:
    import uvicorn

    from trading.app import create_app
    from trading.clock import ManualClock

    uvicorn.run(
        create_app(settings_for(data_dir), clock=ManualClock(START)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )


async def seed(data_dir: Path) -> dict[str, str]:
    """Schema, holidays and the demo's people; a login token for the agency and the clerk."""
    from trading.app import seed_reference_data
    from trading.auth.tokens import build_jwt_auth, issue_token
    from trading.clock import ManualClock
    from trading.db import migrate
    from trading.db.session import Database
    from trading.demo import create_cast

    settings = settings_for(data_dir)
    db = Database(settings.resolved_database_url())
    await migrate.upgrade(db.engine)
    await seed_reference_data(db, ManualClock(START))
    async with db.session() as session:
        cast = await create_cast(session, START)
        await session.commit()
    await db.dispose()
    auth = build_jwt_auth(SECRET, settings.token_hours)
    tokens = {name: issue_token(auth, cast.identity(name))[0] for name in ("agency", "clerk")}
    tokens["principal_id"] = str(cast.organisations["city_invest"].id)
    tokens["agency_id"] = str(cast.organisations["agency"].id)
    return tokens


async def publish_calls(client: httpx.AsyncClient, tokens: dict[str, str], count: int) -> list[str]:
    agency = {"Authorization": f"Bearer {tokens['agency']}"}
    clerk = {"Authorization": f"Bearer {tokens['clerk']}"}
    ids = []
    for n in range(count):
        section = {
            "name": "施工总承包",
            "procedure": "open_tender",
            "contract_kind": "works",
            "budget": "48600000.00",
            "deposit": "20000.00",
            "bid_validity_days": 90,
            "documents_issued_at": START.isoformat(),
            "documents_sale_start": START.isoformat(),
            "documents_sale_end": (START + dt.timedelta(days=6)).isoformat(),
            "registration_start": START.isoformat(),
            "bid_deadline": (START + dt.timedelta(days=25)).isoformat(),
        }
        project = await client.post(
            "/api/projects/",
            headers=agency,
            json={
                "name": f"江宁区第{n + 1}中学教学楼新建工程",
                "sector": "construction",
                "region": "江宁区",
                "description": "新建教学楼",
                "principal_id": tokens["principal_id"],
                "agency_id": tokens["agency_id"],
                "sections": [section],
            },
        )
        project.raise_for_status()
        draft = await client.post(
            "/api/announcements/",
            headers=agency,
            json={
                "project_id": project.json()["id"],
                "kind": "call",
                "title": f"江宁区第{n + 1}中学教学楼施工招标公告",
                "body": "\n".join([PARAGRAPH] * 12),
            },
        )
        draft.raise_for_status()
        announcement = draft.json()["id"]
        await client.post(f"/api/announcements/{announcement}/submit", headers=agency)
        await client.post(f"/api/announcements/{announcement}/approve", headers=clerk, json={"note": "同意"})
        (await client.post(f"/api/announcements/{announcement}/publish", headers=clerk)).raise_for_status()
        ids.append(announcement)
    return ids


async def hammer(client: httpx.AsyncClient, concurrency: int, until: Any) -> list[float]:
    latencies: list[float] = []

    async def one() -> None:
        while not until():
            started = time.perf_counter()
            (await client.get("/health")).raise_for_status()
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(one() for _ in range(concurrency)))
    return latencies


def report(label: str, latencies: list[float], seconds: float) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    p50 = statistics.median(ordered)
    print(
        f"    {label:<34} {len(latencies) / seconds:>8.0f} req/s  p50 {1000 * p50:6.1f} ms"
        f"  p99 {1000 * p99:6.1f} ms"
    )


async def under_load(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-documents-server-"))
    tokens = await seed(data_dir)
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before any measurement
        [sys.executable, __file__, "--serve", str(data_dir), "--port", str(args.port)]
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            for _ in range(100):
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            calls = await publish_calls(client, tokens, args.documents // 2 + 1)
            clerk = {"Authorization": f"Bearer {tokens['clerk']}"}
            # Warm the worker (spawn + imports) so the comparison is about rendering, not start-up.
            warm = await client.post(
                "/api/documents/",
                headers=clerk,
                json={"kind": "announcement.call", "subject": calls[0], "language": "en"},
            )
            warm.raise_for_status()
            print(f"(b) GET /health, {args.concurrency} concurrent clients, one render worker")
            started = time.perf_counter()
            idle = await hammer(
                client, args.concurrency, lambda: time.perf_counter() - started > args.seconds
            )
            report("idle", idle, time.perf_counter() - started)

            jobs = [(c, lang) for c in calls for lang in ("zh-CN", "en")][1 : args.documents + 1]
            pending = {"n": len(jobs)}
            pages: list[int] = []

            async def issue(subject: str, language: str) -> None:
                answer = await client.post(
                    "/api/documents/",
                    headers=clerk,
                    json={"kind": "announcement.call", "subject": subject, "language": language},
                )
                answer.raise_for_status()
                pages.append(answer.json()["pages"])
                pending["n"] -= 1

            started = time.perf_counter()
            rendering = asyncio.gather(*(issue(s, lang) for s, lang in jobs))
            busy = await hammer(client, args.concurrency, lambda: pending["n"] == 0)
            await rendering
            elapsed = time.perf_counter() - started
            report(f"while {len(jobs)} documents render", busy, elapsed)
            print(
                f"    {len(jobs)} documents ({sum(pages)} pages) issued in {elapsed:.1f} s"
                f" = {1000 * elapsed / sum(pages):.0f} ms per page through the server"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=("a", "b"))
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--serve", metavar="DATA_DIR")
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.port)
        return
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}, Python {sys.version.split()[0]}")
    if args.only in (None, "a"):
        per_page()
    if args.only in (None, "b"):
        asyncio.run(under_load(args))


if __name__ == "__main__":
    main()
