import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from trading.auth.identity import Role
from trading.sectors import Sector


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    roles: list[str]
    sectors: list[str]
    organisation_id: uuid.UUID | None
    active: bool


class DirectoryEntryOut(BaseModel):
    """A user as staff see them when naming key holders or committee members: who, in which roles
    and organisation; no login name, no account state, nothing to sign in with."""

    id: uuid.UUID
    display_name: str
    roles: list[str]
    sectors: list[str]
    organisation_id: uuid.UUID | None
    organisation_name: str | None


class LoginOut(BaseModel):
    token: str
    token_type: str = "Bearer"
    expires_at: dt.datetime
    user: UserOut


class UserIn(BaseModel):
    username: str = Field(pattern=r"^[A-Za-z0-9_.\-]{3,60}$")
    password: str = Field(min_length=10, max_length=200)
    display_name: str = Field(min_length=1, max_length=100)
    roles: list[Role] = Field(min_length=1)
    sectors: list[Sector] = Field(default_factory=list)
    organisation_id: uuid.UUID | None = None


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


class PasswordResetIn(BaseModel):
    new_password: str = Field(min_length=10, max_length=200)
