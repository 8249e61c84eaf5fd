"""The deposit escrow ledger (保证金代收代退): accounts, journal, virtual sub-accounts, bank feed,
refunds and interest, fees, guarantees, reconciliation, audit views.

Built on the core (`trading`); never imported by it. The composition root calls the three hooks
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
