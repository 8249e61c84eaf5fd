"""The public list's stored pages (issue 23): served from memory while nothing changed, and never
stale: a publication or a withdrawal shows on the very next read, on this instance and on another."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import update

from tests.conftest import START
from tests.instances import clients, running
from tests.trading.factories import call_announcement, construction_project
from tests.trading.test_announcements import announced_project
from tests.trading.test_projects import publish, register
from trading.announcements.models import Announcement
from trading.announcements.pages import AnnouncementPages
from trading.db.session import Database

LIST = "/api/public/announcements/"


async def withdraw(db: Database, pages: AnnouncementPages, announcement_id: str) -> None:
    """There is no withdrawal in the workflow yet: a correction made on the database, as an
    operator's script would, through a watched session."""
    async with db.session() as session:
        await session.execute(
            update(Announcement)
            .where(Announcement.id == uuid.UUID(announcement_id))
            .values(status="withdrawn")
        )
        await session.commit()
    await pages.settled()


async def test_a_publication_shows_on_the_next_read_and_a_withdrawal_hides_it(client, people, db, watched):
    await announced_project(client, people)
    first = await client.get(LIST)
    assert first.json()["total"] == 1
    assert (await client.get(LIST)).json() == first.json()  # served from memory now

    project = (await register(client, people, construction_project(people))).json()
    published = await publish(client, people, call_announcement(project["id"], title="第二份招标公告"))
    assert published.status_code == 200, published.text
    page = (await client.get(LIST)).json()
    assert page["total"] == 2
    assert page["items"][0]["title"] == "第二份招标公告"

    await withdraw(db, watched, published.json()["id"])
    page = (await client.get(LIST)).json()
    assert page["total"] == 1
    assert "第二份招标公告" not in {item["title"] for item in page["items"]}


async def test_each_query_has_its_own_page(client, people):
    await announced_project(client, people)
    assert (await client.get(LIST, params={"sector": "construction"})).json()["total"] == 1
    assert (await client.get(LIST, params={"sector": "procurement"})).json()["total"] == 0
    assert (await client.get(LIST, params={"q": "招标", "limit": 5})).json()["total"] == 1
    assert (await client.get(LIST, params={"q": "拍卖"})).json()["total"] == 0


async def test_an_unchanged_list_answers_304_to_its_etag_and_a_changed_one_does_not(client, people):
    await announced_project(client, people)
    first = await client.get(LIST)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = await client.get(LIST, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    project = (await register(client, people, construction_project(people))).json()
    await publish(client, people, call_announcement(project["id"], title="第二份招标公告"))
    changed = await client.get(LIST, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["total"] == 2
    assert changed.headers["etag"] != etag


async def test_bad_list_parameters_are_refused_and_nothing_is_stored_for_them(client, people):
    await announced_project(client, people)
    refused = await client.get(LIST, params={"published_from": "yesterday"})
    assert refused.status_code == 400
    assert (await client.get(LIST)).json()["total"] == 1


async def test_on_two_instances_a_publication_and_a_withdrawal_show_on_the_next_read_of_the_other(
    backend, client, people, settings, db, watched, tmp_path
):
    if backend != "distributed":
        pytest.skip("several instances need PostgreSQL and Redis")
    await announced_project(client, people)
    with running(settings, clock_at=START + dt.timedelta(days=1), logs=tmp_path / "instances") as instances:
        async with clients(instances) as (a, b):
            # Both instances hold the page of one announcement.
            for instance in (a, b, a, b):
                assert (await instance.get(LIST)).json()["total"] == 1

            project = (await register(a, people, construction_project(people))).json()
            published = await publish(a, people, call_announcement(project["id"], title="第二份招标公告"))
            assert published.status_code == 200, published.text
            assert (await b.get(LIST)).json()["total"] == 2
            assert (await a.get(LIST)).json()["total"] == 2

            await withdraw(db, watched, published.json()["id"])
            for instance in (b, a):
                page = (await instance.get(LIST)).json()
                assert page["total"] == 1
                assert "第二份招标公告" not in {item["title"] for item in page["items"]}
