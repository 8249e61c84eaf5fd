"""The metadata a document carries about who made it and with what (author, creator tool, times),
read from the files bidders hand in for the collusion signals (C-12 (一): files prepared by one
unit or person).

Read only from files the platform may read: qualification documents (never sealed) at any time,
and a bid's own file only after the opening unsealed it (its plaintext is kept by digest then).
PDF through pypdf; OOXML (docx, xlsx, pptx: docProps/core.xml and app.xml) and OFD (OFD.xml's
DocInfo, GB/T 33190) through zipfile, with no other dependency. The files come from bidders: a
malformed one yields no metadata, never an error, and no member over 1 MB or with a DOCTYPE is
parsed (no entity expansion).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.errors import PyPdfError

MAX_XML_BYTES = 1 << 20


@dataclass(frozen=True)
class DocumentMetadata:
    author: str | None = None
    last_modified_by: str | None = None
    creator_tool: str | None = None
    created: str | None = None
    modified: str | None = None

    def as_evidence(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def read_metadata(path: Path) -> DocumentMetadata | None:
    """What the file says about its making, or None when it is neither PDF nor OOXML nor OFD, is
    unreadable, or says nothing."""
    with path.open("rb") as source:
        head = source.read(5)
    if head == b"%PDF-":
        found = _pdf(path)
    elif head.startswith(b"PK\x03\x04"):
        found = _package(path)
    else:
        return None
    return found if found and found.as_evidence() else None


def _text(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text[:200] or None


def _pdf_time(parsed: dt.datetime | None, raw: object) -> str | None:
    return parsed.isoformat() if parsed is not None else _text(raw)


def _pdf(path: Path) -> DocumentMetadata | None:
    # pypdf raises its own errors on broken files, and plain ValueError, KeyError, TypeError or
    # RecursionError on hostile ones; any of them means "no metadata" for advice.
    try:
        info = PdfReader(path).metadata
        if info is None:
            return None
        try:
            created = info.creation_date
        except ValueError:
            created = None
        try:
            modified = info.modification_date
        except ValueError:
            modified = None
        return DocumentMetadata(
            author=_text(info.author),
            creator_tool=_text(info.creator) or _text(info.producer),
            created=_pdf_time(created, info.get("/CreationDate")),
            modified=_pdf_time(modified, info.get("/ModDate")),
        )
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        return None


def _xml(package: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = package.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_BYTES:
        return None
    data = package.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - no DTD reaches the parser (checked above)
    except ElementTree.ParseError:
        return None


def _field(root: ElementTree.Element | None, local_name: str) -> str | None:
    """The first element of that local name, whatever its namespace (OOXML and OFD both use several)."""
    if root is None:
        return None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == local_name and element.text:
            return _text(element.text)
    return None


def _package(path: Path) -> DocumentMetadata | None:
    try:
        with zipfile.ZipFile(path) as package:
            names = {n.lower(): n for n in package.namelist()}
            if "docprops/core.xml" in names:
                core = _xml(package, names["docprops/core.xml"])
                app = _xml(package, names["docprops/app.xml"]) if "docprops/app.xml" in names else None
                tool = _field(app, "Application")
                version = _field(app, "AppVersion")
                return DocumentMetadata(
                    author=_field(core, "creator"),
                    last_modified_by=_field(core, "lastModifiedBy"),
                    creator_tool=f"{tool} {version}" if tool and version else tool,
                    created=_field(core, "created"),
                    modified=_field(core, "modified"),
                )
            if "ofd.xml" in names:
                ofd = _xml(package, names["ofd.xml"])
                tool = _field(ofd, "Creator")
                version = _field(ofd, "CreatorVersion")
                return DocumentMetadata(
                    author=_field(ofd, "Author"),
                    creator_tool=f"{tool} {version}" if tool and version else tool,
                    created=_field(ofd, "CreationDate"),
                    modified=_field(ofd, "ModDate"),
                )
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None
    return None
