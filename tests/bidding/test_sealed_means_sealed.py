"""E-01, "sealed means sealed": before the opening, someone holding the server's whole database and
data directory (and the secrets the server runs with) cannot read a bid's content or price.

The test plays that person: it dumps every row of every table and every file, looks for the prices
and the bid text, then gathers every key it can find or derive on the server side and tries each
one on every package (as the content key, against its commitment; and as an X25519 private key,
on every key wrap). None opens anything. Two controls keep the test honest: the same search does
find the content key when it is planted among the candidates, and after the deadline the key
holders' shares do open the very same stored packages.
"""

import base64
import binascii
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from bidding.certificates.service import platform_authority
from bidding.sealing import envelope, keys, package
from bidding.submissions.service import blob_store
from tests.bidding.kit import Kit, pass_deadline, ready_section, release_all, submit
from trading.db.base import Base

PRICES = {"bidder_a": "48613579.24", "bidder_b": "47502468.13", "bidder_c": "49724681.35"}
TOKEN = re.compile(rb"[A-Za-z0-9+/=_-]{40,100}")


@pytest.fixture
async def kit(client, people, settings, clock, tmp_path) -> Kit:
    return await ready_section(client, people, settings, clock, tmp_path)


def marker(username: str) -> bytes:
    return f"CONFIDENTIAL-{username}-施工组织设计与技术标".encode()


async def everything_in_the_database(db) -> list[bytes]:
    values: list[bytes] = []
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                for value in row:
                    if isinstance(value, bytes):
                        values.append(value)
                    elif isinstance(value, dict | list):
                        values.append(json.dumps(value, ensure_ascii=False).encode())
                    elif value is not None:
                        values.append(str(value).encode())
    return values


def everything_on_disk(root: Path) -> list[bytes]:
    return [path.read_bytes() for path in root.rglob("*") if path.is_file()]


def decoded_tokens(blob: bytes) -> set[bytes]:
    """Every 32-byte value spelled in base64, base64url or hex anywhere in `blob`."""
    found = set()
    for token in TOKEN.findall(blob):
        for piece in {token, token[:44], token[:64], token.rstrip(b"=")}:
            padded = piece.rstrip(b"=") + b"=" * (-len(piece.rstrip(b"=")) % 4)
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    value = decode(padded)
                except (ValueError, binascii.Error):
                    continue
                if len(value) == 32:
                    found.add(value)
            try:
                value = binascii.unhexlify(piece)
            except (ValueError, binascii.Error):
                continue
            if len(value) == 32:
                found.add(value)
    return found


def windows(blob: bytes) -> set[bytes]:
    return {blob[i : i + 32] for i in range(max(len(blob) - 31, 0))}


def opens(candidate: bytes, manifests: list) -> bool:
    """Whether `candidate` opens anything: as a content key matching a commitment, or as an X25519
    private key decrypting a share wrap or a bidder wrap (tried directly, not by fingerprint)."""
    if any(package.key_matches(m, candidate) for m in manifests):
        return True
    private = x25519.X25519PrivateKey.from_private_bytes(candidate)
    for m in manifests:
        bidder_info = package.wrap_info(
            "bidder",
            m.section_id,
            m.package_id,
            0,
            keys.PublicKeyInfo(keys.unb64(m.bidder_wrap.recipient_key)).fingerprint,
        )
        wraps = [(m.bidder_wrap.enc, bidder_info)] + [
            (w.enc, package.wrap_info("share", m.section_id, m.package_id, w.index, w.holder_key))
            for w in m.shares.wraps
        ]
        for enc, info in wraps:
            try:
                envelope.unwrap(keys.unb64(enc), private, info)
            except envelope.DecryptionFailed:
                continue
            return True
    return False


def openers(candidates: set[bytes], manifests: list) -> list[bytes]:
    return [candidate for candidate in candidates if opens(candidate, manifests)]


