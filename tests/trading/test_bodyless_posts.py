"""A POST whose body has nothing required needs no body: `curl -X POST .../opening` must start the
opening, not answer "请求数据有误：data". The opening itself is walked without a body in
tests/bidding/test_cli.py."""

from __future__ import annotations

import types
import typing

import pydantic

from tests.trading.factories import call_announcement, construction_project
from tests.trading.test_announcements import announced_project
from tests.trading.test_projects import register
from trading.app import create_app
from trading.settings import Settings


def _body_model(annotation: typing.Any) -> tuple[typing.Any, bool]:
    """The model a `data` parameter reads, and whether the parameter admits no body."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    members = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    models = [m for m in members if m is not type(None)]
    return (models[0] if len(models) == 1 else None), type(None) in members


def test_every_post_whose_fields_all_have_defaults_accepts_no_body(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, secret_key="x" * 48))
    refusing, checked = [], 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not {"POST", "PUT", "PATCH"} & set(handler.http_methods):
                continue
            hints = typing.get_type_hints(handler.fn, include_extras=True)
            model, optional = _body_model(hints.get("data"))
            if not (isinstance(model, type) and issubclass(model, pydantic.BaseModel)):
                continue
            if any(field.is_required() for field in model.model_fields.values()):
                continue
            checked += 1
            # A PUT replaces a thing with what the body says: an empty one is no request to guess.
            if "PUT" not in handler.http_methods and not optional:
                refusing.append(f"{route.path} {handler.fn.__qualname__}")
    assert checked >= 10
    assert refusing == []


async def test_a_supervisor_verifies_the_audit_log_with_an_empty_post(client, people):
    await announced_project(client, people)
    report = await client.post("/api/audit/logs/audit/verify", headers=people.headers("zj_supervisor"))
    assert report.status_code == 200, report.text
    assert report.json()["intact"] is True


async def test_an_approval_without_a_body_is_taken_and_a_rejection_names_its_missing_reason(client, people):
    """Optional body: an approval needs no note; a rejection's reason is the service's own refusal,
    not a parser's complaint about `data`."""
    project = (await register(client, people, construction_project(people))).json()
    draft = await client.post(
        "/api/announcements/", json=call_announcement(project["id"]), headers=people.headers("agency")
    )
    url = f"/api/announcements/{draft.json()['id']}"
    await client.post(f"{url}/submit", headers=people.headers("agency"))

    rejected = await client.post(f"{url}/reject", headers=people.headers("clerk"))
    assert rejected.status_code == 422, rejected.text
    assert rejected.json()["code"] == "announcement.reject_reason_required"

    approved = await client.post(f"{url}/approve", headers=people.headers("clerk"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
