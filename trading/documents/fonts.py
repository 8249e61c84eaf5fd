"""Which characters the document fonts can draw.

WeasyPrint draws a missing glyph as an empty box and says nothing (WeasyPrint #1810), and text
extraction still finds the character through the ToUnicode map; so the characters of every
document are checked against the fonts' own character maps before rendering. Company and place
names do contain rare characters (CJK Extension B) that no installed font covers.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from fontTools.ttLib import TTFont

# The letterhead's families, in the order of its CSS font-family chain.
FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


@functools.cache
def font_file(family: str) -> tuple[str, int] | None:
    """The file and collection index fontconfig picks for the family, if it has that family."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run(  # noqa: S603 - a fixed program and a family name of ours
        [fc_match, "-f", "%{family}\t%{file}\t%{index}", family],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\t")
    if len(found) != 3 or family not in found[0].split(","):
        return None
    return found[1], int(found[2] or 0)


@functools.cache
def covered() -> frozenset[int]:
    """The code points the families draw together (empty when none of them is installed)."""
    points: set[int] = set()
    for family in FAMILIES:
        located = font_file(family)
        if located is not None:
            font = TTFont(located[0], fontNumber=located[1], lazy=True)
            points.update(font.getBestCmap())
    return frozenset(points)


def missing(text: str) -> str:
    """The characters of `text` that no document font can draw (whitespace aside), in order."""
    points = covered()
    seen: dict[str, None] = {}
    for char in text:
        if not char.isspace() and ord(char) not in points:
            seen[char] = None
    return "".join(seen)
