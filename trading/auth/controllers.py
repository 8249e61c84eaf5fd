import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth import service
from trading.auth.addresses import client_address, parse_networks
from trading.auth.guards import ANY_USER, allow
from trading.auth.identity import Identity, Role
from trading.auth.lockout import LockoutPolicy
from trading.auth.models import User
from trading.auth.schemas import (
    DirectoryEntryOut,
    LoginIn,
    LoginOut,
    PasswordChangeIn,
    PasswordResetIn,
    UserIn,
    UserOut,
)
from trading.auth.tokens import issue_token
from trading.clock import Clock
from trading.errors import not_found
from trading.settings import Settings


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post(
        "/login",
        operation_id="login",
        exclude_from_auth=True,
        opt={"errors": {"401": "wrong username or password (`auth.invalid_credentials`)"}},
        status_code=200,
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[LoginIn],
    ) -> LoginOut:
        """Exchange a username and password for a bearer token. Repeated failures lock the account
        out for a time that grows, and the client address for a short time (answer 429)."""
        user = await service.authenticate(
            session,
            request.app.state.failure_counter,
            username=data.username,
            password=data.password,
            client=client_address(request, parse_networks(settings.trusted_proxies)),
            policy=LockoutPolicy(
                max_failures=settings.login_max_failures,
                max_failures_per_client=settings.login_max_failures_per_client,
                account_lockout_seconds=settings.login_lockout_minutes * 60,
                client_lockout_seconds=settings.login_client_lockout_minutes * 60,
            ),
        )
        token, expires_at = issue_token(request.app.state.jwt_auth, service.identity_of(user))
        return LoginOut(token=token, expires_at=expires_at, user=UserOut.model_validate(user))

    @get("/me", operation_id="whoAmI", opt=ANY_USER)
    async def me(
        self, request: Request[Identity, Any, Any], session: NamedDependency[AsyncSession]
    ) -> UserOut:
        user = await session.get(User, request.user.user_id)
        if user is None:
            raise not_found("user", "用户", request.user.user_id)
        return UserOut.model_validate(user)

    @post("/password", operation_id="changePassword", opt=ANY_USER, status_code=200)
    async def change_password(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[PasswordChangeIn],
    ) -> LoginOut:
        """Set a new password. Every other token of the user stops working; the answer carries a
        new token for this session."""
        user = await service.change_password(
            session,
            request.user.user_id,
            current=data.current_password,
            new=data.new_password,
            at=clock.now(),
        )
        await session.commit()
        await request.app.state.session_states.forget(user.id)
        token, expires_at = issue_token(request.app.state.jwt_auth, service.identity_of(user))
        return LoginOut(token=token, expires_at=expires_at, user=UserOut.model_validate(user))

    @post("/logout", operation_id="logout", opt=ANY_USER, status_code=204)
    async def logout(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
    ) -> None:
        """End every session of the user: this token and any other stop working at once."""
        await service.log_out(session, request.user.user_id, actor=request.user.actor, at=clock.now())
        await session.commit()
        await request.app.state.session_states.forget(request.user.user_id)


class UserController(Controller):
    path = "/api/users"
    tags = ["auth"]

    @post("/", operation_id="createUser", opt=allow(Role.admin))
    async def create(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[UserIn],
    ) -> UserOut:
        user = await service.create_user(
            session,
            username=data.username,
            password=data.password,
            display_name=data.display_name,
            roles=[str(r) for r in data.roles],
            sectors=[str(s) for s in data.sectors],
            organisation_id=data.organisation_id,
            actor=request.user.actor,
            at=clock.now(),
        )
        await session.commit()
        return UserOut.model_validate(user)

    @get("/", operation_id="listUsers", opt=allow(Role.admin, Role.auditor))
    async def list_users(
        self, session: NamedDependency[AsyncSession], limit: FromQuery[int] = 50, offset: FromQuery[int] = 0
    ) -> list[UserOut]:
        users = await service.list_users(session, limit=min(max(limit, 1), 500), offset=max(offset, 0))
        return [UserOut.model_validate(u) for u in users]

    @get("/directory", operation_id="searchUserDirectory", opt=allow(Role.staff, Role.admin, Role.auditor))
    async def directory(
        self,
        session: NamedDependency[AsyncSession],
        role: FromQuery[Role | None] = None,
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        offset: FromQuery[int] = 0,
    ) -> list[DirectoryEntryOut]:
        """Active users by role (`role=staff`) and by part of their name or organisation's name
        (`q=王`): how staff find the people they name as key holders. No credentials, no login names."""
        rows = await service.directory(
            session,
            role=role,
            query=(q or "").strip()[:100] or None,
            limit=min(max(limit, 1), 200),
            offset=max(offset, 0),
        )
        return [
            DirectoryEntryOut(
                id=user.id,
                display_name=user.display_name,
                roles=list(user.roles),
                sectors=list(user.sectors),
                organisation_id=user.organisation_id,
                organisation_name=organisation,
            )
            for user, organisation in rows
        ]

    @post("/{user_id:uuid}/deactivate", operation_id="deactivateUser", opt=allow(Role.admin), status_code=200)
    async def deactivate(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        user_id: FromPath[uuid.UUID],
    ) -> UserOut:
        """Tokens already issued stop working now, on every instance, not when they expire."""
        user = await service.set_active(session, user_id, False, actor=request.user.actor, at=clock.now())
        await session.commit()
        await request.app.state.session_states.forget(user_id)
        return UserOut.model_validate(user)

    @post("/{user_id:uuid}/activate", operation_id="activateUser", opt=allow(Role.admin), status_code=200)
    async def activate(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        user_id: FromPath[uuid.UUID],
    ) -> UserOut:
        """Let the user log in: a reviewed online sign-up, or an account deactivated before."""
        user = await service.set_active(session, user_id, True, actor=request.user.actor, at=clock.now())
        await session.commit()
        await request.app.state.session_states.forget(user_id)
        return UserOut.model_validate(user)

    @post("/{user_id:uuid}/unlock", operation_id="unlockUser", opt=allow(Role.admin), status_code=200)
    async def unlock(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        user_id: FromPath[uuid.UUID],
    ) -> UserOut:
        """Lift the lockout of an account that failed to log in too often."""
        user = await service.unlock(
            session, request.app.state.failure_counter, user_id, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return UserOut.model_validate(user)

    @post("/{user_id:uuid}/password", operation_id="resetPassword", opt=allow(Role.admin), status_code=200)
    async def reset_password(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[PasswordResetIn],
    ) -> UserOut:
        """An administrator sets a new password; every token of the user stops working."""
        user = await service.reset_password(
            session, user_id, new=data.new_password, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        await request.app.state.session_states.forget(user_id)
        return UserOut.model_validate(user)
