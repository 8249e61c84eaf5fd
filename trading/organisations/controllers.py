import uuid
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import Forbidden
from trading.organisations import service
from trading.organisations.schemas import BidderSignUp, ControlIn, OrganisationIn, OrganisationOut

READERS = allow(
    Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.agency, Role.principal, Role.bidder
)


class SignUpReceived(BaseModel):
    status: str = "received"
    message: dict[str, str] = {
        "zh-CN": "注册申请已收到。交易中心审核后将通过登记的联系电话告知结果，审核通过后方可登录。",
        "en": "Your application is received. The center reviews it and tells you the outcome on the "
        "registered phone number; you can log in once it is approved.",
    }


class OrganisationController(Controller):
    path = "/api/organisations"
    tags = ["organisations"]

    @post("/sign-up", operation_id="signUpBidder", exclude_from_auth=True, status_code=202)
    async def sign_up(
        self,
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[BidderSignUp],
    ) -> SignUpReceived:
        """A company applies online to register as a bidder, with its first user (no login).

        The answer is the same whether or not the username or the organisation is already
        registered, so it tells nobody which are; the account can log in once an administrator
        has reviewed and activated it (`POST /api/users/{id}/activate`)."""
        await service.apply_as_bidder(session, data, at=clock.now())
        await session.commit()
        return SignUpReceived()

    @post("/", operation_id="registerOrganisation", opt=allow(Role.staff, Role.admin))
    async def register(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[OrganisationIn],
    ) -> OrganisationOut:
        organisation = await service.register_organisation(
            session, data, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return OrganisationOut.model_validate(organisation)

    @get(
        "/",
        operation_id="listOrganisations",
        opt=allow(Role.staff, Role.admin, Role.auditor, Role.supervisor),
    )
    async def list_organisations(
        self,
        session: NamedDependency[AsyncSession],
        q: FromQuery[str | None] = None,
        capacity: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        offset: FromQuery[int] = 0,
    ) -> list[OrganisationOut]:
        rows = await service.list_organisations(
            session, q=q, capacity=capacity, limit=min(max(limit, 1), 500), offset=max(offset, 0)
        )
        return [OrganisationOut.model_validate(r) for r in rows]

    @get("/{organisation_id:uuid}", operation_id="getOrganisation", opt=READERS)
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        organisation_id: FromPath[uuid.UUID],
    ) -> OrganisationOut:
        user = request.user
        if (
            user.has(Role.bidder, Role.agency, Role.principal)
            and not user.has(Role.staff, Role.admin)
            and (user.organisation_id != organisation_id)
        ):
            raise Forbidden(
                "organisation.not_yours", "只能查看本单位信息", "you may only see your own organisation"
            )
        return OrganisationOut.model_validate(await service.get_organisation(session, organisation_id))

    @put(
        "/{organisation_id:uuid}/controlled-by",
        operation_id="setControllingOrganisation",
        opt=allow(Role.staff, Role.admin),
    )
    async def set_controller(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        organisation_id: FromPath[uuid.UUID],
        data: JSONBody[ControlIn],
    ) -> OrganisationOut:
        """Record which organisation controls or manages this one (C-18), or clear it."""
        organisation = await service.set_controller(
            session, organisation_id, data.controlled_by_id, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return OrganisationOut.model_validate(organisation)
