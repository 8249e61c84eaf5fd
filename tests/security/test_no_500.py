"""No input gives a 500: every operation of the served OpenAPI, called by a role it allows, with
bodies and query strings built from its own schema and filled with the inputs that broke it before
(dates at the edges of the calendar, ints beyond 64 bits, control characters, unknown ids, JSON
nested a thousand deep), and OPTIONS on every path without a token."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from tests.security.test_route_table import PERSON_OF_ROLE
from trading.auth.identity import Role

LATE = "9999-12-31T23:59:59-14:00"
EARLY = "0001-01-01T00:00:00+14:00"
HUGE = 2**70
DEEP = "[" * 1000 + "]" * 1000
# The order in which a role is picked to call an operation: the ones that reach furthest first.
CALLER_ORDER = (Role.staff, Role.admin, Role.bidder, Role.agency, Role.principal, Role.supervisor)
VARIANTS = ("plain", "late", "early", "huge", "control")
PATH_PARAM = re.compile(r"\{(\w+)\}")


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def sample(spec: dict[str, Any], schema: dict[str, Any], variant: str, depth: int = 0) -> Any:
    """A value the schema allows, with the variant's edge put where its type is."""
    schema = resolve(spec, schema)
    if depth > 6:
        return None
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [o for o in schema[key] if resolve(spec, o).get("type") != "null"]
            return sample(spec, options[0], variant, depth + 1) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    fmt = schema.get("format")
    if kind == "object" or "properties" in schema:
        return {
            name: sample(spec, sub, variant, depth + 1) for name, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [sample(spec, schema.get("items", {}), variant, depth + 1)]
    if kind == "integer":
        return HUGE if variant == "huge" else 1
    if kind == "number":
        return 1e308 if variant == "huge" else 1.5
    if kind == "boolean":
        return True
    if fmt == "date-time":
        return {"late": LATE, "early": EARLY}.get(variant, "2026-03-20T09:30:00+08:00")
    if fmt == "date":
        return {"late": "9999-12-31", "early": "0001-01-01"}.get(variant, "2026-03-20")
    if fmt == "uuid":
        return str(uuid.uuid4())  # an id nobody has
    if variant == "control":
        return "名称\x00\x07\x1b"
    if variant == "huge":
        return str(HUGE)
    return "100.00".ljust(schema.get("minLength", 0), "0")


# Operations that end the caller's sessions go last, so the others still run with a valid token.
ENDS_SESSIONS = ("logout", "changePassword", "resetPassword", "deactivateUser")


def operations(spec: dict[str, Any]):
    found = [
        (path, method.upper(), operation)
        for path, methods in spec["paths"].items()
        if not path.startswith("/schema")
        for method, operation in methods.items()
    ]
    return sorted(found, key=lambda item: item[2].get("operationId") in ENDS_SESSIONS)


def caller(app, path: str, method: str) -> str | None:
    """A person allowed to call the operation, or None for a public one."""
    for route in app.routes:
        if PATH_PARAM.sub("_", route.path_format) != PATH_PARAM.sub("_", path):
            continue
        for handler in getattr(route, "route_handlers", []):
            if method not in handler.http_methods:
                continue
            if handler.opt.get("exclude_from_auth"):
                return None
            roles = handler.opt.get("roles", frozenset())
            for role in (*CALLER_ORDER, *Role):
                if role in roles:
                    return PERSON_OF_ROLE[role]
    return None


def request_for(spec, path: str, operation: dict[str, Any], variant: str) -> tuple[str, dict, Any]:
    query: dict[str, Any] = {}
    for parameter in operation.get("parameters", []):
        value = sample(spec, parameter.get("schema", {}), variant)
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", quote(str(value), safe=""))
        elif parameter["in"] == "query":
            query[parameter["name"]] = value if not isinstance(value, list | dict) else str(value)
    content = operation.get("requestBody", {}).get("content", {})
    body = None
    if "application/json" in content:
        body = sample(spec, content["application/json"].get("schema", {}), variant)
    return path, query, body


@pytest.fixture
def spec(app) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


async def test_options_answers_on_every_path_without_a_token(client, spec):
    wrong = []
    for path, _, operation in operations(spec):
        url, _, _ = request_for(spec, path, operation, "plain")
        response = await client.options(url)
        if response.status_code >= 400:
            wrong.append((url, response.status_code))
    assert wrong == []


async def test_no_operation_answers_5xx_to_edge_inputs(app, client, people, spec):
    server_errors = []
    for path, method, operation in operations(spec):
        username = caller(app, path, method)
        headers = people.headers(username) if username else {}
        for variant in VARIANTS:
            url, query, body = request_for(spec, path, operation, variant)
            response = await client.request(method, url, params=query, json=body, headers=headers)
            if response.status_code >= 500:
                server_errors.append((method, url, variant, response.status_code, response.text[:200]))
    assert server_errors == []


async def test_json_nested_a_thousand_deep_is_a_400(app, client, people, spec):
    wrong = []
    for path, method, operation in operations(spec):
        if "application/json" not in operation.get("requestBody", {}).get("content", {}):
            continue
        username = caller(app, path, method)
        url, _, _ = request_for(spec, path, operation, "plain")
        response = await client.request(
            method,
            url,
            content=DEEP,
            headers={"Content-Type": "application/json", **(people.headers(username) if username else {})},
        )
        if response.status_code != 400 or response.json()["code"] != "request.too_deep":
            wrong.append((method, url, response.status_code))
    assert wrong == []
