"""`trading opendata export` over the demo center: a conforming package, progress on stderr."""

import json
import os
import subprocess
import sys

from tests.trading.opendata.conformance import errors, project_rules


def _trading(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "trading", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_demo_center_exports_conforming_packages(tmp_path):
    env = {**os.environ, "TRADING_DATA_DIR": str(tmp_path), "TRADING_CLOCK_AT": "2026-03-20T10:00:00+08:00"}
    env.pop("TRADING_DATABASE_URL", None)
    env["TRADING_OCID_PREFIX"] = "ocds-abc123"
    assert _trading(env, "demo").returncode == 0
    for kind in ("records", "releases"):
        out = tmp_path / f"{kind}.json"
        done = _trading(env, "opendata", "export", "--kind", kind, "--out", str(out))
        assert done.returncode == 0, done.stderr[-2000:]
        assert "sections" in done.stderr and "exported" in done.stderr
        package = json.loads(out.read_text(encoding="utf-8"))
        assert package[kind], "the demo publishes announcements"
        assert errors(package, kind.removesuffix("s")) == []
        assert project_rules(package, "ocds-abc123") == []
