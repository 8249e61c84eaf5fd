"""Checking exported checkpoints and proofs offline: no database, no server, no settings.

    python -m trading.audit.offline checkpoint.json --public-key <base64>
    python -m trading.audit.offline inclusion.json --public-key <base64>
    python -m trading.audit.offline consistency.json --public-key <base64>

Needs only this file, trading/audit/merkle.py and the `cryptography` package. The public key is the
platform's log key (`public_key` in any checkpoint): pin it once, from a source you trust, and pass
it every time; without it a file is checked against the key it carries, which proves nothing about
who made it.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import hashlib
import json
import sys
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from trading.audit import merkle

CHECKPOINT_FORMAT = "trading-checkpoint/1"


class OfflineError(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    log_id: str
    tree_size: int
    root_hash: str
    issued_at: dt.datetime
    key_id: str

    @property
    def root(self) -> bytes:
        return bytes.fromhex(self.root_hash)


def canonical_json(value: Any) -> str:
    """The one text form of a JSON value that the audit log's digests are taken over."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def note(log_id: str, tree_size: int, root: bytes, issued_at: dt.datetime) -> bytes:
    """The signed text (kept equal to trading.audit.checkpoints.checkpoint_note)."""
    stamp = issued_at.astimezone(dt.UTC).isoformat()
    return f"trading-platform/{log_id}\n{tree_size}\n{base64.b64encode(root).decode()}\n{stamp}\n".encode()


def _b64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise OfflineError(f"{what} is not base64") from exc


def _hex32(text: Any, what: str) -> bytes:
    try:
        value = bytes.fromhex(str(text))
    except ValueError as exc:
        raise OfflineError(f"{what} is not hex") from exc
    if len(value) != 32:
        raise OfflineError(f"{what} is not a SHA-256 hash")
    return value


def read_checkpoint(document: Any, *, trusted_key: str | None = None) -> Checkpoint:
    """The checkpoint when its signature holds (under `trusted_key` when given)."""
    if not isinstance(document, dict) or document.get("format") != CHECKPOINT_FORMAT:
        raise OfflineError("not a checkpoint (format trading-checkpoint/1)")
    try:
        checkpoint = Checkpoint(
            log_id=str(document["log_id"]),
            tree_size=int(document["tree_size"]),
            root_hash=_hex32(document["root_hash"], "root_hash").hex(),
            issued_at=dt.datetime.fromisoformat(str(document["issued_at"])),
            key_id=str(document["key_id"]),
        )
        public = str(document["public_key"])
        signature = _b64(document["signature"], "signature")
    except (KeyError, TypeError, ValueError) as exc:
        raise OfflineError(f"the checkpoint is incomplete or malformed ({exc})") from exc
    if trusted_key is not None and public != trusted_key:
        raise OfflineError("the checkpoint was signed with another key than the platform's")
    raw = _b64(public, "public_key")
    if hashlib.sha256(raw).hexdigest()[:16] != checkpoint.key_id:
        raise OfflineError("the key id does not match the public key")
    try:
        key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        key.verify(
            signature, note(checkpoint.log_id, checkpoint.tree_size, checkpoint.root, checkpoint.issued_at)
        )
    except (InvalidSignature, ValueError) as exc:
        raise OfflineError("the checkpoint's signature does not hold") from exc
    return checkpoint


def _path(document: dict[str, Any]) -> list[bytes]:
    path = document.get("path")
    if not isinstance(path, list):
        raise OfflineError("the proof has no path")
    return [_hex32(p, "a path hash") for p in path]


def check_inclusion(document: Any, *, trusted_key: str | None = None) -> tuple[Checkpoint, int, bytes]:
    """(checkpoint, leaf index, leaf bytes) when the leaf is in the signed tree."""
    if not isinstance(document, dict) or document.get("format") != "trading-inclusion/1":
        raise OfflineError("not an inclusion proof (format trading-inclusion/1)")
    checkpoint = read_checkpoint(document.get("checkpoint"), trusted_key=trusted_key)
    leaf = str(document.get("leaf", "")).encode("utf-8")
    index = document.get("leaf_index")
    if not isinstance(index, int):
        raise OfflineError("the proof names no leaf index")
    if not merkle.verify_inclusion(
        merkle.leaf_hash(leaf), index, checkpoint.tree_size, _path(document), checkpoint.root
    ):
        raise OfflineError(f"leaf {index} is NOT in the tree of size {checkpoint.tree_size}")
    return checkpoint, index, leaf


def check_consistency(document: Any, *, trusted_key: str | None = None) -> tuple[Checkpoint, Checkpoint]:
    """(first, second) when the first signed tree is a prefix of the second."""
    if not isinstance(document, dict) or document.get("format") != "trading-consistency/1":
        raise OfflineError("not a consistency proof (format trading-consistency/1)")
    first = read_checkpoint(document.get("first"), trusted_key=trusted_key)
    second = read_checkpoint(document.get("second"), trusted_key=trusted_key)
    if first.log_id != second.log_id:
        raise OfflineError("the two checkpoints are of different logs")
    if not merkle.verify_consistency(
        first.tree_size, second.tree_size, first.root, second.root, _path(document)
    ):
        raise OfflineError(
            f"the tree of size {second.tree_size} does NOT extend the tree of size {first.tree_size}"
        )
    return first, second


def check_logged_event(document: Any, *, trusted_key: str | None = None) -> tuple[Checkpoint, dict[str, Any]]:
    """An inclusion proof of an audit event that also carries the event's data (`event_data`), as
    a bid receipt does: (checkpoint, the event's fields and data) when both hold."""
    checkpoint, _, leaf = check_inclusion(document, trusted_key=trusted_key)
    event = json.loads(leaf)
    data = document.get("event_data")
    if hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest() != event.get("data_digest"):
        raise OfflineError("the event's data does not match the digest in the log")
    return checkpoint, event | {"data": data}


def same_checkpoint(a: Checkpoint, b: Checkpoint) -> bool:
    return (a.log_id, a.tree_size, a.root_hash) == (b.log_id, b.tree_size, b.root_hash)


def describe(document: Any, trusted_key: str | None) -> str:
    """One line saying what the file proves; OfflineError when it proves nothing."""
    kind = document.get("format") if isinstance(document, dict) else None
    if kind == "trading-inclusion/1":
        checkpoint, index, _ = check_inclusion(document, trusted_key=trusted_key)
        signed = checkpoint.issued_at.isoformat()
        return f"leaf {index} is in log {checkpoint.log_id} of size {checkpoint.tree_size} (signed {signed})"
    if kind == "trading-consistency/1":
        first, second = check_consistency(document, trusted_key=trusted_key)
        return f"log {first.log_id}: size {second.tree_size} extends size {first.tree_size} unchanged"
    checkpoint = read_checkpoint(document, trusted_key=trusted_key)
    return f"checkpoint of log {checkpoint.log_id}: size {checkpoint.tree_size}, root {checkpoint.root_hash}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check an exported checkpoint or proof offline.")
    parser.add_argument("file")
    parser.add_argument("--public-key", help="the platform's log key (base64), pinned beforehand")
    args = parser.parse_args(argv)
    try:
        with open(args.file, encoding="utf-8") as source:
            document = json.load(source)
        print(
            ("valid: " if args.public_key else "valid (key not pinned): ")
            + describe(document, args.public_key)
        )
    except (OSError, json.JSONDecodeError, OfflineError) as exc:
        print(f"INVALID: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
