"""One error model: AppError subclasses rendered as RFC 9457 problem details.

A problem's `title` and `detail` are printed in the reader's language (`?lang=`, else
`Accept-Language`, else uz; API.md) from `problems.po`: the title by its English text (context
"problem"), the detail by its English sentence — a `Detail` keeps its template and values, so
a sentence with `{placeholders}` is translated too. A detail no catalog has stays English."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Any, ClassVar

import asyncpg
import redis.exceptions
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from appeals_api import i18n

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://appeals.almalyk.uz/problems/"


class Detail(str):
    """A problem's detail: the English sentence as a `str`, with its catalog template and values
    kept so the answer prints it in the reader's language. Made by `details.gettext`."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Detail:
        made = super().__new__(cls, template.format(**values) if values else template)
        made.template, made.values = template, values
        return made


class _Details:
    """`details.gettext("English {x}", x=…)`: a detail in problems.po (the catalog test finds
    every literal `gettext` call, so a sentence without its translations fails there)."""

    @staticmethod
    def gettext(message: str, **values: object) -> Detail:
        return Detail(message, **values)


details = _Details()


def language_of(scope: Scope) -> str:
    """The language a problem is printed in: `?lang=`, else `Accept-Language`, else uz."""
    query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
    return i18n.negotiate(query.get("lang"), Headers(scope=scope).get("accept-language"))


def _value(t: i18n.Translator, value: object) -> object:
    """A detail's value as the language prints it: a code by its label, a date dd.mm.yyyy."""
    if isinstance(value, Enum):
        return t.label(str(value.value))
    if isinstance(value, str) and ("code", value) in i18n.catalog(t.lang):
        return t.label(value)
    return t.date(value) if isinstance(value, date) else value


def translated(lang: str, title: str, detail: str) -> tuple[str, str]:
    """The title (context "problem") and the detail in `lang`."""
    t = i18n.translator(lang)
    if isinstance(detail, Detail) and detail.values:
        values = {k: _value(t, v) for k, v in detail.values.items()}
        said = t.gettext(detail.template, **values)
    else:
        said = t.gettext(getattr(detail, "template", detail))
    return t.pgettext("problem", title), said


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of this API is returned."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None
    allowed_actions: list[str] | None = None


class AppError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}

    def extra(self) -> dict[str, Any]:
        return {}


