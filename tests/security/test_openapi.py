"""The served OpenAPI document tells the truth: money as decimal strings, the binary bid body,
a summary and a description naming the roles on every operation, errors as problem+json; and its
UI works with no internet (the app serves Swagger UI's files itself)."""

import re

import pytest


@pytest.fixture
async def spec(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def schema_of(spec, name, field):
    prop = spec["components"]["schemas"][name]["properties"][field]
    return next((o for o in prop.get("oneOf", []) if o.get("type") != "null"), prop)


@pytest.mark.parametrize(
    ("model", "field"),
    [("SectionIn", "budget"), ("SectionOut", "deposit"), ("ConfirmIn", "amount"), ("CreditOut", "amount")],
)
async def test_money_is_documented_as_a_decimal_string(spec, model, field):
    money = schema_of(spec, model, field)
    assert money["type"] == "string"
    assert re.match(money["pattern"], "1234.56")


async def test_the_bid_upload_documents_its_binary_body(spec):
    body = spec["paths"]["/api/bidding/sections/{section_id}/bids"]["post"]["requestBody"]
    assert body["content"]["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}


async def test_every_operation_has_a_summary_a_description_and_problem_errors(spec):
    wrong = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
            shapes = {tuple(r.get("content", {})) for r in errors.values()}
            if (
                not operation.get("summary")
                or (
                    "Roles:" not in operation.get("description", "")
                    and "Public" not in operation["description"]
                )
                or "400" not in errors
                or shapes != {("application/problem+json",)}
            ):
                wrong.append((method, path))
    assert wrong == []
    assert spec["components"]["schemas"]["Problem"]["required"][:4] == ["type", "title", "status", "code"]


async def test_the_docs_ui_needs_no_internet(client):
    page = await client.get("/schema")
    assert page.status_code == 200
    assert not re.search(r"(src|href)=['\"]https?:", page.text)
    for asset in re.findall(r"(?:src|href)=['\"](/[^'\"]+)['\"]", page.text):
        assert (await client.get(asset)).status_code == 200, asset
