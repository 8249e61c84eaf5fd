"""The `trading` command as people meet it: its help describes the platform, every command shows an
example, and commands print their results without library log lines. Run with the clock set
(`TRADING_CLOCK_AT`) on a data directory of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from trading.cli import trading_group

ROOT = Path(__file__).resolve().parents[2]
CLOCK_AT = "2026-03-02T09:00:00+08:00"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "LITESTAR_APP": "trading.app:create_app",
        "TRADING_DATA_DIR": str(tmp_path / "var"),
        "TRADING_CLOCK_AT": CLOCK_AT,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(trading_group, list(args), terminal_width=200)


def every_command(group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()) -> list[tuple]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += every_command(command, ctx, (*path, name))
    return found


def test_the_help_describes_the_platform_and_its_commands_not_litestars_discovery(cli_env):
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    assert "公共资源交易平台" in result.output
    for command in ("db", "demo", "audit", "calendar", "user", "bid", "keyholder", "funds", "run", "schema"):
        assert f" {command} " in result.output
    for foreign in ("auto-discovered", "canonical paths", "--app-dir", "sessions", "version"):
        assert foreign not in result.output


def test_commands_that_do_not_apply_are_not_offered(cli_env):
    assert invoke("sessions", "--help").exit_code == 2
    assert invoke("schema", "typescript", "--help").exit_code == 2


def test_every_command_shows_an_example(cli_env):
    with trading_group.make_context("trading", ["--help"], resilient_parsing=True) as ctx:
        commands = every_command(trading_group, ctx)
    assert ("bid", "seal") in commands and ("db", "upgrade") in commands and ("run",) in commands
    missing = []
    for path in commands:
        result = invoke(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        examples = result.output.partition("Example:")[2]
        if f"trading {' '.join(path)}" not in examples:
            missing.append(" ".join(path))
    assert missing == []


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from trading.cli import main; main()", *args],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_commands_print_their_result_without_library_log_lines(cli_env, tmp_path):
    upgraded = run_cli("db", "upgrade", env=cli_env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.startswith("database at revision ")
    # Alembic announces every migration at INFO, the app its calendars: none of it reaches a person.
    assert upgraded.stderr == ""

    current = run_cli("db", "current", env=cli_env, cwd=tmp_path)
    assert current.returncode == 0 and current.stderr == ""
    assert current.stdout.splitlines()[0] == current.stdout.splitlines()[1].replace("head:   ", "current:")
