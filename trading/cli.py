"""The `trading` command: the platform's own groups (db, demo, audit, calendar, user, backup,
opendata and the feature packages' bid, keyholder, funds, auction...) and, of Litestar's CLI, only
what applies here (run, routes, schema openapi), registered as a CLI plugin.

`trading run` serves the app; `trading db upgrade` applies migrations (needed once per deployment
on PostgreSQL, done on start for the embedded default).
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import click
from litestar import Litestar

# LitestarGroup injects `app` into the commands of nested groups (Litestar documents it, from _utils).
from litestar.cli._utils import LitestarEnv, LitestarExtensionGroup, LitestarGroup
from litestar.plugins import CLIPluginProtocol

from trading.audit.cli import audit_group
from trading.cli_help import example

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
    cls=LitestarGroup,
    name="db",
    help="Database schema: apply migrations, show the current revision.",
    epilog=example("trading db upgrade", "trading db current"),
)
def db_group() -> None:
    pass


@db_group.command(
    name="upgrade",
    help="Apply every migration up to the newest (safe to run on each deploy).",
    epilog=example("TRADING_DATABASE_URL=postgresql+asyncpg://trading@db/trading trading db upgrade"),
)
def db_upgrade(app: Litestar) -> None:
    from trading.app import seed_reference_data
    from trading.db import migrate

    async def work(db: Any) -> None:
        app.state.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await migrate.upgrade(db.engine)
        await seed_reference_data(db, app.state.clock)

    _run(app, work)
    click.echo(f"database at revision {migrate.head_revision()}")


@db_group.command(
    name="current",
    help="Show the database's schema revision and the newest one.",
    epilog=example("trading db current"),
)
def db_current(app: Litestar) -> None:
    from trading.db import migrate

    current = _run(app, lambda db: migrate.current_revision(db.engine))
    click.echo(f"current: {current}\nhead:    {migrate.head_revision()}")


@click.command(
    name="demo",
    help="Fill an empty database with a small demo center and print the logins.",
    epilog=example("trading demo --if-empty", "TRADING_CLOCK_AT=2030-02-07T10:00:00+08:00 trading demo"),
)
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


@click.group(
    cls=LitestarGroup,
    name="calendar",
    help="The official working-day calendar.",
    epilog=example("trading calendar load holidays-2027.json"),
)
def calendar_group() -> None:
    pass


@calendar_group.command(
    name="load",
    help="Load a year's holiday notice from a JSON file (see docs/calendar.md).",
    epilog=example("trading calendar load holidays-2027.json"),
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


@click.group(
    cls=LitestarGroup,
    name="user",
    help="User accounts.",
    epilog=example("trading user create --username admin --display-name 系统管理员 --role admin"),
)
def user_group() -> None:
    pass


@user_group.command(
    name="create",
    help="Create a user (for the first administrator of an installation); asks for the password.",
    epilog=example(
        "trading user create --username admin --display-name 系统管理员 --role admin",
        "trading user create --username zj --display-name 周监督 --role supervisor --sector construction",
    ),
)
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


@click.group(
    cls=LitestarGroup,
    name="backup",
    help="Back up and restore the database and the stored files.",
    epilog=example("trading backup create /srv/backups/center-2027-01-04.tar"),
)
def backup_group() -> None:
    pass


@backup_group.command(
    name="create",
    help="Write ARCHIVE: a snapshot of the database (SQLite's online backup, or pg_dump) and then the "
    "stored files, with the SHA-256 of each. Safe while the server runs. It holds the keys: keep it safe.",
    epilog=example("trading backup create /srv/backups/center-2027-01-04.tar"),
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
    epilog=example(
        "trading backup restore /srv/backups/center-2027-01-04.tar",
        "trading audit verify && trading funds verify",
    ),
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


# Litestar's commands that apply to this platform, with an example each; its `sessions` (server-side
# sessions: the platform has none), `info`, `version` and `schema typescript` are left out.
def _litestar_commands() -> list[click.Command]:
    from litestar.cli.commands import core, schema

    run = copy.copy(core.run_command)
    run.help = "Serve the platform (uvicorn); --workers N needs PostgreSQL and Redis."
    run.epilog = example(
        "trading run --host 127.0.0.1 --port 8000",
        "TRADING_DATABASE_URL=... TRADING_REDIS_URL=... trading run --workers 4",
    )
    routes = copy.copy(core.routes_command)
    routes.help = "List the HTTP routes of the platform."
    routes.epilog = example("trading routes", "trading routes --exclude '^/schema'")
    openapi = copy.copy(schema.generate_openapi_schema)
    openapi.epilog = example("trading schema openapi --output openapi.json")
    schema_group = LitestarGroup(
        name="schema",
        help="The API's OpenAPI document.",
        commands=[openapi],
        epilog=example("trading schema openapi --output openapi.json"),
    )
    return [run, routes, schema_group]


def quiet_library_logs() -> None:
    """Commands print their results; libraries' INFO lines (migrations run, HTTP requests sent)
    would only bury them on stderr. Warnings still show. The server (`run`) keeps its logging."""
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("litestar").setLevel(logging.WARNING)


class TradingGroup(LitestarExtensionGroup):
    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name != "run":
            quiet_library_logs()
        return name, command, rest


@click.group(
    cls=TradingGroup,
    name="trading",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="公共资源交易平台 Public resource trading platform: serve it, migrate its database, load the "
    "demo center or a holiday notice, verify the audit log and the deposit ledger, export open data; "
    "and, on a bidder's or key holder's own machine, seal and submit bids and release key shares. "
    "Every command reads the TRADING_* settings (docs/configuration.md).",
    epilog=example(
        "trading db upgrade && trading run --port 8000",
        "trading demo --if-empty",
        "trading bid seal --help",
    ),
)
@click.pass_context
def trading_group(ctx: click.Context) -> None:
    if ctx.obj is None:
        # The app (and with it the settings) is built only when a command needs it.
        ctx.obj = lambda: LitestarEnv.from_env(None)


for _command in _litestar_commands():
    trading_group.add_command(_command)


def main() -> None:
    """Entry point of the `trading` console script."""
    os.environ.setdefault("LITESTAR_APP", "trading.app:create_app")
    trading_group()
