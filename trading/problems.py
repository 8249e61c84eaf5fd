"""One error shape: RFC 9457 problem+json with a stable code, messages in zh-CN and en, and the
legal rule a refusal enforces. Every exception leaves through here; a bug gives a 500 problem
that says nothing of the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from trading.errors import DomainError
from trading.rules.catalogue import RULES

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("trading.errors")

_HTTP_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("request.invalid", "请求无效", "The request is not valid"),
    401: ("auth.required", "请先登录", "Authentication is required"),
    403: ("auth.forbidden", "当前角色无权执行此操作", "Your role may not do this"),
    404: ("resource.not_found", "资源不存在", "Not found"),
    405: ("request.method_not_allowed", "不支持该请求方法", "Method not allowed"),
    409: ("request.conflict", "请求与当前状态冲突", "The request conflicts with the current state"),
    413: ("request.too_large", "请求内容过大", "The request body is too large"),
    429: ("request.too_many", "请求过于频繁，请稍后再试", "Too many requests; try again later"),
    500: ("server.error", "服务器内部错误", "Internal server error"),
    503: ("server.unavailable", "服务暂不可用", "Service unavailable"),
}


def prefers_english(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].strip().lower()
    return first.startswith("en")


def problem(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    zh: str,
    en: str,
    rule: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"urn:trading:problem:{code}",
        "title": en if prefers_english(request) else zh,
        "status": status,
        "code": code,
        "message": {"zh-CN": zh, "en": en},
        "instance": request.url.path,
    }
    if rule:
        entry = RULES.get(rule)
        body["rule"] = {"id": rule, "source": entry.source if entry else None}
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    extra = {"details": exc.details} if exc.details else None
    return problem(
        request, status=exc.status, code=exc.code, zh=exc.zh, en=exc.en, rule=exc.rule, extra=extra
    )


def validation_error_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            errors.append({k: item.get(k) for k in ("key", "message", "source") if k in item})
    fields = ", ".join(str(e.get("key")) for e in errors if e.get("key")) or "body"
    return problem(
        request,
        status=400,
        code="request.invalid",
        zh=f"请求数据有误：{fields}",
        en=f"Invalid request data: {fields}",
        extra={"errors": errors},
    )


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if status >= 500:
        logger.error("error on %s %s", request.method, request.url.path, exc_info=exc)
    code, zh, en = _HTTP_MESSAGES.get(status, ("request.error", "请求失败", "Request failed"))
    if isinstance(exc, NotFoundException):
        code, zh, en = _HTTP_MESSAGES[404]
    headers = (
        exc.headers if isinstance(exc, TooManyRequestsException | HTTPException) and exc.headers else None
    )
    if isinstance(exc, NotAuthorizedException | PermissionDeniedException):
        headers = None
    return problem(request, status=status, code=code, zh=zh, en=en, headers=headers)


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    code, zh, en = _HTTP_MESSAGES[HTTP_500_INTERNAL_SERVER_ERROR]
    return problem(request, status=500, code=code, zh=zh, en=en)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}
