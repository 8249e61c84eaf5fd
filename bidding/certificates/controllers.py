import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.certificates import service
from bidding.certificates.schemas import (
    CertificateOut,
    CertificateRequestIn,
    PlatformCertificatesOut,
    RevokeIn,
)
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.db.session import WRITES_ON_READ
from trading.settings import Settings

READERS = allow(Role.bidder, Role.staff, Role.admin, Role.auditor, Role.supervisor)


class PlatformCertificateController(Controller):
    path = "/api/bidding/platform"
    tags = ["bidding"]

    @get("/certificates", operation_id="getPlatformCertificates", exclude_from_auth=True, opt=WRITES_ON_READ)
    async def certificates(
        self,
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> PlatformCertificatesOut:
        """The platform root CA and document signer: anyone verifies receipts and records with them."""
        platform = await service.platform_authority(session, settings, at=clock.now())
        await session.commit()
        return PlatformCertificatesOut(ca=platform.ca_pem, signer=platform.signer_pem)

    @get(
        "/crl",
        operation_id="getRevocationList",
        exclude_from_auth=True,
        media_type="application/x-pem-file",
        opt=WRITES_ON_READ,
    )
    async def crl(
        self,
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        """The certificate revocation list, signed by the platform CA (PEM)."""
        pem = await service.revocation_list(session, settings, at=clock.now())
        await session.commit()
        return Response(pem, media_type="application/x-pem-file")


class CertificateController(Controller):
    path = "/api/bidding/certificates"
    tags = ["bidding"]

    @post("/", operation_id="requestCertificate", opt=allow(Role.bidder))
    async def request_certificate(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[CertificateRequestIn],
    ) -> CertificateOut:
        """Certify the signing key of a CSR made by the bidder tool (`trading bid keygen`)."""
        row = await service.issue_certificate(
            session, settings, csr_pem=data.csr, requester=request.user, at=clock.now()
        )
        await session.commit()
        return CertificateOut.model_validate(row)

    @get("/", operation_id="listCertificates", opt=READERS)
    async def list_certificates(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        organisation_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[CertificateOut]:
        rows = await service.list_certificates(session, request.user, organisation_id=organisation_id)
        return [CertificateOut.model_validate(r) for r in rows]

    @get("/{serial:str}", operation_id="getCertificate", opt=READERS)
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        serial: FromPath[str],
    ) -> CertificateOut:
        return CertificateOut.model_validate(await service.get_certificate(session, serial, request.user))

    @post(
        "/{serial:str}/revoke",
        operation_id="revokeCertificate",
        opt=allow(Role.staff, Role.bidder),
        status_code=200,
    )
    async def revoke(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        serial: FromPath[str],
        data: JSONBody[RevokeIn],
    ) -> CertificateOut:
        """Revoke a certificate (staff, or the bidder for its own): its signatures are refused from now on."""
        row = await service.get_certificate(session, serial, request.user)
        await service.revoke(
            session,
            row,
            reason=data.reason,
            note=data.note,
            invalid_since=data.invalid_since,
            actor=request.user,
            at=clock.now(),
        )
        await session.commit()
        return CertificateOut.model_validate(row)
