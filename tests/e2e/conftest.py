"""End-to-end fixtures: the real app served on a loopback port, driven by Debian's Chromium.

- `portal`: the server, started once per run in a subprocess (uvicorn, the embedded backend,
  the demo center loaded, the clock set with TRADING_CLOCK_AT), and its base URL.
- `page`: a Playwright page in a fresh browser context that ROUTES EVERY REQUEST: loopback goes
  through, anything else is aborted and recorded, and the test fails if any was attempted (the
  platform must work on a network without internet). WebSockets likewise.
- `shoot(page, name)`: a full-page screenshot into tests/e2e/artifacts/ (git-ignored).

The browser is /usr/bin/chromium from Debian (scripts/setup.sh installs it and the `playwright`
package); `playwright install` is never run. Without it the tests are skipped, except under
CI=true, where that fails.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("TRADING_E2E_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parent / "artifacts"
REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
# Monday 2 March 2026, 09:00 in Shanghai: the demo's calls for tenders are open then.
CLOCK_AT = "2026-03-02T09:00:00+08:00"
BANK_FEED_SECRET = "e2e-bank-feed-secret-shared-with-the-bank-0123"
SECRET_KEY = "e2e-secret-key-that-is-long-enough-0123456789abc"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


# Under pytest-xdist (scripts/test.sh) the whole package runs on one worker: see OneWorkerForE2E
# in tests/conftest.py.
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Portal:
    url: str
    data_dir: Path
    env: dict[str, str]
    started: float = field(default_factory=time.time)

    def now(self) -> dt.datetime:
        """The server's clock: TRADING_CLOCK_AT when it started, then running in real time."""
        return dt.datetime.fromisoformat(CLOCK_AT) + dt.timedelta(seconds=time.time() - self.started)

    def cli(self, *args: str) -> str:
        """Run a `trading` command against the served center's database."""
        done = subprocess.run(
            [sys.executable, "-m", "trading", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout


@pytest.fixture(scope="package")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    data_dir = tmp_path_factory.mktemp("e2e-center")
    port = _free_port()
    env = {
        **os.environ,
        "TRADING_DATA_DIR": str(data_dir),
        "TRADING_CLOCK_AT": CLOCK_AT,
        "TRADING_SECRET_KEY": SECRET_KEY,
        "TRADING_BANK_FEED_SECRET": BANK_FEED_SECRET,
        "TRADING_EVENT_DISPATCH_SECONDS": "0.5",
        "PYTHONPATH": str(REPO),
    }
    for name in ("TRADING_DATABASE_URL", "TRADING_REDIS_URL"):
        env.pop(name, None)
    center = Portal(url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env)
    center.cli("demo")
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
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
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    center.started = time.time()
    try:
        _wait_until_ready(center.url, server)
        yield center
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_until_ready(url: str, server: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the e2e server exited with {server.returncode}; see server.log")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError("the e2e server did not answer /health within 60 s")


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium; scripts/setup.sh does it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        # Playwright adds --headless and --no-sandbox itself (wave2-pitfalls §4).
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@dataclass
class OutsideRequests:
    """What a page tried to fetch from anywhere but this machine."""

    attempted: list[str] = field(default_factory=list)


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK or url.startswith(("data:", "blob:", "about:"))


@pytest.fixture
def outside() -> OutsideRequests:
    return OutsideRequests()


@pytest.fixture
def context(browser: Any, portal: Portal, outside: OutsideRequests) -> Iterator[Any]:
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=portal.url)

    def guard(route: Any) -> None:
        if is_loopback(route.request.url):
            route.continue_()
        else:
            outside.attempted.append(route.request.url)
            route.abort("blockedbyclient")

    def guard_socket(socket: Any) -> None:
        if is_loopback(socket.url):
            socket.connect_to_server()
        else:
            outside.attempted.append(socket.url)
            socket.close()

    ctx.route("**/*", guard)
    ctx.route_web_socket("**/*", guard_socket)
    yield ctx
    ctx.close()
    assert not outside.attempted, f"requests outside this machine were attempted: {outside.attempted}"


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # A CSP violation (an inline style or script slipped into a template) shows up as a console
    # error; a 4xx answer the test provoked on purpose ("Failed to load resource") does too.
    tab.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    yield tab
    assert not errors, f"the page reported errors: {errors}"


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    ARTIFACTS.mkdir(exist_ok=True)

    def take(tab: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(tab: Any, username: str) -> None:
    """Through the login form, as a person would."""
    tab.goto("/login")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(f"{username}-demo-2026")
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url("**/portal**")
