"""The public announcements list under 64 connections, next to a bare Litestar endpoint that returns
the same JSON from memory, measured in the same run on the same machine (issue 23).

Both run as uvicorn servers in their own processes on 127.0.0.1; the real one on the embedded
default (a SQLite file loaded by `trading demo`). The load: wrk (Debian package, scripts/setup.sh)
with `--connections` connections for `--seconds`; each round reports requests per second and
p50/p99, and the figures are medians over `--rounds`. With `--writer`, another connection keeps SQLite's write
lock busy (50 ms transactions back to back) during the real server's rounds: the reads must not
slow down to its pace (issue 23, point 1).

    .venv/bin/python bench/reads.py
    .venv/bin/python bench/reads.py --connections 64 --seconds 5 --rounds 3 --writer
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

LIST = "/api/public/announcements/?limit=20"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def bare_app() -> Any:
    """The anchor: Litestar returning the captured JSON list from memory (no database, no auth)."""
    from litestar import Litestar, get

    body = json.loads(Path(os.environ["BENCH_BARE_BODY"]).read_text(encoding="utf-8"))

    @get("/api/public/announcements/", sync_to_thread=False)
    def announcements() -> dict[str, Any]:
        return body

    return Litestar(route_handlers=[announcements])


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(factory: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port), "--no-access-log"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + LIST, timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{factory} did not start:\n{log.read_text()[-2000:]}")


def load(url: str, connections: int, seconds: float) -> tuple[float, float, float, int]:
    """Requests per second, p50 and p99 in ms, and the number of failed answers, by wrk (a Python
    client saturates long before the server: it measured itself at about 20 req/s here)."""
    done = subprocess.run(
        ["wrk", f"-c{connections}", "-t2", f"-d{max(1, round(seconds))}s", "--latency", url + LIST],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    return rate, p50, p99, (int(failed.group(1)) if failed else 0) + (int(errors.group(1)) if errors else 0)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def hold_the_write_lock(database: Path, stop: threading.Event) -> int:
    """Another connection keeps SQLite's write lock nearly all the time: 50 ms transactions back to
    back, as a burst of submissions at the deadline does. Returns how many it committed."""
    conn = sqlite3.connect(database, isolation_level=None, timeout=30)
    done = 0
    while not stop.is_set():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE announcement SET title = title WHERE id IN (SELECT id FROM announcement LIMIT 1)"
        )
        time.sleep(0.05)
        conn.execute("COMMIT")
        done += 1
    conn.close()
    return done


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--writer", action="store_true", help="keep the write lock busy during the real rounds"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-reads-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADING_")}
    env |= {"TRADING_DATA_DIR": str(work / "data"), "TRADING_SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    processes = []
    try:
        subprocess.run(
            [sys.executable, "-m", "trading", "demo"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        real, real_url = serve("trading.app:create_app", env, work / "real.log")
        processes.append(real)
        body = httpx.get(real_url + LIST).json()
        (work / "body.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        bare, bare_url = serve(
            "bench.reads:bare_app", env | {"BENCH_BARE_BODY": str(work / "body.json")}, work / "bare.log"
        )
        processes.append(bare)
        print(
            f"public announcements list ({body.get('total')} published, "
            f"a page of {len(body.get('items', []))}), "
            f"{args.connections} connections, {args.seconds:.0f} s per round, {args.rounds} rounds"
            + (", a writer keeping the write lock busy on the real server" if args.writer else "")
        )
        database = work / "data" / "trading.db" if args.writer else None
        results: dict[str, list[tuple[float, float, float, int]]] = {"bare": [], "real": []}
        for i in range(args.rounds):
            results["bare"].append(load(bare_url, args.connections, args.seconds))
            results["real"].append(_real_round(real_url, args, database))
            (b, r) = (results["bare"][-1], results["real"][-1])
            print(
                f"  round {i + 1}: bare {b[0]:.0f} req/s p99 {b[2]:.0f} ms; "
                f"real {r[0]:.0f} req/s p99 {r[2]:.0f} ms ({r[0] / b[0]:.0%} of bare), failures {r[3]}"
            )
        med = {k: [statistics.median(x[j] for x in v) for j in range(3)] for k, v in results.items()}
        ratio = statistics.median(r[0] / b[0] for b, r in zip(results["bare"], results["real"], strict=True))
        for label, key in (("bare Litestar JSON list", "bare"), ("announcements list", "real")):
            rate, p50, p99 = med[key]
            print(f"  {label:<24} median {rate:.0f} req/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        print(f"  real / bare: median {ratio:.0%} (goal >= 40%)")
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        shutil.rmtree(work, ignore_errors=True)


def _real_round(url: str, args: argparse.Namespace, database: Path | None) -> tuple[float, float, float, int]:
    if database is None:
        return load(url, args.connections, args.seconds)
    stop = threading.Event()
    holder = threading.Thread(target=hold_the_write_lock, args=(database, stop))
    holder.start()
    try:
        return load(url, args.connections, args.seconds)
    finally:
        stop.set()
        holder.join()


if __name__ == "__main__":
    main()
