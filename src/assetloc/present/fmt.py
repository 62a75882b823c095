"""Numbers and tables for people: the one place terminal tables and the HTML report format.

Percentages and dollars never show a negative zero: a value that rounds to zero at the
printed precision prints unsigned (``-3e-9`` → ``"0.0%"``, never ``"-0.0%"``). Terminal
output goes through :func:`console`, which keeps the columns of a table whole when stdout is
not a terminal (a pipe or a file): it prints at ``$COLUMNS`` characters when that is set,
else at :data:`PIPE_WIDTH`.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TypeGuard

from rich.console import Console

#: Dollars below this are shown as zero.
CENT = 0.005
#: Width, in characters, of output that goes to a pipe or a file when $COLUMNS is not set.
PIPE_WIDTH = 160


def is_number(x: object) -> TypeGuard[int | float]:
    """True for a finite int or float (not bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _fixed(v: float, digits: int, sign: bool = False) -> str:
    """``v`` with ``digits`` decimals; ``+`` for positives when ``sign``; zero is unsigned."""
    text = f"{v:.{digits}f}"
    if float(text) == 0.0:
        return f"{0.0:.{digits}f}"
    return f"+{text}" if sign and v > 0 else text


def pct(x: object, digits: int = 2, sign: bool = False) -> str:
    """A decimal as a percent: ``0.0606 → "6.06%"`` (``sign``: ``"+6.06%"``); else ``"–"``."""
    if not is_number(x):
        return "–"
    return f"{_fixed(100 * float(x), digits, sign)}%"


def usd(x: object, digits: int = 0) -> str:
    """Dollars with thousands separators: ``250000 → "$250,000"``, ``-5 → "-$5"``.

    Amounts that round to zero print as ``"$0"`` (``"$0.00"`` with ``digits=2``).
    """
    if not is_number(x):
        return "–"
    v = float(x)
    text = f"{abs(v):,.{digits}f}"
    if float(text.replace(",", "")) == 0.0:
        return f"${0.0:.{digits}f}"
    return f"-${text}" if v < 0 else f"${text}"


def usd_short(x: float) -> str:
    """Compact dollars for axes and labels: ``$250k``, ``$1.2M``."""
    a = abs(x)
    sign = "-" if x < 0 and round(a) > 0 else ""
    if a >= 1e9:
        return f"{sign}${a / 1e9:.3g}B"
    if a >= 1e6:
        return f"{sign}${a / 1e6:.3g}M"
    if a >= 1e3:
        return f"{sign}${a / 1e3:.3g}k"
    return f"{sign}${a:.0f}"


def bp(x: object, digits: int = 1) -> str:
    """Basis points with a sign: ``15.45 → "+15.5 bp"``; zero as ``"0.0 bp"``."""
    if not is_number(x):
        return "–"
    return f"{_fixed(float(x), digits, sign=True)} bp"


def ratio(x: object, digits: int = 3) -> str:
    """A plain ratio (Sharpe): ``0.254 → "0.254"``; no value as ``"–"``."""
    if not is_number(x):
        return "–"
    return _fixed(float(x), digits)


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
