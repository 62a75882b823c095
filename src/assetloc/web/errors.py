"""The JSON error shape every endpoint answers with:
``{"error": "<one-line CLI message>", "field": "<field>", "exit_code": N}``, and the
handlers that turn FastAPI's own errors (validation, 404, 405, a body too large) into it."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from assetloc.errors import AssetlocError, InputError

#: exit code of a failure outside the CLI's documented errors (as the batch reports it)
INTERNAL = 1


class Error(BaseModel):
    """An error: the CLI's one-line message, the field it names (if any) and the CLI's
    exit code (absent when no CLI command would fail that way, e.g. an unknown id)."""

    error: str
    field: str | None = None
    exit_code: int | None = None


def error_response(
    status: int, message: str, field: str | None = None, exit_code: int | None = None
) -> Response:
    """A JSON error response; ``field`` and ``exit_code`` left out when ``None``."""
    body: dict[str, object] = {"error": " ".join(message.splitlines())}
    if field is not None:
        body["field"] = field
    if exit_code is not None:
        body["exit_code"] = exit_code
    return Response(
        json.dumps(body, ensure_ascii=False), status_code=status, media_type="application/json"
    )


def error_body(err: AssetlocError) -> dict[str, object]:
    """The API's error object of an assetloc error: the CLI's one-line message, its field
    (when it names one) and its exit code."""
    body: dict[str, object] = {"error": " ".join(str(err).splitlines())}
    field = getattr(err, "field", None)
    if isinstance(field, str):
        body["field"] = field
    body["exit_code"] = err.exit_code
    return body


def from_error(status: int, err: AssetlocError, exit_code: bool = True) -> Response:
    """:func:`error_response` of an assetloc error (``str(err)``: the CLI's message)."""
    field = getattr(err, "field", None)
    return error_response(
        status, str(err), field if isinstance(field, str) else None,
        err.exit_code if exit_code else None,
    )  # fmt: skip


class BodyTooLarge(Exception):
    """The request body went over the app's ``max_body`` bytes while it streamed in."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"body: larger than {limit} bytes")


def assetloc_error(err: AssetlocError) -> Response:
    """422 for an error the CLI reports as one line (bad input, infeasible, solver)."""
    return from_error(422, err)


def internal_error(err: BaseException) -> Response:
    """500 naming the exception, never its traceback."""
    return error_response(500, f"internal error: {err.__class__.__name__}: {err}", None, INTERNAL)


def too_large(limit: int) -> Response:
    """413: the body is over ``limit`` bytes."""
    return error_response(413, f"body: larger than the limit of {limit} bytes", "body")


async def _validation(_: Request, exc: Exception) -> Response:
    """FastAPI's own validation (query options): the first error, as an InputError reads."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    if not errors:
        return error_response(422, "request: invalid", None, InputError.exit_code)
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path")]
    field = ".".join(loc) or None
    msg = str(first.get("msg", "invalid"))
    msg = msg[:1].lower() + msg[1:]
    if "input" in first and field is not None:
        msg += f" (got {first['input']!r})"
    return error_response(422, f"{field}: {msg}" if field else msg, field, InputError.exit_code)


async def _http(_: Request, exc: Exception) -> Response:
    """Starlette's HTTP errors (404, 405, a malformed form) in the same shape."""
    if not isinstance(exc, HTTPException):
        return internal_error(exc)
    status = 422 if exc.status_code == 400 else exc.status_code
    return error_response(status, str(exc.detail))


async def _too_large(_: Request, exc: Exception) -> Response:
    return too_large(exc.limit if isinstance(exc, BodyTooLarge) else 0)


async def _internal(_: Request, exc: Exception) -> Response:
    return internal_error(exc)


#: exception class -> handler, for ``FastAPI(exception_handlers=...)``
HANDLERS = {
    RequestValidationError: _validation,
    HTTPException: _http,
    BodyTooLarge: _too_large,
    Exception: _internal,
}
