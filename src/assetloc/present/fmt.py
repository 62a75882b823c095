"""Numbers and tables for people: the one place terminal tables and the HTML report format.

The number formatters (:func:`usd`, :func:`pct`, :func:`pct_g`, :func:`bp`, :func:`points`,
:func:`ratio`, :func:`number`, :func:`shares`, :func:`usd_short`) and :data:`CENT` are those of
:mod:`assetloc.units`, re-exported here; their rules (``-$1,234``, no negative zero, cents
below $100, percent digits, bp) are stated there, once. This module adds class labels and the
console. Terminal output goes through :func:`console`, which keeps the columns of a table
whole when stdout is not a terminal (a pipe or a file): it prints at ``$COLUMNS`` characters
when that is set, else at :data:`PIPE_WIDTH`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from rich.console import Console

from assetloc.units import (
    CENT,
    NO_VALUE,
    bp,
    is_number,
    number,
    pct,
    pct_g,
    points,
    ratio,
    shares,
    usd,
    usd_short,
)

__all__ = [
    "CENT",
    "NO_VALUE",
    "PIPE_WIDTH",
    "bp",
    "console",
    "is_number",
    "label",
    "label_map",
    "number",
    "pct",
    "pct_g",
    "pipe_width",
    "points",
    "ratio",
    "shares",
    "usd",
    "usd_short",
]

#: Width, in characters, of output that goes to a pipe or a file when $COLUMNS is not set.
PIPE_WIDTH = 160


def label(class_id: str, labels: Mapping[str, str] | None) -> str:
    """The human label of an asset class (from the preset), or its id when there is none."""
    if labels:
        return labels.get(class_id) or class_id
    return class_id


def label_map(ids: Sequence[str], labels: Sequence[str]) -> dict[str, str]:
    """Class id → label, from a preset's parallel ``ids`` and ``labels``."""
    return dict(zip(ids, labels, strict=True))


def pipe_width() -> int:
    """Width for output that is not a terminal: ``$COLUMNS`` when valid, else PIPE_WIDTH."""
    try:
        cols = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return PIPE_WIDTH
    return cols if cols >= 40 else PIPE_WIDTH


def console() -> Console:
    """A rich Console for stdout: the terminal's width, or :func:`pipe_width` when piped."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=pipe_width())
