"""The JSON error shape every endpoint answers with:
``{"error": "<one-line CLI message>", "field": "<field>", "exit_code": N}``."""

from __future__ import annotations

import json

from fastapi.responses import Response
from pydantic import BaseModel

from assetloc.errors import AssetlocError


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


def from_error(status: int, err: AssetlocError, exit_code: bool = True) -> Response:
    """:func:`error_response` of an assetloc error (``str(err)``: the CLI's message)."""
    field = getattr(err, "field", None)
    return error_response(
        status, str(err), field if isinstance(field, str) else None,
        err.exit_code if exit_code else None,
    )  # fmt: skip
