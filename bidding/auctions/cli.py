"""`trading auction settle-due`: store what the clock decided for every listing whose listing period
or auction has ended (each exactly once), for a cron job where no room is being watched. Watchers
see the result on their room's next clock tick."""

from __future__ import annotations

import anyio
import click
from litestar import Litestar
from litestar.cli._utils import LitestarGroup

from trading.cli_help import example


@click.group(
    cls=LitestarGroup,
    name="auction",
    help="Listings and auctions.",
    epilog=example("trading auction settle-due"),
)
def auction_group() -> None:
    pass


@auction_group.command(
    name="settle-due",
    help="Settle every listing or auction the clock has ended.",
    epilog=example("trading auction settle-due    (from cron, every minute)"),
)
def settle_due(app: Litestar) -> None:
    from bidding.auctions import service
    from trading.db.session import Database

    settings, clock = app.state.settings, app.state.clock

    async def work() -> int:
        db = Database(settings.resolved_database_url())
        try:
            async with db.session() as session:
                settled = await service.settle_due(session, clock.now(), settings.zone)
                await session.commit()
                return settled
        finally:
            await db.dispose()

    click.echo(f"settled {anyio.run(work)} listing(s)")
