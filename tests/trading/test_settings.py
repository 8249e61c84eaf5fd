"""Settings from TRADING_* variables, refused at start-up with a message naming the variable."""

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from trading.settings import Settings


def test_no_settings_means_the_embedded_default(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url().startswith("sqlite+aiosqlite:///")
    assert settings.should_migrate_on_start()
    assert settings.redis_url is None


def test_the_generated_secret_is_kept_across_restarts(tmp_path):
    first = Settings(data_dir=tmp_path).resolved_secret_key()
    assert Settings(data_dir=tmp_path).resolved_secret_key() == first
    assert len(first) >= 32


def test_values_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRADING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRADING_TOKEN_HOURS", "2")
    assert Settings().token_hours == 2


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TRADING_TIME_ZONE", "Asia/Shangai", "not a known IANA time zone"),
        ("TRADING_DATABASE_URL", "mysql://x", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://"),
        ("TRADING_REDIS_URL", "http://x", "must start with redis://"),
        ("TRADING_TOKEN_HOURS", "zero", "token_hours"),
    ],
)
def test_a_bad_value_is_refused_naming_it(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert message in str(caught.value)


def test_postgresql_needs_a_shared_secret(monkeypatch):
    monkeypatch.setenv("TRADING_DATABASE_URL", "postgresql+asyncpg://u@127.0.0.1/db")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert "TRADING_SECRET_KEY must be set" in str(caught.value)


def test_the_cli_stops_with_the_message_on_a_bad_value(tmp_path):
    env = {**os.environ, "TRADING_DATA_DIR": str(tmp_path), "TRADING_TIME_ZONE": "Mars/Olympus"}
    result = subprocess.run(
        [sys.executable, "-m", "trading", "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "TRADING_TIME_ZONE 'Mars/Olympus' is not a known IANA time zone" in result.stdout + result.stderr
