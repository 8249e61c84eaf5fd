"""Public open data: OCDS release and record packages, and Atom feeds of new announcements.
Anyone may read them, no login: they hold only what is already public."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from trading.clock import Clock
from trading.errors import NotFound
from trading.opendata import feeds, service
from trading.sectors import Sector
from trading.settings import Settings

MAX_PAGE = 100


def _base(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


def _uri(request: Request[Any, Any, Any]) -> str:
    return str(request.url)


class OpenDataController(Controller):
    path = "/api/public/opendata"
    tags = ["open data"]

    async def _page(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        sector: Sector | None,
        window: tuple[dt.datetime | None, dt.datetime | None],
        limit: int,
        offset: int,
    ) -> tuple[list[Any], dict[str, str]]:
        """A page of sections with a release in the window, and `links.next` while more follow.
        An OCDS package holds at least one release or record (the schemas' `minItems`), so there is
        no empty package: nothing to publish for these filters, or a page beyond the end, is 404."""
        limit, offset = min(max(limit, 1), MAX_PAGE), max(offset, 0)
        since, until = window
        facts, following = await service.page(
            session,
            prefix=settings.ocid_prefix,
            base_url=_base(request),
            sector=sector,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        )
        if not facts:
            raise NotFound(
                "opendata.nothing_published",
                "没有符合条件的已公开交易数据（或页码超出范围）",
                "nothing is published for these filters (or the page is beyond the end)",
                details={"sector": sector, "offset": offset},
            )
        if following is None:
            return facts, {}
        query = {**dict(request.query_params), "offset": str(following), "limit": str(limit)}
        return facts, {"next": str(request.url.with_replacements(query=urlencode(query)))}

    @get("/releases", operation_id="ocdsReleasePackage", exclude_from_auth=True)
    async def releases(
        self,
        request: Request[Any, Any, Any],
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        sector: FromQuery[Sector | None] = None,
        since: FromQuery[dt.datetime | None] = None,
        until: FromQuery[dt.datetime | None] = None,
        limit: FromQuery[int] = 20,
        offset: FromQuery[int] = 0,
    ) -> dict[str, Any]:
        """An OCDS 1.1 release package: the releases of a page of sections (by section code),
        those dated in [since, until). `links.next` names the next page."""
        facts, links = await self._page(request, session, settings, sector, (since, until), limit, offset)
        package = service.release_package(
            facts,
            uri=_uri(request),
            base_url=_base(request),
            publisher=settings.opendata_publisher,
            at=clock.now(),
            since=since,
            until=until,
        )
        return {**package, "links": links}

    @get("/records", operation_id="ocdsRecordPackage", exclude_from_auth=True)
    async def records(
        self,
        request: Request[Any, Any, Any],
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        sector: FromQuery[Sector | None] = None,
        since: FromQuery[dt.datetime | None] = None,
        until: FromQuery[dt.datetime | None] = None,
        limit: FromQuery[int] = 20,
        offset: FromQuery[int] = 0,
    ) -> dict[str, Any]:
        """An OCDS 1.1 record package: each section's releases and its compiled release."""
        facts, links = await self._page(request, session, settings, sector, (since, until), limit, offset)
        package = service.record_package(
            facts,
            uri=_uri(request),
            base_url=_base(request),
            publisher=settings.opendata_publisher,
            at=clock.now(),
            since=since,
            until=until,
        )
        return {**package, "links": links}


ATOM = "application/atom+xml"


class FeedController(Controller):
    path = "/api/public/feeds"
    tags = ["open data"]

    @get("/announcements.atom", operation_id="announcementFeed", exclude_from_auth=True, media_type=ATOM)
    async def all_sectors(
        self,
        request: Request[Any, Any, Any],
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        """The newest published announcements of every sector, as Atom (RFC 4287)."""
        return await self._feed(request, session, settings, None)

    @get(
        "/{sector:str}/announcements.atom",
        operation_id="announcementFeedBySector",
        exclude_from_auth=True,
        media_type=ATOM,
    )
    async def one_sector(
        self,
        request: Request[Any, Any, Any],
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        sector: FromPath[Sector],
    ) -> Response[bytes]:
        """The newest published announcements of one sector, as Atom."""
        return await self._feed(request, session, settings, sector)

    async def _feed(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        sector: Sector | None,
    ) -> Response[bytes]:
        body = await feeds.announcement_feed(
            session,
            sector=sector,
            base_url=_base(request),
            self_url=_uri(request),
            publisher=settings.opendata_publisher,
        )
        return Response(body, media_type=f"{ATOM}; charset=utf-8")


def route_handlers() -> list[Any]:
    return [OpenDataController, FeedController]
