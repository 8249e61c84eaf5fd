"""`trading funds ...`: the ledger's commands. The composition root registers the group
(`cli.add_command(funds_group)` in trading/cli.py)."""

from __future__ import annotations

import sys
from typing import Any

import anyio
import click
from litestar import Litestar
from litestar.cli._utils import LitestarGroup


@click.group(cls=LitestarGroup, name="funds", help="The deposit escrow ledger.")
def funds_group() -> None:
    pass


@funds_group.command(
    name="verify",
    help="Replay the journal: recompute every balance, walk the hash chain, name the first broken link.",
)
def funds_verify(app: Litestar) -> None:
    from funds.journal.service import verify_ledger
    from trading.db.session import Database

    async def work() -> Any:
        db = Database(app.state.settings.resolved_database_url())
        try:
            async with db.session() as session:
                return await verify_ledger(session)
        finally:
            await db.dispose()

    report = anyio.run(work)
    if report.intact:
        click.echo(
            f"ledger intact: {report.entries} entries, {report.postings} postings, "
            f"{report.accounts} accounts; "
            "every balance equals the replay of the journal"
        )
        return
    click.echo(f"ledger BROKEN at entry {report.first_broken_seq}: {report.reason}", err=True)
    sys.exit(1)
