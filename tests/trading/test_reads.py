"""Reads never wait for writes (issue 23, point 1): a GET runs a read-only transaction, so it
answers with the last committed state while another connection holds the write lock."""

import pytest
from sqlalchemy import text, update

from tests.trading.test_announcements import announced_project
from trading.announcements.models import Announcement
from trading.db.session import Database

UNCOMMITTED = "尚未提交的标题 uncommitted title"


async def hold_the_write_lock(writer) -> None:  # type: ignore[no-untyped-def]
    """What a submission does at the deadline: it changes a row and has not committed yet."""
    if writer.bind.dialect.name == "postgresql":
        # Readers of PostgreSQL never waited for row locks; this also keeps every other writer
        # of the table waiting, as SQLite's write lock does.
        await writer.execute(text("LOCK TABLE announcement IN EXCLUSIVE MODE"))
    await writer.execute(update(Announcement).values(title=UNCOMMITTED))


async def test_a_public_get_answers_while_another_connection_holds_the_write_lock(
    client, people, db, watched
):
    await announced_project(client, people)
    async with db.session() as writer:
        await hold_the_write_lock(writer)
        listed = await client.get("/api/public/announcements/")
        assert listed.status_code == 200, listed.text
        [item] = listed.json()["items"]
        assert item["title"] != UNCOMMITTED
        # A signed-in reader too: the token check reads the account without the lock as well.
        review = await client.get("/api/announcements/", headers=people.headers("clerk"))
        assert review.status_code == 200, review.text
        assert UNCOMMITTED not in {a["title"] for a in review.json()}
        await writer.commit()
    await watched.settled()
    listed = await client.get("/api/public/announcements/")
    assert listed.json()["items"][0]["title"] == UNCOMMITTED


async def test_a_write_through_a_read_session_fails_loudly(db: Database):
    async with db.read_session() as reader:
        with pytest.raises(Exception, match=r"(?i)read-only|readonly"):
            await reader.execute(update(Announcement).values(title="x"))
