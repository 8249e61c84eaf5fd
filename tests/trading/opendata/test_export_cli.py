"""`trading opendata export` over the demo center: a conforming package, progress on stderr."""

import json
import os
import sqlite3
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


def test_the_national_data_sets_hold_public_data_only(tmp_path):
    env = {**os.environ, "TRADING_DATA_DIR": str(tmp_path), "TRADING_CLOCK_AT": "2026-03-20T10:00:00+08:00"}
    env.pop("TRADING_DATABASE_URL", None)
    assert _trading(env, "demo").returncode == 0
    done = _trading(env, "opendata", "national", "--out", str(tmp_path / "national"))
    assert done.returncode == 0, done.stderr[-2000:]
    data = {
        name: json.loads((tmp_path / "national" / f"{name}.json").read_text(encoding="utf-8"))
        for name in ("projects", "announcements", "openings", "results")
    }
    assert data["projects"] and data["announcements"]
    assert {"TENDER_PROJECT_CODE", "BID_SECTION_CODE", "TENDERER_NAME"} <= set(data["projects"][0])
    assert {"BULLETIN_NAME", "BULLETIN_ISSUE_TIME"} <= set(data["announcements"][0])
    with sqlite3.connect(tmp_path / "trading.db") as conn:
        secrets = [
            row
            for row in conn.execute(
                "SELECT uscc, contact_phone, basic_account_number FROM organisation"
            ).fetchall()
        ]
        reserves = [
            r[0]
            for r in conn.execute("SELECT reserve_price_fen FROM section WHERE reserve_price_fen IS NOT NULL")
        ]
    text = json.dumps(data, ensure_ascii=False)
    for row in secrets:
        assert not any(value and value in text for value in row)
    for fen in reserves:
        assert f"{fen // 100}." not in text
