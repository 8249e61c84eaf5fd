"""schemathesis over the served OpenAPI: every operation, without a token and as staff, bidder,
supervisor and admin, on the demo center, answers without a server error and as its schema says
(status code, content type, headers, body). The app runs in-process through its ASGI transport.

Bounded: a few examples per operation (FUZZ_EXAMPLES, default 3), no shrinking. Select it with
`-m fuzz`; it runs on the embedded default only (the conformance of the answers does not depend
on the backend, and the fuzz budget is better spent on more examples than on a second backend).
"""

from __future__ import annotations

import asyncio
import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from trading.app import create_app
from trading.auth.models import User
from trading.auth.service import identity_of
from trading.auth.tokens import issue_token
from trading.db.session import Database
from trading.demo import load_demo

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
CALLERS = {
    None: None,
    "staff": "clerk",
    "bidder": "bidder_a",
    "supervisor": "zj_supervisor",
    "admin": "admin",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Operations that end the caller's own sessions: fuzzing them as the caller would sign it out of
# the rest of the run. They are still fuzzed without a token.
ENDS_OWN_SESSION = {"logout", "changePassword"}
# The websocket routes are not in the OpenAPI document (it describes HTTP only), so none is left out.


async def demo_tokens(settings, clock, app) -> dict[str, str]:
    db = Database(settings.resolved_database_url())
    await load_demo(db, clock)
    async with db.session() as session:
        users = {u.username: u for u in (await session.scalars(select(User))).all()}
    await db.dispose()
    return {
        role: issue_token(app.state.jwt_auth, identity_of(users[username]))[0]
        for role, username in CALLERS.items()
        if username
    }


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
@pytest.mark.parametrize("role", list(CALLERS), ids=lambda r: r or "anonymous")
def test_every_operation_answers_as_documented(settings, clock, role):
    app = create_app(settings, clock=clock)
    tokens = asyncio.run(demo_tokens(settings, clock, app))
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: dict[str, str] = {}
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            if role and operation.definition.raw.get("operationId") in ENDS_OWN_SESSION:
                continue

            # Valid inputs, and inputs the schema forbids (which must be refused with a 4xx).
            cases = st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
            )

            @given(case=cases)
            @hypothesis.settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                call()
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # every operation's failure is reported, not only the first
                failures[operation.label] = str(error)[:1500]
    finally:
        asgi.shutdown_lifespans()
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
