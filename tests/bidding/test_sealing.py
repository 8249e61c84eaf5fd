"""The sealing library (bidding/sealing/): Shamir sharing, the STREAM cipher, the sealed package,
with real cryptography and no server: what a bidder's and a key holder's machine run."""

import datetime as dt
import io
import json
import os
import secrets
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bidding.certificates import authority
from bidding.sealing import envelope, keys, package, shamir
from bidding.sealing.documents import canonical
from bidding.sealing.manifest import BidData, Holder, SealingParameters
from bidding.sealing.package import PackageError, UnsealError

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
USCC = "913200001340007896"
OTHER_USCC = "91320100134111222L"


# --- Shamir ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    secret=st.integers(min_value=0, max_value=shamir.PRIME - 1),
    n=st.integers(min_value=2, max_value=9),
    data=st.data(),
)
def test_any_k_of_n_shares_recover_the_secret(secret, n, data):
    k = data.draw(st.integers(min_value=1, max_value=n))
    shares = shamir.split(secret, k, n)
    chosen = data.draw(st.permutations(shares))[:k]
    assert shamir.combine(chosen) == secret


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=3, max_value=9), data=st.data())
def test_fewer_than_k_shares_fit_every_secret_equally(n, data):
    """k - 1 shares plus a chosen value at x = 0 always make a valid sharing: they rule nothing out."""
    k = data.draw(st.integers(min_value=2, max_value=n))
    secret = secrets.randbelow(shamir.PRIME)
    shares = shamir.split(secret, k, n)[: k - 1]
    candidate = data.draw(st.integers(min_value=0, max_value=shamir.PRIME - 1))
    # The k-1 real shares and (0, candidate) lie on one polynomial of degree k-1; a k-th point on it
    # combines with the real shares to `candidate`: the real shares rule no secret out.
    extra = shamir.Share(200, _interpolate_at(shares, candidate, 200))
    assert shamir.combine([*shares, extra]) == candidate


def _interpolate_at(shares, secret_guess, x):
    """The value at `x` of the degree-(len(shares)) polynomial through `shares` and (0, secret_guess)."""
    points = [(0, secret_guess)] + [(s.x, s.y) for s in shares]
    total = 0
    for j, (xj, yj) in enumerate(points):
        num, den = 1, 1
        for m, (xm, _) in enumerate(points):
            if m != j:
                num = num * (x - xm) % shamir.PRIME
                den = den * (xj - xm) % shamir.PRIME
        total = (total + yj * num * pow(den, -1, shamir.PRIME)) % shamir.PRIME
    return total


def test_shares_round_trip_as_bytes_and_refuse_garbage():
    key = secrets.token_bytes(32)
    shares = shamir.split_bytes(key, 2, 3)
    again = [shamir.Share.from_bytes(s.to_bytes()) for s in shares]
    assert shamir.combine_bytes(again[1:], 32) == key
    with pytest.raises(ValueError):
        shamir.Share.from_bytes(b"\x00" + bytes(66))  # index 0 would be the secret itself
    with pytest.raises(ValueError):
        shamir.combine([shares[0], shares[0]])


def test_a_threshold_above_the_count_is_refused():
    with pytest.raises(ValueError):
        shamir.split(5, 4, 3)


# --- STREAM and padding -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 1000, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 7])
def test_the_stream_cipher_round_trips_across_chunk_boundaries(size):
    key, prefix, aad = secrets.token_bytes(32), envelope.random_nonce_prefix(), b"context"
    data = os.urandom(size)
    sealed = io.BytesIO()
    result = envelope.encrypt_stream(key, prefix, aad, io.BytesIO(data), sealed)
    assert (
        result.ciphertext_size == len(sealed.getvalue()) == envelope.ciphertext_size_for(envelope.padme(size))
    )
    assert envelope.plausible_ciphertext_size(result.ciphertext_size)
    out = io.BytesIO()
    sealed.seek(0)
    envelope.decrypt_stream(key, prefix, aad, sealed, out, plaintext_size=size)
    assert out.getvalue() == data


