"""The `trading` command: Litestar's CLI (run, routes, schema, ...) plus the platform's own
groups (db, demo, audit, calendar, user, backup), registered as a CLI plugin.

`trading run` serves the app; `trading db upgrade` applies migrations (needed once per deployment
on PostgreSQL, done on start for the embedded default).
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import click
from litestar import Litestar

# LitestarGroup injects `app` into the commands of nested groups (Litestar documents it, from _utils).
from litestar.cli._utils import LitestarGroup
from litestar.plugins import CLIPluginProtocol

from trading.audit.cli import audit_group

T = TypeVar("T")


def _run(app: Litestar, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(db)` against the app's database, outside any request."""
    from trading.db.session import Database

    async def _main() -> T:
        db = Database(app.state.settings.resolved_database_url())
        try:
            return await work(db)
        finally:
            await db.dispose()

    return anyio.run(_main)


class TradingCLIPlugin(CLIPluginProtocol):
    def on_cli_init(self, cli: click.Group) -> None:
        cli.add_command(db_group)
        cli.add_command(demo_command)
        cli.add_command(audit_group)
        cli.add_command(calendar_group)
        cli.add_command(user_group)
        cli.add_command(backup_group)
        cli.add_command(opendata_group())
        from trading.app import feature_packages

        # Feature packages may bring their own groups (`trading funds verify`, `trading bid seal`).
        for package in feature_packages():
            for command in getattr(package, "cli_commands", list)():
                cli.add_command(command)


@click.group(
    cls=LitestarGroup, name="db", help="Database schema: apply migrations, show the current revision."
)
def db_group() -> None:
    pass


@db_group.command(name="upgrade", help="Apply every migration up to the newest (safe to run on each deploy).")
def db_upgrade(app: Litestar) -> None:
    from trading.app import seed_reference_data
    from trading.db import migrate

    async def work(db: Any) -> None:
        app.state.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await migrate.upgrade(db.engine)
        await seed_reference_data(db, app.state.clock)

    _run(app, work)
    click.echo(f"database at revision {migrate.head_revision()}")


@db_group.command(name="current", help="Show the database's schema revision and the newest one.")
def db_current(app: Litestar) -> None:
    from trading.db import migrate

    current = _run(app, lambda db: migrate.current_revision(db.engine))
    click.echo(f"current: {current}\nhead:    {migrate.head_revision()}")


@click.command(name="demo", help="Fill an empty database with a small demo center and print the logins.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when data is already there.")
def demo_command(app: Litestar, if_empty: bool) -> None:
    from trading.app import seed_reference_data
    from trading.db import migrate
    from trading.demo import DemoAlreadyLoaded, load_demo

    async def work(db: Any) -> list[tuple[str, str, str]] | None:
        app.state.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await migrate.upgrade(db.engine)
        await seed_reference_data(db, app.state.clock)
        try:
            return await load_demo(db, app.state.clock)
        except DemoAlreadyLoaded:
            if if_empty:
                return None
            raise

    logins = _run(app, work)
    if logins is None:
        click.echo("demo data already loaded; logins are listed in README.md")
        return
    click.echo("Demo center loaded. Logins (username / password / role):")
    for username, password, role in logins:
        click.echo(f"  {username:<16} {password:<26} {role}")


@click.group(cls=LitestarGroup, name="calendar", help="The official working-day calendar.")
def calendar_group() -> None:
    pass


@calendar_group.command(
    name="load", help="Load a year's holiday notice from a JSON file (see docs/calendar.md)."
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_load(app: Litestar, path: Path) -> None:
    from trading.audit.service import Actor
    from trading.calendar.review import raise_warnings, section_code
    from trading.calendar.schemas import CalendarYearFile
    from trading.calendar.service import load_year

    notice = CalendarYearFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    actor = Actor(id=None, name=f"cli:{os.environ.get('USER', 'admin')}")

    async def work(db: Any) -> list[str]:
        async with db.session() as session:
            at = app.state.clock.now()
            await load_year(
                session,
                actor=actor,
                at=at,
                year=notice.year,
                notice=notice.notice,
                holidays=[(d.date, d.name) for d in notice.holidays],
                workdays=[(d.date, d.name) for d in notice.workdays],
            )
            warnings = await raise_warnings(
                session, notice.year, actor=actor, at=at, zone=app.state.settings.zone
            )
            lines = [f"  {await section_code(session, w.section_id)}  {w.zh}" for w in warnings]
            await session.commit()
            return lines

    affected = _run(app, work)
    click.echo(
        f"calendar {notice.year} loaded: {len(notice.holidays)} holidays, {len(notice.workdays)} make-up days"
    )
    if affected:
        click.echo(f"{len(affected)} yellow warning(s) for open sections this notice affects:")
        for line in affected:
            click.echo(line)


@click.group(cls=LitestarGroup, name="user", help="User accounts.")
def user_group() -> None:
    pass


@user_group.command(name="create", help="Create a user (for the first administrator of an installation).")
@click.option("--username", required=True)
@click.option("--display-name", required=True)
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--sector", "sectors", multiple=True)
@click.password_option()
def user_create(
    app: Litestar,
    username: str,
    display_name: str,
    roles: tuple[str, ...],
    sectors: tuple[str, ...],
    password: str,
) -> None:
    from trading.audit.service import Actor
    from trading.auth.service import create_user

    async def work(db: Any) -> None:
        async with db.session() as session:
            await create_user(
                session,
                username=username,
                password=password,
                display_name=display_name,
                roles=list(roles),
                sectors=list(sectors),
                organisation_id=None,
                actor=Actor(id=None, name=f"cli:{os.environ.get('USER', 'admin')}"),
                at=app.state.clock.now(),
            )
            await session.commit()

    _run(app, work)
    click.echo(f"user {username} created")


@click.group(cls=LitestarGroup, name="backup", help="Back up and restore the database and the stored files.")
def backup_group() -> None:
    pass


@backup_group.command(
    name="create",
    help="Write ARCHIVE: a snapshot of the database (SQLite's online backup, or pg_dump) and then the "
    "stored files, with the SHA-256 of each. Safe while the server runs. It holds the keys: keep it safe.",
)
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def backup_create(app: Litestar, archive: Path) -> None:
    from trading import backup

    try:
        summary = backup.create(app.state.settings, archive, at=app.state.clock.now())
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"backup written to {summary.archive}: the {summary.backend} database and "
        f"{summary.files} files ({summary.bytes} bytes)"
    )


@backup_group.command(
    name="restore",
    help="Restore ARCHIVE onto an empty data directory (and, on PostgreSQL, an empty database), after "
    "checking every member against its digest. Then run `trading audit verify` and `trading funds verify`.",
)
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(app: Litestar, archive: Path) -> None:
    from trading import backup

    try:
        summary = backup.restore(app.state.settings, archive)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored the {summary.backend} database and {summary.files} files from {summary.archive}")


def opendata_group() -> click.Group:
    from trading.opendata.cli import opendata_group as group

    return group


def main() -> None:
    """Entry point of the `trading` console script."""
    os.environ.setdefault("LITESTAR_APP", "trading.app:create_app")
    from litestar.cli.main import litestar_group

    litestar_group()
