"""What the worker process does: template → HTML → PDF (WeasyPrint) → PAdES signature (pyHanko).

Runs in a spawned process of `trading.documents.workers`: WeasyPrint is CPU-bound and has crashed
in pango and after fork (WeasyPrint #684, #2334), so it never runs on the event loop nor in a
forked child. Everything the worker needs arrives in a `RenderJob` of plain values.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import io
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from trading.documents import fonts
from trading.money import format_yuan


@dataclass(frozen=True)
class SignerFiles:
    key: str
    certificate: str
    ca: str


@dataclass(frozen=True)
class RenderJob:
    template_dirs: tuple[str, ...]
    template: str
    language: str
    zone: str
    document: dict[str, Any]  # number, code, verify_url, title, kind, issued_at, issuer, center...
    data: dict[str, Any]
    signer: SignerFiles
    reason: str


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


class MissingGlyphs(Exception):
    """Characters no document font can draw (one argument, so it survives the process boundary)."""


TAG = re.compile(r"<style.*?</style>|<[^>]+>", re.S)


def render_and_sign(job: RenderJob) -> Rendered:
    """The worker's entry point."""
    markup = render_html(job)
    absent = fonts.missing(html.unescape(TAG.sub(" ", markup)))
    if absent:
        raise MissingGlyphs(absent)
    pdf, pages = html_to_pdf(markup)
    return Rendered(sign(pdf, job.signer, job.reason, job.document["center"]), pages)


@functools.cache
def _environment(template_dirs: tuple[str, ...]) -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(list(template_dirs)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    env.filters["yuan"] = lambda fen: "—" if fen is None else f"{format_yuan(fen)}"
    return env


def render_html(job: RenderJob) -> str:
    zone = ZoneInfo(job.zone)
    english = job.language == "en"

    def local(value: dt.datetime | dt.date | str | None, with_time: bool = True) -> str:
        """Beijing wall-clock time as people read it: 2026-12-23 09:30 (ISO strings accepted)."""
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if not isinstance(value, dt.datetime):
            return value.isoformat()
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")

    def t(zh: str, en: str) -> str:
        return en if english else zh

    template = _environment(job.template_dirs).get_template(job.template)
    return template.render(
        doc=job.document,
        data=job.data,
        lang="en" if english else "zh-CN",
        t=t,
        local=local,
        qr=qr_data_uri(job.document["verify_url"]),
    )


def qr_data_uri(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def html_to_pdf(markup: str) -> tuple[bytes, int]:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Templates are ours and embed their images: nothing is fetched from files or the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=markup, url_fetcher=fetcher).render()
    return document.write_pdf(pdf_variant="pdf/a-3u"), len(document.pages)


@functools.cache
def _signer(files: SignerFiles) -> Any:
    from pyhanko.sign import signers

    return signers.SimpleSigner.load(files.key, files.certificate, ca_chain_files=(files.ca,))


def sign(pdf: bytes, files: SignerFiles, reason: str, center: str) -> bytes:
    """PAdES B-B, invisible field: the document itself prints who signed and how to verify."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name="CenterSignature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=center,
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=_signer(files)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out
    )
    return out.getvalue()
