"""The OpenAPI document tells the truth about the wire format.

Litestar builds schemas from Python types and ignores Pydantic's `WithJsonSchema`, so money
(`int` fen in Python, a decimal string of yuan on the wire, trading/money.py) was documented as an
integer and generated clients could not work. This plugin gives any field annotated with
`WithJsonSchema` the schema it declares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui_bundle
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin
from litestar.static_files import create_static_files_router
from litestar.typing import FieldDefinition
from pydantic import WithJsonSchema

DOCS_ASSETS = "/docs-assets/swagger-ui"


def docs_ui() -> SwaggerRenderPlugin:
    """Swagger UI at /schema and /schema/swagger, its files served by the app (no CDN)."""
    return SwaggerRenderPlugin(
        path=["/", "/swagger"],
        js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{DOCS_ASSETS}/favicon-32x32.png'>",
    )


def docs_assets_router() -> Any:
    return create_static_files_router(
        path=DOCS_ASSETS,
        directories=[Path(str(swagger_ui_bundle.swagger_ui_path))],
        opt={"exclude_from_auth": True},
        include_in_schema=False,
    )


def _declared(field_definition: FieldDefinition) -> dict[str, Any] | None:
    for meta in field_definition.metadata:
        if isinstance(meta, WithJsonSchema) and meta.json_schema:
            return dict(meta.json_schema)
    return None


class DeclaredSchemaPlugin(OpenAPISchemaPlugin):
    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return _declared(field_definition) is not None

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        declared = _declared(field_definition) or {}
        return Schema(
            type=OpenAPIType(declared.get("type", "string")),
            pattern=declared.get("pattern"),
            format=OpenAPIFormat(declared["format"]) if "format" in declared else None,
            examples=declared.get("examples"),
            description=declared.get("description"),
        )


PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details; switch on `code` (docs/api.md lists them).",
    required=["type", "title", "status", "code", "message", "instance"],
    properties={
        "type": Schema(type=OpenAPIType.STRING, examples=["urn:trading:problem:deposit.too_high"]),
        "title": Schema(type=OpenAPIType.STRING, description="in the language of Accept-Language"),
        "status": Schema(type=OpenAPIType.INTEGER),
        "code": Schema(type=OpenAPIType.STRING, examples=["deposit.too_high"]),
        "message": Schema(
            type=OpenAPIType.OBJECT,
            required=["zh-CN", "en"],
            properties={"zh-CN": Schema(type=OpenAPIType.STRING), "en": Schema(type=OpenAPIType.STRING)},
        ),
        "instance": Schema(type=OpenAPIType.STRING),
        "rule": Schema(
            type=OpenAPIType.OBJECT,
            description="the row of the rules catalogue a refusal enforces",
            properties={"id": Schema(type=OpenAPIType.STRING), "source": Schema(type=OpenAPIType.STRING)},
        ),
        "details": Schema(type=OpenAPIType.OBJECT),
        "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
    },
)
ERRORS = {
    "400": "invalid input (`request.invalid`, `request.out_of_range`, ...)",
    "401": "no valid token (`auth.required`)",
    "403": "the role or the object's owner may not do this (`auth.forbidden`, ...)",
    "404": "nothing with this id, in the path, the query or the body (`<kind>.not_found`)",
    "409": "conflicts with the current state",
    "413": "the body is larger than the operation accepts (`request.too_large`, `<kind>.too_large`)",
    "415": "the uploaded file is not of a type the operation accepts (`<kind>.type_not_allowed`, ...)",
    "422": "refused by a rule, or a value out of the range it allows (the problem names it)",
    "429": "too many failed logins (`auth.locked`)",
    "503": "the database or the file store does not answer (`database.unavailable`, ...)",
}
WRITES = frozenset({"post", "put", "patch", "delete"})


def _uploads(body: Any) -> bool:
    """Whether a request body carries files (their type is judged by their content)."""
    content = getattr(body, "content", None) or {}
    return any(media in content for media in ("multipart/form-data", "application/octet-stream"))


def polish(openapi: Any, routes: list[Any]) -> None:
    """Every operation: a description naming who may call it, error answers in the problem+json
    shape they have, and a binary body where a handler streams its body (`opt["binary_body"]`)."""
    from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Reference, RequestBody

    if "Problem" in openapi.components.schemas:
        return  # polished already (the same app started twice)
    openapi.components.schemas["Problem"] = PROBLEM
    problem = {
        "application/problem+json": OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))
    }
    for route in routes:
        item = (openapi.paths or {}).get(route.path_format)
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                operation = getattr(item, method.lower(), None) if item else None
                if operation is None:
                    continue
                public = bool(handler.opt.get("exclude_from_auth"))
                roles = ", ".join(sorted(str(r) for r in handler.opt.get("roles", ())))
                who = "Public: no login." if public else f"Roles: {roles}."
                operation.description = f"{operation.description or operation.summary}\n\n{who}".strip()
                codes = {"400", "503"} | ({"401", "403"} if not public else set())
                takes_input = bool(operation.parameters or operation.request_body)
                if takes_input:
                    # An unknown id in the path, the query or the body (a section, an organisation).
                    codes |= {"404", "422"}
                if method.lower() in WRITES:
                    codes |= {"409", "422"}
                if operation.request_body or handler.opt.get("binary_body"):
                    codes.add("413")
                if handler.opt.get("binary_body") or _uploads(operation.request_body):
                    codes.add("415")
                if operation.operation_id == "login":
                    codes.add("429")
                responses = {
                    k: v for k, v in (operation.responses or {}).items() if not k.startswith(("4", "5"))
                }
                # A handler that answers more errors than its kind says names them with their meaning.
                extra = handler.opt.get("errors", {})
                for code in sorted(codes | set(extra)):
                    responses[code] = OpenAPIResponse(
                        description=extra.get(code) or ERRORS[code], content=problem
                    )
                operation.responses = responses
                for media in handler.opt.get("also_answers", ()):
                    # The same data in another format (`format=csv`): documented beside the JSON.
                    for code, answer in responses.items():
                        if code.startswith("2") and isinstance(answer, OpenAPIResponse):
                            text = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
                            answer.content = {**(answer.content or {}), media: text}
                if media := handler.opt.get("binary_body"):
                    operation.request_body = RequestBody(
                        required=True,
                        content={
                            media: OpenAPIMediaType(
                                schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                            )
                        },
                    )
