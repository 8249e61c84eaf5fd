"""The deposit escrow ledger (保证金代收代退): accounts, journal, virtual sub-accounts, bank feed,
refunds and interest, fees, guarantees, reconciliation, audit views.

Built on the core (`trading`); never imported by it. The composition root calls the three hooks
below.
"""

from typing import Any

from trading.events import EventBus


def import_models() -> None:
    """Import every table of this package so migrations and the metadata see them."""
    import funds.bankfeed.models
    import funds.fees.models
    import funds.guarantees.models
    import funds.journal.models
    import funds.reconciliation.models
    import funds.refunds.models
    import funds.subaccounts.models  # noqa: F401


def route_handlers() -> list[Any]:
    """The package's controllers, registered by trading.app.create_app."""
    from funds.audit_views.controllers import AuditViewController
    from funds.bankfeed.controllers import BankFeedController
    from funds.deposits.controllers import DepositController
    from funds.fees.controllers import FeeController
    from funds.guarantees.controllers import GuaranteeController
    from funds.oversight.controllers import OversightController
    from funds.refunds.controllers import RefundController
    from funds.subaccounts.controllers import SubaccountController

    return [
        SubaccountController,
        DepositController,
        BankFeedController,
        GuaranteeController,
        RefundController,
        FeeController,
        OversightController,
        AuditViewController,
    ]


def subscribe(bus: EventBus) -> None:
    """React to the core's domain events (section failed, awarded, contracted, ...) and to bidding's
    written withdrawals: the deposits that fall due go to refund (funds/refunds/rules.py)."""
    from funds.refunds.rules import Trigger
    from funds.refunds.service import on_calendar_year_loaded, on_registration_withdrawn, section_handler

    for trigger in (Trigger.failed, Trigger.cancelled, Trigger.awarded, Trigger.contracted):
        bus.subscribe(trigger.value, section_handler(trigger))
    bus.subscribe(Trigger.withdrawn.value, on_registration_withdrawn)
    bus.subscribe("calendar.year_loaded", on_calendar_year_loaded)


def log_sources() -> list[Any]:
    """The journal as a Merkle log: checkpointed and proven by the core (trading/audit)."""
    from funds.journal.service import JOURNAL_LOG

    return [JOURNAL_LOG]


def oversight_feeds() -> list[Any]:
    """Due dates the core's e-oversight engine reads without importing funds: the refunds."""
    from funds.oversight.service import refund_steps

    return [refund_steps]


def cli_commands() -> list[Any]:
    """`trading funds verify` and the other operator commands."""
    from funds.cli import funds_group

    return [funds_group]


def document_kinds() -> list[Any]:
    """The deposit receipt, the refund notice and the ledger statement, for the core's registry."""
    from funds.official_documents import document_kinds as kinds

    return kinds()


def portal_pages() -> list[Any]:
    """The funds pages of the portal (funds/portal.py), the ledger pages of the supervisors'
    and auditors' portal (funds/portal_staff.py) and the center's finance console: refunds,
    payment files, bank statements (funds/portal_finance.py)."""
    from funds.portal import portal_pages as bidder_pages
    from funds.portal_finance import pages as finance_pages
    from funds.portal_staff import pages as ledger_pages

    return [*bidder_pages(), *ledger_pages(), *finance_pages()]
