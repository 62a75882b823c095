"""Pydantic base for the input files: unknown fields are errors, numbers must be numbers.

Shared by :mod:`assetloc.inputs.holdings` and :mod:`assetloc.inputs.household`.
"""

from __future__ import annotations

from functools import cache
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def numeric(annotation: Any) -> bool:
    """True when a field's annotation admits a float or int (and so must get a number)."""
    if annotation in (float, int):
        return True
    return any(numeric(a) for a in get_args(annotation))


def leaves(value: Any) -> list[Any]:
    """The scalars inside nested lists and dict values."""
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list | tuple):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


@cache
def _numeric_field(cls: type[BaseModel], name: str) -> bool:
    """Whether field ``name`` of ``cls`` takes a number (a bool field does not)."""
    annotation = cls.model_fields[name].annotation
    return annotation is not bool and numeric(annotation)


class Strict(BaseModel):
    """Frozen, no extra fields, and no coercion of strings or booleans into numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_coercion(cls, value: Any, info: ValidationInfo) -> Any:
        """Numbers must be numbers: "200000" or true for a balance is an error, not 200000/1."""
        if info.field_name is None or type(value) in (float, int):
            return value  # the common case first: a number (a bool's type is not int)
        if not _numeric_field(cls, info.field_name):
            return value
        for leaf in leaves(value):
            if isinstance(leaf, str | bool) and leaf != "all":
                raise ValueError(f"must be a number, got {leaf!r}")
        return value
