"""What a reader of a PDF checks, done without WeasyPrint: its text (pypdf), the fonts embedded in
it, that no character was drawn with a missing glyph, and its signature (pyHanko's validator)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import anyio
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from trading.documents.validation import SignatureCheck, check_signature

BLOCK = re.compile(rb"beginbf(char|range)(.*?)endbf(?:char|range)", re.S)
HEX = re.compile(rb"<([0-9a-fA-F]+)>")


@dataclass
class PdfFacts:
    text: str
    pages: int
    fonts: set[str]
    bad_glyphs: list[str]  # characters drawn with .notdef, a missing or an empty glyph


def _unicode(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", errors="replace")


def to_unicode(cmap: bytes) -> list[tuple[int, str]]:
    """(code, text) pairs of a ToUnicode CMap's bfchar and bfrange blocks."""
    pairs = []
    for kind, body in BLOCK.findall(cmap):
        values = HEX.findall(body)
        if kind == b"char":
            pairs += [(int(values[i], 16), _unicode(values[i + 1])) for i in range(0, len(values), 2)]
            continue
        for i in range(0, len(values), 3):
            start, end, first = int(values[i], 16), int(values[i + 1], 16), _unicode(values[i + 2])
            pairs += [(code, chr(ord(first) + code - start)) for code in range(start, end + 1)]
    return pairs


def _font_problems(font: dict) -> list[str]:
    """Each code the font's ToUnicode map names must be a real glyph of the embedded subset."""
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
    embedded = TTFont(io.BytesIO(stream.get_object().get_data()))
    order = embedded.getGlyphOrder()
    charstrings = embedded["CFF "].cff.topDictIndex[0].CharStrings if "CFF " in embedded else None
    problems = []
    for cid, char in to_unicode(font["/ToUnicode"].get_object().get_data()):
        if cid == 0 or cid >= len(order):
            problems.append(char)
        elif charstrings is not None and not char.isspace():
            glyph = charstrings[order[cid]]
            glyph.decompile()
            if len(glyph.program) <= 1:  # only "endchar": the subset dropped its outline
                problems.append(char)
    return problems


def read_pdf(pdf: bytes) -> PdfFacts:
    reader = PdfReader(io.BytesIO(pdf))
    fonts, problems, seen = set(), [], set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
            if font.get("/Subtype") == "/Type0" and id(font) not in seen:
                seen.add(id(font))
                problems.extend(_font_problems(font))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return PdfFacts(text=text, pages=len(reader.pages), fonts=fonts, bad_glyphs=problems)


async def signature_of(pdf: bytes, ca) -> SignatureCheck:
    """pyHanko's validator runs its own event loop: in a thread, as the server does."""
    return await anyio.to_thread.run_sync(check_signature, pdf, ca)
