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


async def test_each_answer_is_documented_with_the_type_it_has(spec):
    def success(path, method="get"):
        return next(r for c, r in spec["paths"][path][method]["responses"].items() if c.startswith("2"))

    assert set(success("/api/oversight/exports/warnings.csv")["content"]) == {"text/csv"}
    assert set(success("/api/public/feeds/announcements.atom")["content"]) == {"application/atom+xml"}
    assert set(success("/api/funds/views/trial-balance")["content"]) >= {"application/json", "text/csv"}
    # Litestar's catch-all of the docs router is not an operation of the API.
    assert not [path for path in spec["paths"] if path.startswith("/schema")]


async def test_errors_an_operation_really_answers_are_documented(spec):
    paths = spec["paths"]
    assert "401" in paths["/api/auth/login"]["post"]["responses"]
    assert "401" in paths["/api/funds/bank/credits"]["post"]["responses"]
    assert {"413", "415"} <= set(paths["/api/supervision/attachments"]["post"]["responses"])
    # An unknown id in a body is a 404 although the path has no id.
    assert "404" in paths["/api/projects"]["post"]["responses"]
    assert "422" in paths["/api/calendar/years/{year}"]["get"]["responses"]


async def test_csv_answers_name_their_charset_once(client, people):
    answer = await client.get("/api/oversight/exports/warnings.csv", headers=people.headers("clerk"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
