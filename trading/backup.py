"""Backup and restore: the database and the stored files in one archive, consistent with each other.

The database is copied first (SQLite: the online backup API, a snapshot of the last commit taken
while the server keeps running; PostgreSQL: `pg_dump`, one snapshot transaction), and the files of
the data directory after it. Stored files are content-addressed and only ever added, so every
file a row of the snapshot names was written before the snapshot and is in the archive; files
added since are extra and harmless. The archive is a tar with a manifest that lists the SHA-256
of every member; `restore` checks them all before it writes anything, and only onto an empty data
directory (and, on PostgreSQL, an empty database).

The archive holds the platform's keys (secret.key, bank-feed.key, the document signer): keep it
as safely as the server itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from trading.settings import Settings
from trading.storage import PARTIAL_PREFIX

FORMAT = "trading-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
FILES = "files/"
DATABASE_FILE = "trading.db"
# Not data: the SQLite file and its journals (the snapshot stands for them), uploads in flight.
SKIPPED = {DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", f"{DATABASE_FILE}-journal"}
SKIPPED_DIRS = {"incoming"}


class BackupError(Exception):
    """Why a backup or a restore cannot go on; nothing was changed."""


@dataclass(frozen=True)
class Summary:
    backend: str
    files: int
    bytes: int
    archive: Path


def backend_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore, and the environment carrying the password (never on
    the command line, where `ps` would show it)."""
    url = make_url(database_url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not in PATH: install the PostgreSQL client tools (Debian: postgresql-client) "
            "of the server's major version, or back up with the server's own tools"
        )
    return found


def _pg(tool: str, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client tool on the database; the password travels in the environment."""
    url, env = _libpq(database_url)
    return subprocess.run(  # noqa: S603 - a fixed program, our arguments, no shell
        [_tool(tool), *args, url], env=env, capture_output=True, text=True
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _data_files(data_dir: Path) -> Iterator[Path]:
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if not path.is_file() or path.is_symlink():
            continue
        if relative.parts[0] in SKIPPED_DIRS or (len(relative.parts) == 1 and relative.name in SKIPPED):
            continue
        if path.name.startswith(PARTIAL_PREFIX):
            continue
        yield path


def _holds_data(data_dir: Path) -> bool:
    """A database file or a stored file makes a data directory not empty. The keys the app makes
    when it first starts (secret.key, the document signer) do not: the archive's replace them."""
    if not data_dir.exists():
        return False
    blobs = data_dir / "blobs"
    return (data_dir / DATABASE_FILE).exists() or (blobs.exists() and any(blobs.iterdir()))


def _snapshot_sqlite(database_path: Path, out: Path) -> None:
    if not database_path.exists():
        raise BackupError(f"no database at {database_path}")
    source = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(out)
    try:
        # The online backup API copies one consistent snapshot while writers keep working.
        source.backup(target)
    finally:
        target.close()
        source.close()


def _dump_postgres(database_url: str, out: Path) -> None:
    done = _pg("pg_dump", database_url, "--format=custom", "--no-owner", "--no-privileges", f"--file={out}")
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")


def create(settings: Settings, archive: Path, *, at: dt.datetime) -> Summary:
    """Write one archive of the database and the stored files."""
    database_url = settings.resolved_database_url()
    backend = backend_of(database_url)
    data_dir = settings.data_dir
    if archive.resolve().is_relative_to(data_dir.resolve()):
        raise BackupError("write the archive outside the data directory (it would back itself up)")
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".backup-") as work:
        member = SQLITE_MEMBER if backend == "sqlite" else POSTGRES_MEMBER
        snapshot = Path(work) / member
        # The database first, then the files (see the module's docstring).
        if backend == "sqlite":
            _snapshot_sqlite(data_dir / DATABASE_FILE, snapshot)
        else:
            _dump_postgres(database_url, snapshot)
        files = list(_data_files(data_dir)) if data_dir.exists() else []
        size = sum(path.stat().st_size for path in files)
        digests = {member: _sha256(snapshot)}
        partial = archive.with_name(f".{archive.name}.partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(snapshot, arcname=member)
            for path in files:
                name = FILES + path.relative_to(data_dir).as_posix()
                digests[name] = _sha256(path)
                tar.add(path, arcname=name)
            manifest = json.dumps(
                {
                    "format": FORMAT,
                    "backend": backend,
                    "created_at": at.astimezone(dt.UTC).isoformat(),
                    "members": digests,
                },
                ensure_ascii=False,
                indent=1,
            ).encode("utf-8")
            manifest_path = Path(work) / MANIFEST
            manifest_path.write_bytes(manifest)
            tar.add(manifest_path, arcname=MANIFEST)
        os.replace(partial, archive)
    return Summary(backend, len(files), size, archive)


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("not a backup of this platform: the archive has no manifest")
    manifest = json.loads(member.read().decode("utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _postgres_is_empty(database_url: str) -> bool:
    done = _pg(
        "psql",
        database_url,
        "--no-psqlrc",
        "--tuples-only",
        "--no-align",
        "--command=SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
    )
    if done.returncode != 0:
        raise BackupError(f"cannot reach the target database: {done.stderr.strip()[-500:]}")
    return done.stdout.strip() == "0"


def restore(settings: Settings, archive: Path) -> Summary:
    """Restore an archive onto an empty data directory (and an empty PostgreSQL database)."""
    database_url = settings.resolved_database_url()
    backend = backend_of(database_url)
    data_dir = settings.data_dir
    if _holds_data(data_dir):
        raise BackupError(f"the data directory {data_dir} holds data: restore only onto an empty one")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # Staged beside the data directory, so the files are moved, not copied again.
    with tempfile.TemporaryDirectory(dir=data_dir.parent, prefix=".restore-") as work:
        with tarfile.open(archive, "r") as tar:
            manifest = _read_manifest(tar)
            if manifest["backend"] != backend:
                raise BackupError(
                    f"the archive holds a {manifest['backend']} database and the target is {backend}"
                )
            names = {m.name for m in tar.getmembers() if m.isfile()} - {MANIFEST}
            if names != set(manifest["members"]):
                raise BackupError("the archive's members differ from its manifest")
            # The "data" filter refuses absolute paths, links out of the tree and special files.
            tar.extractall(work, filter="data")
        staged = Path(work)
        for name, digest in manifest["members"].items():
            if _sha256(staged / name) != digest:
                raise BackupError(f"{name} does not match its digest in the manifest: the archive is damaged")
        if backend == "postgresql" and not _postgres_is_empty(database_url):
            raise BackupError("the target database is not empty: restore only into an empty database")
        data_dir.mkdir(parents=True, exist_ok=True)
        # The database first: should pg_restore fail, its single transaction leaves nothing behind
        # and no file has been moved yet.
        if backend == "sqlite":
            shutil.move(staged / SQLITE_MEMBER, data_dir / DATABASE_FILE)
        else:
            done = _pg(
                "pg_restore",
                database_url,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                str(staged / POSTGRES_MEMBER),
                "--dbname",
            )
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed: {done.stderr.strip()[-500:]}")
        files = [name for name in manifest["members"] if name.startswith(FILES)]
        for name in files:
            # Keys a fresh start made (secret.key, the document signer) give way to the archived ones.
            target = data_dir / name.removeprefix(FILES)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged / name, target)
    size = sum((data_dir / name.removeprefix(FILES)).stat().st_size for name in files)
    return Summary(backend, len(files), size, archive)
