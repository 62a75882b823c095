"""Cells of a CSV file: numbers with ``$`` and thousands separators, and its header
(case-insensitive column names, any order). Shared by the holdings CSV
(:mod:`assetloc.rebalance.csv_import`) and the ledger's files (:mod:`assetloc.ledger`).

Every problem is one :class:`~assetloc.errors.InputError` naming the file, the row (as a
spreadsheet numbers it: the header is row 1) and the column.
"""

from __future__ import annotations

from collections.abc import Sequence

from assetloc.errors import InputError
from assetloc.units import number


def parse_number(
    text: str,
    where: str,
    *,
    positive: bool = False,
    low: float | None = None,
    high: float | None = None,
    unit: str = "",
    signed: bool = False,
) -> float:
    """The number in a cell; finite, >= 0 (> 0 when ``positive``; any sign when ``signed``),
    in [low, high]. ``$``, ``,`` and ``_`` are ignored (``$1,234.50`` is 1234.5)."""
    cleaned = text.strip().replace("$", "").replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise InputError(where, f"not a number ({text!r})") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(where, f"not a finite number ({text!r})")
    if positive and value <= 0:
        raise InputError(where, f"must be > 0 (got {text.strip()})")
    if value < 0 and not signed:
        raise InputError(where, f"must be >= 0 (got {text.strip()})")
    if low is not None and value < low:
        raise InputError(where, f"{text.strip()} is below the limit of {low:g}{unit}")
    if high is not None and value > high:
        raise InputError(where, f"{text.strip()} exceeds the limit of {number(high)}{unit}")
    return value


def header_columns(
    name: str, header: Sequence[str], columns: Sequence[str], required: Sequence[str]
) -> list[str]:
    """The header's column names (stripped, lower-case), checked: each known, none twice,
    every required one present. ``name`` is the file's name for messages."""
    cols = [h.strip().lower() for h in header]
    for j, c in enumerate(cols):
        if c not in columns:
            raise InputError(
                f"{name} row 1, column {j + 1}",
                f"unknown column {header[j].strip()!r} (expected {', '.join(columns)})",
            )
        if c in cols[:j]:
            raise InputError(f"{name} row 1, column {j + 1}", f"column {c!r} appears twice")
    for c in required:
        if c not in cols:
            raise InputError(f"{name} row 1", f"missing column {c!r}")
    return cols
