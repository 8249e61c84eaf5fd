"""The request class of the app: JSON bodies are checked before any handler sees them.

msgspec decodes JSON recursively and raises RecursionError on deep nesting (a 500), and names
with NUL or other control characters break PostgreSQL (which refuses NUL in text), logs and
printed documents. Both are refused here, once, for every route, with a clear 400.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.types import Empty

from trading.errors import DomainError

MAX_DEPTH = 32
# Strings outside which brackets count; escaped quotes stay inside a string.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_depth(body: bytes, limit: int = MAX_DEPTH) -> None:
    depth = 0
    for byte in _STRING.sub(b"", body).translate(None, _BRACKETS):
        depth += 1 if byte in b"[{" else -1
        if depth > limit:
            raise DomainError(
                "request.too_deep",
                f"请求数据嵌套超过{limit}层",
                f"the request body is nested more than {limit} levels deep",
                details={"max_depth": limit},
            )


def check_text(value: Any) -> None:
    """Refuse control characters in any string of a decoded body (keys included), iteratively."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                pending.append((f"{where}.{key}" if where else str(key), key))
                pending.append((f"{where}.{key}" if where else str(key), sub))
        elif isinstance(item, list):
            pending.extend((f"{where}[{i}]", sub) for i, sub in enumerate(item))
        elif isinstance(item, str) and _CONTROL.search(item):
            raise DomainError(
                "request.control_characters",
                f"{where or '请求数据'}含有不允许的控制字符",
                f"{where or 'the body'} contains control characters, which are not allowed",
                details={"field": where},
            )


class TradingRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        if self._json is not Empty or self._connection_state.json is not Empty:
            return await super().json()  # decoded and checked already
        check_depth(await self.body())
        value = await super().json()
        check_text(value)
        return value


async def refuse_control_characters_in_query(request: Request[Any, Any, Any]) -> None:
    """The same refusal for query strings (a before_request hook)."""
    for name, value in request.query_params.multi_items():
        if _CONTROL.search(value) or _CONTROL.search(name):
            raise DomainError(
                "request.control_characters",
                f"查询参数{name}含有不允许的控制字符",
                f"the query parameter {name} contains control characters, which are not allowed",
                details={"field": name},
            )
