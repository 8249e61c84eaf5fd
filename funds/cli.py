"""`trading funds ...`: the ledger's commands. The composition root registers the group
(`cli.add_command(funds_group)` in trading/cli.py)."""

from __future__ import annotations

from pathlib import Path

import click
from litestar import Litestar
from litestar.cli._utils import LitestarGroup

from trading.cli_help import example


@click.group(
    cls=LitestarGroup,
    name="funds",
    help="The deposit escrow ledger.",
    epilog=example("trading funds verify --checkpoint journal-2026-11-30.json"),
)
def funds_group() -> None:
    pass


@funds_group.command(
    name="verify",
    help="Replay the journal: recompute every balance, walk the hash chain, hold it to every stored "
    "checkpoint and to the checkpoint files given; name the first broken link.",
    epilog=example("trading funds verify", "trading funds verify --checkpoint journal-2026-11-30.json"),
)
@click.option(
    "--checkpoint",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a journal checkpoint kept outside the platform (repeatable)",
)
def funds_verify(app: Litestar, files: tuple[Path, ...]) -> None:
    from trading.audit.cli import verify_and_report

    report, held = verify_and_report(app, "journal", files, "ledger")
    click.echo(
        f"ledger intact: {report.entries} entries, {report.postings} postings, "
        f"{report.accounts} accounts; "
        f"every balance equals the replay of the journal; {held}"
    )
