import datetime as dt
import uuid
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements import search, service
from trading.announcements.pages import AnnouncementPages
from trading.announcements.schemas import (
    AnnouncementEdit,
    AnnouncementIn,
    AnnouncementOut,
    Kind,
    Page,
    PublicAnnouncement,
    ReviewIn,
)
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.sectors import Sector
from trading.settings import Settings

AUTHORS = allow(Role.staff, Role.principal, Role.agency)
READERS = allow(Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.principal, Role.agency)


def _public(announcement: object, terms: list[str]) -> PublicAnnouncement:
    item = PublicAnnouncement.model_validate(announcement)
    if terms:
        item.title_marked = search.mark(item.title, terms)
        item.snippet = search.snippet(item.body, terms)
    return item


class PublicAnnouncementController(Controller):
    """Published announcements: anyone may read them, no login."""

    path = "/api/public/announcements"
    tags = ["announcements"]

    @get(
        "/",
        operation_id="searchAnnouncements",
        exclude_from_auth=True,
        responses={304: ResponseSpec(None, description="Not modified: this ETag is current")},
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        sector: FromQuery[Sector | None] = None,
        kind: FromQuery[Kind | None] = None,
        region: FromQuery[str | None] = None,
        published_from: FromQuery[dt.datetime | None] = None,
        published_to: FromQuery[dt.datetime | None] = None,
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = 20,
        offset: FromQuery[int] = 0,
    ) -> Response[Page]:
        """Newest first. `q` takes Chinese keywords separated by spaces; all must appear; the best
        matches come first, with the keywords marked in `title_marked` and `snippet`. The answer
        carries an ETag: send it back in `If-None-Match` to get a 304 while nothing changed."""
        limit, offset = min(max(limit, 1), 100), max(offset, 0)
        # The page is the same whoever asks and in whatever language: the query is the whole key.
        key = (sector, kind, region, published_from, published_to, q, limit, offset)
        pages: AnnouncementPages = request.app.state.announcement_pages
        generation = await pages.generation()
        page = pages.get(key, generation)
        if page is None:
            async with request.app.state.db.read_session() as session:
                total, rows = await service.search_published(
                    session,
                    sector=sector,
                    kind=kind,
                    region=region,
                    published_from=published_from,
                    published_to=published_to,
                    q=q,
                    limit=limit,
                    offset=offset,
                )
                terms = search.keywords(q)
                body = Page(total=total, items=[_public(r, terms) for r in rows]).model_dump_json().encode()
            page = await pages.put(key, generation, body)
        headers = {"etag": page.etag, "cache-control": "no-cache"}
        if page.etag in request.headers.get("if-none-match", ""):
            return Response(b"", status_code=304, headers=headers)
        return Response(page.body, media_type=MediaType.JSON, headers=headers)

    @get("/{announcement_id:uuid}", operation_id="readAnnouncement", exclude_from_auth=True)
    async def read(
        self, session: NamedDependency[AsyncSession], announcement_id: FromPath[uuid.UUID]
    ) -> PublicAnnouncement:
        return PublicAnnouncement.model_validate(await service.get_published(session, announcement_id))


class AnnouncementController(Controller):
    """Drafting and review."""

    path = "/api/announcements"
    tags = ["announcements"]

    @post("/", operation_id="draftAnnouncement", opt=AUTHORS)
    async def draft(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[AnnouncementIn],
    ) -> AnnouncementOut:
        announcement = await service.create_draft(session, data, author=request.user, at=clock.now())
        await session.commit()
        return AnnouncementOut.model_validate(announcement)

    @get("/", operation_id="listAnnouncementsForReview", opt=READERS)
    async def list_all(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        status: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        offset: FromQuery[int] = 0,
    ) -> list[AnnouncementOut]:
        rows = await service.list_for_editor(
            session, request.user, status=status, limit=min(max(limit, 1), 200), offset=max(offset, 0)
        )
        return [AnnouncementOut.model_validate(r) for r in rows]

    @get("/{announcement_id:uuid}", operation_id="getAnnouncementForReview", opt=READERS)
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        announcement_id: FromPath[uuid.UUID],
    ) -> AnnouncementOut:
        return AnnouncementOut.model_validate(
            await service.get_for_editor(session, announcement_id, request.user)
        )

    @put("/{announcement_id:uuid}", operation_id="editAnnouncement", opt=AUTHORS)
    async def edit(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        announcement_id: FromPath[uuid.UUID],
        data: JSONBody[AnnouncementEdit],
    ) -> AnnouncementOut:
        announcement = await service.get_for_editor(session, announcement_id, request.user)
        await service.edit(session, announcement, data, editor=request.user, at=clock.now())
        await session.commit()
        return AnnouncementOut.model_validate(announcement)

    async def _review(
        self,
        action: str,
        request: Request[Identity, Any, Any],
        session: AsyncSession,
        clock: Clock,
        settings: Settings,
        announcement_id: FromPath[uuid.UUID],
        note: str | None,
    ) -> AnnouncementOut:
        announcement = await service.get_for_editor(session, announcement_id, request.user)
        await service.review(
            session, announcement, action, actor=request.user, at=clock.now(), zone=settings.zone, note=note
        )
        await session.commit()
        return AnnouncementOut.model_validate(announcement)

    @post("/{announcement_id:uuid}/submit", operation_id="submitAnnouncement", opt=AUTHORS, status_code=200)
    async def submit(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        announcement_id: FromPath[uuid.UUID],
    ) -> AnnouncementOut:
        return await self._review("submit", request, session, clock, settings, announcement_id, None)

    @post(
        "/{announcement_id:uuid}/approve",
        operation_id="approveAnnouncement",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def approve(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        announcement_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewIn | None] = None,
    ) -> AnnouncementOut:
        return await self._review(
            "approve", request, session, clock, settings, announcement_id, (data or ReviewIn()).note
        )

    @post(
        "/{announcement_id:uuid}/reject",
        operation_id="rejectAnnouncement",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def reject(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        announcement_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewIn | None] = None,
    ) -> AnnouncementOut:
        return await self._review(
            "reject", request, session, clock, settings, announcement_id, (data or ReviewIn()).note
        )

    @post(
        "/{announcement_id:uuid}/publish",
        operation_id="publishAnnouncement",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def publish(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        announcement_id: FromPath[uuid.UUID],
    ) -> AnnouncementOut:
        """Publish an approved announcement; it takes effect on its sections now (see the rules)."""
        return await self._review("publish", request, session, clock, settings, announcement_id, None)
