import uuid
from typing import Any

from litestar import Controller, Request, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.keyholders import service
from bidding.keyholders.models import KeyHolder, KeyPlan
from bidding.keyholders.schemas import HolderKeyIn, HolderOut, KeyPlanIn, KeyPlanOut, SignedDocument
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.db.session import WRITES_ON_READ
from trading.errors import not_found
from trading.settings import Settings

HOLDERS = allow(Role.staff, Role.supervisor, Role.principal, Role.agency)
PLAN_READERS = allow(Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.principal, Role.agency)
SEALERS = allow(
    Role.bidder, Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.principal, Role.agency
)


def plan_out(plan: KeyPlan, holders: list[KeyHolder]) -> KeyPlanOut:
    return KeyPlanOut(
        section_id=plan.section_id,
        threshold=plan.threshold,
        configured_at=plan.configured_at,
        holders=[
            HolderOut(
                position=h.position,
                user_id=h.user_id,
                display_name=h.display_name,
                party=h.party,
                public_key=h.public_key,
                key_registered_at=h.key_registered_at,
            )
            for h in holders
        ],
        ready=all(h.public_key for h in holders),
    )


class KeyHolderController(Controller):
    path = "/api/bidding/sections"
    tags = ["bidding"]

    @put("/{section_id:uuid}/keyholders", operation_id="configureKeyHolders", opt=allow(Role.staff))
    async def configure(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[KeyPlanIn],
    ) -> KeyPlanOut:
        """Name the opening key holders (n) and the threshold (k); no single side may hold k shares."""
        section, _ = await service.section_for(session, section_id)
        plan = await service.configure(
            session,
            section,
            threshold=data.threshold,
            user_ids=data.holders,
            actor=request.user,
            at=clock.now(),
        )
        found = await service.plan_of(session, section.id)
        assert found is not None
        await session.commit()
        return plan_out(plan, found[1])

    @get("/{section_id:uuid}/keyholders", operation_id="getKeyHolders", opt=PLAN_READERS)
    async def get_plan(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> KeyPlanOut:
        section, project = await service.section_for(session, section_id)
        found = await service.plan_of(session, section.id)
        if found is None or not service.may_read_plan(request.user, project):
            raise not_found("keyholders", "开标密钥持有人设置", section_id)
        return plan_out(*found)

    @put("/{section_id:uuid}/keyholders/me/key", operation_id="registerHolderKey", opt=HOLDERS)
    async def register_key(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[HolderKeyIn],
    ) -> HolderOut:
        """Register the public half of your X25519 key (`trading keyholder keygen`); keep the private half."""
        section, _ = await service.section_for(session, section_id)
        row = await service.register_key(
            session, section, public_key=data.public_key, holder=request.user, at=clock.now()
        )
        await session.commit()
        return HolderOut(
            position=row.position,
            user_id=row.user_id,
            display_name=row.display_name,
            party=row.party,
            public_key=row.public_key,
            key_registered_at=row.key_registered_at,
        )

    @get(
        "/{section_id:uuid}/sealing-parameters",
        operation_id="getSealingParameters",
        opt={**SEALERS, **WRITES_ON_READ},
    )
    async def sealing_parameters(
        self,
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
    ) -> SignedDocument:
        """The key holders' public keys and threshold, signed by the platform: `trading bid seal` input."""
        section, _ = await service.section_for(session, section_id)
        document = await service.signed_parameters(session, settings, section, at=clock.now())
        await session.commit()
        return SignedDocument(**document)
