"""Calls to the served center's API from e2e tests (what another person or the bank does while
the browser watches)."""

from __future__ import annotations

from typing import Any

import httpx


def token(portal: Any, username: str) -> str:
    answer = httpx.post(
        f"{portal.url}/api/auth/login", json={"username": username, "password": f"{username}-demo-2026"}
    )
    answer.raise_for_status()
    return answer.json()["token"]


def as_(portal: Any, username: str) -> httpx.Client:
    """An API client signed in as `username` (Bearer token, as the sealing tool and scripts use)."""
    return httpx.Client(
        base_url=portal.url, headers={"Authorization": f"Bearer {token(portal, username)}"}, timeout=30
    )
