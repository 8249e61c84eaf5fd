"""Seal a bid, check a sealed package without any key, unseal it with its content key.

The sealed package is one ZIP file (stored, not compressed) of four members:

    manifest.json  in clear: section, bidder certificate, digests, key commitment, key wraps
    manifest.sig   the bidder's signature of manifest.json (which binds the section id and the
                   digests of the two ciphertexts, hence the whole package)
    inner.enc      AES-256-GCM: the statement the bidder signed (price and key figures, the
                   file's name, size and SHA-256) and that signature
    bid.enc        AES-256-GCM STREAM: the bid file, padded

The content key K exists only on the bidder's machine while sealing. It leaves inside HPKE wraps:
one Shamir share per key holder (k of n needed) and K itself for the bidder's own decryption key.
Nothing in the package opens without k holders' private keys or the bidder's.

`read_package` is what the server runs on upload: shape, signature, digests, no key needed.
`unseal` is what the opening runs once K is recovered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import struct
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ValidationError

from bidding.sealing import envelope, shamir
from bidding.sealing.documents import canonical, sha256_hex
from bidding.sealing.keys import (
    PublicKeyInfo,
    SigningKey,
    acceptable_public_key,
    b64,
    sign,
    unb64,
    verify,
    x25519_public_from_b64,
)
from bidding.sealing.manifest import (
    FORMAT,
    MAX_INNER_BYTES,
    SHARE_SCHEME,
    BidData,
    BidderInfo,
    BidderWrap,
    ContentInfo,
    FileInfo,
    Inner,
    InnerInfo,
    Manifest,
    SealingParameters,
    SharesInfo,
    ShareWrap,
    Statement,
)
from trading.errors import DomainError

MEMBERS = ("manifest.json", "manifest.sig", "inner.enc", "bid.enc")
MAX_MANIFEST_BYTES = 256 * 1024
MAX_SIGNATURE_BYTES = 256
COPY_CHUNK = 1 << 20


class PackageError(DomainError):
    """A package refused on its shape, signature or digests, before any key is involved."""

    status = 422


class UnsealError(Exception):
    """A bid that does not open or does not verify; `code`, `zh`, `en` go into the opening record,
    `cause` says whose side the failure is on (E-05): "bidder" or "platform"."""

    def __init__(self, code: str, zh: str, en: str, *, cause: str = "bidder") -> None:
        super().__init__(f"{code}: {en}")
        self.code, self.zh, self.en, self.cause = code, zh, en, cause

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en, "cause": self.cause}


def parameters_digest(parameters: SealingParameters) -> str:
    return sha256_hex(canonical(parameters.model_dump(mode="json")))


def _header_aad(manifest_fields: Mapping[str, Any]) -> bytes:
    """Associated data of both ciphertexts: they belong to this package, section and bidder."""
    return hashlib.sha256(canonical(dict(manifest_fields))).digest()


def _aad(package_id: str, section_id: str, uscc: str, nonce_prefix: str, params_digest: str) -> bytes:
    return _header_aad(
        {
            "format": FORMAT,
            "package_id": package_id,
            "section_id": section_id,
            "bidder_uscc": uscc,
            "nonce_prefix": nonce_prefix,
            "parameters_digest": params_digest,
        }
    )


def wrap_info(purpose: str, section_id: str, package_id: str, index: int, fingerprint: str) -> bytes:
    """HPKE `info`: a wrap opens only in its own context (section, package, recipient, slot)."""
    return f"{FORMAT}|{purpose}|{section_id}|{package_id}|{index}|{fingerprint}".encode()


def share_commitment(salt: bytes, package_id: str, index: int, share: bytes) -> str:
    return sha256_hex(salt + package_id.encode() + bytes([index]) + share)


# --- sealing (bidder side) -------------------------------------------------------------------


@dataclass(frozen=True)
class SealSummary:
    path: Path
    package_id: str
    package_sha256: str  # of the whole file: what the receipt names
    manifest_sha256: str
    size: int


def seal_bid(
    *,
    source: BinaryIO,
    file_name: str,
    bid_data: BidData,
    parameters: SealingParameters,
    uscc: str,
    certificate_pem: str,
    signing_key: SigningKey,
    decryption_key: x25519.X25519PublicKey,
    out: Path,
    sealed_at: dt.datetime,
) -> SealSummary:
    """Encrypt `source` (read to its end, in chunks) and `bid_data` into a sealed package at `out`."""
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    if certificate.public_key().public_bytes(*_spki()) != signing_key.public_key().public_bytes(*_spki()):
        raise ValueError("the signing key does not belong to the certificate")
    package_id = str(uuid.uuid4())
    section_id = parameters.section_id
    content_key = envelope.new_content_key()
    nonce_prefix = envelope.random_nonce_prefix()
    params_digest = parameters_digest(parameters)
    aad = _aad(package_id, section_id, uscc, b64(nonce_prefix), params_digest)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_STORED) as archive:
            with archive.open("bid.enc", "w", force_zip64=True) as sink:
                stream = envelope.encrypt_stream(
                    envelope.derive(content_key, "content", package_id), nonce_prefix, aad, source, sink
                )
            statement = Statement(
                format=FORMAT,
                package_id=package_id,
                section_id=section_id,
                bidder_uscc=uscc,
                bid_data=bid_data,
                file=FileInfo(name=file_name, size=stream.plaintext_size, sha256=stream.plaintext_sha256),
                signed_at=sealed_at.astimezone(dt.UTC).isoformat(),
            )
            statement_json = statement.model_dump(mode="json")
            inner_plain = envelope.pad_block(
                canonical(
                    {
                        "statement": statement_json,
                        "signature": b64(sign(signing_key, canonical(statement_json))),
                    }
                )
            )
            if len(inner_plain) > MAX_INNER_BYTES:
                raise ValueError("the bid data is too long to seal")
            inner_nonce, inner_cipher = envelope.seal_small(
                envelope.derive(content_key, "inner", package_id), inner_plain, aad
            )
            archive.writestr("inner.enc", inner_cipher)
            manifest = Manifest(
                format=FORMAT,
                package_id=package_id,
                section_id=section_id,
                bidder=BidderInfo(uscc=uscc, certificate=certificate_pem),
                sealed_at=statement.signed_at,
                key_commitment=b64(envelope.key_commitment(content_key, package_id)),
                content=ContentInfo(
                    aead="AES-256-GCM-STREAM",
                    nonce_prefix=b64(nonce_prefix),
                    size=stream.ciphertext_size,
                    sha256=stream.ciphertext_sha256,
                ),
                inner=InnerInfo(
                    aead="AES-256-GCM",
                    nonce=b64(inner_nonce),
                    size=len(inner_cipher),
                    sha256=sha256_hex(inner_cipher),
                ),
                shares=_share_wraps(content_key, parameters, package_id, params_digest),
                bidder_wrap=_bidder_wrap(content_key, decryption_key, section_id, package_id),
            )
            manifest_bytes = canonical(manifest.model_dump(mode="json"))
            archive.writestr("manifest.json", manifest_bytes)
            archive.writestr("manifest.sig", sign(signing_key, manifest_bytes))
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    digest, size = _file_digest(out)
    return SealSummary(out, package_id, digest, sha256_hex(manifest_bytes), size)


def _spki() -> tuple[Any, Any]:
    return Encoding.DER, PublicFormat.SubjectPublicKeyInfo


def _share_wraps(
    content_key: bytes, parameters: SealingParameters, package_id: str, params_digest: str
) -> SharesInfo:
    salt = os.urandom(32)
    shares = shamir.split_bytes(content_key, parameters.threshold, len(parameters.holders))
    wraps = []
    for holder, share in zip(parameters.holders, shares, strict=True):
        key = PublicKeyInfo(unb64(holder.public_key, expected=32))
        share_bytes = share.to_bytes()
        info = wrap_info("share", parameters.section_id, package_id, holder.index, key.fingerprint)
        wraps.append(
            ShareWrap(
                index=holder.index,
                holder_key=key.fingerprint,
                enc=b64(envelope.wrap(share_bytes, x25519_public_from_b64(holder.public_key), info)),
                commitment=share_commitment(salt, package_id, holder.index, share_bytes),
            )
        )
    return SharesInfo(
        scheme=SHARE_SCHEME,
        threshold=parameters.threshold,
        salt=b64(salt),
        parameters_digest=params_digest,
        wraps=wraps,
    )


def _bidder_wrap(
    content_key: bytes, decryption_key: x25519.X25519PublicKey, section_id: str, package_id: str
) -> BidderWrap:
    key = PublicKeyInfo.of(decryption_key)
    info = wrap_info("bidder", section_id, package_id, 0, key.fingerprint)
    return BidderWrap(recipient_key=key.b64, enc=b64(envelope.wrap(content_key, decryption_key, info)))


def _file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as source:
        while chunk := source.read(COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# --- checking a package without keys (server side) ------------------------------------------


@dataclass(frozen=True)
class OpenedPackage:
    """A package whose shape, bidder signature and digests hold; its content is still sealed."""

    path: Path
    manifest: Manifest
    manifest_bytes: bytes
    manifest_sha256: str
    certificate: x509.Certificate

    @property
    def aad(self) -> bytes:
        m = self.manifest
        return _aad(
            m.package_id, m.section_id, m.bidder.uscc, m.content.nonce_prefix, m.shares.parameters_digest
        )


def _malformed(zh: str, en: str) -> PackageError:
    return PackageError(
        "bid.package_malformed", f"投标文件格式不正确：{zh}", f"the sealed package is malformed: {en}"
    )


def _tampered(zh: str, en: str) -> PackageError:
    return PackageError(
        "bid.package_tampered",
        f"投标文件已损坏或被篡改：{zh}",
        f"the sealed package is damaged or altered: {en}",
    )


def read_package(path: Path) -> OpenedPackage:
    """Check a sealed package's shape, its bidder signature and every digest, without any key.

    Raises PackageError: `bid.package_malformed` (not a sealed package, truncated, wrong members or
    fields), `bid.package_tampered` (a digest or checksum does not match), `bid.signature_invalid`."""
    if not _small_directory(path):
        raise _malformed(
            "不是完整的投标文件包（目录缺失、被截断或成员过多）",
            "not a complete package (no central directory, truncated, or too many members)",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_archive(path, archive)
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc):
            raise _tampered("校验和不符", "a member's checksum does not match") from exc
        raise _malformed("不是完整的投标文件包（可能被截断）", "not a complete package (truncated?)") from exc
    except (
        EOFError,
        OSError,
        ValueError,
        struct.error,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise _malformed("无法读取", f"unreadable ({type(exc).__name__})") from exc


MAX_DIRECTORY_BYTES = 8192


def _small_directory(path: Path) -> bool:
    """Before `zipfile` parses anything: the end-of-directory record names exactly the four members
    and a small directory, so a hostile file cannot make the parser allocate millions of entries."""
    size = path.stat().st_size
    with path.open("rb") as source:
        source.seek(max(0, size - 22 - 0xFFFF))
        tail = source.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return False
    _, _, on_disk, total, directory_size, _, _ = struct.unpack("<HHHHIIH", tail[at + 4 : at + 22])
    return on_disk == total == len(MEMBERS) and directory_size <= MAX_DIRECTORY_BYTES


def _read_archive(path: Path, archive: zipfile.ZipFile) -> OpenedPackage:
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if sorted(names) != sorted(MEMBERS):
        raise _malformed(
            f"应当且只能包含{', '.join(MEMBERS)}", f"it must hold exactly {', '.join(MEMBERS)}, found {names}"
        )
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise _malformed(
                "成员不得压缩或加密", f"{info.filename} must be stored, not compressed or encrypted"
            )
    if sum(info.file_size for info in infos) > path.stat().st_size:
        raise _malformed("成员大小与文件不符", "the members are larger than the file")
    by_name = {info.filename: info for info in infos}
    if by_name["manifest.json"].file_size > MAX_MANIFEST_BYTES:
        raise _malformed("清单过大", "manifest.json is too large")
    if by_name["manifest.sig"].file_size > MAX_SIGNATURE_BYTES:
        raise _malformed("签名过大", "manifest.sig is too large")
    manifest_bytes = archive.read("manifest.json")
    signature = archive.read("manifest.sig")
    manifest = _parse_manifest(manifest_bytes)
    certificate = _bidder_certificate(manifest)
    if not verify(certificate.public_key(), signature, manifest_bytes):
        raise PackageError(
            "bid.signature_invalid",
            "投标文件签名无效：清单与投标人证书的签名不符",
            "the bidder's signature does not match the package manifest",
        )
    if by_name["inner.enc"].file_size != manifest.inner.size:
        raise _tampered("内层密文大小不符", "inner.enc has the wrong size")
    if sha256_hex(archive.read("inner.enc")) != manifest.inner.sha256:
        raise _tampered("内层密文摘要不符", "inner.enc does not match its digest")
    content = by_name["bid.enc"]
    if content.file_size != manifest.content.size or not envelope.plausible_ciphertext_size(
        content.file_size
    ):
        raise _tampered("密文大小不符", "bid.enc has the wrong size")
    digest = hashlib.sha256()
    with archive.open("bid.enc") as source:
        while chunk := source.read(COPY_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != manifest.content.sha256:
        raise _tampered("密文摘要不符", "bid.enc does not match its digest")
    return OpenedPackage(path, manifest, manifest_bytes, sha256_hex(manifest_bytes), certificate)


def _parse_manifest(data: bytes) -> Manifest:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _malformed("清单不是JSON", "manifest.json is not JSON") from exc
    if not isinstance(value, dict) or canonical(value) != data:
        raise _malformed("清单不是规范JSON", "manifest.json is not in canonical form")
    try:
        manifest = Manifest.model_validate(value)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in error["loc"]) for error in exc.errors()[:5])
        raise _malformed(f"清单字段有误：{fields}", f"manifest fields are invalid: {fields}") from exc
    if manifest.shares.threshold > len(manifest.shares.wraps):
        raise _malformed("门限大于密钥份额数", "the threshold exceeds the number of key shares")
    if [w.index for w in manifest.shares.wraps] != list(range(1, len(manifest.shares.wraps) + 1)):
        raise _malformed("密钥份额编号不连续", "key shares must be numbered 1..n")
    return manifest


def _bidder_certificate(manifest: Manifest) -> x509.Certificate:
    try:
        certificate = x509.load_pem_x509_certificate(manifest.bidder.certificate.encode())
    except ValueError as exc:
        raise _malformed("投标人证书无法读取", "the bidder certificate cannot be read") from exc
    if not acceptable_public_key(certificate.public_key()):
        raise _malformed("证书密钥类型不受支持", "the certificate key must be EC P-256 or Ed25519")
    return certificate


# --- releasing keys (key holders and the bidder, on their own machines) ----------------------


def release_share(manifest: Manifest, index: int, private_key: x25519.X25519PrivateKey) -> bytes:
    """A key holder opens its share of one package (after the deadline, on its own machine)."""
    wrap = next((w for w in manifest.shares.wraps if w.index == index), None)
    own = PublicKeyInfo.of(private_key).fingerprint
    if wrap is None or wrap.holder_key != own:
        raise ValueError(f"share {index} of this package is not sealed to this key")
    info = wrap_info("share", manifest.section_id, manifest.package_id, index, own)
    share = envelope.unwrap(unb64(wrap.enc), private_key, info)
    shamir.Share.from_bytes(share)
    return share


def share_matches(manifest: Manifest, index: int, share: bytes) -> bool:
    """Whether a released share is the one the bidder sealed (its signed commitment)."""
    wrap = next((w for w in manifest.shares.wraps if w.index == index), None)
    if wrap is None:
        return False
    expected = share_commitment(unb64(manifest.shares.salt), manifest.package_id, index, share)
    return hmac.compare_digest(expected, wrap.commitment)


def bidder_content_key(manifest: Manifest, private_key: x25519.X25519PrivateKey) -> bytes:
    """The bidder opens its own content key with its decryption key (the decryption window)."""
    own = PublicKeyInfo.of(private_key)
    if own.b64 != manifest.bidder_wrap.recipient_key:
        raise ValueError("this package was not sealed to this decryption key")
    info = wrap_info("bidder", manifest.section_id, manifest.package_id, 0, own.fingerprint)
    return envelope.unwrap(unb64(manifest.bidder_wrap.enc), private_key, info)


def key_matches(manifest: Manifest, content_key: bytes) -> bool:
    if len(content_key) != envelope.KEY_BYTES:
        return False
    return hmac.compare_digest(
        envelope.key_commitment(content_key, manifest.package_id), unb64(manifest.key_commitment)
    )


MAX_COMBINATIONS = 500


def recover_content_key(manifest: Manifest, released: Mapping[int, bytes]) -> bytes:
    """K from the released shares: those that match their commitments, any `threshold` of them.

    Raises UnsealError when too few shares match (`bid.shares_missing`, the platform's side) or
    when matching shares do not combine to the committed key (`bid.shares_inconsistent`: the
    bidder sealed shares of different keys)."""
    threshold = manifest.shares.threshold
    good = sorted(
        (index, share) for index, share in released.items() if share_matches(manifest, index, share)
    )
    if len(good) < threshold:
        raise UnsealError(
            "bid.shares_missing",
            f"有效密钥份额{len(good)}份，不足解密所需的{threshold}份",
            f"{len(good)} valid key shares released, {threshold} needed",
            cause="platform",
        )
    for combination in itertools.islice(itertools.combinations(good, threshold), MAX_COMBINATIONS):
        try:
            key = shamir.combine_bytes(
                [shamir.Share.from_bytes(s) for _, s in combination], envelope.KEY_BYTES
            )
        except ValueError:
            continue
        if key_matches(manifest, key):
            return key
    raise UnsealError(
        "bid.shares_inconsistent",
        "投标人封装的密钥份额互不一致，无法还原密钥",
        "the bidder sealed key shares that do not combine to its committed key",
    )


# --- unsealing (the opening) ------------------------------------------------------------------


@dataclass(frozen=True)
class UnsealedBid:
    statement: Statement
    plaintext_sha256: str

    @property
    def bid_data(self) -> BidData:
        return self.statement.bid_data


def unseal(opened: OpenedPackage, content_key: bytes, sink: IO[bytes] | None = None) -> UnsealedBid:
    """Open a package with its content key; verify the bidder's inner signature and every digest.

    The bid file is streamed into `sink` (None: decrypted and checked only). Raises UnsealError."""
    manifest = opened.manifest
    if not key_matches(manifest, content_key):
        raise UnsealError(
            "bid.key_mismatch",
            "密钥与投标文件的密钥承诺不符",
            "the key does not match the package's key commitment",
            cause="platform",
        )
    package_id = manifest.package_id
    with zipfile.ZipFile(opened.path) as archive:
        inner = _open_inner(
            opened, archive.read("inner.enc"), envelope.derive(content_key, "inner", package_id)
        )
        statement = inner.statement
        with archive.open("bid.enc") as source:
            try:
                digest = envelope.decrypt_stream(
                    envelope.derive(content_key, "content", package_id),
                    unb64(manifest.content.nonce_prefix),
                    opened.aad,
                    source,  # type: ignore[arg-type]
                    sink,  # type: ignore[arg-type]
                    plaintext_size=statement.file.size,
                )
            except envelope.DecryptionFailed as exc:
                raise UnsealError(
                    "bid.content_undecryptable",
                    "投标文件正文无法解密",
                    f"the bid file does not decrypt: {exc}",
                ) from exc
    if digest != statement.file.sha256:
        raise UnsealError(
            "bid.content_digest_mismatch",
            "投标文件正文与投标人签名的摘要不符",
            "the bid file does not match the digest the bidder signed",
        )
    return UnsealedBid(statement, digest)


def _open_inner(opened: OpenedPackage, ciphertext: bytes, key: bytes) -> Inner:
    manifest = opened.manifest
    try:
        plain = envelope.open_small(key, unb64(manifest.inner.nonce), ciphertext, opened.aad)
        inner = Inner.model_validate(json.loads(plain.decode("utf-8")))
    except envelope.DecryptionFailed as exc:
        raise UnsealError(
            "bid.inner_undecryptable", "报价信息无法解密", "the sealed price and key data do not decrypt"
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise UnsealError(
            "bid.inner_malformed", "报价信息格式不正确", "the sealed price and key data are malformed"
        ) from exc
    statement = inner.statement
    statement_bytes = canonical(statement.model_dump(mode="json"))
    try:
        signature = unb64(inner.signature)
    except ValueError:
        signature = b""
    if not verify(opened.certificate.public_key(), signature, statement_bytes):
        raise UnsealError(
            "bid.inner_signature_invalid",
            "报价信息的投标人签名无效",
            "the bidder's signature of the price and key data is invalid",
        )
    if (statement.package_id, statement.section_id, statement.bidder_uscc) != (
        manifest.package_id,
        manifest.section_id,
        manifest.bidder.uscc,
    ):
        raise UnsealError(
            "bid.inner_mismatch",
            "报价信息与投标文件包不对应",
            "the sealed statement names another package, section or bidder",
        )
    return inner


def manifest_from_json(value: Any) -> Manifest:
    """A manifest as the platform hands it to key holders (GET .../opening/shares)."""
    return Manifest.model_validate(value)
