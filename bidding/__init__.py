"""Bidding (投标): registrations, certificates and keys, sealed bids and receipts, the opening,
auctions, and the bidder-side sealing client.

Built on the core and on `funds`; never imported by either. The composition root calls the
hooks below.
"""

from typing import Any

from trading.events import EventBus


def import_models() -> None:
    """Import every table of this package so migrations and the metadata see them."""
    import bidding.certificates.models
    import bidding.keyholders.models
    import bidding.opening.models
    import bidding.registrations.models
    import bidding.submissions.models  # noqa: F401


def route_handlers() -> list[Any]:
    """The package's controllers, registered by trading.app.create_app."""
    from bidding.certificates.controllers import CertificateController, PlatformCertificateController
    from bidding.keyholders.controllers import KeyHolderController
    from bidding.opening.controllers import OpeningController
    from bidding.registrations.controllers import RegistrationController
    from bidding.submissions.controllers import BidController, ReceiptController

    return [
        RegistrationController,
        PlatformCertificateController,
        CertificateController,
        KeyHolderController,
        BidController,
        ReceiptController,
        OpeningController,
    ]


def subscribe(bus: EventBus) -> None:
    """Bidding reacts to no other package's events (it calls funds and the core directly)."""


def cli_commands() -> list[Any]:
    """The bidder's and the key holder's tools: `trading bid ...`, `trading keyholder ...`."""
    from bidding.cli import bid_group, keyholder_group

    return [bid_group, keyholder_group]


def document_kinds() -> list[Any]:
    """The bid receipt and the opening record, for the core's document registry."""
    from bidding.official_documents import document_kinds as kinds

    return kinds()
