"""Bidding (投标): registrations, certificates and keys, sealed bids and receipts, the opening,
auctions, and the bidder-side sealing client.

Built on the core and on `funds`; never imported by either. The composition root calls the three hooks
below.
"""

from typing import Any

from trading.events import EventBus


def import_models() -> None:
    """Import every table of this package so migrations and the metadata see them."""


def route_handlers() -> list[Any]:
    """The package's controllers, registered by trading.app.create_app."""
    return []


def subscribe(bus: EventBus) -> None:
    """React to the core's domain events (section failed, awarded, contracted, ...)."""