def test_a_dropped_last_chunk_is_detected():
    key, prefix = secrets.token_bytes(32), envelope.random_nonce_prefix()
    sealed = io.BytesIO()
    envelope.encrypt_stream(key, prefix, b"", io.BytesIO(os.urandom(3 * (1 << 20))), sealed)
    truncated = sealed.getvalue()[: 2 * ((1 << 20) + 16)]
    with pytest.raises(envelope.DecryptionFailed):
        envelope.decrypt_stream(key, prefix, b"", io.BytesIO(truncated), None, plaintext_size=3 * (1 << 20))


def test_padding_hides_the_exact_size():
    assert envelope.padme(1_000_000) >= 1_000_000
    assert envelope.padme(1_000_000) == envelope.padme(1_000_001)
    assert envelope.padme(10**8) / 10**8 < 1.13


# --- the sealed package --------------------------------------------------------------------


class Parties:
    """A platform CA, a certified bidder, three key holders (2 of 3): the cast of a sealing."""

    def __init__(self, tmp_path: Path, uscc: str = USCC, threshold: int = 2):
        self.ca_key = authority.new_key()
        self.ca = authority.build_root(self.ca_key, NOW)
        self.signing_key = keys.new_signing_key()
        self.certificate = authority.issue_bidder(
            self.ca_key,
            self.ca,
            self.signing_key.public_key(),
            uscc=uscc,
            name="江苏华建建设集团有限公司",
            at=NOW,
        )
        self.decryption_key = keys.new_x25519_key()
        self.holders = [keys.new_x25519_key() for _ in range(3)]
        self.uscc = uscc
        self.parameters = SealingParameters(
            section_id="01a204b1-319e-763f-9a24-a29b9f3f8682",
            section_code="GC-2026-0001-01",
            section_name="施工总承包",
            bid_deadline=(NOW + dt.timedelta(days=25)).isoformat(),
            threshold=threshold,
            holders=[
                Holder(index=i + 1, name=f"持有人{i + 1}", party=p, public_key=keys.PublicKeyInfo.of(h).b64)
                for i, (h, p) in enumerate(
                    zip(self.holders, ["staff", "supervisor", "principal"], strict=True)
                )
            ],
        )
        self.tmp = tmp_path

    def seal(self, content: bytes, price_fen: int = 4_860_000_000, name: str = "bid.sealed", **data):
        return package.seal_bid(
            source=io.BytesIO(content),
            file_name="投标文件.pdf",
            bid_data=BidData(price_fen=price_fen, **data),
            parameters=self.parameters,
            uscc=self.uscc,
            certificate_pem=authority.pem(self.certificate),
            signing_key=self.signing_key,
            decryption_key=self.decryption_key.public_key(),
            out=self.tmp / name,
            sealed_at=NOW,
        )

    def shares(self, manifest, *positions):
        return {p: package.release_share(manifest, p, self.holders[p - 1]) for p in positions}


@pytest.fixture
def parties(tmp_path):
    return Parties(tmp_path)


def test_a_sealed_bid_opens_with_any_two_holders_or_the_bidders_own_key(parties):
    content = "江宁区城南中学教学楼 施工组织设计 ……".encode() * 1000
    sealed = parties.seal(content, duration_days=540, project_manager="李工")
    opened = package.read_package(sealed.path)
    for pair in [(1, 2), (1, 3), (2, 3)]:
        key = package.recover_content_key(opened.manifest, parties.shares(opened.manifest, *pair))
        out = io.BytesIO()
        unsealed = package.unseal(opened, key, out)
        assert out.getvalue() == content
        assert unsealed.bid_data.price_fen == 4_860_000_000
        assert unsealed.bid_data.duration_days == 540
    assert package.bidder_content_key(opened.manifest, parties.decryption_key) == key


def test_one_holder_alone_cannot_open_a_bid(parties):
    opened = package.read_package(parties.seal(b"secret bid").path)
    with pytest.raises(UnsealError) as refused:
        package.recover_content_key(opened.manifest, parties.shares(opened.manifest, 2))
    assert refused.value.code == "bid.shares_missing"


