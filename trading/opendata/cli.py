"""`trading opendata export`: the whole public history as one OCDS package file, for bulk users
(the HTTP packages page through it). Progress goes to stderr, the package to --out or stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from litestar import Litestar
from litestar.cli._utils import LitestarGroup
from sqlalchemy import func, select

from trading.cli_help import example

BATCH = 200


@click.group(
    cls=LitestarGroup,
    name="opendata",
    help="Open data: OCDS bulk export.",
    epilog=example("trading opendata export --kind records --out records.json"),
)
def opendata_group() -> None:
    pass


async def _export(
    db: Any, settings: Any, clock: Any, kind: str, base_url: str, sector: str | None
) -> dict[str, Any]:
    from trading.opendata import service
    from trading.projects.models import Project, Section

    async with db.session() as session:
        query = select(func.count()).select_from(Section).where(Section.announced_at.is_not(None))
        if sector:
            query = query.where(Section.project_id.in_(select(Project.id).where(Project.sector == sector)))
        total = await session.scalar(query) or 0
        facts: list[Any] = []
        while True:
            sections, more = await service.public_sections(
                session, sector=sector, limit=BATCH, offset=len(facts)
            )
            facts += await service.gather(session, sections, settings.ocid_prefix)
            click.echo(f"{len(facts)}/{total} sections", err=True)
            if not more:
                break
    if not facts:
        # An OCDS package holds at least one release (record): an empty one would not conform.
        raise click.ClickException("nothing is published yet: no package to export")
    build = service.release_package if kind == "releases" else service.record_package
    return build(
        facts,
        uri=f"{base_url}/api/public/opendata/{kind}",
        base_url=base_url,
        publisher=settings.opendata_publisher,
        at=clock.now(),
    )


@opendata_group.command(
    name="export",
    help="Write every public section as an OCDS 1.1 release or record package.",
    epilog=example(
        "trading opendata export --kind releases --sector land --base-url https://ggzy.example.cn "
        "--out land.json"
    ),
)
@click.option("--kind", type=click.Choice(["releases", "records"]), default="records", show_default=True)
@click.option(
    "--sector", type=click.Choice(["construction", "procurement", "land", "property"]), default=None
)
@click.option(
    "--base-url", default="http://localhost:8000", show_default=True, help="Where the center is served."
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File (default: stdout)."
)
def export(app: Litestar, kind: str, sector: str | None, base_url: str, out: Path | None) -> None:
    from trading.cli import _run

    settings, clock = app.state.settings, app.state.clock
    package = _run(app, lambda db: _export(db, settings, clock, kind, base_url.rstrip("/"), sector))
    text = json.dumps(package, ensure_ascii=False, indent=1)
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        out.write_text(text, encoding="utf-8")
    click.echo(f"exported {len(package[kind])} {kind}", err=True)


@opendata_group.command(
    name="national",
    help="Write the national data sets (projects, announcements, openings, results) as JSON files.",
    epilog=example("trading opendata national --out national-2026-12/"),
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Directory to write."
)
def national_export(app: Litestar, out: Path) -> None:
    from trading.cli import _run
    from trading.opendata import national

    async def work(db: Any) -> dict[str, list[dict[str, Any]]]:
        async with db.session() as session:
            return await national.export(session)

    data_sets = _run(app, work)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in data_sets.items():
        (out / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        click.echo(f"{name}: {len(rows)} rows", err=True)
