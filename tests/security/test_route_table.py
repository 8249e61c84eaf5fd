"""Every route declares who may call it: without a token it answers 401, to a wrong role 403."""

import re
import uuid

from litestar.routes import HTTPRoute

from trading.auth.identity import Role

# One person per role (tests/personas.py, trading/demo.py).
PERSON_OF_ROLE = {
    Role.admin: "admin",
    Role.staff: "clerk",
    Role.auditor: "auditor",
    Role.supervisor: "zj_supervisor",
    Role.principal: "principal",
    Role.agency: "agency",
    Role.bidder: "bidder_a",
    Role.expert: "expert",
}
PARAM = re.compile(r"\{(\w+):(\w+)\}")
SAMPLE = {"uuid": str(uuid.uuid4()), "int": "2026", "str": "x", "path": "x"}


def protected_endpoints(app):
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.opt.get("exclude_from_auth"):
                continue
            path = PARAM.sub(lambda m: SAMPLE[m.group(2)], route.path)
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                yield method, path, handler


def test_every_non_public_route_names_its_roles(app):
    undeclared = [f"{m} {p}" for m, p, h in protected_endpoints(app) if not h.opt.get("roles")]
    assert undeclared == []


def test_the_route_table_has_protected_routes(app):
    assert len(list(protected_endpoints(app))) >= 20


async def test_no_token_gives_401_everywhere(app, client):
    wrong = []
    for method, path, _ in protected_endpoints(app):
        response = await client.request(method, path, json={})
        if response.status_code != 401 or response.json()["code"] != "auth.required":
            wrong.append((method, path, response.status_code))
    assert wrong == []


async def test_a_role_not_named_gets_403_everywhere(app, client, people):
    wrong, checked = [], 0
    for method, path, handler in protected_endpoints(app):
        allowed = handler.opt["roles"]
        for role, username in PERSON_OF_ROLE.items():
            if role in allowed:
                continue
            checked += 1
            response = await client.request(method, path, json={}, headers=people.headers(username))
            if response.status_code != 403 or response.json()["code"] != "auth.forbidden":
                wrong.append((method, path, username, response.status_code))
    assert checked > 50
    assert wrong == []


async def test_a_forged_token_gives_401(client, people):
    token = people.token("admin")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = await client.get("/api/users/", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