def test_nothing_in_the_package_shows_the_price_or_the_content(parties):
    content = b"UNIQUE-PLAINTEXT-MARKER " * 200
    sealed = parties.seal(content, price_fen=123_456_789)
    raw = sealed.path.read_bytes()
    for needle in (b"UNIQUE-PLAINTEXT-MARKER", b"123456789", b"1234567.89", "投标文件".encode()):
        assert needle not in raw


def test_the_inner_record_is_as_long_for_a_small_price_as_for_a_large_one(parties):
    small = package.read_package(parties.seal(b"x", price_fen=1, name="a.sealed").path)
    large = package.read_package(parties.seal(b"x", price_fen=99_999_999_999_999, name="b.sealed").path)
    assert small.manifest.inner.size == large.manifest.inner.size


def test_a_package_fifty_megabytes_large_seals_and_opens_in_little_memory(parties, tmp_path):
    source = tmp_path / "big.pdf"
    with source.open("wb") as out:
        for _ in range(50):
            out.write(os.urandom(1 << 20))
    tracemalloc.start()
    try:
        with source.open("rb") as handle:
            sealed = package.seal_bid(
                source=handle,
                file_name="big.pdf",
                bid_data=BidData(price_fen=1),
                parameters=parties.parameters,
                uscc=parties.uscc,
                certificate_pem=authority.pem(parties.certificate),
                signing_key=parties.signing_key,
                decryption_key=parties.decryption_key.public_key(),
                out=tmp_path / "big.sealed",
                sealed_at=NOW,
            )
        opened = package.read_package(sealed.path)
        key = package.bidder_content_key(opened.manifest, parties.decryption_key)
        with (tmp_path / "big.out").open("wb") as sink:
            package.unseal(opened, key, sink)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sealed.size > 50 * (1 << 20)
    assert peak < 12 * (1 << 20)
    assert (tmp_path / "big.out").read_bytes() == source.read_bytes()


def _rewrite(path: Path, out: Path, change) -> Path:
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(out, "w") as copy:
        for info in original.infolist():
            data = change(info.filename, original.read(info.filename))
            if data is not None:
                copy.writestr(info.filename, data)
    return out


def test_a_flipped_ciphertext_byte_is_refused_as_tampered(parties, tmp_path):
    sealed = parties.seal(os.urandom(5000))

    def flip(name, data):
        return data[:100] + bytes([data[100] ^ 1]) + data[101:] if name == "bid.enc" else data

    with pytest.raises(PackageError) as refused:
        package.read_package(_rewrite(sealed.path, tmp_path / "t.sealed", flip))
    assert refused.value.code == "bid.package_tampered"


