"""Atom (RFC 4287) feeds of newly published announcements, built with the standard library."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements import service as announcements
from trading.opendata.ocds import stamp
from trading.sectors import SECTOR_ZH, Sector

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
SUMMARY_LENGTH = 200
# A fixed date for the feed's `updated` when it is empty, so the answer never reads the wall clock.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


async def announcement_feed(
    session: AsyncSession, *, sector: Sector | None, base_url: str, self_url: str, publisher: str
) -> bytes:
    _, rows = await announcements.search_published(
        session,
        sector=sector,
        kind=None,
        region=None,
        published_from=None,
        published_to=None,
        q=None,
        limit=ENTRIES,
        offset=0,
    )
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh"})
    scope = f"{SECTOR_ZH[sector]}" if sector else "全部"
    _add(feed, "id", f"{base_url}/api/public/feeds/{sector + '/' if sector else ''}announcements.atom")
    _add(feed, "title", f"{publisher}交易公告（{scope}）")
    _add(feed, "updated", stamp(rows[0].published_at if rows else EPOCH))
    _add(_add(feed, "author"), "name", publisher)
    _add(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    for row in rows:
        entry = _add(feed, "entry")
        _add(entry, "id", f"urn:uuid:{row.id}")
        _add(entry, "title", row.title)
        _add(entry, "updated", stamp(row.published_at))
        _add(entry, "published", stamp(row.published_at))
        _add(
            entry,
            "link",
            rel="alternate",
            href=f"{base_url}/api/public/announcements/{row.id}",
            type="application/json",
        )
        _add(entry, "category", term=row.sector, label=SECTOR_ZH[Sector(row.sector)])
        _add(entry, "category", term=row.kind)
        _add(entry, "summary", row.body[:SUMMARY_LENGTH])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
