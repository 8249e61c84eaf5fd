"""Certificates: the platform's keys (created once, shared by every instance), bidder certificates
issued from CSRs, revocation, the CRL, and the trust check a signed package must pass.

Revocation policy (docs/sealed-bids.md): from the moment a certificate is revoked, packages signed
with it are refused. A bid accepted earlier stays in the opening, with the revocation noted as an
anomaly, unless staff dated the key's compromise (`invalid_since`) at or before the bid's receipt:
then the platform cannot tell the bidder's signature from a thief's and the opening rejects it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.certificates import authority
from bidding.certificates.models import BidderCertificate, PlatformKey
from bidding.sealing.documents import issued_by, sign_document, within_validity
from bidding.sealing.keys import acceptable_public_key
from trading.audit.service import lock_chain, record
from trading.auth.identity import Identity, Role
from trading.clock import local_time
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.organisations.models import Organisation
from trading.settings import Settings

PLATFORM_KEY_LOCK = 727100041
CERTIFICATE_LOCK = 727100042


# --- the platform's keys -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformAuthority:
    ca_key: ec.EllipticCurvePrivateKey
    ca: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey
    signer: x509.Certificate

    @property
    def ca_pem(self) -> str:
        return authority.pem(self.ca)

    @property
    def signer_pem(self) -> str:
        return authority.pem(self.signer)

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        """A document anyone can verify offline against the platform CA."""
        return sign_document(body, self.signer_key, self.signer_pem)


def _wrapping_key(settings: Settings, name: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"trading/platform-keys/1", info=name.encode()
    ).derive(settings.resolved_secret_key().encode())
    return AESGCM(key)


def _encrypt_key(
    settings: Settings, name: str, key: ec.EllipticCurvePrivateKey, certificate_pem: str
) -> bytes:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    nonce = os.urandom(12)
    return nonce + _wrapping_key(settings, name).encrypt(nonce, der, certificate_pem.encode())


def _decrypt_key(settings: Settings, row: PlatformKey) -> ec.EllipticCurvePrivateKey:
    nonce, sealed = row.encrypted_key[:12], row.encrypted_key[12:]
    der = _wrapping_key(settings, row.name).decrypt(nonce, sealed, row.certificate_pem.encode())
    key = serialization.load_der_private_key(der, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


_loaded: dict[str, PlatformAuthority] = {}
SESSION_CACHE = "bidding.platform_authority"


async def platform_authority(
    session: AsyncSession, settings: Settings, *, at: dt.datetime
) -> PlatformAuthority:
    """The root CA and the document signer; created on first use, under a lock, so that several
    instances starting together agree on one pair. Read once per session."""
    if SESSION_CACHE in session.info:
        return session.info[SESSION_CACHE]
    rows = {row.name: row for row in (await session.scalars(select(PlatformKey))).all()}
    created = bool({"ca", "signer"} - rows.keys())
    if created:
        await lock_chain(session, PLATFORM_KEY_LOCK)
        rows = {row.name: row for row in (await session.scalars(select(PlatformKey))).all()}
        if "ca" not in rows:
            ca_key = authority.new_key()
            rows["ca"] = _store(session, settings, "ca", ca_key, authority.build_root(ca_key, at), at)
        if "signer" not in rows:
            ca_key = _decrypt_key(settings, rows["ca"])
            ca = x509.load_pem_x509_certificate(rows["ca"].certificate_pem.encode())
            signer_key = authority.new_key()
            signer = authority.issue_platform_signer(ca_key, ca, signer_key, at)
            rows["signer"] = _store(session, settings, "signer", signer_key, signer, at)
        await session.flush()
    cache_key = hashlib.sha256(rows["ca"].encrypted_key + rows["signer"].encrypted_key).hexdigest()
    if cache_key not in _loaded:
        _loaded[cache_key] = PlatformAuthority(
            ca_key=_decrypt_key(settings, rows["ca"]),
            ca=x509.load_pem_x509_certificate(rows["ca"].certificate_pem.encode()),
            signer_key=_decrypt_key(settings, rows["signer"]),
            signer=x509.load_pem_x509_certificate(rows["signer"].certificate_pem.encode()),
        )
    if not created:  # keys made in this transaction are remembered only once they are committed rows
        session.info[SESSION_CACHE] = _loaded[cache_key]
    return _loaded[cache_key]


def _store(
    session: AsyncSession,
    settings: Settings,
    name: str,
    key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    at: dt.datetime,
) -> PlatformKey:
    certificate_pem = authority.pem(certificate)
    row = PlatformKey(
        name=name,
        certificate_pem=certificate_pem,
        encrypted_key=_encrypt_key(settings, name, key, certificate_pem),
        created_at=at,
    )
    session.add(row)
    return row


# --- bidder certificates -----------------------------------------------------------------------


def _csr_refused(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en, status=422)


async def issue_certificate(
    session: AsyncSession, settings: Settings, *, csr_pem: str, requester: Identity, at: dt.datetime
) -> BidderCertificate:
    """Certify the key in a bidder's CSR for its organisation (subject from the platform's records)."""
    organisation = (
        await session.get(Organisation, requester.organisation_id) if requester.organisation_id else None
    )
    if organisation is None or "bidder" not in organisation.capacities:
        raise Forbidden(
            "certificate.not_a_bidder",
            "只有登记为投标人的单位可以申请签名证书",
            "only an organisation registered as a bidder may request a signing certificate",
        )
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
    except ValueError as exc:
        raise _csr_refused(
            "certificate.csr_invalid",
            "证书请求（CSR）无法读取，请用投标工具重新生成",
            "the certificate signing request cannot be read; generate it again with the bidder tool",
        ) from exc
    if not csr.is_signature_valid:
        raise _csr_refused(
            "certificate.csr_signature_invalid",
            "证书请求的签名无效：请求不是由其中的私钥签署的",
            "the CSR is not signed by the key it contains",
        )
    public_key = csr.public_key()
    if not acceptable_public_key(public_key):
        raise _csr_refused(
            "certificate.key_unsupported",
            "密钥类型不受支持，请使用EC P-256或Ed25519",
            "unsupported key type: use EC P-256 or Ed25519",
        )
    await lock_chain(session, CERTIFICATE_LOCK)
    platform = await platform_authority(session, settings, at=at)
    certificate = authority.issue_bidder(
        platform.ca_key, platform.ca, public_key, uscc=organisation.uscc, name=organisation.name, at=at
    )
    key_fingerprint = authority.public_key_fingerprint(certificate)
    live = await session.scalar(
        select(BidderCertificate).where(
            BidderCertificate.key_fingerprint == key_fingerprint, BidderCertificate.revoked_at.is_(None)
        )
    )
    if live is not None:
        raise Conflict(
            "certificate.key_in_use",
            "该密钥已有有效证书，请生成新的密钥",
            "this key already has a valid certificate; generate a new key",
            details={"serial": live.serial},
        )
    row = BidderCertificate(
        serial=authority.serial_hex(certificate),
        organisation_id=organisation.id,
        uscc=organisation.uscc,
        subject=certificate.subject.rfc4514_string()[:300],
        certificate_pem=authority.pem(certificate),
        key_fingerprint=key_fingerprint,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        issued_at=at,
        issued_by=requester.user_id,
    )
    session.add(row)
    await session.flush()
    await record(
        session,
        actor=requester.actor,
        action="certificate.issued",
        subject_type="bidder_certificate",
        subject_id=row.serial,
        data={
            "organisation_id": str(organisation.id),
            "uscc": organisation.uscc,
            "key_fingerprint": key_fingerprint,
            "not_after": row.not_after.isoformat(),
        },
        at=at,
    )
    return row


def may_manage(viewer: Identity, row: BidderCertificate) -> bool:
    if viewer.has(Role.staff, Role.admin, Role.auditor, Role.supervisor):
        return True
    return viewer.organisation_id == row.organisation_id


async def get_certificate(session: AsyncSession, serial: str, viewer: Identity) -> BidderCertificate:
    row = await session.scalar(select(BidderCertificate).where(BidderCertificate.serial == serial.lower()))
    if row is None or not may_manage(viewer, row):
        raise not_found("certificate", "证书", serial)
    return row


async def list_certificates(
    session: AsyncSession, viewer: Identity, *, organisation_id: uuid.UUID | None
) -> list[BidderCertificate]:
    query = select(BidderCertificate).order_by(BidderCertificate.issued_at.desc())
    if not viewer.has(Role.staff, Role.admin, Role.auditor, Role.supervisor):
        organisation_id = viewer.organisation_id
        if organisation_id is None:
            return []
    if organisation_id is not None:
        query = query.where(BidderCertificate.organisation_id == organisation_id)
    return list((await session.scalars(query.limit(500))).all())


async def revoke(
    session: AsyncSession,
    row: BidderCertificate,
    *,
    reason: str,
    note: str | None,
    invalid_since: dt.datetime | None,
    actor: Identity,
    at: dt.datetime,
) -> BidderCertificate:
    """Revoke a certificate: refused from now on; `invalid_since` dates a key compromise."""
    if not (actor.has(Role.staff) or actor.organisation_id == row.organisation_id):
        raise Forbidden(
            "certificate.not_yours",
            "只能吊销本单位的证书",
            "you may revoke only your own organisation's certificates",
        )
    if row.revoked_at is not None:
        raise Conflict(
            "certificate.already_revoked",
            f"证书已于{local_time(row.revoked_at)}吊销",
            f"the certificate was already revoked at {local_time(row.revoked_at)}",
        )
    if reason not in authority.REVOCATION_REASONS:
        raise DomainError(
            "certificate.reason_unknown",
            "吊销原因不在允许范围内",
            f"the reason must be one of {', '.join(authority.REVOCATION_REASONS)}",
            status=422,
        )
    if invalid_since is not None and invalid_since > at:
        raise DomainError(
            "certificate.invalid_since_in_future",
            "失效时间不能晚于吊销时间",
            "the key cannot be compromised later than now",
            status=422,
        )
    row.revoked_at = at
    row.revoked_by = actor.user_id
    row.revocation_reason = reason
    row.revocation_note = note
    row.invalid_since = invalid_since or at
    await record(
        session,
        actor=actor.actor,
        action="certificate.revoked",
        subject_type="bidder_certificate",
        subject_id=row.serial,
        data={"reason": reason, "note": note, "invalid_since": row.invalid_since.isoformat()},
        at=at,
    )
    await session.flush()
    return row


async def revocation_list(session: AsyncSession, settings: Settings, *, at: dt.datetime) -> bytes:
    platform = await platform_authority(session, settings, at=at)
    rows = (
        await session.scalars(select(BidderCertificate).where(BidderCertificate.revoked_at.is_not(None)))
    ).all()
    crl = authority.build_crl(
        platform.ca_key,
        platform.ca,
        [
            (r.serial, r.revoked_at, r.revocation_reason or "unspecified", r.invalid_since)
            for r in rows
            if r.revoked_at
        ],
        at=at,
    )
    return crl.public_bytes(serialization.Encoding.PEM)


# --- the trust check of a signed package -----------------------------------------------------


def _untrusted(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en, status=422)


async def trusted_certificate(
    session: AsyncSession,
    settings: Settings,
    certificate: x509.Certificate,
    *,
    organisation: Organisation,
    at: dt.datetime,
) -> BidderCertificate:
    """The platform's record of the certificate a package was signed with, when it may sign now for
    `organisation`; otherwise a refusal saying why."""
    row = await session.scalar(
        select(BidderCertificate).where(BidderCertificate.serial == authority.serial_hex(certificate))
    )
    # A certificate the platform never issued is refused before the platform's keys are loaded: a
    # submission checks this on a read-only session, where a first use could not create them.
    if (
        row is None
        or row.certificate_pem != authority.pem(certificate)
        or not issued_by(certificate, (await platform_authority(session, settings, at=at)).ca)
    ):
        raise _untrusted(
            "certificate.untrusted",
            "签名证书不是本平台签发的",
            "the signing certificate was not issued by this platform",
        )
    if row.organisation_id != organisation.id or authority.subject_uscc(certificate) != organisation.uscc:
        raise _untrusted(
            "certificate.not_yours",
            "签名证书不属于本投标单位",
            "the signing certificate belongs to another organisation",
        )
    if row.revoked_at is not None and row.revoked_at <= at:
        raise _untrusted(
            "certificate.revoked",
            f"签名证书已于{local_time(row.revoked_at)}吊销，请申请新证书后重新加密",
            f"the signing certificate was revoked at {local_time(row.revoked_at)}; "
            "get a new one and seal again",
        )
    if not within_validity(certificate, at):
        raise _untrusted(
            "certificate.expired",
            "签名证书不在有效期内",
            "the signing certificate is not valid at this time",
        )
    return row


def revocation_anomaly(row: BidderCertificate, received_at: dt.datetime) -> dict[str, str] | None:
    """What the opening says of a bid whose certificate was revoked after it was received."""
    if row.revoked_at is None:
        return None
    invalid_since = row.invalid_since or row.revoked_at
    since, reason = invalid_since.isoformat(), row.revocation_reason
    if invalid_since <= received_at:
        return {
            "code": "bid.certificate_compromised",
            "zh": f"签名证书自{since}起不可信（{reason}），晚于该时间收到的投标无法确认出自投标人",
            "en": f"the signing key is untrusted since {since} ({reason}); "
            "a bid received after that cannot be attributed to the bidder",
            "cause": "bidder",
            "rejects": "yes",
        }
    return {
        "code": "bid.certificate_revoked_later",
        "zh": f"签名证书在投标后于{local_time(row.revoked_at)}吊销（{reason}），投标时有效",
        "en": f"the signing certificate was revoked after the bid was received, at "
        f"{local_time(row.revoked_at)} ({reason}); it was valid when the bid arrived",
        "cause": "bidder",
        "rejects": "no",
    }
