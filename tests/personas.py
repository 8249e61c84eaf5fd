"""Named people for tests (zulip's example users): `cast.token("clerk")`, `as_("bidder_a")`.

They are the demo's people (trading/demo.py). Password hashes are computed once per run, since
argon2 is deliberately slow.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from litestar import Litestar

from trading.auth.passwords import hash_password_sync
from trading.auth.tokens import issue_token
from trading.db.session import Database
from trading.demo import PEOPLE, Cast, create_cast


@functools.cache
def password_hashes() -> dict[str, str]:
    return {person.username: hash_password_sync(person.password) for person in PEOPLE}


@dataclass
class People:
    cast: Cast
    app: Litestar

    def token(self, username: str) -> str:
        token, _ = issue_token(self.app.state.jwt_auth, self.cast.identity(username))
        return token

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def org(self, key: str) -> Any:
        return self.cast.organisations[key]

    def user(self, username: str) -> Any:
        return self.cast.users[username]


async def cast_people(app: Litestar, db: Database, clock: Any) -> People:
    async with db.session() as session:
        cast = await create_cast(session, clock.now(), password_hashes())
        await session.commit()
    return People(cast, app)
