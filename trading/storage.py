"""Content-addressed file storage for uploads (qualification documents, sealed bids).

A file is streamed to a temporary file while its SHA-256 is computed, never held whole in
memory, then moved to `blobs/<2>/<2>/<sha256>` under the data directory. The same content is
stored once. With several instances, `data_dir` must be shared storage (see docs/deployment.md).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio

from trading.errors import DomainError

CHUNK = 1 << 20


class UploadTooLarge(DomainError):
    status = 413


class StorageUnavailable(DomainError):
    status = 503


PARTIAL_PREFIX = ".upload-"


def unavailable(exc: OSError) -> StorageUnavailable:
    reason = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return StorageUnavailable(
        "storage.unavailable",
        "文件存储暂不可用（空间已满或只读），请稍后再试",
        "the file store is unavailable (full or read-only); try again later",
        details={"reason": reason},
    )


@dataclass(frozen=True)
class StoredBlob:
    digest: str  # SHA-256, hex
    size: int
    path: Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / digest[:2] / digest[2:4] / digest

    async def put_stream(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> StoredBlob:
        """Store a stream; refuse (and keep nothing of) one longer than `max_bytes`. A store that is
        full, read-only or gone answers 503 `storage.unavailable`."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=PARTIAL_PREFIX)
        except OSError as exc:
            raise unavailable(exc) from exc
        try:
            return await self._fill(Path(temp_name), fd, chunks, max_bytes)
        except OSError as exc:
            raise unavailable(exc) from exc

    async def _fill(self, temp: Path, fd: int, chunks: AsyncIterator[bytes], max_bytes: int) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0
        try:
            async with await anyio.open_file(fd, "wb", closefd=True) as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadTooLarge(
                            "upload.too_large",
                            f"文件超过大小上限{max_bytes // (1 << 20)}MB",
                            f"the file is larger than the {max_bytes // (1 << 20)} MB limit",
                            details={"max_bytes": max_bytes},
                        )
                    digest.update(chunk)
                    await out.write(chunk)
            target = self.path_of(digest.hexdigest())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
            return StoredBlob(digest.hexdigest(), size, target)
        finally:
            temp.unlink(missing_ok=True)  # noqa: ASYNC240 - one local unlink, not worth a thread hop

    async def put_bytes(self, data: bytes) -> StoredBlob:
        async def one() -> AsyncIterator[bytes]:
            yield data

        return await self.put_stream(one(), max_bytes=len(data))

    async def read_stream(self, digest: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path_of(digest), "rb") as source:
            while chunk := await source.read(CHUNK):
                yield chunk

    def exists(self, digest: str) -> bool:
        return self.path_of(digest).exists()


def remove_partial_uploads(data_dir: Path, *, older_than_seconds: float) -> int:
    """Remove what uploads cut by a crash left behind: temporary blob files and staging folders
    untouched for `older_than_seconds` (an upload in progress writes to its file all the time, so
    other instances' uploads on shared storage are left alone). File times are wall-clock times."""
    cutoff = time.time() - older_than_seconds
    candidates = [*(data_dir / "blobs").glob(f"{PARTIAL_PREFIX}*"), *(data_dir / "incoming").glob("*")]
    removed = 0
    for path in candidates:
        try:
            if path.stat().st_mtime >= cutoff:
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed
