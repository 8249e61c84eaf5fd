import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from experts.committees import rules, service
from experts.committees.schemas import ChairIn, CommitteeOut, MySeatOut, RecuseIn, SeatOut, SignInIn
from experts.draws import service as draws
from experts.draws.models import Draw
from experts.draws.schemas import (
    DrawIn,
    DrawnExpertOut,
    DrawOut,
    ReplayOut,
    TopUpIn,
    TopUpOut,
    TopUpReplayOut,
)
from experts.pool.models import Expert
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import not_found
from trading.projects.service import may_see
from trading.settings import Settings

OVERSIGHT = (Role.staff, Role.admin, Role.auditor, Role.supervisor)


async def visible_section(session: AsyncSession, section_id: uuid.UUID, viewer: Identity) -> tuple[Any, Any]:
    section, project = await draws.section_and_project(session, section_id)
    if not may_see(viewer, project):
        raise not_found("section", "标段", section_id)
    return section, project


async def _drawn_out(session: AsyncSession, recorded: Draw, result: list[list[str]]) -> list[DrawnExpertOut]:
    committee = await service.committee_of(session, recorded.section_id)
    members = await service.seats(session, committee)
    named = await service.names(session, members)
    out = []
    for line, picked in zip(recorded.request["lines"], result, strict=True):
        for position, expert_id in enumerate(picked):
            key = uuid.UUID(expert_id)
            kind = "member" if position < line["experts"] else "reserve"
            out.append(
                DrawnExpertOut(expert_id=key, name=named.get(key, ""), specialty=line["specialty"], kind=kind)
            )
    return out


