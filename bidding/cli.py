"""The bidder's and the key holder's tools: `trading bid ...` and `trading keyholder ...`.

They run on the bidder's or the holder's own machine and need no server configuration: private
keys are made and kept there; what crosses to the platform is a CSR, a public key, a sealed
package, or (after the deadline) released shares. Every command works offline on files; `submit`
is the one that talks to the server (streamed upload). Also runnable as `python -m bidding.cli`.

    trading bid keygen --out keys/ --uscc 91320000134000789X --name 江苏华建建设集团有限公司
    trading bid seal --parameters params.json --ca ca.pem --certificate cert.pem \\
        --keys keys/ --file 投标文件.pdf --price 48000000.00 --duration-days 540 --out bid.sealed
    trading bid submit --server https://... --token ... --section <id> bid.sealed > receipt.json
    trading bid verify-receipt receipt.json --ca ca.pem --package bid.sealed [--consistency proof.json]
    trading bid decrypt-key --package bid.sealed --keys keys/        (decryption window, E-05)
    trading keyholder keygen --out holder.pem
    trading keyholder release --wraps wraps.json --key holder.pem --out shares.json
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any, BinaryIO

import anyio
import click
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from litestar import Litestar
from litestar.cli._utils import LitestarGroup

from bidding.sealing import keys, package
from bidding.sealing.documents import DocumentInvalid, verify_document
from bidding.sealing.manifest import BidData, SealingParameters
from bidding.sealing.receipts import ReceiptInvalid, verify_receipt
from trading.audit import offline
from trading.cli_help import example

SIGNING_KEY = "signing-key.pem"
DECRYPTION_KEY = "decryption-key.pem"
CSR = "request.csr"


def _passphrase(variable: str | None) -> bytes | None:
    if not variable:
        return None
    value = os.environ.get(variable)
    if not value:
        raise click.UsageError(f"the environment variable {variable} is empty")
    return value.encode()


def _pem_from(path: Path, field: str, option: str, origin: str) -> bytes:
    """A PEM certificate from a file holding it, or holding the platform's JSON answer that carries
    it in `field` (saved as the server gives it: `curl ... > ca.json`)."""
    raw = path.read_bytes()
    if raw.lstrip().startswith(b"{"):
        try:
            pem = json.loads(raw)[field]
        except (ValueError, KeyError, TypeError) as exc:
            raise click.BadParameter(
                f"{path} is JSON without a '{field}' PEM: save the answer of {origin}", param_hint=option
            ) from exc
        raw = str(pem).encode()
    try:
        x509.load_pem_x509_certificate(raw)
    except ValueError as exc:
        raise click.BadParameter(
            f"{path} holds no PEM certificate (nor the JSON answer of {origin})", param_hint=option
        ) from exc
    return raw


def _ca(path: Path) -> x509.Certificate:
    pem = _pem_from(path, "ca", "--ca", "GET /api/bidding/platform/certificates")
    return x509.load_pem_x509_certificate(pem)


class _Progress:
    """A file read through a progress bar on stderr (sealing or uploading a large bid takes a while)."""

    def __init__(self, source: BinaryIO, bar: Any) -> None:
        self._source, self._bar = source, bar

    def read(self, size: int = -1) -> bytes:
        chunk = self._source.read(size)
        self._bar.update(len(chunk))
        return chunk


def _progressbar(length: int, label: str) -> Any:
    return click.progressbar(length=length, label=label, file=sys.stderr)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


passphrase_option = click.option(
    "--passphrase-env", metavar="VAR", help="read the private keys' passphrase from this environment variable"
)


@click.group(
    name="bid",
    help="Bidder side: keys, sealing, submission, receipts (no server settings needed).",
    epilog=example(
        "trading bid keygen --out keys/ --uscc 91320000134000789X --name 江苏华建建设集团有限公司",
        "trading bid seal --help",
    ),
)
def bid_group() -> None:
    pass


@bid_group.command(
    name="keygen",
    help="Make a signing key (EC P-256), a decryption key (X25519) and a CSR.",
    epilog=example(
        "trading bid keygen --out keys/ --uscc 91320000134000789X --name 江苏华建建设集团有限公司 "
        "--passphrase-env BID_KEY_PASSPHRASE"
    ),
)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--uscc", required=True, help="the organisation's unified social credit code")
@click.option("--name", required=True, help="the organisation's name")
@passphrase_option
def bid_keygen(out: Path, uscc: str, name: str, passphrase_env: str | None) -> None:
    passphrase = _passphrase(passphrase_env)
    signing = keys.new_signing_key()
    decryption = keys.new_x25519_key()
    keys.write_private_key(out / SIGNING_KEY, signing, passphrase)
    keys.write_private_key(out / DECRYPTION_KEY, decryption, passphrase)
    csr = keys.certificate_request(signing, uscc=uscc, name=name)
    (out / CSR).write_bytes(csr.public_bytes(Encoding.PEM))
    click.echo(f"keys written to {out}; send {out / CSR} to POST /api/bidding/certificates")


def load_parameters(path: Path, ca: x509.Certificate) -> SealingParameters:
    """The section's sealing parameters, checked against the platform's signature and digest."""
    try:
        body = verify_document(json.loads(path.read_text(encoding="utf-8")), ca)
    except (DocumentInvalid, json.JSONDecodeError) as exc:
        raise click.ClickException(f"the sealing parameters do not verify: {exc}") from exc
    digest = body.pop("digest", None)
    parameters = SealingParameters.model_validate(body)
    if digest != package.parameters_digest(parameters):
        raise click.ClickException("the sealing parameters' digest does not match their content")
    return parameters


def _extra(values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--extra takes name=value, got {item!r}")
        pairs[name] = value
    return pairs


@bid_group.command(
    name="seal",
    help="Encrypt and sign a bid file and its key figures into a sealed package.",
    epilog=example(
        "curl -o ca.json https://ggzy.example.cn/api/bidding/platform/certificates",
        "trading bid seal --parameters params.json --ca ca.json --certificate cert.pem --keys keys/ "
        "--file 投标文件.pdf --price 48000000.00 --duration-days 540 --out bid.sealed",
    ),
)
@click.option(
    "--parameters",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="GET /api/bidding/sections/{id}/sealing-parameters, saved",
)
@click.option(
    "--ca",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="the platform root CA: the answer of GET /api/bidding/platform/certificates saved as it comes "
    "(JSON), or the CA's PEM",
)
@click.option(
    "--certificate",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="your signing certificate (PEM)",
)
@click.option(
    "--keys", "key_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True
)
@click.option(
    "--file", "bid_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option("--price", required=True, help='the bid price in yuan, e.g. "48000000.00"')
@click.option("--duration-days", type=int)
@click.option("--quality")
@click.option("--project-manager")
@click.option("--extra", multiple=True, help="name=value, repeatable: other key figures")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@passphrase_option
def bid_seal(
    parameters: Path,
    ca: Path,
    certificate: Path,
    key_dir: Path,
    bid_file: Path,
    price: str,
    duration_days: int | None,
    quality: str | None,
    project_manager: str | None,
    extra: tuple[str, ...],
    out: Path,
    passphrase_env: str | None,
) -> None:
    from trading.money import parse_yuan

    passphrase = _passphrase(passphrase_env)
    section = load_parameters(parameters, _ca(ca))
    certificate_pem = _pem_from(
        certificate, "certificate_pem", "--certificate", "POST /api/bidding/certificates"
    ).decode()
    uscc = _subject_uscc(certificate_pem)
    try:
        data = BidData(
            price_fen=parse_yuan(price),
            duration_days=duration_days,
            quality=quality,
            project_manager=project_manager,
            extra=_extra(extra),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    with (
        bid_file.open("rb") as source,
        _progressbar(bid_file.stat().st_size, f"sealing {bid_file.name}") as bar,
    ):
        summary = package.seal_bid(
            source=_Progress(source, bar),  # type: ignore[arg-type]
            file_name=bid_file.name,
            bid_data=data,
            parameters=section,
            uscc=uscc,
            certificate_pem=certificate_pem,
            signing_key=keys.load_signing_key(key_dir / SIGNING_KEY, passphrase),
            decryption_key=keys.load_x25519_key(key_dir / DECRYPTION_KEY, passphrase).public_key(),
            out=out,
            sealed_at=dt.datetime.now(dt.UTC),
        )
    click.echo(
        json.dumps(
            {
                "package": str(summary.path),
                "sha256": summary.package_sha256,
                "size": summary.size,
                "section": section.section_code,
                "deadline": section.bid_deadline,
            },
            ensure_ascii=False,
        )
    )


def _subject_uscc(certificate_pem: str) -> str:
    from bidding.certificates.authority import subject_uscc

    uscc = subject_uscc(x509.load_pem_x509_certificate(certificate_pem.encode()))
    if not uscc:
        raise click.ClickException("the certificate names no USCC: is it the platform-issued certificate?")
    return uscc


@bid_group.command(
    name="submit",
    help="Upload a sealed package (streamed) and print the signed receipt.",
    epilog=example(
        "TRADING_TOKEN=eyJ... trading bid submit --server https://ggzy.example.cn "
        "--section 0193a0c4-... bid.sealed > receipt.json"
    ),
)
@click.option("--server", required=True, help="https://platform.example.cn")
@click.option(
    "--token-env", default="TRADING_TOKEN", show_default=True, help="variable holding your login token"
)
@click.option("--section", required=True)
@click.option(
    "--installation-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path.home() / ".config" / "trading" / "installation-id",
    show_default=True,
    help="where this installation keeps its id, sent as X-Trading-Device",
)
@click.argument("sealed", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def bid_submit(server: str, token_env: str, section: str, installation_file: Path, sealed: Path) -> None:
    import httpx

    token = os.environ.get(token_env)
    if not token:
        raise click.UsageError(f"set {token_env} to your login token")
    device = installation_id(installation_file)
    answer = upload(httpx.Client(base_url=server, timeout=600), token, section, sealed, device=device)
    click.echo(json.dumps(answer, ensure_ascii=False, indent=2))


def installation_id(path: Path) -> str:
    """This installation's id, made on first use: the platform keeps it with each package for the
    collusion signals (two bidders' bids sent from one installation), as the user is told in
    docs/sealed-bids.md."""
    if path.exists():
        known = path.read_text(encoding="ascii", errors="replace").strip()
        if known and len(known) <= 64 and all(c.isalnum() or c in "._-" for c in known):
            return known
    made = uuid.uuid4().hex
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(made + "\n", encoding="ascii")
    return made


def upload(
    client: Any, token: str, section_id: str, sealed: Path, device: str | None = None
) -> dict[str, Any]:
    """Stream `sealed` to the platform; the receipt, or ClickException with the platform's message."""

    def chunks(bar: Any) -> Any:
        with sealed.open("rb") as source:
            while block := source.read(1 << 20):
                bar.update(len(block))
                yield block

    with _progressbar(sealed.stat().st_size, f"uploading {sealed.name}") as bar:
        answer = client.post(
            f"/api/bidding/sections/{section_id}/bids",
            content=chunks(bar),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/octet-stream",
                **({"X-Trading-Device": device} if device else {}),
            },
        )
    body = answer.json()
    if answer.status_code != 201:
        message = body.get("message", {}) if isinstance(body, dict) else {}
        raise click.ClickException(
            f"{answer.status_code} {body.get('code')}: {message.get('zh-CN')} / {message.get('en')}"
        )
    return body


