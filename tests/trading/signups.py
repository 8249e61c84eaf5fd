"""Bidders that sign themselves up over the API (a unit, or a natural person), then log in: for
tests of the rules that depend on who a bidder is (C-06, C-18)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from trading.organisations.uscc import check_character

_serial = itertools.count(1)


def new_uscc() -> str:
    first17 = f"9132011{next(_serial):09d}X"
    assert len(first17) == 17
    return first17 + check_character(first17)


def new_identity_number() -> str:
    first17 = f"3201151985{next(_serial):07d}"
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


@dataclass
class SignedUp:
    organisation: dict[str, Any]
    headers: dict[str, str]

    @property
    def id(self) -> str:
        return self.organisation["id"]


async def sign_up(
    client: Any,
    username: str,
    *,
    name: str,
    legal_representative: str,
    kind: str = "organisation",
    controlled_by_id: str | None = None,
    basic_account: str | None = "6227001234567890123",
) -> SignedUp:
    organisation = {
        "kind": kind,
        "uscc": new_identity_number() if kind == "natural_person" else new_uscc(),
        "name": name,
        "capacities": ["bidder"],
        "region": "江宁区",
        "legal_representative": legal_representative,
        "contact_phone": "025-52100099",
        "controlled_by_id": controlled_by_id,
    }
    if basic_account and kind == "organisation":
        organisation.update(
            basic_account_name=name, basic_account_number=basic_account, basic_account_bank="中国银行江宁支行"
        )
    password = f"{username}-password-2026"
    answer = await client.post(
        "/api/organisations/sign-up",
        json={"organisation": organisation, "username": username, "password": password, "display_name": name},
    )
    assert answer.status_code == 202, answer.text
    # The account waits for an administrator's review (no oracle at sign-up): the admin activates it.
    admin = await client.post("/api/auth/login", json={"username": "admin", "password": "admin-demo-2026"})
    as_admin = {"Authorization": f"Bearer {admin.json()['token']}"}
    users = (await client.get("/api/users/", headers=as_admin)).json()
    (user,) = [u for u in users if u["username"] == username]
    activated = await client.post(f"/api/users/{user['id']}/activate", headers=as_admin)
    assert activated.status_code == 200, activated.text
    login = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert login.status_code == 200, login.text
    found = await client.get("/api/organisations/", params={"q": organisation["uscc"]}, headers=as_admin)
    (registered,) = found.json()
    return SignedUp(registered, {"Authorization": f"Bearer {login.json()['token']}"})
