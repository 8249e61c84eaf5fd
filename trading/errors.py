"""Domain errors: every refusal has a stable code, a message in zh-CN and en, and, where a legal
rule is the reason, the id of that rule in the catalogue (shared domain/RULES.md).

Services raise these; only `trading.problems` knows they become HTTP problem+json answers.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        zh: str,
        en: str,
        *,
        rule: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.zh = zh
        self.en = en
        self.rule = rule
        if status is not None:
            self.status = status
        self.details = details or {}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


def not_found(kind: str, zh_kind: str, key: object) -> NotFound:
    return NotFound(f"{kind}.not_found", f"{zh_kind}不存在：{key}", f"{kind} {key} does not exist")