@bid_group.command(
    name="verify-receipt",
    help="Check a receipt offline: the platform's signature, the package it names, that the audit log "
    "holds the submission (inclusion in the checkpoint the receipt carries) and, given a consistency "
    "proof from a newer checkpoint, that the log still holds it.",
    epilog=example(
        "trading bid verify-receipt receipt.json --ca ca.json --package bid.sealed",
        "trading bid verify-receipt receipt.json --ca ca.json --consistency proof.json",
    ),
)
@click.argument("receipt", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--ca",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="the platform root CA: GET /api/bidding/platform/certificates saved (JSON), or its PEM",
)
@click.option("--package", "sealed", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--consistency",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a consistency proof from the receipt's checkpoint to a newer one "
    "(GET /api/audit/logs/audit/consistency?first=<receipt's size>&second=<newer size>)",
)
def bid_verify_receipt(receipt: Path, ca: Path, sealed: Path | None, consistency: Path | None) -> None:
    try:
        body = verify_receipt(json.loads(receipt.read_text(encoding="utf-8")), _ca(ca), package_path=sealed)
    except (ReceiptInvalid, json.JSONDecodeError) as exc:
        _fail(f"receipt INVALID: {exc}")
        return
    click.echo(
        f"receipt valid: No.{body['sequence']} {body['kind']} {body['section']['code']} "
        f"{body['bidder']['name']} received {body['received_at']} package {body['package']['sha256']}"
    )
    if "log" not in body:
        click.echo("this receipt predates the logged receipts: it carries no checkpoint")
        return
    try:
        checkpoint, event = logged_receipt(body)
    except (offline.OfflineError, ValueError) as exc:
        _fail(f"audit log proof INVALID: {exc}")
        return
    click.echo(
        f"in the audit log: event {event['seq']} ({event['action']}) is in the checkpoint of size "
        f"{checkpoint.tree_size} signed {checkpoint.issued_at.isoformat()} by log key {checkpoint.key_id}"
    )
    if consistency is not None:
        try:
            newer = still_logged(checkpoint, body, json.loads(consistency.read_text(encoding="utf-8")))
        except (offline.OfflineError, json.JSONDecodeError) as exc:
            _fail(f"consistency proof INVALID: {exc}")
            return
        click.echo(
            f"still in the audit log: the checkpoint of size {newer.tree_size} signed "
            f"{newer.issued_at.isoformat()} extends the receipt's unchanged"
        )


