"""Accounts: creating users, checking passwords, locking out password guessing."""

from __future__ import annotations

import datetime as dt
import math
import uuid

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import Actor, record
from trading.auth.identity import Identity, Role
from trading.auth.lockout import (
    FailureCounter,
    LockoutPolicy,
    account_key,
    client_key,
    count_failure,
    lift,
    locked_for,
)
from trading.auth.models import User
from trading.auth.passwords import hash_password, verify_password
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.organisations.models import Organisation

ORGANISATION_ROLES = {Role.bidder: "bidder", Role.principal: "principal", Role.agency: "agency"}


class LoginRefused(DomainError):
    status = 401


class LockedOut(DomainError):
    status = 429


def identity_of(user: User) -> Identity:
    return Identity(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset(user.roles),
        organisation_id=user.organisation_id,
        sectors=frozenset(user.sectors),
        token_version=user.token_version or 0,
    )


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str | None,
    display_name: str,
    roles: list[str],
    sectors: list[str],
    organisation_id: uuid.UUID | None,
    actor: Actor,
    at: dt.datetime,
    password_hash: str | None = None,
) -> User:
    """Create a user; organisation roles need an organisation acting in that capacity, and a
    supervisor needs the sectors its bureau supervises."""
    if await session.scalar(select(func.count()).where(func.lower(User.username) == username.lower())):
        raise Conflict("user.exists", f"用户名{username}已被使用", f"the username {username} is taken")
    organisation = await session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        raise not_found("organisation", "单位", organisation_id)
    for role, capacity in ORGANISATION_ROLES.items():
        if role in roles and (organisation is None or capacity not in organisation.capacities):
            raise DomainError(
                "user.organisation_capacity",
                f"角色{role}须属于以该身份登记的单位",
                f"the role {role} needs an organisation registered as {capacity}",
                status=422,
            )
    if Role.supervisor in roles and not sectors:
        raise DomainError(
            "user.supervisor_sectors",
            "监督人员须指定其监督的行业",
            "a supervisor must be given the sectors its bureau supervises",
            status=422,
        )
    user = User(
        username=username,
        password_hash=password_hash or await hash_password(password or ""),
        display_name=display_name,
        roles=sorted(set(roles)),
        sectors=sorted(set(sectors)) if Role.supervisor in roles else [],
        organisation_id=organisation_id,
        active=True,
        created_at=at,
    )
    session.add(user)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="user.created",
        subject_type="user",
        subject_id=user.id,
        data={"username": username, "roles": user.roles, "sectors": user.sectors},
        at=at,
    )
    return user


async def authenticate(
    session: AsyncSession,
    failures: FailureCounter,
    *,
    username: str,
    password: str,
    client: str,
    policy: LockoutPolicy,
) -> User:
    """Check a password. After `max_failures` failures the account is locked out, right password
    or not, for a time that doubles with each lockout; after `max_failures_per_client` from one
    address, that address is, for a short fixed time (trading/auth/lockout.py)."""
    account, address = account_key(username), client_key(client)
    for key in (account, address):
        seconds = await locked_for(failures, key)
        if seconds > 0:
            minutes = math.ceil(seconds / 60)
            raise LockedOut(
                "auth.locked",
                f"登录失败次数过多，请{minutes}分钟后再试，或请管理员解除锁定",
                f"too many failed logins; try again in {minutes} minutes or ask an administrator",
                details={"retry_after_seconds": seconds},
            )
    user = await session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    ok = await verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        await count_failure(failures, account, policy.max_failures, policy.account_lockout_seconds, grow=True)
        await count_failure(
            failures, address, policy.max_failures_per_client, policy.client_lockout_seconds, grow=False
        )
        raise LoginRefused("auth.invalid_credentials", "用户名或密码错误", "wrong username or password")
    await failures.clear(account)
    return user


