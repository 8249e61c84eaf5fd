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
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

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


# PostgreSQL: NUL in text (22021 character_not_in_repertoire, 22P05 untranslatable_character).
TEXT_SQLSTATES = frozenset({"22021", "22P05"})


def _out_of_range(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    return problem(
        request,
        status=400,
        code="request.out_of_range",
        zh="请求中的日期或数值超出可处理的范围",
        en="A date or number in the request is out of the range the platform handles",
    )


def _database_unavailable(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    logger.error("database unavailable on %s %s", request.method, request.url.path, exc_info=True)
    return problem(
        request,
        status=503,
        code="database.unavailable",
        zh="数据库暂不可用，请稍后再试",
        en="The database is unavailable; try again shortly",
        headers={"Retry-After": "5"},
    )


def overflow_handler(request: Request[Any, Any, Any], exc: OverflowError) -> Response[dict[str, Any]]:
    """Year 9999 at -14:00 is past the end of the calendar in UTC; an int beyond 64 bits fits no
    column. Nothing was written: the use case had not committed."""
    return _out_of_range(request)


def integrity_error_handler(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[dict[str, Any]]:
    """A constraint the use case did not check first: an id that names nothing, or a duplicate."""
    if "foreign key" in str(exc.orig).lower():
        return problem(
            request,
            status=422,
            code="request.unknown_reference",
            zh="请求引用了不存在的记录",
            en="The request refers to a record that does not exist",
        )
    return problem(
        request, status=409, code="request.conflict", zh=_HTTP_MESSAGES[409][1], en=_HTTP_MESSAGES[409][2]
    )


def database_error_handler(request: Request[Any, Any, Any], exc: StatementError) -> Response[dict[str, Any]]:
    if isinstance(exc, DBAPIError) and (exc.connection_invalidated or _is_connection_error(exc)):
        return _database_unavailable(request)
    cause = exc.orig.__cause__ or exc.orig if exc.orig is not None else None
    if str(getattr(cause, "sqlstate", "")) in TEXT_SQLSTATES:
        return problem(
            request,
            status=400,
            code="request.control_characters",
            zh="请求中含有不允许的字符",
            en="The request contains characters that are not allowed",
        )
    if isinstance(exc.orig, OverflowError | ValueError) or isinstance(cause, OverflowError | ValueError):
        return _out_of_range(request)
    if str(getattr(cause, "sqlstate", "")).startswith("22"):  # SQL "data exception"
        return _out_of_range(request)
    return unexpected_error_handler(request, exc)


def _is_connection_error(exc: DBAPIError) -> bool:
    """Lost or refused connections and a database that will not take writes (disk full, locked)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError) or isinstance(exc.orig, OSError)


def connection_error_handler(request: Request[Any, Any, Any], exc: OSError) -> Response[dict[str, Any]]:
    """A refused connection before SQLAlchemy could wrap it (the pool could not connect)."""
    return _database_unavailable(request)


def redis_error_handler(request: Request[Any, Any, Any], exc: RedisError) -> Response[dict[str, Any]]:
    logger.error("redis unavailable on %s %s", request.method, request.url.path)
    return problem(
        request,
        status=503,
        code="redis.unavailable",
        zh="共享缓存暂不可用，请稍后再试",
        en="The shared cache (Redis) is unavailable; try again shortly",
        headers={"Retry-After": "5"},
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    OverflowError: overflow_handler,
    IntegrityError: integrity_error_handler,
    StatementError: database_error_handler,
    ConnectionError: connection_error_handler,
    RedisError: redis_error_handler,
    Exception: unexpected_error_handler,
}
