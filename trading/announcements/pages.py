"""The public list's encoded pages, kept in memory (issue 23: the list is what the public reads
most, and it changes only when an announcement does).

A page is stored with the generation it was read under and served while that generation holds.
The generation has two parts:
- this instance's: every commit that writes an announcement, through any session made by a
  watched sessionmaker, moves it on at once (`after_commit`; ORM objects and ORM-enabled
  INSERT/UPDATE/DELETE statements alike);
- the shared one. On the embedded SQLite file it is SQLite's `PRAGMA data_version`, which moves
  whenever any other connection, in any process, commits to the file: a few microseconds to read
  on a connection of our own, and right for every writer (the CLI, a script), at the price of
  also dropping the pages when something else was written. With Redis, it is a counter that the
  watched commits increment (a task started at the commit, which a request's session awaits
  before its answer leaves, trading/app.py), read by every instance before it serves a stored
  page. A writer that does not go through a watched session (a script on its own engine) is
  seen when the TTL runs out: that short TTL is the backstop. When Redis cannot be read, nothing
  stored is served.
So a publication shows on the next read on every instance.

A page read while the generation moved is not stored: it may predate the change.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

from trading.announcements.models import Announcement

logger = logging.getLogger(__name__)

# Backstop only: a change normally drops the stored pages at once.
TTL_SECONDS = 10.0
# Distinct queries kept (least recently used first out), so odd queries cannot fill the memory.
MAX_PAGES = 512
_CHANGED = "announcement_pages.changed"
_PAGES = "announcement_pages"


@dataclass(frozen=True, slots=True)
class StoredPage:
    generation: tuple[int, int]
    expires: float
    body: bytes
    etag: str


class AnnouncementPages:
    """The encoded pages of one app instance, by query."""

    def __init__(
        self,
        redis: Redis | None = None,
        namespace: str = "trading",
        *,
        sqlite_file: Path | None = None,
        ttl_seconds: float = TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._key = f"{namespace}:announcements:generation"
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._local = 0
        self._pages: OrderedDict[Hashable, StoredPage] = OrderedDict()
        self._pending: set[asyncio.Task[None]] = set()
        self._sqlite_file = sqlite_file if redis is None else None
        self._sqlite: sqlite3.Connection | None = None

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()

    def _data_version(self) -> int | None:
        # Opened on first use, not at start-up: a database file that cannot be opened must leave
        # the app up to answer 503 (docs/security.md), not stop it from starting.
        try:
            if self._sqlite is None:
                # Autocommit, so each PRAGMA sees the file's latest commit. Only read on the event loop.
                self._sqlite = sqlite3.connect(
                    self._sqlite_file, isolation_level=None, check_same_thread=False
                )
            return self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return None

    async def generation(self) -> tuple[int, int] | None:
        """The generation now: this instance's and the shared one (None: unknown, the shared part
        cannot be read)."""
        if self._sqlite_file is not None:
            version = self._data_version()
            return None if version is None else (self._local, version)
        if self._redis is None:
            return (self._local, 0)
        try:
            shared = await self._redis.get(self._key)
        except (RedisError, OSError):
            return None
        return (self._local, int(shared or 0))

    def get(self, key: Hashable, generation: tuple[int, int] | None) -> StoredPage | None:
        page = self._pages.get(key)
        if page is None or generation is None:
            return None
        if page.generation != generation or page.expires <= self._monotonic():
            del self._pages[key]
            return None
        self._pages.move_to_end(key)
        return page

    async def put(self, key: Hashable, generation: tuple[int, int] | None, body: bytes) -> StoredPage:
        """Store the page read under `generation`, unless the generation moved meanwhile."""
        page = StoredPage(
            generation or (-1, -1),
            self._monotonic() + self._ttl,
            body,
            '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        )
        if generation is not None and await self.generation() == generation:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        return page

    def changed(self) -> None:
        """An announcement was written and committed: drop this instance's pages now and move the
        shared generation on."""
        self._local += 1
        self._pages.clear()
        if self._redis is not None:
            task = asyncio.get_running_loop().create_task(self._bump_shared())
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def settled(self) -> None:
        """Wait until every instance knows of the changes committed so far."""
        if self._pending:
            await asyncio.gather(*self._pending)

    async def _bump_shared(self) -> None:
        assert self._redis is not None
        try:
            await self._redis.incr(self._key)
        except (RedisError, OSError):
            logger.warning("announcement pages: the shared generation was not moved; TTL backstop")


def watch(sessionmaker: async_sessionmaker[Any], pages: AnnouncementPages) -> None:
    """Sessions of this maker report committed announcement writes to `pages`."""
    sessionmaker.configure(info={_PAGES: pages})
    if not event.contains(Session, "after_flush", _note_announcement_writes):
        event.listen(Session, "after_flush", _note_announcement_writes)
        event.listen(Session, "do_orm_execute", _note_announcement_statements)
        event.listen(Session, "after_commit", _report_announcement_writes)
        event.listen(Session, "after_rollback", _forget_announcement_writes)


def _note_announcement_writes(session: Session, _context: Any) -> None:
    if _PAGES in session.info and any(
        isinstance(obj, Announcement) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info[_CHANGED] = True


def _note_announcement_statements(state: ORMExecuteState) -> None:
    if (
        _PAGES in state.session.info
        and (state.is_insert or state.is_update or state.is_delete)
        and any(mapper.class_ is Announcement for mapper in state.all_mappers)
    ):
        state.session.info[_CHANGED] = True


def _report_announcement_writes(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        session.info[_PAGES].changed()


def _forget_announcement_writes(session: Session) -> None:
    session.info.pop(_CHANGED, None)