class BadRequest(AppError):
    status, code, title = 400, "bad_request", "Bad request"


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(AppError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload_too_large", "Request body too large"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class TooManyRequests(AppError):
    status, code, title = 429, "too_many_requests", "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(AppError):
    """Nothing was kept; the same request may be sent again after `Retry-After` seconds."""

    status, code, title = 503, "service_unavailable", "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class Unprocessable(AppError):
    """A well-formed request that breaks a rule; `errors` names the fields at fault."""

    status, code, title = 422, "validation_error", "Invalid request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []

    def extra(self) -> dict[str, Any]:
        return {"errors": [e.model_dump() for e in self.errors]}


class IdempotencyKeyReused(Unprocessable):
    code, title = "idempotency_key_reused", "Idempotency key reused with another body"


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    lang: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The problem as JSON; with `lang`, its title and detail in that language (and said so in
    `Content-Language`), its shape the same in every language."""
    if lang is not None:
        title, detail = translated(lang, title, detail)
        headers = {**(headers or {}), "Content-Language": lang}
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": str(detail),
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def _malformed_json(lang: str | None) -> JSONResponse:
    return problem_response(
        400, "malformed_json", "Malformed JSON",
        details.gettext("The request body is not valid JSON."), lang=lang,
    )  # fmt: skip


def validation_problem(exc: RequestValidationError, lang: str | None = None) -> JSONResponse:
    """422 naming the fields at fault; the field list stays as FastAPI gave it (codes)."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return _malformed_json(lang)
    fields = [
        FieldError(
            field=_field_path(e.get("loc", ())),
            message=str(e.get("msg", "")),
            type=str(e.get("type", "")),
        ).model_dump()
        for e in errors
    ]
    names = ", ".join(sorted({f["field"] for f in fields})) or "request"
    return problem_response(
        422,
        "validation_error",
        "Invalid request",
        details.gettext("The request has invalid fields: {names}.", names=names),
        lang=lang,
        errors=fields,
    )


def install_error_handlers(
    app: FastAPI, *, before_validation: Callable[[Request], Awaitable[None]] | None = None
) -> None:
    """Every error leaves the API as problem+json: never a bare 500 page.

    `before_validation` runs before a validation error is answered and may raise an AppError
    that answers instead (a route that checks its key after FastAPI validated the request)."""

    async def request_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        if before_validation is not None:
            try:
                await before_validation(request)
            except AppError as error:
                return await _app_error(request, error)
        return validation_problem(exc, language_of(request.scope))

    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for unavailable in OUTAGES:
        app.add_exception_handler(unavailable, _outage)
    app.add_exception_handler(Exception, _unexpected)


# What a database or Redis that cannot be reached raises (refused, reset, shut down, starting
# up, out of connections, the pool exhausted): 503 with Retry-After, not 500 (issue 19).
OUTAGES: tuple[type[Exception], ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,  # no pooled connection within the pool's time-out
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.ConnectionDoesNotExistError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


async def _outage(request: Request, exc: Exception) -> JSONResponse:
    """The database or Redis cannot be reached. Whether a write sent before the outage was
    kept is not known here, so the answer does not claim it was not: a retry with the same
    Idempotency-Key gets the first answer if it was."""
    logger.warning("service unavailable: %s", type(exc).__name__)
    return problem_response(
        503, "service_unavailable", "Service unavailable",
        details.gettext(
            "The database or the cache cannot be reached now; try again in a moment (an intake "
            "with the same Idempotency-Key, so that one registered before is answered, not "
            "repeated)."
        ),
        lang=language_of(request.scope), headers={"Retry-After": "1"},
    )  # fmt: skip


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        exc.status, exc.code, exc.title, exc.detail,
        lang=language_of(request.scope), headers=exc.headers, **exc.extra(),
    )  # fmt: skip


# The titles of the errors Starlette raises itself (its detail is the status's phrase).
_HTTP_TITLES = {
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "payload_too_large": "Request body too large",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    lang = language_of(request.scope)
    if exc.status_code == 400 and _sent_json(request):
        # FastAPI's answer to a JSON body that is not even text (not UTF-8): malformed JSON too.
        return _malformed_json(lang)
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
        exc.status_code, "http_error"
    )
    detail = exc.detail if isinstance(exc.detail, Detail) else str(exc.detail)
    return problem_response(
        exc.status_code,
        code,
        _HTTP_TITLES.get(code, str(exc.detail)),
        detail,
        lang=lang,
        headers=headers or None,
    )


def _sent_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette's 405 names only the methods of
    the first route whose path matched: GET /appeals hid POST /appeals, issue 19)."""
    methods: set[str] = set()
    pending = list(request.app.router.routes)
    while pending:
        route = pending.pop()
        if hasattr(route, "original_router"):  # an included router: its routes' paths are whole
            pending.extend(route.original_router.routes)
        elif route.matches(request.scope)[0] is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    return problem_response(
        500, "internal_error", "Internal error", details.gettext("Unexpected error."),
        lang=language_of(request.scope),
    )  # fmt: skip


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries declaring a route's problem answers."""
    return {
        s: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Problem"}
        for s in statuses
    }


class ActionNotAllowed(Conflict):
    """The appeal's state does not allow the action: the answer names those it does allow."""

    code, title = "action_not_allowed", "Action not allowed in this state"

    def __init__(self, detail: str, allowed_actions: list[str]) -> None:
        super().__init__(detail)
        self.allowed_actions = allowed_actions

    def extra(self) -> dict[str, Any]:
        return {"allowed_actions": self.allowed_actions}
