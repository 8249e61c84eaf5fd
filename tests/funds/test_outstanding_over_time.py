"""Deposits outstanding over time (the supervisors' chart): the cash held on virtual accounts as it
stood at each instant, read back from the journal."""

import datetime as dt

from funds.audit_views.service import outstanding_over_time
from tests.funds.helpers import dispatch, move
from tests.funds.test_audit_views import paid_in_two_sectors


async def test_deposits_held_rise_when_paid_and_fall_when_a_section_is_cancelled(
    client, people, settings, db, clock, app
):
    building, _ = await paid_in_two_sectors(client, people, settings, clock)
    paid_at = clock.now()
    clock.advance(dt.timedelta(days=1))
    await move(client, people, building, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    instants = [paid_at - dt.timedelta(days=1), paid_at, clock.now()]
    async with db.session() as session:
        everything = await outstanding_over_time(session, instants=instants, sectors=None)
        land = await outstanding_over_time(session, instants=instants, sectors=frozenset({"land"}))
    assert everything == list(zip(instants, [0, 520_000_00, 500_000_00], strict=True))
    assert [fen for _, fen in land] == [0, 500_000_00, 500_000_00]
