"""Bidding (投标): registrations, certificates and keys, sealed bids and receipts, the opening,
auctions, and the bidder-side sealing client.

Built on the core and on `funds`; never imported by either. The composition root calls the
hooks below.
"""

from typing import Any

from trading.events import EventBus


def import_models() -> None:
    """Import every table of this package so migrations and the metadata see them."""
    import bidding.auctions.models
    import bidding.certificates.models
    import bidding.keyholders.models
    import bidding.opening.models
    import bidding.registrations.models
    import bidding.submissions.models  # noqa: F401


def route_handlers() -> list[Any]:
    """The package's controllers, registered by trading.app.create_app."""
    from bidding.auctions.controllers import AuctionController, PublicBoardController
    from bidding.certificates.controllers import CertificateController, PlatformCertificateController
    from bidding.keyholders.controllers import KeyHolderController
    from bidding.opening.controllers import OpeningController
    from bidding.registrations.controllers import RegistrationController
    from bidding.signals.controllers import SignalController
    from bidding.submissions.controllers import BidController, ReceiptController

    return [
        RegistrationController,
        PlatformCertificateController,
        CertificateController,
        KeyHolderController,
        BidController,
        ReceiptController,
        OpeningController,
        SignalController,
        AuctionController,
        PublicBoardController,
    ]


def subscribe(bus: EventBus) -> None:
    """Bidding reacts to no other package's events (it calls funds and the core directly)."""


def jobs(settings: Any) -> list[Any]:
    """Scheduled by the composition root: the check of stored packages at each bid deadline (E-05)."""
    import functools

    from bidding.submissions.packages import check_at_deadlines

    return [functools.partial(check_at_deadlines, settings=settings)]


def cli_commands() -> list[Any]:
    """The bidder's and the key holder's tools: `trading bid ...`, `trading keyholder ...`, the stored
    packages' check `trading bids check-packages`; the auction job `trading auction settle-due`."""
    from bidding.auctions.cli import auction_group
    from bidding.cli import bid_group, bids_group, keyholder_group

    return [bid_group, keyholder_group, bids_group, auction_group]


async def load_demo(session: Any, cast: Any, today: Any, zone: Any) -> None:
    """The demo's sales in progress (trading/demo.py calls this hook)."""
    from bidding.auctions.demo import load_demo as auctions_demo

    await auctions_demo(session, cast, today, zone)


def document_kinds() -> list[Any]:
    """The bid receipt and the opening record, for the core's document registry."""
    from bidding.official_documents import document_kinds as kinds

    return kinds()


def portal_pages() -> list[Any]:
    """The bidder's workspace pages (bidding/portal.py), the staff's section consoles
    (registrations, opening: bidding/portal_staff.py) and the supervisors' collusion signals
    (bidding/portal_signals.py), mounted in the portal's router."""
    from bidding.portal import portal_pages as bidder_pages
    from bidding.portal_signals import pages as signal_pages
    from bidding.portal_staff import pages as staff_pages

    return [*bidder_pages(), *staff_pages(), *signal_pages()]
