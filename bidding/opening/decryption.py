"""Decrypting the bids of an opening, off the event loop and on every core (issue 23, point 3).

Measured here: the heavy parts of unsealing (HPKE unwrap, ECDSA verification, the stream cipher)
barely run side by side in threads, so `cryptography` holds the GIL for them; a pool of processes
uses every core. A handful of bids is decrypted in threads (no process start-up to wait for);
from `PROCESS_FROM` bids on, in a process pool made for the opening and closed after it. The
worker imports only the sealing library, not the app. Each bid's plaintext goes to a temp file in
the store; the caller keeps or removes it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import anyio

from bidding.sealing.manifest import Manifest
from bidding.sealing.package import PackageError, UnsealError, read_package, recover_content_key, unseal

# From this many bids on, a process pool (its start takes about a second on a busy machine).
PROCESS_FROM = 64
# Bids per task sent to a process: fewer round trips, still an even spread over the workers.
CHUNK = 16

Work = tuple[uuid.UUID, Manifest, Path]


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
    manifest: Manifest,
    shares: dict[int, bytes],
    bidder_key: bytes | None,
    store_root: Path,
) -> tuple[Outcome, Path | None]:
    """Recover one bid's key and unseal it; the plaintext goes to a temp file."""
    key, source = bidder_key, "bidder"
    if key is None:
        try:
            key, source = recover_content_key(manifest, shares), "shares"
        except UnsealError as error:
            return Outcome(bid_id, "rejected", anomalies=[error.as_dict()]), None
    try:
        opened = read_package(package_path)
    except (PackageError, OSError) as exc:
        error = UnsealError(
            "bid.package_unreadable",
            "存储的投标文件无法读取",
            f"the stored package cannot be read ({type(exc).__name__})",
            cause="platform",
        )
        return Outcome(bid_id, "rejected", key_source=source, anomalies=[error.as_dict()]), None
    if opened.manifest != manifest:
        error = UnsealError(
            "bid.package_changed",
            "存储的投标文件与递交时不符",
            "the stored package differs from the one received",
            cause="platform",
        )
        return Outcome(bid_id, "rejected", key_source=source, anomalies=[error.as_dict()]), None
    store_root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=store_root, prefix=".plain-", delete=False) as sink:
        temp = Path(sink.name)
        try:
            unsealed = unseal(opened, key, sink)
        except UnsealError as error:
            sink.close()
            temp.unlink(missing_ok=True)
            return Outcome(bid_id, "rejected", key_source=source, anomalies=[error.as_dict()]), None
    statement = unsealed.statement
    outcome = Outcome(
        bid_id,
        "valid",
        key_source=source,
        bid_data=statement.bid_data.model_dump(mode="json"),
        file=statement.file.model_dump(mode="json"),
        plaintext_sha256=unsealed.plaintext_sha256,
    )
    return outcome, temp


Task = tuple[uuid.UUID, Path, Manifest, dict[int, bytes], bytes | None, Path]


def decrypt_chunk(tasks: Sequence[Task]) -> list[tuple[Outcome, Path | None]]:
    """A process's share of the work (module-level, so a spawned worker can import it)."""
    return [decrypt_one(*task) for task in tasks]


async def decrypt_all(
    work: Sequence[Work],
    releases: dict[uuid.UUID, dict[int, bytes]],
    bidder_keys: dict[uuid.UUID, bytes],
    store_root: Path,
    *,
    processes: bool | None = None,
) -> dict[uuid.UUID, tuple[Outcome, Path | None]]:
    """Decrypt every bid of `work`; `processes` forces the pool on or off (default: by count)."""
    tasks: list[Task] = [
        (bid_id, path, manifest, releases.get(bid_id, {}), bidder_keys.get(bid_id), store_root)
        for bid_id, manifest, path in work
    ]
    use_processes = len(tasks) >= PROCESS_FROM if processes is None else processes
    if use_processes and tasks:
        results = await _in_processes(tasks)
    else:
        results = await _in_threads(tasks)
    return {outcome.bid_id: (outcome, plain) for outcome, plain in results}


async def _in_threads(tasks: list[Task]) -> list[tuple[Outcome, Path | None]]:
    limiter = anyio.CapacityLimiter(workers())
    results: list[tuple[Outcome, Path | None]] = []

    async def one(task: Task) -> None:
        results.append(await anyio.to_thread.run_sync(decrypt_one, *task, limiter=limiter))

    async with anyio.create_task_group() as group:
        for task in tasks:
            group.start_soon(one, task)
    return results


async def _in_processes(tasks: list[Task]) -> list[tuple[Outcome, Path | None]]:
    loop = asyncio.get_running_loop()
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    # Spawned, not forked: a fork of a running server would copy its threads' locks and sockets.
    with ProcessPoolExecutor(max_workers=workers(), mp_context=get_context("spawn")) as pool:
        done = await asyncio.gather(*(loop.run_in_executor(pool, decrypt_chunk, chunk) for chunk in chunks))
    return [result for chunk in done for result in chunk]
