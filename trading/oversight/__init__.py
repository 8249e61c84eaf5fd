"""E-oversight (电子监察): the engine over every timed step, red and yellow cards, supervision
letters (督办函), monthly circulars (情况通报) and on-time rates, and the supervisor's dashboard.

The composition root calls `subscribe(bus)` so that the engine consumes the due dates, done
steps and breaches other packages publish (trading.oversight.feed)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from trading.events import EventBus


def subscribe(bus: EventBus, zone: ZoneInfo) -> None:
    from trading.oversight import archives, service
    from trading.oversight.feed import BREACH, STEP_DONE, STEP_DUE

    bus.subscribe(STEP_DUE, service.on_step_due)
    bus.subscribe(STEP_DONE, service.on_step_done)
    bus.subscribe(BREACH, service.on_breach)
    # A section that ends is archived (E-08).
    for ending in archives.ENDINGS:
        bus.subscribe(ending, archives.ending_handler(zone, ending))
