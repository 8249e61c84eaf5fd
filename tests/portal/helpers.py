"""Browser-like requests for page tests: a form post with the CSRF token the page gave."""

from __future__ import annotations

import re
from typing import Any

HTML = {"Accept": "text/html,application/xhtml+xml"}
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: Any, path: str = "/login") -> str:
    """Open a page as a browser would and read the token of its forms (the cookie is kept)."""
    response = await client.get(path, headers=HTML)
    found = CSRF_FIELD.search(response.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


async def post_form(client: Any, path: str, data: dict[str, Any], *, from_page: str = "/login") -> Any:
    token = await csrf_token(client, from_page)
    return await client.post(path, data={**data, "_csrf_token": token}, headers=HTML)


async def sign_in(client: Any, username: str) -> Any:
    response = await post_form(client, "/login", {"username": username, "password": f"{username}-demo-2026"})
    assert response.status_code == 303, response.text
    return response
