"""Several app instances as separate processes (issue 23, point 4): `uvicorn` subprocesses on free
loopback ports, against the test's own PostgreSQL database and Redis namespace, with the same
secrets, as a load balancer would have them. A test talks to each through its own HTTP client.

The instances share the test's data directory: on several machines the stored files live on a
shared file system (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from trading.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def instance_env(settings: Settings, clock_at: dt.datetime, dispatch_seconds: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADING_")}
    return env | {
        "TRADING_DATA_DIR": str(settings.data_dir),
        "TRADING_DATABASE_URL": settings.resolved_database_url(),
        "TRADING_REDIS_URL": settings.redis_url or "",
        "TRADING_REDIS_NAMESPACE": settings.redis_namespace,
        "TRADING_SECRET_KEY": settings.resolved_secret_key(),
        "TRADING_BANK_FEED_SECRET": settings.resolved_bank_feed_secret(),
        "TRADING_MIGRATE_ON_START": "false",
        "TRADING_EVENT_DISPATCH_SECONDS": str(dispatch_seconds),
        # Each instance's clock starts here and runs on in real time (OffsetClock).
        "TRADING_CLOCK_AT": clock_at.isoformat(),
        "PYTHONPATH": str(ROOT),
    }


@dataclass
class Instance:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=60)


def _start(env: dict[str, str], log: Path) -> Instance:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "trading.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Instance(port, process, log)


def _wait_ready(instance: Instance, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise RuntimeError(f"instance on {instance.port} exited:\n{instance.log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{instance.url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"instance on {instance.port} not ready:\n{instance.log.read_text()[-3000:]}")


def _stop(instance: Instance) -> None:
    if instance.process.poll() is None:
        instance.process.send_signal(signal.SIGINT)
        try:
            instance.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            instance.process.kill()
            instance.process.wait()


@contextlib.contextmanager
def running(
    settings: Settings, *, count: int = 2, clock_at: dt.datetime, dispatch_seconds: float = 0.0, logs: Path
) -> Iterator[list[Instance]]:
    """`count` instances, ready to serve; stopped (SIGINT, a clean shutdown) at the end."""
    env = instance_env(settings, clock_at, dispatch_seconds)
    logs.mkdir(parents=True, exist_ok=True)
    instances = [_start(env, logs / f"instance-{i}.log") for i in range(count)]
    try:
        for instance in instances:
            _wait_ready(instance)
        yield instances
    finally:
        for instance in instances:
            _stop(instance)


@contextlib.asynccontextmanager
async def clients(instances: list[Instance]) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with contextlib.AsyncExitStack() as stack:
        yield [await stack.enter_async_context(instance.client()) for instance in instances]
