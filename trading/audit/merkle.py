"""The Merkle tree of RFC 9162 (Certificate Transparency v2), section 2.1: hashes, proofs, checks.

Pure functions on bytes, the standard library only, so that an offline verifier (a supervisor's
laptop, a bidder's) needs nothing from the platform but this file.

- leaf hash  = SHA-256(0x00 || leaf bytes)
- node hash  = SHA-256(0x01 || left || right)
- MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])) with k the largest power of two below n
- the empty tree's hash is SHA-256 of nothing.

A log that only grows keeps a *frontier* (the roots of its perfect subtrees, left to right) and
extends it by one leaf at a time, hashing each leaf once: a checkpoint of n new leaves costs about
2n hashes, whatever the size of the log before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, by the definition (tests and small ranges)."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = split_point(len(hashes))
    return node_hash(root_of(hashes[:k]), root_of(hashes[k:]))


@dataclass
class Frontier:
    """The right edge of a growing tree: (level, hash) of each perfect subtree, left to right.

    `on_node(level, index, hash)` is told of every perfect subtree completed at `level` ≥ 1 (index
    counts subtrees of that level from the left), so that a caller can keep the inner nodes it
    needs to answer proofs later."""

    size: int = 0
    nodes: list[tuple[int, bytes]] = field(default_factory=list)

    def append(self, hashed_leaf: bytes, on_node: Callable[[int, int, bytes], None] | None = None) -> None:
        self.nodes.append((0, hashed_leaf))
        self.size += 1
        while len(self.nodes) >= 2 and self.nodes[-1][0] == self.nodes[-2][0]:
            (level, right), (_, left) = self.nodes.pop(), self.nodes.pop()
            merged = node_hash(left, right)
            self.nodes.append((level + 1, merged))
            if on_node is not None:
                on_node(level + 1, (self.size >> (level + 1)) - 1, merged)

    def extend(self, hashed_leaves: Iterable[bytes]) -> None:
        for hashed in hashed_leaves:
            self.append(hashed)

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        result = self.nodes[-1][1]
        for _, left in reversed(self.nodes[:-1]):
            result = node_hash(left, result)
        return result

    def to_json(self) -> list[list[object]]:
        return [[level, digest.hex()] for level, digest in self.nodes]

    @classmethod
    def from_json(cls, size: int, nodes: Sequence[Sequence[object]]) -> Frontier:
        frontier = cls(size, [(int(level), bytes.fromhex(str(digest))) for level, digest in nodes])  # type: ignore[call-overload]
        if sum(1 << level for level, _ in frontier.nodes) != size:
            raise ValueError("the stored frontier does not add up to the tree size")
        return frontier


# --- proofs (RFC 9162 2.1.3.1 and 2.1.4.1), over any subtree-hash provider --------------------

SubtreeHash = Callable[[int, int], bytes]  # (start, end) → MTH(D[start:end])


def inclusion_path(index: int, size: int, mth: SubtreeHash) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf `index` in the tree of `size` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = split_point(end - start)
        if m < k:
            path.append(mth(start + k, end))
            end = start + k
        else:
            path.append(mth(start, start + k))
            start, m = start + k, m - k
    path.reverse()
    return path


def consistency_path(first: int, second: int, mth: SubtreeHash) -> list[bytes]:
    """PROOF(m, D[n]): the consistency proof from the tree of `first` leaves to the one of `second`."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    if first == second:
        return []
    proof: list[bytes] = []
    start, end, m, complete = 0, second, first, True
    while m != end - start:
        n = end - start
        k = split_point(n)
        if m <= k:
            proof.append(mth(start + k, end))
            end = start + k
        else:
            proof.append(mth(start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append(mth(start, end))
    proof.reverse()
    return proof


# --- checks (RFC 9162 2.1.3.2 and 2.1.4.2) ------------------------------------------------------


def verify_inclusion(hashed_leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, hashed_leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
