"""Pydantic base for the input files: unknown fields are errors, numbers must be numbers.

Pydantic's own strict mode: a string or a boolean is never a number (``"200000"`` or
``true`` for a balance is an error, not 200000 or 1), while an integer is a float (TOML's
``1000`` is 1000.0). Choices (string enums) and dates are read from their strings
(:data:`Lax`). Shared by :mod:`assetloc.inputs.holdings` and
:mod:`assetloc.inputs.household`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict
from pydantic import Strict as StrictMode
from pydantic_core import ErrorDetails

__all__ = ["Date", "Lax", "Strict", "error_location", "error_message"]

#: Marks a field read from its string form (a choice, an ISO date) inside a strict model.
Lax = StrictMode(False)
#: A date: a TOML date or an ISO ``YYYY-MM-DD`` string.
Date = Annotated[dt.date, Lax]

#: pydantic's error types for an input of the wrong type where a number belongs
_NUMBER_ERRORS = frozenset({"float_type", "int_type"})


class Strict(BaseModel):
    """Frozen, no extra fields, and no coercion of strings or booleans into numbers."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _union_member(part: int | str) -> bool:
    """True for the part of an error location that names a union's member, not a field
    (``float`` and ``literal['all']`` in ``income_yield: float | Literal["all"]``)."""
    return isinstance(part, str) and (
        part.startswith(("function-", "literal[")) or part in ("float", "int")
    )


def error_location(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """The field path of a pydantic error, without the names of union members."""
    return tuple(p for p in loc if not _union_member(p))


def error_message(error: ErrorDetails) -> str | None:
    """``must be a number, got '200000'`` for a string or boolean where a number belongs (and
    the like for a whole number or a boolean); None for any other error."""
    value: Any = error.get("input")
    if error["type"] in _NUMBER_ERRORS and isinstance(value, str | bool):
        return f"must be a number, got {value!r}"
    if error["type"] == "int_type" and isinstance(value, float):
        return f"must be a whole number, got {value!r}"
    if error["type"] == "bool_type":
        return f"must be true or false, got {value!r}"
    return None
