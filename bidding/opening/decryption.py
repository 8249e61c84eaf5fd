"""Decrypting the bids of an opening off the event loop, one thread per core (issue 23, point 3).

Measured on this machine (2 cores, load average 14, 200 bids of 64 KiB): one thread 1.7-2.1 s,
threads 1.9 s, a spawned process pool 11-12 s (each worker starts an interpreter and imports the
sealing library; manifests are pickled there and back). So no process pool: threads keep the
event loop free, and wherever `cryptography` releases the GIL they overlap. Each thread takes its
share of the bids in one call, and keeps each plaintext in the store under its digest itself.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from bidding.sealing.documents import canonical, sha256_hex
from bidding.sealing.package import (
    PackageError,
    UnsealError,
    manifest_from_json,
    read_package,
    recover_content_key,
    unseal,
)
from trading.storage import BlobStore

Work = tuple[uuid.UUID, dict[str, Any], Path]


@dataclass
class Outcome:
    bid_id: uuid.UUID
    status: str  # valid | rejected | pending
    key_source: str | None = None
    bid_data: dict[str, Any] | None = None
    file: dict[str, Any] | None = None
    plaintext_sha256: str | None = None
    anomalies: list[dict[str, str]] = field(default_factory=list)


def workers() -> int:
    """One worker per core: the work is CPU-bound."""
    return max(1, os.cpu_count() or 1)


def decrypt_one(
    bid_id: uuid.UUID,
    package_path: Path,
    stored_manifest: dict[str, Any],
    shares: dict[int, bytes],
    bidder_key: bytes | None,
    store: BlobStore,
) -> Outcome:
    """Recover one bid's key and unseal it; the plaintext is kept in the store under its digest.

    The stored manifest is the one received when its canonical bytes hash to the digest of the
    package's signed manifest: one SHA-256 here instead of validating the stored copy with pydantic
    (issue 23). A package that does not read or whose manifest differs is refused as before; the
    key check comes first, so a bid without its shares is still reported as such."""
    try:
        opened = read_package(package_path)
    except (PackageError, OSError) as exc:
        opened, failure = (
            None,
            UnsealError(
                "bid.package_unreadable",
                "存储的投标文件无法读取",
                f"the stored package cannot be read ({type(exc).__name__})",
                cause="platform",
            ),
        )
    else:
        failure = None
        if sha256_hex(canonical(stored_manifest)) != opened.manifest_sha256:
            failure = UnsealError(
                "bid.package_changed",
                "存储的投标文件与递交时不符",
                "the stored package differs from the one received",
                cause="platform",
            )
    key, source = bidder_key, "bidder"
    if key is None:
        manifest = (
            opened.manifest if opened is not None and failure is None else manifest_from_json(stored_manifest)
        )
        try:
            key, source = recover_content_key(manifest, shares), "shares"
        except UnsealError as error:
            return Outcome(bid_id, "rejected", anomalies=[error.as_dict()])
    if failure is not None:
        return Outcome(bid_id, "rejected", key_source=source, anomalies=[failure.as_dict()])
    store.root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=store.root, prefix=".plain-", delete=False) as sink:
        temp = Path(sink.name)
        try:
            unsealed = unseal(opened, key, sink)
        except UnsealError as error:
            sink.close()
            temp.unlink(missing_ok=True)
            return Outcome(bid_id, "rejected", key_source=source, anomalies=[error.as_dict()])
    _keep_plain(store.path_of(unsealed.plaintext_sha256), temp)
    statement = unsealed.statement
    return Outcome(
        bid_id,
        "valid",
        key_source=source,
        bid_data=statement.bid_data.model_dump(mode="json"),
        file=statement.file.model_dump(mode="json"),
        plaintext_sha256=unsealed.plaintext_sha256,
    )


def _keep_plain(target: Path, temp: Path) -> None:
    if target.exists():
        temp.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temp.replace(target)


async def decrypt_all(
    work: Sequence[Work],
    releases: dict[uuid.UUID, dict[int, bytes]],
    bidder_keys: dict[uuid.UUID, bytes],
    store: BlobStore,
) -> dict[uuid.UUID, Outcome]:
    """Decrypt every bid of `work` on `workers()` threads, each taking its share of the bids in
    one call: a thread hand-off per bid kept the event loop busier than the decryption (issue 23)."""

    def run(chunk: Sequence[Work]) -> list[Outcome]:
        return [
            decrypt_one(bid_id, path, manifest, releases.get(bid_id, {}), bidder_keys.get(bid_id), store)
            for bid_id, manifest, path in chunk
        ]

    results: dict[uuid.UUID, Outcome] = {}

    async def one(chunk: Sequence[Work]) -> None:
        results.update((outcome.bid_id, outcome) for outcome in await anyio.to_thread.run_sync(run, chunk))

    count = workers()
    async with anyio.create_task_group() as group:
        for i in range(count):
            group.start_soon(one, work[i::count])
    return results
