import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.certificates.service import platform_authority
from bidding.submissions import packages, rules, service
from bidding.submissions.models import Bid, Receipt
from bidding.submissions.schemas import BidOut, BidsOverviewOut, PackageCheckOut, ReceiptOut, WithdrawIn
from trading.audit.service import SYSTEM
from trading.auth.addresses import parse_networks, request_origin
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.db.session import WRITES_ON_READ
from trading.errors import not_found
from trading.settings import Settings

OVERSIGHT = allow(Role.staff, Role.admin, Role.auditor, Role.supervisor)
PACKAGE_READERS = allow(Role.bidder, Role.staff, Role.admin, Role.auditor, Role.supervisor)


def _receipt_out(receipt: Receipt, signer_pem: str) -> ReceiptOut:
    return ReceiptOut(**service.receipt_document(receipt, signer_pem))


def _bid_out(bid: Bid, receipts: list[Receipt], signer_pem: str) -> BidOut:
    return BidOut(
        id=bid.id,
        section_id=bid.section_id,
        organisation_id=bid.organisation_id,
        status=bid.status,
        package_sha256=bid.package_sha256,
        package_size=bid.package_size,
        manifest_sha256=bid.manifest_sha256,
        received_at=bid.received_at,
        ended_at=bid.ended_at,
        receipts=[_receipt_out(r, signer_pem) for r in receipts if r.bid_id == bid.id],
    )


class BidController(Controller):
    path = "/api/bidding/sections"
    tags = ["bidding"]

    @post(
        "/{section_id:uuid}/bids",
        operation_id="submitBid",
        # binary_body: the OpenAPI document shows the streamed body (trading/openapi.py).
        opt={**allow(Role.bidder), "binary_body": "application/octet-stream"},
        request_max_body_size=rules.REQUEST_LIMIT_BYTES,
        status_code=201,
    )
    async def submit(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        read_session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
    ) -> ReceiptOut:
        """Hand in a sealed package (`trading bid seal`) as the raw request body, streamed. A second
        package replaces the first; the answer is the platform-signed receipt. The client's address
        and its X-Trading-Device header are kept for the collusion signals."""
        receipt = await service.submit_bid(
            session,
            settings,
            clock,
            section_id=section_id,
            bidder=request.user,
            chunks=request.stream(),
            reader=read_session,
            max_bytes=rules.MAX_PACKAGE_BYTES,
            origin=request_origin(request, parse_networks(settings.trusted_proxies)),
        )
        platform = await platform_authority(session, settings, at=clock.now())
        return _receipt_out(receipt, platform.signer_pem)

    @post(
        "/{section_id:uuid}/bids/withdrawal",
        operation_id="withdrawBid",
        opt=allow(Role.bidder),
        status_code=200,
    )
    async def withdraw(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[WithdrawIn | None] = None,
    ) -> ReceiptOut:
        """Withdraw your bid before the deadline (written notice, C-07); answered with a signed receipt."""
        receipt = await service.withdraw_bid(
            session,
            settings,
            clock,
            section_id=section_id,
            bidder=request.user,
            reason=(data or WithdrawIn()).reason,
        )
        platform = await platform_authority(session, settings, at=clock.now())
        return _receipt_out(receipt, platform.signer_pem)

    @get(
        "/{section_id:uuid}/bids/mine",
        operation_id="listMyBids",
        opt={**allow(Role.bidder), **WRITES_ON_READ},
    )
    async def mine(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
    ) -> list[BidOut]:
        """Your organisation's bids for the section (replaced and withdrawn ones too) with their receipts."""
        bids = await service.bids_of_bidder(session, section_id, request.user)
        receipts = await service.receipts_of(session, [b.id for b in bids])
        await service.finish_receipts(session, settings, clock, receipts, SYSTEM)
        platform = await platform_authority(session, settings, at=clock.now())
        await session.commit()
        return [_bid_out(b, receipts, platform.signer_pem) for b in bids]

    @get("/{section_id:uuid}/bids", operation_id="listSectionBids", opt={**OVERSIGHT, **WRITES_ON_READ})
    async def overview(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
    ) -> BidsOverviewOut:
        """How many bids are in; after the deadline also from whom (sealed content stays sealed)."""
        section, project = await service.section_and_project(session, section_id)
        if not request.user.supervises(project.sector):
            raise not_found("section", "标段", section_id)
        count, bids = await service.overview_for_oversight(session, section, request.user, at=clock.now())
        receipts = await service.receipts_of(session, [b.id for b in bids or []])
        await service.finish_receipts(session, settings, clock, receipts, SYSTEM)
        platform = await platform_authority(session, settings, at=clock.now())
        await session.commit()
        return BidsOverviewOut(
            section_id=section.id,
            bid_deadline=section.bid_deadline,
            active_bids=count,
            sealed=bids is None,
            bids=[_bid_out(b, receipts, platform.signer_pem) for b in bids or []],
        )

    @get("/{section_id:uuid}/bids/package-checks", operation_id="listPackageChecks", opt=PACKAGE_READERS)
    async def package_checks(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> list[PackageCheckOut]:
        """The checks of stored packages against their receipts (E-05), oldest first: a bidder sees
        its own (and whether it should hand its package in again); oversight sees all after the deadline."""
        rows = await packages.checks_for(session, section_id, request.user, at=clock.now())
        return [PackageCheckOut.model_validate(r) for r in rows]

    @post(
        "/{section_id:uuid}/bids/package-check",
        operation_id="checkPackages",
        opt=allow(Role.staff, Role.supervisor, Role.admin),
        status_code=200,
    )
    async def check_now(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
    ) -> list[PackageCheckOut]:
        """Check every stored package of the section against its receipt now (after the deadline)."""
        rows = await packages.check_on_request(session, settings, section_id, request.user, at=clock.now())
        await session.commit()
        return [PackageCheckOut.model_validate(r) for r in rows]

    @post(
        "/{section_id:uuid}/bids/{bid_id:uuid}/package",
        operation_id="handInPackageAgain",
        opt=allow(Role.bidder),
        request_max_body_size=rules.REQUEST_LIMIT_BYTES,
        status_code=200,
    )
    async def hand_in_again(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        bid_id: FromPath[uuid.UUID],
    ) -> PackageCheckOut:
        """The E-05 remedy: hand in again the very package your receipt names, after the platform
        told you its stored copy was damaged (raw body, as when submitting)."""
        check = await packages.hand_in_again(
            session,
            settings,
            section_id=section_id,
            bid_id=bid_id,
            bidder=request.user,
            chunks=request.stream(),
            at=clock.now(),
        )
        await session.commit()
        return PackageCheckOut.model_validate(check)


class ReceiptController(Controller):
    path = "/api/bidding/receipts"
    tags = ["bidding"]

    @get(
        "/{receipt_id:uuid}",
        operation_id="getReceipt",
        opt={**allow(Role.bidder, Role.staff, Role.admin, Role.auditor), **WRITES_ON_READ},
    )
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        receipt_id: FromPath[uuid.UUID],
    ) -> ReceiptOut:
        receipt = await service.get_receipt(session, receipt_id, request.user)
        await service.finish_receipt(session, settings, clock, receipt, SYSTEM)
        platform = await platform_authority(session, settings, at=clock.now())
        await session.commit()
        return _receipt_out(receipt, platform.signer_pem)
