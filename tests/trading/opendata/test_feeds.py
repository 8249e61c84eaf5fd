"""Atom feeds of new announcements, all sectors and per sector, parsed as a reader would."""

import datetime as dt
from xml.etree import ElementTree as ET

from tests.scenarios.test_core_procedures import land_listing
from tests.trading.factories import call_announcement
from tests.trading.test_projects import publish, register
from tests.trading.test_search import announce

A = "{http://www.w3.org/2005/Atom}"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def feed(client, path):
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{A}feed"
    # RFC 4287 §4.1.1: a feed has id, title, updated, an author (or every entry has one).
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{required}") is not None, required
    for entry in root.findall(f"{A}entry"):
        for required in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{A}{required}") is not None, required
    return root


async def test_the_feed_lists_new_announcements_newest_first_and_per_sector(client, people, clock):
    body = land_listing(
        people, listing_start=START + dt.timedelta(days=21), listing_end=START + dt.timedelta(days=36)
    )
    project = (await register(client, people, body, as_="land_bureau")).json()
    notice = call_announcement(project["id"], title="R2-05地块国有建设用地使用权挂牌出让公告")
    assert (await publish(client, people, notice, author="land_bureau")).status_code == 200
    await announce(client, people, clock, "城南中学教学楼新建工程施工招标公告")

    everything = await feed(client, "/api/public/feeds/announcements.atom")
    titles = [e.findtext(f"{A}title") for e in everything.findall(f"{A}entry")]
    assert titles == ["城南中学教学楼新建工程施工招标公告", "R2-05地块国有建设用地使用权挂牌出让公告"]
    assert everything.findtext(f"{A}updated") == everything.find(f"{A}entry").findtext(f"{A}updated")

    land = await feed(client, "/api/public/feeds/land/announcements.atom")
    assert [e.findtext(f"{A}title") for e in land.findall(f"{A}entry")] == [
        "R2-05地块国有建设用地使用权挂牌出让公告"
    ]
    link = land.find(f"{A}entry").find(f"{A}link").get("href")
    assert (await client.get(link)).json()["title"] == "R2-05地块国有建设用地使用权挂牌出让公告"


async def test_an_empty_feed_is_still_valid_and_an_unknown_sector_is_refused(client):
    await feed(client, "/api/public/feeds/procurement/announcements.atom")
    assert (await client.get("/api/public/feeds/mining/announcements.atom")).status_code == 400
