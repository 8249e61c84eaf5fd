"""The platform CA: bidder certificates from CSRs, revocation and the CRL, the platform's own keys."""

import base64
import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from bidding.certificates import authority
from bidding.certificates.models import PlatformKey
from bidding.certificates.service import trusted_certificate
from bidding.sealing import keys
from bidding.sealing.documents import issued_by
from tests.bidding.kit import certify, platform_ca
from trading.errors import DomainError


def csr_pem(key, uscc="913200001340007896", name="江苏华建建设集团有限公司") -> str:
    return keys.certificate_request(key, uscc=uscc, name=name).public_bytes(Encoding.PEM).decode()


async def test_a_bidder_gets_a_certificate_naming_its_uscc_issued_by_the_platform_ca(client, people):
    ca = await platform_ca(client)
    key = keys.new_signing_key()
    # Whatever the CSR's subject says, the platform writes the organisation from its own records.
    answer = await client.post(
        "/api/bidding/certificates",
        json={"csr": csr_pem(key, uscc="91000000000000000X", name="冒名公司")},
        headers=people.headers("bidder_a"),
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    certificate = x509.load_pem_x509_certificate(body["certificate_pem"].encode())
    builder_a = people.org("builder_a")
    assert certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == builder_a.uscc
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == builder_a.name
    assert issued_by(certificate, ca)
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert dt.timedelta(days=360) <= lifetime <= dt.timedelta(days=731)
    assert body["uscc"] == builder_a.uscc and body["revoked_at"] is None


async def test_a_csr_whose_signature_does_not_hold_is_refused(client, people):
    """No proof of possession of the key, no certificate: one bit of the CSR's signature flipped."""
    good = keys.certificate_request(keys.new_signing_key(), uscc="913200001340007896", name="x")
    der = bytearray(good.public_bytes(Encoding.DER))
    der[-5] ^= 0x01
    broken = (
        "-----BEGIN CERTIFICATE REQUEST-----\n"
        + base64.encodebytes(bytes(der)).decode()
        + "-----END CERTIFICATE REQUEST-----\n"
    )
    answer = await client.post(
        "/api/bidding/certificates", json={"csr": broken}, headers=people.headers("bidder_a")
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "certificate.csr_signature_invalid"
    fine = await client.post(
        "/api/bidding/certificates",
        json={"csr": good.public_bytes(Encoding.PEM).decode()},
        headers=people.headers("bidder_a"),
    )
    assert fine.status_code == 201


async def test_garbage_and_rsa_requests_are_refused_with_a_clear_code(client, people):
    garbage = await client.post(
        "/api/bidding/certificates", json={"csr": "x" * 200}, headers=people.headers("bidder_a")
    )
    assert garbage.status_code == 422 and garbage.json()["code"] == "certificate.csr_invalid"
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
        .sign(rsa_key, hashes.SHA256())
    )
    answer = await client.post(
        "/api/bidding/certificates",
        json={"csr": csr.public_bytes(Encoding.PEM).decode()},
        headers=people.headers("bidder_a"),
    )
    assert answer.status_code == 422 and answer.json()["code"] == "certificate.key_unsupported"


async def test_one_key_gets_one_live_certificate(client, people):
    key = keys.new_signing_key()
    first = await client.post(
        "/api/bidding/certificates", json={"csr": csr_pem(key)}, headers=people.headers("bidder_a")
    )
    assert first.status_code == 201
    again = await client.post(
        "/api/bidding/certificates", json={"csr": csr_pem(key)}, headers=people.headers("bidder_b")
    )
    assert again.status_code == 409 and again.json()["code"] == "certificate.key_in_use"


async def test_a_bidder_sees_and_revokes_only_its_own_certificates(client, people):
    _, pem_a = await certify(client, people, "bidder_a")
    serial_a = format(x509.load_pem_x509_certificate(pem_a.encode()).serial_number, "x")
    await certify(client, people, "bidder_b")
    mine = await client.get("/api/bidding/certificates", headers=people.headers("bidder_b"))
    assert [c["uscc"] for c in mine.json()] == [people.org("builder_b").uscc]
    foreign = await client.post(
        f"/api/bidding/certificates/{serial_a}/revoke",
        json={"reason": "superseded"},
        headers=people.headers("bidder_b"),
    )
    assert foreign.status_code == 404
    everything = await client.get("/api/bidding/certificates", headers=people.headers("clerk"))
    assert len(everything.json()) == 2


async def test_a_revoked_certificate_is_listed_in_the_signed_crl(client, people, clock):
    ca = await platform_ca(client)
    _, pem = await certify(client, people, "bidder_a")
    serial = format(x509.load_pem_x509_certificate(pem.encode()).serial_number, "x")
    compromised = clock.now() - dt.timedelta(hours=2)
    revoked = await client.post(
        f"/api/bidding/certificates/{serial}/revoke",
        json={"reason": "key_compromise", "note": "U盾遗失", "invalid_since": compromised.isoformat()},
        headers=people.headers("clerk"),
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revocation_reason"] == "key_compromise"
    twice = await client.post(
        f"/api/bidding/certificates/{serial}/revoke",
        json={"reason": "superseded"},
        headers=people.headers("clerk"),
    )
    assert twice.status_code == 409 and twice.json()["code"] == "certificate.already_revoked"
    answer = await client.get("/api/bidding/platform/crl")
    assert answer.status_code == 200
    crl = x509.load_pem_x509_crl(answer.content)
    assert crl.is_signature_valid(ca.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(int(serial, 16))
    assert entry is not None
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.key_compromise
    )


async def test_only_bidder_organisations_get_certificates(client, people):
    answer = await client.post(
        "/api/bidding/certificates",
        json={"csr": csr_pem(keys.new_signing_key())},
        headers=people.headers("clerk"),
    )
    assert answer.status_code == 403  # the role guard: staff may not request one


async def test_the_platform_keys_are_created_once_and_stored_encrypted(client, db):
    first = (await client.get("/api/bidding/platform/certificates")).json()
    second = (await client.get("/api/bidding/platform/certificates")).json()
    assert first == second
    async with db.session() as session:
        rows = (await session.scalars(select(PlatformKey))).all()
    assert sorted(r.name for r in rows) == ["ca", "signer"]
    for row in rows:
        assert b"PRIVATE KEY" not in row.encrypted_key
        assert len(row.encrypted_key) > 100
    ca = x509.load_pem_x509_certificate(first["ca"].encode())
    signer = x509.load_pem_x509_certificate(first["signer"].encode())
    assert issued_by(signer, ca) and issued_by(ca, ca)


async def test_a_certificate_of_another_ca_is_untrusted_before_the_platform_has_keys(db, settings, people):
    # A submission checks the certificate on a read-only session, before the section's lock; on a
    # center that has issued nothing yet that check must refuse, not try to create the platform CA.

    rogue_key = authority.new_key()
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    rogue_ca = authority.build_root(rogue_key, at)
    forged = authority.issue_bidder(
        rogue_key,
        rogue_ca,
        keys.new_signing_key().public_key(),
        uscc=people.org("builder_a").uscc,
        name="x",
        at=at,
    )
    async with db.read_session() as reader:
        assert (await reader.scalars(select(PlatformKey))).all() == []
        try:
            await trusted_certificate(reader, settings, forged, organisation=people.org("builder_a"), at=at)
        except DomainError as refusal:
            assert refusal.code == "certificate.untrusted"
        else:
            raise AssertionError("a certificate of another CA was trusted")
