"""`trading audit ...`: verify the logs, sign and export checkpoints, fetch and check proofs.

trading audit verify [--log journal] [--checkpoint kept.json ...]
trading audit checkpoint --log audit --out audit-2026-03-02.json
trading audit prove --log audit --seq 118 --size 240 --out inclusion.json
trading audit consistency --log audit --first 120 --second 240 --out consistency.json
trading audit check-proof consistency.json --public-key <base64>      (offline, no database)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import click
from litestar import Litestar
from litestar.cli._utils import LitestarGroup

from trading.cli_help import example

T = TypeVar("T")

log_option = click.option("--log", "log_id", default="audit", show_default=True, help="audit or journal")
out_option = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="write the JSON here (default: stdout)"
)


def run_session(app: Litestar, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(session)` against the app's database, outside any request (the work commits)."""
    from trading.db.session import Database

    async def main() -> T:
        db = Database(app.state.settings.resolved_database_url())
        try:
            async with db.session() as session:
                return await work(session)
        finally:
            await db.dispose()

    return anyio.run(main)


def _source(app: Litestar, log_id: str) -> Any:
    sources = app.state.log_sources
    if log_id not in sources:
        raise click.UsageError(f"no log '{log_id}'; the logs are {', '.join(sorted(sources))}")
    return sources[log_id]


def _emit(document: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"written to {out}", err=True)


def read_checkpoint_files(paths: tuple[Path, ...]) -> list[Any]:
    try:
        return [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    except json.JSONDecodeError as exc:
        raise click.UsageError(f"a checkpoint file is not JSON: {exc}") from exc


def verify_and_report(app: Litestar, log_id: str, files: tuple[Path, ...], what: str) -> Any:
    """Replay one log against its stored checkpoints and the given files; exit 1 when broken."""
    from trading.audit.checkpoints import verify_log
    from trading.errors import DomainError

    source, given = _source(app, log_id), read_checkpoint_files(files)
    try:
        report = run_session(app, lambda session: verify_log(session, source, app.state.log_signer, given))
    except DomainError as exc:
        click.echo(f"{what} NOT CHECKED: {exc.message_en}", err=True)
        sys.exit(2)
    held = f"held to {report.checkpoints_checked} signed checkpoints"
    if report.intact:
        newest = f", the newest of size {report.checkpoint_size}" if report.checkpoint_size else ""
        return report, f"{held}{newest}"
    unit = "event" if log_id == "audit" else "entry"
    click.echo(f"{what} BROKEN at {unit} {report.first_broken_seq}: {report.reason}", err=True)
    sys.exit(1)


@click.group(
    cls=LitestarGroup,
    name="audit",
    help="The audit log and the ledger journal as signed Merkle logs.",
    epilog=example(
        "trading audit verify", "trading audit checkpoint --log journal --out journal-2026-12-01.json"
    ),
)
def audit_group() -> None:
    pass


@audit_group.command(
    name="verify",
    help="Walk a log's chain and hold it to every stored checkpoint and to the files given.",
    epilog=example(
        "trading audit verify --checkpoint audit-2026-11-30.json", "trading audit verify --log journal"
    ),
)
@log_option
@click.option(
    "--checkpoint",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a checkpoint kept outside the platform (repeatable)",
)
def audit_verify(app: Litestar, log_id: str, files: tuple[Path, ...]) -> None:
    what = "audit chain" if log_id == "audit" else f"log {log_id}"
    report, held = verify_and_report(app, log_id, files, what)
    click.echo(f"{what} intact: {report.rows} {'events' if log_id == 'audit' else 'rows'}, {held}")


@audit_group.command(
    name="checkpoint",
    help="Sign the log as it stands now and export that checkpoint.",
    epilog=example("trading audit checkpoint --log audit --out audit-2026-12-01.json"),
)
@log_option
@out_option
def audit_checkpoint(app: Litestar, log_id: str, out: Path | None) -> None:
    from trading.audit.checkpoints import checkpoint_document, write_checkpoint

    source, signer = _source(app, log_id), app.state.log_signer

    async def work(session: Any) -> dict[str, Any]:
        row = await write_checkpoint(session, source, signer, at=app.state.clock.now(), reason="request")
        await session.commit()
        return checkpoint_document(row, signer)

    _emit(run_session(app, work), out)


@audit_group.command(
    name="prove",
    help="Export the inclusion proof of row SEQ in the checkpoint of SIZE.",
    epilog=example("trading audit prove --log audit --seq 118 --size 240 --out inclusion.json"),
)
@log_option
@click.option("--seq", type=int, required=True, help="the row's number (1 = the first event or entry)")
@click.option("--size", type=int, required=True, help="the size of a stored checkpoint")
@out_option
def audit_prove(app: Litestar, log_id: str, seq: int, size: int, out: Path | None) -> None:
    from trading.audit.checkpoints import inclusion_proof

    source = _source(app, log_id)
    _emit(
        run_session(
            app, lambda s: inclusion_proof(s, source, app.state.log_signer, index=seq - 1, tree_size=size)
        ),
        out,
    )


@audit_group.command(
    name="consistency",
    help="Export the proof that checkpoint FIRST is a prefix of SECOND.",
    epilog=example("trading audit consistency --log audit --first 120 --second 240 --out consistency.json"),
)
@log_option
@click.option("--first", type=int, required=True)
@click.option("--second", type=int, required=True)
@out_option
def audit_consistency(app: Litestar, log_id: str, first: int, second: int, out: Path | None) -> None:
    from trading.audit.checkpoints import consistency_proof

    source = _source(app, log_id)
    _emit(
        run_session(
            app, lambda s: consistency_proof(s, source, app.state.log_signer, first=first, second=second)
        ),
        out,
    )


@audit_group.command(
    name="check-proof",
    help="Offline: check an exported checkpoint, inclusion or consistency proof.",
    epilog=example("trading audit check-proof consistency.json --public-key MCowBQYDK2VwAyEA..."),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", help="the platform's log key (base64), pinned beforehand")
def audit_check_proof(app: Litestar, file: Path, public_key: str | None) -> None:
    from trading.audit import offline

    sys.exit(offline.main([str(file), *(["--public-key", public_key] if public_key else [])]))