def logged_receipt(body: dict[str, Any]) -> tuple[offline.Checkpoint, dict[str, Any]]:
    """The receipt's checkpoint and logged event, when the event is in it and is this bid's. The
    log key is the one the receipt names: the platform's receipt signature vouches for it."""
    log = body["log"]
    checkpoint, event = offline.check_logged_event(log, trusted_key=log["checkpoint"]["public_key"])
    action = "bid.uploaded" if body["kind"] == "submitted" else "bid.withdrawn"
    if event["subject_id"] != body["bid_id"] or event["action"] != action:
        raise offline.OfflineError("the logged event is not this receipt's")
    if body["kind"] == "submitted" and event["data"].get("package_sha256") != body["package"]["sha256"]:
        raise offline.OfflineError("the logged event names another package")
    return checkpoint, event


def still_logged(checkpoint: offline.Checkpoint, body: dict[str, Any], proof: Any) -> offline.Checkpoint:
    """The newer checkpoint, when the proof shows it extends the receipt's checkpoint."""
    first, second = offline.check_consistency(proof, trusted_key=body["log"]["checkpoint"]["public_key"])
    if not offline.same_checkpoint(first, checkpoint):
        raise offline.OfflineError("the proof starts from another checkpoint than the receipt's")
    return second


@bid_group.command(
    name="decrypt-key",
    help="During the decryption window: your bid's content key (base64).",
    epilog=example(
        "trading bid decrypt-key --package bid.sealed --keys keys/ --passphrase-env BID_KEY_PASSPHRASE"
    ),
)
@click.option(
    "--package", "sealed", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option(
    "--keys", "key_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True
)
@passphrase_option
def bid_decrypt_key(sealed: Path, key_dir: Path, passphrase_env: str | None) -> None:
    opened = package.read_package(sealed)
    key = package.bidder_content_key(
        opened.manifest, keys.load_x25519_key(key_dir / DECRYPTION_KEY, _passphrase(passphrase_env))
    )
    click.echo(json.dumps({"content_key": keys.b64(key)}))


@bid_group.command(
    name="check",
    help="Open your own sealed package with your decryption key, as the opening will.",
    epilog=example("trading bid check --package bid.sealed --keys keys/"),
)
@click.option(
    "--package", "sealed", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option(
    "--keys", "key_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True
)
@passphrase_option
def bid_check(sealed: Path, key_dir: Path, passphrase_env: str | None) -> None:
    opened = package.read_package(sealed)
    key = package.bidder_content_key(
        opened.manifest, keys.load_x25519_key(key_dir / DECRYPTION_KEY, _passphrase(passphrase_env))
    )
    try:
        unsealed = package.unseal(opened, key)
    except package.UnsealError as error:
        _fail(f"the package does NOT open: {error.code}: {error.zh} / {error.en}")
        return
    click.echo(json.dumps(unsealed.statement.model_dump(mode="json"), ensure_ascii=False, indent=2))


@click.group(
    name="keyholder",
    help="Opening key holder side: make a key, release shares after the deadline.",
    epilog=example("trading keyholder keygen --out holder.pem"),
)
def keyholder_group() -> None:
    pass


@keyholder_group.command(
    name="keygen",
    help="Make an X25519 key pair; prints the public key to register.",
    epilog=example("trading keyholder keygen --out holder.pem --passphrase-env HOLDER_PASSPHRASE"),
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@passphrase_option
def keyholder_keygen(out: Path, passphrase_env: str | None) -> None:
    key = keys.new_x25519_key()
    keys.write_private_key(out, key, _passphrase(passphrase_env))
    info = keys.PublicKeyInfo.of(key)
    click.echo(json.dumps({"public_key": info.b64, "fingerprint": info.fingerprint}))


def release(wraps: dict[str, Any], key: Any) -> dict[str, Any]:
    """From GET .../opening/shares to the body of POST .../opening/shares."""
    position = int(wraps["position"])
    return {
        "shares": [
            {
                "bid_id": item["bid_id"],
                "share": keys.b64(
                    package.release_share(package.manifest_from_json(item["manifest"]), position, key)
                ),
            }
            for item in wraps["bids"]
        ]
    }


@keyholder_group.command(
    name="release",
    help="Open your shares of a section's bids (after the deadline).",
    epilog=example("trading keyholder release --wraps wraps.json --key holder.pem --out shares.json"),
)
@click.option(
    "--wraps",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="GET /api/bidding/sections/{id}/opening/shares, saved",
)
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@passphrase_option
def keyholder_release(wraps: Path, key: Path, out: Path, passphrase_env: str | None) -> None:
    body = release(
        json.loads(wraps.read_text(encoding="utf-8")), keys.load_x25519_key(key, _passphrase(passphrase_env))
    )
    out.write_text(json.dumps(body), encoding="utf-8")
    click.echo(f"{len(body['shares'])} shares written to {out}; POST them to .../opening/shares")


@click.group(
    cls=LitestarGroup,
    name="bids",
    help="Platform side: the stored sealed bids (needs the server settings).",
    epilog=example("trading bids check-packages"),
)
def bids_group() -> None:
    pass


async def _check_due(settings: Any, now: dt.datetime) -> int:
    from bidding.submissions.packages import check_at_deadlines
    from trading.db.session import Database

    db = Database(settings.resolved_database_url())
    try:
        return await check_at_deadlines(db.sessionmaker, settings=settings, at=now)
    finally:
        await db.dispose()


@bids_group.command(
    name="check-packages",
    help="Hold every stored package of a section (or of every section past its deadline and not yet "
    "checked) to the digest its receipt signed (E-05); exit 1 when one is damaged.",
    epilog=example("trading bids check-packages", "trading bids check-packages --section 0193a0c4-..."),
)
@click.option("--section", "section_id", type=click.UUID, help="one section (default: every section now due)")
def bids_check_packages(app: Litestar, section_id: Any) -> None:
    from bidding.submissions import packages
    from trading.audit.cli import run_session

    settings, now = app.state.settings, app.state.clock.now()
    if section_id is None:
        due = anyio.run(_check_due, settings, now)
        click.echo(f"checked the stored packages of {due} sections past their deadline")
        return

    async def work(session: Any) -> list[Any]:
        checks = await packages.check_packages(
            session, settings, section_id=section_id, trigger="request", at=now
        )
        await session.commit()
        return checks

    checks = run_session(app, work)
    for check in checks:
        click.echo(f"{check.bid_id} {check.result} (receipt {check.expected_sha256})")
    if any(check.result in packages.DAMAGED for check in checks):
        _fail("damaged packages found: their bidders were told (E-05)")


@click.group(epilog=example("python -m bidding.cli bid seal --help"))
def main() -> None:
    """python -m bidding.cli: the bidder's and key holder's tools without the platform's CLI."""


main.add_command(bid_group)
main.add_command(keyholder_group)

if __name__ == "__main__":
    main()