def private_scalar(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_numbers().private_value.to_bytes(32, "big")


async def test_before_the_opening_the_servers_database_and_disk_do_not_reveal_a_bid(
    client, people, kit, settings, db, clock
):
    for username, price in PRICES.items():
        answer = await submit(
            client, people, kit, username, kit.seal(username, price, content=marker(username) * 40)
        )
        assert answer.status_code == 201, answer.text

    # 1. Read everything the server stores: no price, no bid text, not even the bid file's digest.
    stored = await everything_in_the_database(db) + everything_on_disk(settings.data_dir)
    assert sum(len(b) for b in stored) > 10_000
    sealed = {u: p for u, p in zip(PRICES, kit.sealed, strict=True)}
    for username, price in PRICES.items():
        opened = package.read_package(sealed[username])
        own_key = package.bidder_content_key(opened.manifest, kit.bidders[username].decryption_key)
        plaintext_digest = package.unseal(opened, own_key).plaintext_sha256
        for needle in (
            price.encode(),
            price.replace(".", "").encode(),
            marker(username),
            marker(username)[:24],
            plaintext_digest.encode(),
            "投标文件.pdf".encode(),
        ):
            assert not [blob for blob in stored if needle in blob], (username, needle)

    # 2. Try every key the server has or can derive.
    async with db.session() as session:
        authority = await platform_authority(session, settings, at=clock.now())
    secrets_on_server = [
        settings.resolved_secret_key().encode(),
        settings.resolved_bank_feed_secret().encode(),
    ]
    candidates: set[bytes] = set()
    for blob in stored:
        candidates |= decoded_tokens(blob)
    for blob in await everything_in_the_database(db):
        if not blob.isascii():
            candidates |= windows(blob)
    for secret in secrets_on_server:
        candidates |= windows(secret)
        for label in (b"ca", b"signer", b"content", b"bid"):
            candidates.add(
                HKDF(
                    algorithm=hashes.SHA256(), length=32, salt=b"trading/platform-keys/1", info=label
                ).derive(secret)
            )
    candidates |= {private_scalar(authority.ca_key), private_scalar(authority.signer_key)}
    for blob in stored:
        for pem in re.findall(
            rb"-----BEGIN [A-Z ]*PRIVATE KEY-----.+?-----END [A-Z ]*PRIVATE KEY-----", blob, re.S
        ):
            key = serialization.load_pem_private_key(pem, password=None)
            if isinstance(key, x25519.X25519PrivateKey):
                candidates.add(key.private_bytes_raw())
    assert len(candidates) > 500
    packages = sorted({p for p in blob_store(settings).root.rglob("*") if p.is_file()})
    manifests = []
    for path in packages:
        try:
            manifests.append(package.read_package(path).manifest)
        except package.PackageError:
            continue  # a qualification document, not a sealed package
    assert len(manifests) == 3
    assert openers(candidates, manifests) == []

    # Control: the search is able to find a key when one is there.
    opened = package.read_package(sealed["bidder_a"])
    planted = package.bidder_content_key(opened.manifest, kit.bidders["bidder_a"].decryption_key)
    assert openers(candidates | {planted}, manifests) == [planted]

    # Control: after the deadline, two key holders' shares open the same stored packages.
    await pass_deadline(clock, kit)
    started = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
    )
    assert started.status_code == 201
    await release_all(client, people, kit)
    opening = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening/unseal", headers=people.headers("clerk")
    )
    assert sorted(e["price"] for e in opening.json()["entries"]) == sorted(PRICES.values())


def test_a_holders_public_key_opens_nothing():
    """What the server keeps of a key holder is its public key: useless for opening."""
    holder = keys.new_x25519_key()
    public = keys.PublicKeyInfo.of(holder).raw
    as_private = x25519.X25519PrivateKey.from_private_bytes(public)
    info = b"context"
    wrapped = envelope.wrap(b"share", holder.public_key(), info)
    with pytest.raises(envelope.DecryptionFailed):
        envelope.unwrap(wrapped, as_private, info)
