"""Pydantic base for the input files: unknown fields are errors, numbers must be numbers.

Shared by :mod:`assetloc.holdings` and :mod:`assetloc.household`.
"""

from __future__ import annotations

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


class Strict(BaseModel):
    """Frozen, no extra fields, and no coercion of strings or booleans into numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_coercion(cls, value: Any, info: ValidationInfo) -> Any:
        """Numbers must be numbers: "200000" or true for a balance is an error, not 200000/1."""
        if info.field_name is None:
            return value
        annotation = cls.model_fields[info.field_name].annotation
        if annotation is bool or not numeric(annotation):
            return value
        for leaf in leaves(value):
            if isinstance(leaf, str | bool) and leaf != "all":
                raise ValueError(f"must be a number, got {leaf!r}")
        return value
