"""Signed checkpoints of the platform's append-only logs, and the proofs they answer.

A *log* is an ordered, gapless sequence of leaves (the audit events; in `funds`, the journal
entries). Its checkpoint is an RFC 9162 signed tree head: log id, tree size, Merkle root, time,
and the platform's Ed25519 signature over a plain-text note. Whoever keeps a checkpoint can later
ask for

- an inclusion proof: leaf i is in the tree of size n with that root, and
- a consistency proof: the tree of size m is a prefix of the tree of size n,

and check both offline (trading/audit/offline.py), trusting nothing the platform says but its key.
A hash chain proves neither: its head is not signed, so a database owner can cut its tail or
rewrite it from any point and compute every later hash again.

Writing a checkpoint hashes only the leaves added since the previous one (the previous
checkpoint keeps the frontier), and stores the inner nodes from NODE_LEVEL up, so proofs read
O(log n) rows instead of re-hashing the log. Checkpoints are written under the log's append lock,
so the tree they sign is exactly the rows committed before them, and one per size at most.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit import merkle
from trading.audit.models import LogCheckpoint, LogNode
from trading.audit.offline import OfflineError, read_checkpoint
from trading.audit.offline import note as checkpoint_note
from trading.errors import DomainError

CHECKPOINT_FORMAT = "trading-checkpoint/1"
INCLUSION_FORMAT = "trading-inclusion/1"
CONSISTENCY_FORMAT = "trading-consistency/1"
NODE_LEVEL = 4  # inner nodes of 16 leaves and more are kept
BATCH = 5000
# How often the scheduled job writes a checkpoint of a log that has grown.
CHECKPOINT_EVERY = dt.timedelta(minutes=5)


class LogError(DomainError):
    status = 409


# --- the platform's log key ---------------------------------------------------------------------


class LogSigner:
    """The platform's Ed25519 log key. Derived from the platform's secret key (HKDF, its own
    label), so every instance holds the same key without storing it anywhere else."""

    def __init__(self, private_key: ed25519.Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.public_raw = self.public_key.public_bytes_raw()
        self.key_id = hashlib.sha256(self.public_raw).hexdigest()[:16]

    @classmethod
    def from_secret(cls, secret: str) -> LogSigner:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"trading/log-key/1", info=b"ed25519").derive(
            secret.encode()
        )
        return cls(ed25519.Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._key.sign(message)).decode("ascii")

    def signed(self, message: bytes, signature_b64: str) -> bool:
        try:
            self.public_key.verify(base64.b64decode(signature_b64), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@functools.cache
def _signer_for(secret: str) -> LogSigner:
    return LogSigner.from_secret(secret)


def log_signer(settings: Any) -> LogSigner:
    """The log key of the platform these settings describe (the composition root builds it once;
    packages that already hold the settings get the same key from here)."""
    return _signer_for(settings.resolved_secret_key())


def checkpoint_document(row: LogCheckpoint, signer: LogSigner) -> dict[str, Any]:
    """A checkpoint as exported: everything an offline verifier needs, the public key included
    (a supervisor pins the key from the first export and compares it afterwards)."""
    return {
        "format": CHECKPOINT_FORMAT,
        "log_id": row.log_id,
        "tree_size": row.tree_size,
        "root_hash": row.root_hash,
        "issued_at": row.issued_at.astimezone(dt.UTC).isoformat(),
        "key_id": row.key_id,
        "public_key": signer.public_b64,
        "signature": row.signature,
    }


# --- logs ---------------------------------------------------------------------------------------

LeafReader = Callable[[AsyncSession, int, int], Awaitable[list[bytes]]]


@dataclass(frozen=True)
class LogSource:
    """One append-only log: its id, the lock its appends take, and how to read leaves
    [start, end) (0-based; leaf i is the row numbered i + 1) and its size."""

    log_id: str
    lock: Callable[[AsyncSession], Awaitable[None]]
    leaves: LeafReader
    size: Callable[[AsyncSession], Awaitable[int]]
    # Replays the log's own chain while feeding the TreeCheck; the report has `rows`, `intact`,
    # `first_broken_seq`, `reason`, `checkpoints_checked`, `checkpoint_size`.
    verify: Callable[[AsyncSession, TreeCheck], Awaitable[Any]]


async def latest_checkpoint(session: AsyncSession, log_id: str) -> LogCheckpoint | None:
    return await session.scalar(
        select(LogCheckpoint)
        .where(LogCheckpoint.log_id == log_id)
        .order_by(LogCheckpoint.tree_size.desc())
        .limit(1)
    )


async def checkpoint_at(session: AsyncSession, log_id: str, tree_size: int) -> LogCheckpoint:
    row = await session.scalar(
        select(LogCheckpoint).where(LogCheckpoint.log_id == log_id, LogCheckpoint.tree_size == tree_size)
    )
    if row is None:
        raise no_checkpoint(log_id, tree_size)
    return row


def no_checkpoint(log_id: str, tree_size: int | None = None) -> DomainError:
    size_zh = f"大小为{tree_size}的" if tree_size is not None else ""
    size_en = f" of size {tree_size}" if tree_size is not None else ""
    return DomainError(
        "log.no_checkpoint",
        f"日志“{log_id}”没有{size_zh}检查点",
        f"log '{log_id}' has no checkpoint{size_en}",
        status=404,
    )


def _gap(log_id: str, start: int, expected: int, got: int) -> LogError:
    return LogError(
        "log.rows_missing",
        f"日志“{log_id}”自第{start + 1}条起缺少记录，不能签发检查点，请先运行校验",
        f"log '{log_id}' is missing rows from {start + 1} on ({got} of {expected}); "
        "no checkpoint is signed; run verify",
    )


async def write_checkpoint(
    session: AsyncSession, source: LogSource, signer: LogSigner, *, at: dt.datetime, reason: str
) -> LogCheckpoint:
    """Sign the log as it stands (in the caller's transaction). Hashes only the leaves written
    since the newest checkpoint; returns that one when nothing was written since."""
    await source.lock(session)
    latest = await latest_checkpoint(session, source.log_id)
    size = await source.size(session)
    if latest is not None and latest.tree_size == size:
        return latest
    if latest is not None and latest.tree_size > size:
        raise _gap(source.log_id, size, latest.tree_size, size)
    frontier = merkle.Frontier.from_json(latest.tree_size, latest.frontier) if latest else merkle.Frontier()
    nodes: list[dict[str, Any]] = []

    def keep(level: int, index: int, digest: bytes) -> None:
        if level >= NODE_LEVEL:
            nodes.append({"log_id": source.log_id, "level": level, "index": index, "hash": digest.hex()})

    for start in range(frontier.size, size, BATCH):
        end = min(start + BATCH, size)
        leaves = await source.leaves(session, start, end)
        if len(leaves) != end - start:
            raise _gap(source.log_id, start, end - start, len(leaves))
        for leaf in leaves:
            frontier.append(merkle.leaf_hash(leaf), keep)
    if nodes:
        await session.execute(insert(LogNode), nodes)
    root = frontier.root()
    at = at.astimezone(dt.UTC)
    row = LogCheckpoint(
        log_id=source.log_id,
        tree_size=size,
        root_hash=root.hex(),
        issued_at=at,
        key_id=signer.key_id,
        signature=signer.sign(checkpoint_note(source.log_id, size, root, at)),
        reason=reason,
        frontier=frontier.to_json(),
    )
    session.add(row)
    await session.flush()
    return row


async def checkpoint_if_due(
    session: AsyncSession,
    source: LogSource,
    signer: LogSigner,
    *,
    at: dt.datetime,
    every: dt.timedelta = CHECKPOINT_EVERY,
) -> LogCheckpoint | None:
    """The scheduled checkpoint: written when the log grew and the newest checkpoint is at least
    `every` old. Taken under the log's lock and decided on the stored rows, so any number of
    instances running this together write it once."""
    latest = await latest_checkpoint(session, source.log_id)
    if latest is not None and at - latest.issued_at < every:
        return None  # decided without the lock: the common case costs writers nothing
    await source.lock(session)
    latest = await latest_checkpoint(session, source.log_id)
    if latest is not None and at - latest.issued_at < every:
        return None
    if await source.size(session) == (latest.tree_size if latest else 0):
        return None
    return await write_checkpoint(session, source, signer, at=at, reason="schedule")


# --- proofs -------------------------------------------------------------------------------------


class _Subtrees:
    """MTH(D[start:end]) from the stored inner nodes, hashing at most 2^NODE_LEVEL leaves a range."""

    def __init__(self, session: AsyncSession, source: LogSource) -> None:
        self.session, self.source = session, source

    async def hash(self, start: int, end: int) -> bytes:
        n = end - start
        if n <= 1 << NODE_LEVEL:
            leaves = await self.source.leaves(self.session, start, end)
            if len(leaves) != n:
                raise _gap(self.source.log_id, start, n, len(leaves))
            return merkle.root_of([merkle.leaf_hash(leaf) for leaf in leaves])
        if n & (n - 1) == 0 and start % n == 0:
            stored = await self.session.scalar(
                select(LogNode.hash).where(
                    LogNode.log_id == self.source.log_id,
                    LogNode.level == n.bit_length() - 1,
                    LogNode.index == start // n,
                )
            )
            if stored is not None:
                return bytes.fromhex(stored)
        k = merkle.split_point(n)
        return merkle.node_hash(await self.hash(start, start + k), await self.hash(start + k, end))

    async def run(self, algorithm: Callable[[merkle.SubtreeHash], list[bytes]]) -> list[bytes]:
        """Run a proof algorithm: once to learn the ranges it needs, then with their hashes."""
        wanted: list[tuple[int, int]] = []
        algorithm(lambda start, end: wanted.append((start, end)) or b"")
        known = {r: await self.hash(*r) for r in wanted}
        return algorithm(lambda start, end: known[(start, end)])


async def inclusion_proof(
    session: AsyncSession, source: LogSource, signer: LogSigner, *, index: int, tree_size: int
) -> dict[str, Any]:
    """Leaf `index` (0-based) in the checkpoint of `tree_size`, with the leaf itself."""
    checkpoint = await checkpoint_at(session, source.log_id, tree_size)
    if not 0 <= index < tree_size:
        raise DomainError(
            "log.leaf_out_of_range",
            f"第{index + 1}条不在大小为{tree_size}的树中",
            f"leaf {index} is not in the tree of size {tree_size}",
            status=422,
        )
    path = await _Subtrees(session, source).run(lambda mth: merkle.inclusion_path(index, tree_size, mth))
    leaf = (await source.leaves(session, index, index + 1))[0]
    return {
        "format": INCLUSION_FORMAT,
        "log_id": source.log_id,
        "leaf_index": index,
        "leaf": leaf.decode("utf-8"),
        "path": [p.hex() for p in path],
        "checkpoint": checkpoint_document(checkpoint, signer),
    }


async def consistency_proof(
    session: AsyncSession, source: LogSource, signer: LogSigner, *, first: int, second: int
) -> dict[str, Any]:
    """The proof that the checkpoint of size `first` is a prefix of the one of size `second`."""
    old = await checkpoint_at(session, source.log_id, first)
    new = await checkpoint_at(session, source.log_id, second)
    if first > second:
        raise DomainError(
            "log.sizes_reversed",
            "第一个检查点须不大于第二个",
            "the first checkpoint must not be larger than the second",
            status=422,
        )
    path = await _Subtrees(session, source).run(lambda mth: merkle.consistency_path(first, second, mth))
    return {
        "format": CONSISTENCY_FORMAT,
        "log_id": source.log_id,
        "first": checkpoint_document(old, signer),
        "second": checkpoint_document(new, signer),
        "path": [p.hex() for p in path],
    }


# --- verifying the database against checkpoints -------------------------------------------------


@dataclass(frozen=True)
class Head:
    """A checkpoint to hold the database to: from the database itself, or handed in (a file)."""

    tree_size: int
    root_hash: str
    issued_at: dt.datetime
    source: str  # "stored" | "given"


@dataclass
class TreeCheck:
    """Fed the leaves of a log in order while its own chain is replayed; compares the root at the
    size of every checkpoint. The first mismatch is kept: (first row that may be wrong, reason)."""

    heads: list[Head]
    frontier: merkle.Frontier = field(default_factory=merkle.Frontier)
    failure: tuple[int, str] | None = None
    checked: int = 0
    _next: int = 0
    _last_good: int = 0

    def __post_init__(self) -> None:
        self.heads = sorted(self.heads, key=lambda h: h.tree_size)

    def add(self, leaf: bytes) -> tuple[int, str] | None:
        self.frontier.append(merkle.leaf_hash(leaf))
        while self._next < len(self.heads) and self.heads[self._next].tree_size == self.frontier.size:
            head = self.heads[self._next]
            self._next += 1
            if self.failure is None and self.frontier.root().hex() != head.root_hash:
                self.failure = (
                    self._last_good + 1,
                    f"rows {self._last_good + 1}..{head.tree_size} do not give the root of the "
                    f"{head.source} checkpoint of {head.issued_at.isoformat()} (size {head.tree_size}): "
                    "one of them was changed, removed or reordered",
                )
            elif self.failure is None:
                self.checked += 1
                self._last_good = head.tree_size
        return self.failure

    def finish(self) -> tuple[int, str] | None:
        """After the last row: a checkpoint larger than the log means its tail was removed."""
        missing = [h for h in self.heads[self._next :] if h.tree_size > self.frontier.size]
        if self.failure is None and missing:
            head = missing[-1]
            self.failure = (
                self.frontier.size + 1,
                f"the log holds {self.frontier.size} rows but the {head.source} checkpoint of "
                f"{head.issued_at.isoformat()} signed {head.tree_size}: rows "
                f"{self.frontier.size + 1}..{head.tree_size} were removed",
            )
        return self.failure

    @property
    def newest(self) -> Head | None:
        return self.heads[-1] if self.heads else None


def checkpoint_invalid(reason: str) -> DomainError:
    return DomainError(
        "log.checkpoint_invalid",
        f"检查点无效：{reason}",
        f"the checkpoint is not valid: {reason}",
        status=422,
    )


def given_head(document: Any, log_id: str, signer: LogSigner) -> Head:
    """A checkpoint file handed in, accepted only when this platform's log key signed it."""
    try:
        checkpoint = read_checkpoint(document, trusted_key=signer.public_b64)
    except OfflineError as exc:
        raise checkpoint_invalid(str(exc)) from exc
    if checkpoint.log_id != log_id:
        raise checkpoint_invalid(f"it is a checkpoint of log '{checkpoint.log_id}', not '{log_id}'")
    return Head(checkpoint.tree_size, checkpoint.root_hash, checkpoint.issued_at, "given")


async def tree_check(
    session: AsyncSession, log_id: str, signer: LogSigner, given: Sequence[Head] = ()
) -> TreeCheck:
    """Every stored checkpoint of the log (each must carry the platform's signature) plus the
    given ones."""
    rows = (await session.scalars(select(LogCheckpoint).where(LogCheckpoint.log_id == log_id))).all()
    unsigned = [row for row in rows if not _signed_row(row, signer)]
    failure = (
        (
            unsigned[0].tree_size,
            f"the stored checkpoint of size {unsigned[0].tree_size} does not carry the platform's signature",
        )
        if unsigned
        else None
    )
    heads = [*given, *(Head(row.tree_size, row.root_hash, row.issued_at, "stored") for row in rows)]
    return TreeCheck(heads=heads, failure=failure)


def _signed_row(row: LogCheckpoint, signer: LogSigner) -> bool:
    try:
        root = bytes.fromhex(row.root_hash)
    except ValueError:
        return False
    return signer.signed(checkpoint_note(row.log_id, row.tree_size, root, row.issued_at), row.signature)


async def verify_log(
    session: AsyncSession, source: LogSource, signer: LogSigner, given: Sequence[Any] = ()
) -> Any:
    """Replay the log against every stored checkpoint and every given checkpoint document."""
    heads = [given_head(document, source.log_id, signer) for document in given]
    return await source.verify(session, await tree_check(session, source.log_id, signer, heads))


def unknown_log(log_id: str) -> DomainError:
    return DomainError("log.unknown", f"没有名为“{log_id}”的日志", f"there is no log '{log_id}'", status=404)


async def checkpoint_due_logs(
    sessionmaker: Callable[[], Any], *, sources: Sequence[LogSource], signer: LogSigner, at: dt.datetime
) -> list[LogCheckpoint]:
    """The scheduled job, one transaction per log: what it signed (nothing when nothing is due)."""
    written = []
    for source in sources:
        async with sessionmaker() as session:
            row = await checkpoint_if_due(session, source, signer, at=at)
            await session.commit()
        if row is not None:
            written.append(row)
    return written