async def unlock(
    session: AsyncSession, failures: FailureCounter, user_id: uuid.UUID, *, actor: Actor, at: dt.datetime
) -> User:
    """An administrator lifts the account's lockout."""
    user = await session.get(User, user_id)
    if user is None:
        raise not_found("user", "用户", user_id)
    await lift(failures, account_key(user.username))
    await record(
        session, actor=actor, action="user.unlocked", subject_type="user", subject_id=user.id, data={}, at=at
    )
    return user


async def list_users(session: AsyncSession, *, limit: int, offset: int) -> list[User]:
    return list(
        (await session.scalars(select(User).order_by(User.username).limit(limit).offset(offset))).all()
    )


async def directory(
    session: AsyncSession,
    *,
    role: Role | None,
    query: str | None,
    limit: int,
    offset: int,
) -> list[tuple[User, str | None]]:
    """Active users by role and by a piece of their name, with their organisation's name: staff
    choose key holders and committee members by name. Credentials stay out of the answer."""
    statement = (
        select(User, Organisation.name)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(User.active.is_(True))
    )
    if role is not None:
        # Roles are a JSON list on both backends; its text holds each role quoted ("staff").
        statement = statement.where(cast(User.roles, String).like(f'%"{role.value}"%'))
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                User.display_name.ilike(pattern, escape="\\"),
                Organisation.name.ilike(pattern, escape="\\"),
            )
        )
    rows = await session.execute(statement.order_by(User.display_name, User.id).limit(limit).offset(offset))
    return [(user, organisation) for user, organisation in rows.all()]


async def set_active(
    session: AsyncSession, user_id: uuid.UUID, active: bool, *, actor: Actor, at: dt.datetime
) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise not_found("user", "用户", user_id)
    user.active = active
    if not active:
        end_sessions(user)
    await record(
        session,
        actor=actor,
        action="user.activated" if active else "user.deactivated",
        subject_type="user",
        subject_id=user.id,
        data={"active": active},
        at=at,
    )
    return user


def end_sessions(user: User) -> None:
    """Every token issued to the user so far stops working once the caller commits (and forgets the
    cached account state, see trading/auth/sessions.py)."""
    user.token_version = (user.token_version or 0) + 1


async def change_password(
    session: AsyncSession, user_id: uuid.UUID, *, current: str, new: str, at: dt.datetime
) -> User:
    """The user sets a new password; tokens issued before stop working."""
    user = await session.get(User, user_id)
    if user is None or not await verify_password(user.password_hash, current):
        raise Forbidden("auth.wrong_password", "当前密码不正确", "the current password is not correct")
    actor = identity_of(user).actor
    return await _set_password(session, user, new, action="user.password_changed", actor=actor, at=at)


async def reset_password(
    session: AsyncSession, user_id: uuid.UUID, *, new: str, actor: Actor, at: dt.datetime
) -> User:
    """An administrator sets a new password for a user; the user's tokens stop working."""
    user = await session.get(User, user_id)
    if user is None:
        raise not_found("user", "用户", user_id)
    return await _set_password(session, user, new, action="user.password_reset", actor=actor, at=at)


async def _set_password(
    session: AsyncSession, user: User, new: str, *, action: str, actor: Actor, at: dt.datetime
) -> User:
    user.password_hash = await hash_password(new)
    end_sessions(user)
    # The audit data never holds the password or its hash.
    await record(session, actor=actor, action=action, subject_type="user", subject_id=user.id, data={}, at=at)
    await session.flush()
    return user


async def log_out(session: AsyncSession, user_id: uuid.UUID, *, actor: Actor, at: dt.datetime) -> None:
    """Ends every session of the user (the token presented and any other)."""
    user = await session.get(User, user_id)
    if user is None:
        raise not_found("user", "用户", user_id)
    end_sessions(user)
    await record(
        session,
        actor=actor,
        action="user.logged_out",
        subject_type="user",
        subject_id=user.id,
        data={},
        at=at,
    )
