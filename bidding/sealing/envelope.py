"""The cryptographic building blocks of a sealed bid, each a standard construction:

- content key K: 32 random bytes per package; the working keys are derived from it with HKDF-SHA256
  under distinct labels, and a *key commitment* (another HKDF output) is published in the manifest,
  so exactly one K opens a package (AES-GCM alone is not key-committing: without this a bidder
  could craft a ciphertext that opens to one price under the key holders' K and to another under
  the K it reveals itself);
- the bid file: AES-256-GCM in the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015):
  1 MiB chunks, nonce = 7-byte random prefix ‖ 32-bit chunk counter ‖ last-chunk flag, so chunks
  cannot be reordered, dropped, or the stream truncated, and 50 MB never sit in memory;
- key wraps: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + AES-256-GCM,
  from `cryptography`; the `info` string binds each wrap to its section, package and recipient;
- padding: the plaintext is padded with Padmé (Nikitin et al. 2019) so the ciphertext length
  leaks at most O(log log n) bits of the file's size; the inner record (price, key data) is padded
  to a fixed block so its length says nothing about the number of digits in the price.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KEY_BYTES = 32
CHUNK_SIZE = 1 << 20
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 7
INNER_BLOCK = 1024
HPKE_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
HPKE_NAME = "DHKEM(X25519,HKDF-SHA256)/HKDF-SHA256/AES-256-GCM"


class DecryptionFailed(Exception):
    """A ciphertext did not authenticate under the key given (wrong key or altered bytes)."""


def new_content_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def derive(content_key: bytes, label: str, package_id: str) -> bytes:
    """A 32-byte key (or commitment) for one purpose of one package."""
    if len(content_key) != KEY_BYTES:
        raise ValueError("a content key is 32 bytes")
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=b"trading-sealed-bid/1",
        info=f"{label}|{package_id}".encode(),
    ).derive(content_key)


def key_commitment(content_key: bytes, package_id: str) -> bytes:
    return derive(content_key, "commitment", package_id)


# --- HPKE key wraps ----------------------------------------------------------------------------


def wrap(plaintext: bytes, recipient: x25519.X25519PublicKey, info: bytes) -> bytes:
    return HPKE_SUITE.encrypt(plaintext, recipient, info=info)


def unwrap(ciphertext: bytes, private_key: x25519.X25519PrivateKey, info: bytes) -> bytes:
    try:
        return HPKE_SUITE.decrypt(ciphertext, private_key, info=info)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("the wrap does not open with this key") from exc


def raw_public(key: x25519.X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_fingerprint(raw_public_key: bytes) -> str:
    """How manifests and the server name an X25519 public key: SHA-256 of its 32 raw bytes."""
    return hashlib.sha256(raw_public_key).hexdigest()


# --- padding -----------------------------------------------------------------------------------


def padme(length: int) -> int:
    """Padmé: the padded length of a `length`-byte plaintext (overhead at most ~12 %)."""
    if length < 2:
        return length
    exponent = length.bit_length() - 1
    size_bits = exponent.bit_length()
    last_bits = exponent - size_bits
    mask = (1 << last_bits) - 1
    return (length + mask) & ~mask


def pad_block(data: bytes, block: int = INNER_BLOCK) -> bytes:
    """JSON padded with spaces (which JSON ignores) to a whole number of blocks."""
    return data + b" " * (-len(data) % block)


# --- STREAM: AES-256-GCM over chunks ---------------------------------------------------------


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


@dataclass(frozen=True)
class StreamResult:
    plaintext_size: int  # without padding
    plaintext_sha256: str  # of the file itself, without padding
    ciphertext_size: int
    ciphertext_sha256: str


def _padded_chunks(source: BinaryIO, chunk_size: int, plain_hash: Callable[[bytes], None]) -> Iterator[bytes]:
    """The file in chunks of `chunk_size`, then zero padding up to its Padmé length."""
    size = 0
    while chunk := source.read(chunk_size):
        plain_hash(chunk)
        size += len(chunk)
        yield chunk
    padding = padme(size) - size
    while padding > 0:
        step = min(padding, chunk_size)
        yield bytes(step)
        padding -= step
    yield b""  # marks the end for the re-chunker


def _rechunk(pieces: Iterator[bytes], chunk_size: int) -> Iterator[tuple[bytes, bool]]:
    """Exactly `chunk_size` bytes per chunk (the last may be shorter, even empty), with a flag on the last."""
    buffer = bytearray()
    pending: bytes | None = None
    for piece in pieces:
        buffer += piece
        while len(buffer) >= chunk_size:
            if pending is not None:
                yield pending, False
            pending = bytes(buffer[:chunk_size])
            del buffer[:chunk_size]
    if buffer or pending is None:
        if pending is not None:
            yield pending, False
        yield bytes(buffer), True
    else:
        yield pending, True


def encrypt_stream(
    key: bytes,
    nonce_prefix: bytes,
    aad: bytes,
    source: BinaryIO,
    sink: BinaryIO,
    chunk_size: int = CHUNK_SIZE,
) -> StreamResult:
    """Encrypt `source` (read to its end) into `sink`; memory stays at a few chunks."""
    if len(nonce_prefix) != NONCE_PREFIX_BYTES:
        raise ValueError("the nonce prefix is 7 bytes")
    aead = AESGCM(key)
    plain_digest, cipher_digest = hashlib.sha256(), hashlib.sha256()
    plain_size = cipher_size = 0

    def count_plain(chunk: bytes) -> None:
        nonlocal plain_size
        plain_size += len(chunk)
        plain_digest.update(chunk)

    for counter, (chunk, last) in enumerate(
        _rechunk(_padded_chunks(source, chunk_size, count_plain), chunk_size)
    ):
        sealed = aead.encrypt(_nonce(nonce_prefix, counter, last), chunk, aad)
        cipher_digest.update(sealed)
        cipher_size += len(sealed)
        sink.write(sealed)
    return StreamResult(plain_size, plain_digest.hexdigest(), cipher_size, cipher_digest.hexdigest())


def ciphertext_size_for(padded_size: int, chunk_size: int = CHUNK_SIZE) -> int:
    """The STREAM ciphertext size of a padded plaintext: one tag per chunk, at least one chunk."""
    chunks = max(1, -(-padded_size // chunk_size))
    return padded_size + chunks * TAG_BYTES


def plausible_ciphertext_size(size: int, chunk_size: int = CHUNK_SIZE) -> bool:
    """Whether `size` can be a STREAM ciphertext at all (the server checks the shape, not the key):
    whole chunks of chunk_size + 16 bytes, then a last chunk of at least a tag."""
    rest = size % (chunk_size + TAG_BYTES)
    return size >= TAG_BYTES and (rest == 0 or rest >= TAG_BYTES)


def decrypt_stream(
    key: bytes,
    nonce_prefix: bytes,
    aad: bytes,
    source: BinaryIO,
    sink: BinaryIO | None,
    *,
    plaintext_size: int,
    chunk_size: int = CHUNK_SIZE,
) -> str:
    """Decrypt into `sink` (None: only check), dropping the padding after `plaintext_size` bytes;
    returns the SHA-256 of the plaintext. Raises DecryptionFailed on any altered, reordered,
    missing or extra chunk."""
    aead = AESGCM(key)
    digest = hashlib.sha256()
    remaining = plaintext_size
    counter = 0
    step = chunk_size + TAG_BYTES
    current = source.read(step)
    while True:
        following = source.read(step) if len(current) == step else b""
        last = not following
        try:
            chunk = aead.decrypt(_nonce(nonce_prefix, counter, last), current, aad)
        except InvalidTag as exc:
            raise DecryptionFailed(f"chunk {counter} does not authenticate") from exc
        keep = chunk[: max(remaining, 0)]
        tail = chunk[len(keep) :]
        if tail and tail != bytes(len(tail)):
            raise DecryptionFailed("the padding is not zeros")
        remaining -= len(keep)
        digest.update(keep)
        if sink is not None:
            sink.write(keep)
        if last:
            break
        counter += 1
        current = following
    if remaining != 0:
        raise DecryptionFailed("the plaintext is shorter than its declared size")
    return digest.hexdigest()


def random_nonce_prefix() -> bytes:
    return os.urandom(NONCE_PREFIX_BYTES)


# --- one-shot AES-GCM for the small inner record ----------------------------------------------


def seal_small(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    nonce = os.urandom(12)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def open_small(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("the inner record does not authenticate") from exc
