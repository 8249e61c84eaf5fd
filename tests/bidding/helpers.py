"""Shared steps for the bidding tests: an open section, a registered and accepted bidder, small
real files of each accepted type."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

from tests.trading.factories import call_announcement, construction_project
from tests.trading.test_projects import publish, register

CONTACT = {
    "contact_name": "蒋投标",
    "contact_phone": "025-52100001",
    "contact_email": "bid@huajian.example.cn",
}


async def open_section(client: Any, people: Any, **section: Any) -> str:
    """A construction section whose call announcement is published: open for registration now
    (START) unless `registration_start` says otherwise. Returns the section id."""
    project = await register(client, people, construction_project(people, **section))
    assert project.status_code == 201, project.text
    published = await publish(client, people, call_announcement(project.json()["id"]))
    assert published.status_code in (200, 201), published.text
    return project.json()["sections"][0]["id"]


async def register_bidder(
    client: Any, people: Any, section_id: str, bidder: str = "bidder_a", answers: list | None = None
) -> Any:
    """Register `bidder`; `answers` are a transferee's answers to the transferor's conditions."""
    body = {**CONTACT, "transferee_answers": answers} if answers is not None else CONTACT
    return await client.post(
        f"/api/bidding/sections/{section_id}/registrations", json=body, headers=people.headers(bidder)
    )


async def upload(
    client: Any,
    people: Any,
    registration_id: str,
    content: bytes,
    *,
    name: str = "营业执照.pdf",
    media_type: str = "application/pdf",
    kind: str = "business_licence",
    as_: str = "bidder_a",
) -> Any:
    return await client.post(
        f"/api/bidding/registrations/{registration_id}/documents",
        files={"file": (name, content, media_type)},
        data={"kind": kind},
        headers=people.headers(as_),
    )


async def accepted_bidder(
    client: Any, people: Any, section_id: str, bidder: str = "bidder_a", answers: list | None = None
) -> dict:
    """Register `bidder`, upload its business licence, have the clerk accept it; the answer."""
    registered = await register_bidder(client, people, section_id, bidder, answers)
    assert registered.status_code == 201, registered.text
    registration_id = registered.json()["id"]
    uploaded = await upload(client, people, registration_id, small_pdf(), as_=bidder)
    assert uploaded.status_code == 201, uploaded.text
    accepted = await client.post(
        f"/api/bidding/registrations/{registration_id}/accept", headers=people.headers("clerk")
    )
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


def small_pdf(text: str = "Business licence") -> bytes:
    """A real one-page PDF 1.4 (catalog, pages, page, font, content stream, xref, trailer)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def small_png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG of white pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def small_jpeg() -> bytes:
    """The start of a JFIF file (SOI + APP0), enough for the type check."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
    )


def small_ofd() -> bytes:
    """An OFD package (GB/T 33190): a ZIP with OFD.xml at its root."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
            'Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
            "</ofd:DocBody></ofd:OFD>",
        )
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return out.getvalue()


def plain_zip() -> bytes:
    """A ZIP that is not OFD (a .docx looks like this)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()
