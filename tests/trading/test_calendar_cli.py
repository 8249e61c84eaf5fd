"""`trading calendar load`: an operator loads next year's notice and is told which sections it
affects; the CLI's clock is set, so the test does not depend on the day it runs."""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys

from trading.calendar.provisional import BRIDGE_SUFFIX, provisional_schedule
from trading.calendar.service import STATUTORY_HOLIDAYS

FAR = 2040
ZONE = dt.timezone(dt.timedelta(hours=8))


def _trading(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trading", *args], env=env, capture_output=True, text=True, timeout=180
    )


def test_loading_a_notice_from_the_cli_names_the_sections_it_affects(tmp_path):
    env = {**os.environ, "TRADING_DATA_DIR": str(tmp_path), "TRADING_CLOCK_AT": f"{FAR}-01-09T10:00:00+08:00"}
    env.pop("TRADING_DATABASE_URL", None)
    assert _trading(env, "demo").returncode == 0
    with sqlite3.connect(tmp_path / "trading.db") as conn:
        code, deadline = conn.execute(
            "SELECT code, bid_deadline FROM section WHERE code LIKE 'GC-%' ORDER BY code LIMIT 1"
        ).fetchone()
    deadline_day = dt.datetime.fromisoformat(deadline).replace(tzinfo=dt.UTC).astimezone(ZONE).date()

    holidays = [
        {"date": day.isoformat(), "name": name.removesuffix(BRIDGE_SUFFIX)}
        for day, name in provisional_schedule(FAR).holidays
        if name.removesuffix(BRIDGE_SUFFIX) in STATUTORY_HOLIDAYS
    ]
    # The notice (for this test) makes the construction bid deadline a day off.
    holidays.append({"date": deadline_day.isoformat(), "name": "元旦"})
    notice = tmp_path / "notice.json"
    notice.write_text(
        json.dumps({"year": FAR, "notice": "测试通知", "holidays": holidays, "workdays": []}),
        encoding="utf-8",
    )
    loaded = _trading(env, "calendar", "load", str(notice))
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert f"calendar {FAR} loaded" in loaded.stdout
    assert code in loaded.stdout and "法定节假日" in loaded.stdout