def test_a_raw_byte_flip_in_the_file_is_refused(parties):
    sealed = parties.seal(os.urandom(5000))
    raw = bytearray(sealed.path.read_bytes())
    raw[len(raw) // 3] ^= 0x40
    sealed.path.write_bytes(bytes(raw))
    with pytest.raises(PackageError) as refused:
        package.read_package(sealed.path)
    assert refused.value.code in {"bid.package_tampered", "bid.package_malformed", "bid.signature_invalid"}


def test_a_truncated_package_is_refused_as_malformed(parties):
    sealed = parties.seal(os.urandom(5000))
    sealed.path.write_bytes(sealed.path.read_bytes()[:-200])
    with pytest.raises(PackageError) as refused:
        package.read_package(sealed.path)
    assert refused.value.code == "bid.package_malformed"


def test_an_edited_manifest_breaks_the_bidders_signature(parties, tmp_path):
    sealed = parties.seal(b"bid")

    def edit(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["sealed_at"] = "2026-03-01T00:00:00+00:00"
        return canonical(manifest)

    with pytest.raises(PackageError) as refused:
        package.read_package(_rewrite(sealed.path, tmp_path / "e.sealed", edit))
    assert refused.value.code == "bid.signature_invalid"


def test_an_extra_member_is_refused(parties, tmp_path):
    sealed = parties.seal(b"bid")
    out = tmp_path / "x.sealed"
    _rewrite(sealed.path, out, lambda name, data: data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(PackageError) as refused:
        package.read_package(out)
    assert refused.value.code == "bid.package_malformed"


def test_a_package_with_a_huge_directory_is_refused_before_it_is_parsed(tmp_path):
    bomb = tmp_path / "many.sealed"
    with zipfile.ZipFile(bomb, "w") as archive:
        for i in range(5000):
            archive.writestr(f"m{i}", b"")
    with pytest.raises(PackageError) as refused:
        package.read_package(bomb)
    assert refused.value.code == "bid.package_malformed"


def test_a_key_other_than_the_committed_one_cannot_open_the_bid(parties):
    opened = package.read_package(parties.seal(b"bid").path)
    with pytest.raises(UnsealError) as refused:
        package.unseal(opened, secrets.token_bytes(32))
    assert refused.value.code == "bid.key_mismatch"


def test_a_holder_share_that_was_altered_does_not_match_its_commitment(parties):
    opened = package.read_package(parties.seal(b"bid").path)
    share = bytearray(parties.shares(opened.manifest, 1)[1])
    share[-1] ^= 1
    assert not package.share_matches(opened.manifest, 1, bytes(share))
    assert package.share_matches(opened.manifest, 1, parties.shares(opened.manifest, 1)[1])


def test_a_holder_cannot_open_another_holders_share(parties):
    opened = package.read_package(parties.seal(b"bid").path)
    with pytest.raises(ValueError):
        package.release_share(opened.manifest, 2, parties.holders[0])


def seal_with_inconsistent_shares(parties: Parties, tmp_path: Path) -> Path:
    """A dishonest bidder tool: holder 3's share comes from a sharing of another key, and the
    manifest (commitments included) is signed as if all were well."""
    sealed = parties.seal(b"bid")
    opened = package.read_package(sealed.path)
    manifest = opened.manifest.model_dump(mode="json")
    rogue = shamir.split_bytes(secrets.token_bytes(32), 2, 3)[2].to_bytes()
    salt = keys.unb64(manifest["shares"]["salt"])
    holder = parties.holders[2]
    fingerprint = keys.PublicKeyInfo.of(holder).fingerprint
    info = package.wrap_info("share", manifest["section_id"], manifest["package_id"], 3, fingerprint)
    manifest["shares"]["wraps"][2]["enc"] = keys.b64(envelope.wrap(rogue, holder.public_key(), info))
    manifest["shares"]["wraps"][2]["commitment"] = package.share_commitment(
        salt, manifest["package_id"], 3, rogue
    )
    manifest_bytes = canonical(manifest)

    def swap(name, data):
        if name == "manifest.json":
            return manifest_bytes
        if name == "manifest.sig":
            return keys.sign(parties.signing_key, manifest_bytes)
        return data

    return _rewrite(sealed.path, tmp_path / "rogue.sealed", swap)


def test_inconsistent_shares_are_the_bidders_fault(parties, tmp_path):
    opened = package.read_package(seal_with_inconsistent_shares(parties, tmp_path))
    good = package.recover_content_key(opened.manifest, parties.shares(opened.manifest, 1, 2))
    assert package.key_matches(opened.manifest, good)
    with pytest.raises(UnsealError) as refused:
        package.recover_content_key(opened.manifest, parties.shares(opened.manifest, 1, 3))
    assert refused.value.code == "bid.shares_inconsistent"
    assert refused.value.cause == "bidder"


def test_a_statement_signed_for_another_section_is_refused_at_unsealing(parties, tmp_path):
    """The inner statement is bound to the outer manifest: a package re-wrapped for another
    section by copying ciphertexts does not verify."""
    sealed = parties.seal(b"bid")
    opened = package.read_package(sealed.path)
    manifest = opened.manifest.model_dump(mode="json")
    manifest["section_id"] = "01a204b1-0000-7000-8000-000000000000"
    manifest_bytes = canonical(manifest)

    def swap(name, data):
        if name == "manifest.json":
            return manifest_bytes
        if name == "manifest.sig":
            return keys.sign(parties.signing_key, manifest_bytes)
        return data

    moved = package.read_package(_rewrite(sealed.path, tmp_path / "moved.sealed", swap))
    key = package.bidder_content_key(opened.manifest, parties.decryption_key)
    with pytest.raises(UnsealError) as refused:
        package.unseal(moved, key)
    assert refused.value.code in {"bid.key_mismatch", "bid.inner_undecryptable"}
