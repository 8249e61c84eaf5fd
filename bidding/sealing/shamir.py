"""Shamir secret sharing (k of n) over the prime field GF(2^521 - 1).

A secret s (an integer below the prime) becomes the constant term of a random polynomial f of
degree k - 1; holder x receives the share (x, f(x)). Any k shares determine f, hence s = f(0), by
Lagrange interpolation; k - 1 shares say nothing at all about s (every value of s remains equally
likely), which is what lets a bid's content key be split among key holders none of whom, alone or
short of the threshold, can open it.

The prime 2^521 - 1 is a Mersenne prime, comfortably above the 256-bit content keys shared here.
Coefficients come from `secrets` (the operating system's CSPRNG), uniformly over the whole field.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

PRIME = 2**521 - 1
SHARE_BYTES = 66  # ceil(521 / 8): a field element, big-endian
MAX_SHARES = 255


@dataclass(frozen=True)
class Share:
    x: int  # the holder's index, 1..n (never 0: f(0) is the secret)
    y: int  # f(x) mod PRIME

    def to_bytes(self) -> bytes:
        """One byte of x, then y in 66 big-endian bytes."""
        return bytes([self.x]) + self.y.to_bytes(SHARE_BYTES, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> Share:
        if len(data) != 1 + SHARE_BYTES:
            raise ValueError(f"a share is {1 + SHARE_BYTES} bytes, not {len(data)}")
        share = cls(data[0], int.from_bytes(data[1:], "big"))
        _check_share(share)
        return share


def _check_share(share: Share) -> None:
    if not 1 <= share.x <= MAX_SHARES:
        raise ValueError(f"share index {share.x} is outside 1..{MAX_SHARES}")
    if not 0 <= share.y < PRIME:
        raise ValueError("share value is outside the field")


def split(secret: int, threshold: int, count: int) -> list[Share]:
    """Split `secret` into `count` shares, any `threshold` of which recover it."""
    if not 0 <= secret < PRIME:
        raise ValueError("the secret must be a field element (0 <= secret < 2^521 - 1)")
    if not 1 <= threshold <= count <= MAX_SHARES:
        raise ValueError(f"need 1 <= threshold <= count <= {MAX_SHARES}, got {threshold} of {count}")
    coefficients = [secret] + [secrets.randbelow(PRIME) for _ in range(threshold - 1)]
    return [Share(x, _evaluate(coefficients, x)) for x in range(1, count + 1)]


def _evaluate(coefficients: Sequence[int], x: int) -> int:
    """f(x) by Horner's rule, highest coefficient first."""
    result = 0
    for coefficient in reversed(coefficients):
        result = (result * x + coefficient) % PRIME
    return result


def combine(shares: Sequence[Share]) -> int:
    """f(0) from the given shares by Lagrange interpolation.

    Give it at least `threshold` shares of one split: with fewer, or with shares of different
    splits, the result is a meaningless field element (callers check it against a commitment)."""
    if not shares:
        raise ValueError("no shares to combine")
    xs = [share.x for share in shares]
    if len(set(xs)) != len(xs):
        raise ValueError("two shares have the same index")
    for share in shares:
        _check_share(share)
    secret = 0
    for j, share in enumerate(shares):
        numerator, denominator = 1, 1
        for m, other in enumerate(shares):
            if m != j:
                numerator = numerator * other.x % PRIME
                denominator = denominator * (other.x - share.x) % PRIME
        secret = (secret + share.y * numerator * pow(denominator, -1, PRIME)) % PRIME
    return secret


def split_bytes(secret: bytes, threshold: int, count: int) -> list[Share]:
    """Split a key of up to 64 bytes (its length is the caller's to remember)."""
    if len(secret) > 64:
        raise ValueError("at most 64 bytes fit below the prime")
    return split(int.from_bytes(secret, "big"), threshold, count)


def combine_bytes(shares: Sequence[Share], length: int) -> bytes:
    """The key of `length` bytes behind `shares`; ValueError when the result cannot be one."""
    value = combine(shares)
    if value >= 1 << (8 * length):
        raise ValueError("the shares do not combine to a key of that length")
    return value.to_bytes(length, "big")