class CommitteeController(Controller):
    path = "/api/experts"
    tags = ["experts"]

    @post(
        "/sections/{section_id:uuid}/draw", operation_id="drawExperts", opt=allow(Role.staff), status_code=201
    )
    async def draw(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[DrawIn],
    ) -> DrawOut:
        """Draw the experts at random (C-11); the answer holds the seed and digests, not the names (E-06)."""
        recorded, _ = await draws.draw(
            session, section_id, data, actor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return DrawOut(**_draw_fields(recorded), sealed=True, experts=None)

    @post(
        "/sections/{section_id:uuid}/draw/top-ups",
        operation_id="topUpDraw",
        opt=allow(Role.staff),
        status_code=201,
    )
    async def top_up(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[TopUpIn],
    ) -> TopUpOut:
        """Recusals used up a specialty's reserves: draw more, under the same exclusions, recorded
        and replayable like the draw; the new reserves fill the vacant seats. Names stay sealed."""
        await visible_section(session, section_id, request.user)
        recorded, stepped_in = await draws.top_up(
            session, section_id, data, actor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return TopUpOut(
            id=recorded.id,
            draw_id=recorded.draw_id,
            round=recorded.round,
            drawn_at=recorded.drawn_at,
            specialty=recorded.specialty,
            reserves=recorded.reserves,
            seed=recorded.seed,
            pool_digest=recorded.pool_digest,
            result_digest=recorded.result_digest,
            excluded=recorded.excluded,
            stepped_in=stepped_in,
        )

    @get("/sections/{section_id:uuid}/draw", operation_id="getDraw", opt=allow(*OVERSIGHT))
    async def get_draw(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> DrawOut:
        section, project = await visible_section(session, section_id, request.user)
        recorded = await draws.draw_of_section(session, section_id)
        if not rules.names_visible(request.user, project, section.status):
            return DrawOut(**_draw_fields(recorded), sealed=True, experts=None)
        experts = await _drawn_out(session, recorded, recorded.result["lines"])
        return DrawOut(**_draw_fields(recorded), sealed=False, experts=experts)

    @post(
        "/sections/{section_id:uuid}/draw/replay",
        operation_id="replayDraw",
        opt=allow(Role.supervisor),
        status_code=200,
    )
    async def replay(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> ReplayOut:
        """The supervisor reruns the draw from its seed and snapshot and gets the same names."""
        await visible_section(session, section_id, request.user)
        recorded = await draws.draw_of_section(session, section_id)
        intact, same, result = draws.replay(recorded)
        top_ups = []
        for top_up in await draws.top_ups_of(session, recorded.id):
            top_up_intact, top_up_same, picked = draws.replay_top_up(top_up)
            named = await _names(session, picked[0])
            top_ups.append(
                TopUpReplayOut(
                    top_up_id=top_up.id,
                    round=top_up.round,
                    snapshot_intact=top_up_intact,
                    same_result=top_up_same,
                    experts=[
                        DrawnExpertOut(
                            expert_id=uuid.UUID(e),
                            name=named.get(uuid.UUID(e), ""),
                            specialty=top_up.specialty,
                            kind="reserve",
                        )
                        for e in picked[0]
                    ],
                )
            )
        return ReplayOut(
            draw_id=recorded.id,
            snapshot_intact=intact,
            same_result=same,
            experts=await _drawn_out(session, recorded, result),
            top_ups=top_ups,
        )

    @get(
        "/sections/{section_id:uuid}/committee",
        operation_id="getCommittee",
        opt=allow(*OVERSIGHT, Role.expert, Role.principal, Role.agency),
    )
    async def committee(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> CommitteeOut:
        """The seats; the names only to those E-06 allows, and to the members once signed in."""
        if Role.expert in request.user.roles and not request.user.has(*OVERSIGHT):
            seat = await service.seat_of(session, section_id, request.user)
            section, project = await draws.section_and_project(session, section_id)
            show = seat.state == "signed_in"
        else:
            section, project = await visible_section(session, section_id, request.user)
            show = rules.names_visible(request.user, project, section.status)
        return await committee_out(session, section_id, show)

    @post(
        "/sections/{section_id:uuid}/committee/sign-in",
        operation_id="signInToCommittee",
        opt=allow(Role.expert),
        status_code=200,
    )
    async def sign_in(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[SignInIn],
    ) -> CommitteeOut:
        """Sign in and declare: no conflict, or a conflict (E-07) and the reserve steps in."""
        seat = await service.sign_in(
            session, section_id, request.user, conflict=data.conflict, reason=data.reason, at=clock.now()
        )
        await session.commit()
        return await committee_out(session, section_id, seat.state == "signed_in")

    @post(
        "/sections/{section_id:uuid}/committee/members/{member_id:uuid}/recuse",
        operation_id="recuseMember",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def recuse(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        member_id: FromPath[uuid.UUID],
        data: JSONBody[RecuseIn],
    ) -> CommitteeOut:
        """A conflict found by the center: the member is replaced (TL art. 37 ¶4 "已经进入的应当更换")."""
        committee = await service.committee_of(session, section_id)
        seat = next((m for m in await service.seats(session, committee) if m.id == member_id), None)
        if seat is None:
            raise not_found("member", "评标委员会成员", member_id)
        await service.recuse(session, seat, data.reason, actor=request.user.actor, at=clock.now())
        await session.commit()
        return await committee_out(session, section_id, False)

    @post(
        "/sections/{section_id:uuid}/committee/chair",
        operation_id="chooseChair",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def chair(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[ChairIn],
    ) -> CommitteeOut:
        """Record the chair the members chose among themselves."""
        committee = await service.committee_of(session, section_id)
        await service.choose_chair(
            session, committee, data.member_id, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return await committee_out(session, section_id, False)

    @get("/me/seats", operation_id="listMySeats", opt=allow(Role.expert))
    async def my_seats(
        self, request: Request[Identity, Any, Any], session: NamedDependency[AsyncSession]
    ) -> list[MySeatOut]:
        """The sections the expert was drawn for: where to sign in."""
        return [
            MySeatOut(
                section_id=s.id,
                section_code=s.code,
                section_name=s.name,
                member_id=m.id,
                kind=m.kind,
                state=m.state,
            )
            for m, s in await service.my_seats(session, request.user)
        ]


async def _names(session: AsyncSession, expert_ids: list[str]) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        select(Expert.id, Expert.name).where(Expert.id.in_([uuid.UUID(e) for e in expert_ids]))
    )
    return {r.id: r.name for r in rows}


def _draw_fields(recorded: Draw) -> dict[str, Any]:
    return {
        "id": recorded.id,
        "section_id": recorded.section_id,
        "drawn_at": recorded.drawn_at,
        "request": recorded.request,
        "seed": recorded.seed,
        "pool_digest": recorded.pool_digest,
        "result_digest": recorded.result_digest,
        "excluded": recorded.excluded,
        "experts_drawn": recorded.experts_drawn,
    }


async def committee_out(session: AsyncSession, section_id: uuid.UUID, show_names: bool) -> CommitteeOut:
    committee = await service.committee_of(session, section_id)
    members = await service.seats(session, committee)
    named = await service.names(session, members) if show_names else {}
    return CommitteeOut(
        section_id=section_id,
        experts=committee.experts,
        representatives=committee.representatives,
        sealed=not show_names,
        ready=service.ready(committee, members),
        vacant_seats=service.vacant(committee, members),
        seats=[
            SeatOut(
                member_id=m.id,
                specialty=m.specialty,
                kind=m.kind,
                state=m.state,
                chair=m.chair,
                signed_in_at=m.signed_in_at,
                stepped_in_for=m.stepped_in_for,
                expert_id=m.expert_id if show_names else None,
                name=named.get(m.expert_id) if show_names else None,
                recusal_reason=m.recusal_reason if show_names else None,
            )
            for m in members
        ],
    )
