"""`trading backup create` / `restore` (issue 23, point 5): the operator backs up a running center,
restores it onto an empty machine, both verifies pass and the server answers with the same data,
stored files included. PostgreSQL needs pg_dump/pg_restore in PATH (the test says so otherwise)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from tests.bidding.helpers import accepted_bidder, open_section, small_pdf
from tests.bidding.kit import pay_deposit
from tests.conftest import create_database, drop_database
from trading.app import create_app
from trading.settings import Settings


def cli_env(settings: Settings, clock) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADING_")}
    env |= {
        "TRADING_DATA_DIR": str(settings.data_dir),
        "TRADING_SECRET_KEY": settings.resolved_secret_key(),
        "TRADING_MIGRATE_ON_START": "false",
        "TRADING_EVENT_DISPATCH_SECONDS": "0",
        "TRADING_CLOCK_AT": clock.now().isoformat(),
    }
    if settings.database_url:
        env |= {
            "TRADING_DATABASE_URL": settings.database_url,
            "TRADING_REDIS_URL": settings.redis_url or "",
            "TRADING_REDIS_NAMESPACE": settings.redis_namespace,
            "TRADING_BANK_FEED_SECRET": settings.resolved_bank_feed_secret(),
        }
    return env


def trading(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trading", *args], env=env, capture_output=True, text=True, timeout=300
    )


async def what_the_center_shows(client, people, section_id: str) -> dict:  # type: ignore[no-untyped-def]
    [registration] = (
        await client.get(f"/api/bidding/sections/{section_id}/registrations", headers=people.headers("clerk"))
    ).json()
    [document] = registration["documents"]
    download = await client.get(
        f"/api/bidding/registrations/{registration['id']}/documents/{document['id']}",
        headers=people.headers("bidder_a"),
    )
    assert download.status_code == 200, download.text
    return {
        "announcements": (await client.get("/api/public/announcements/")).json(),
        "registration": registration,
        "licence": download.content,
    }


async def test_a_backup_restored_onto_an_empty_machine_verifies_and_serves_the_same_data(
    client, people, settings, clock, backend, tmp_path_factory
):
    if backend == "distributed" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not in PATH: the PostgreSQL backup cannot run here")
    section_id = await open_section(client, people)
    registration = await accepted_bidder(client, people, section_id)
    await pay_deposit(client, people, settings, clock, "bidder_a", registration)
    before = await what_the_center_shows(client, people, section_id)
    assert before["licence"] == small_pdf()

    elsewhere = tmp_path_factory.mktemp("elsewhere")
    archive = elsewhere / "backups" / "center.tar"
    made = trading(cli_env(settings, clock), "backup", "create", str(archive))
    assert made.returncode == 0, made.stderr[-2000:]
    assert "backup written" in made.stdout

    target = settings.model_copy(update={"data_dir": elsewhere / "restored"})
    database = None
    if backend == "distributed":
        database = f"trading_restore_{uuid.uuid4().hex[:12]}"
        target = target.model_copy(update={"database_url": await create_database(database)})
    try:
        env = cli_env(target, clock)
        restored = trading(env, "backup", "restore", str(archive))
        assert restored.returncode == 0, restored.stderr[-2000:]
        again = trading(env, "backup", "restore", str(archive))
        assert again.returncode != 0 and "restore only onto an empty" in again.stderr
        audit = trading(env, "audit", "verify")
        assert audit.returncode == 0, audit.stderr[-2000:]
        assert "audit chain intact" in audit.stdout
        funds = trading(env, "funds", "verify")
        assert funds.returncode == 0, funds.stderr[-2000:]
        assert "ledger intact" in funds.stdout

        async with AsyncTestClient(app=create_app(target, clock=clock)) as restored_client:
            after = await what_the_center_shows(restored_client, people, section_id)
        assert after == before
    finally:
        if database:
            await drop_database(database)


def test_a_damaged_archive_is_refused_before_anything_is_written(tmp_path):
    from trading import backup

    archive = tmp_path / "bad.tar"
    member = tmp_path / "database.sqlite3"
    member.write_bytes(b"not the snapshot the manifest names")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        '{"format": "trading-backup/1", "backend": "sqlite", "created_at": "2026-03-02T01:00:00+00:00",'
        ' "members": {"database.sqlite3": "' + "0" * 64 + '"}}'
    )
    with tarfile.open(archive, "w") as tar:
        tar.add(member, arcname="database.sqlite3")
        tar.add(manifest, arcname="manifest.json")
    target = Settings(data_dir=tmp_path / "empty", secret_key="x" * 40)
    with pytest.raises(backup.BackupError, match="does not match its digest"):
        backup.restore(target, archive)
    assert not (Path(target.data_dir) / "trading.db").exists()
