"""Numbers as text with their units: dollars, percents, basis points, points, ratios, shares.

The one implementation of number formatting. It sits at the bottom layer so that a message
from any stage (an input error, a rebalance note) can use it; :mod:`assetloc.present.fmt`
re-exports it for tables and reports. The conventions, as a careful reader of a financial
statement expects them:

- **Sign.** A minus sign comes before the dollar sign: ``-$1,234``, never ``$-1,234``. With
  ``sign=True`` positives carry ``+`` (``+$1,234``, ``+1.2%``); basis points always do
  (``+15.5 bp``), as they state a difference. ``parens=True`` gives the accounting form for
  a return's lines, ``($1,234)``.
- **No negative zero.** A value that rounds to zero at the printed precision prints unsigned:
  ``-3e-9`` → ``"0.0%"``, ``-0.001`` → ``"$0"``, never ``"-0.0%"`` or ``"-$0"``.
- **Dollars.** Thousands separated by commas. By default (``digits=None``) amounts under
  $100 show cents and larger amounts whole dollars (``$5.50``, ``$0.43``, ``$1,235``): cents
  matter for small taxes, fees and cash left over, and not in a $250,000 account. An amount
  that rounds to zero cents prints ``"$0"``. Per-share prices and figures a message echoes
  from the household file (a withdrawal, a budget, a limit) give ``digits=2``; the lines of
  a tax return give ``digits=0``, as on the forms.
- **Percents** take decimals (``0.0606`` → ``"6.06%"``): returns, volatility and utility to
  2 digits; shares of a household or an account, drift and tax rates to 1; a share in a
  table cell beside its dollars to 0.
- **Plain numbers** (a count, a ratio F / W, a limit) have thousands separators
  (``"10,000,000"``); **shares** are whole or to 4 decimals (``"12.3457"``).
- **Basis points** take basis points (``15.45`` → ``"+15.5 bp"``), 1 digit; **points**
  (percentage points) take points (``1.25`` → ``"1.2 pts"``).
- **Rounding** is to the nearest at the printed precision, exactly (from the float's exact
  binary value, so ``0.125`` → ``"12.5%"`` and not a product rounded twice), ties to even.
- **No value** (None, NaN, infinity, a non-number) prints as an en dash, ``"–"``.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from typing import TypeGuard

__all__ = [
    "CENT",
    "NO_VALUE",
    "bp",
    "is_number",
    "number",
    "pct",
    "pct_g",
    "points",
    "ratio",
    "shares",
    "usd",
    "usd_short",
]

#: Dollars below this round to zero cents: they are shown, and treated, as zero.
CENT = 0.005
#: What a missing or non-finite number prints as.
NO_VALUE = "–"
#: Amounts (dollars) below this show cents by default.
_CENTS_BELOW = Decimal(100)


def is_number(x: object) -> TypeGuard[int | float]:
    """True for a finite real number (int, float, a numpy scalar; not bool)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(float(x))


def _shows_zero(text: str) -> bool:
    """True when the digits of ``text`` are all zeros."""
    return not any(ch in "123456789" for ch in text)


def _signed(text: str, negative: bool, sign: bool) -> str:
    """``text`` (the magnitude) with ``-`` or ``+``; unsigned when it shows zero."""
    if _shows_zero(text):
        return text
    if negative:
        return f"-{text}"
    return f"+{text}" if sign else text


def _exact(v: float, shift: int = 0) -> Decimal:
    """The exact value of ``v`` times ``10**shift`` (no rounding to a context precision)."""
    t = Decimal(v).as_tuple()
    if not isinstance(t.exponent, int):  # never for a finite float
        raise ValueError(f"not a finite number: {v!r}")
    return Decimal((t.sign, t.digits, t.exponent + shift))


def _fixed(v: float, digits: int, sign: bool = False, shift: int = 0) -> str:
    """``v * 10**shift`` to ``digits`` decimals, rounded exactly (ties to even), zero unsigned.

    Python's ``%f`` rounds a float's exact binary value correctly (ties to even), so ``v``
    is formatted to ``digits + shift`` decimals and the point moved ``shift`` places in the
    text: no product rounded twice, no :class:`~decimal.Decimal` (5x slower)."""
    text = f"{abs(v):.{digits + shift}f}"
    if shift:
        whole, _, frac = text.partition(".")
        head = (whole + frac[:shift]).lstrip("0") or "0"
        text = f"{head}.{frac[shift:]}" if digits else head
    return _signed(text, v < 0, sign)


def usd(x: object, digits: int | None = None, *, sign: bool = False, parens: bool = False) -> str:
    """Dollars: ``250000 → "$250,000"``, ``-5.5 → "-$5.50"``, ``0.001 → "$0"``.

    ``digits`` None: cents below $100, whole dollars from $100 (see the module's rules).
    ``sign``: ``+`` for positives. ``parens``: negatives as ``($5)``.
    """
    if not is_number(x):
        return NO_VALUE
    v = float(x)
    if digits is None:
        cents = Decimal(f"{abs(v):.2f}")
        if cents == 0:
            return "$0"
        digits = 2 if cents < _CENTS_BELOW else 0
    text = "$" + f"{abs(v):,.{digits}f}"
    if parens and v < 0 and not _shows_zero(text):
        return f"({text})"
    return _signed(text, v < 0, sign)


def usd_short(x: float) -> str:
    """Compact dollars to 3 significant digits: ``$250k``, ``$1.2M``, ``-$3B`` (``$999.6k`` →
    ``$1M``, not ``$1e+03k``)."""
    a = abs(x)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        mantissa = f"{a / scale:.3g}"
        if float(mantissa) >= 1000:  # only past the largest scale
            mantissa = f"{a / scale:,.0f}"
        if float(mantissa.replace(",", "")) >= 1:
            return _signed(f"${mantissa}{suffix}", x < 0, False)
    return _signed(f"${a:.0f}", x < 0, False)


def pct(x: object, digits: int = 2, sign: bool = False) -> str:
    """A decimal as a percent: ``0.0606 → "6.06%"`` (``sign``: ``"+6.06%"``); else ``"–"``."""
    if not is_number(x):
        return NO_VALUE
    return f"{_fixed(float(x), digits, sign, shift=2)}%"


def bp(x: object, digits: int = 1) -> str:
    """Basis points with a sign: ``15.45 → "+15.4 bp"``; zero as ``"0.0 bp"``."""
    if not is_number(x):
        return NO_VALUE
    return f"{_fixed(float(x), digits, sign=True)} bp"


def points(x: object, digits: int = 1, sign: bool = False) -> str:
    """Percentage points: ``1.25 → "1.2 pts"`` (``sign``: ``"+1.2 pts"``); else ``"–"``."""
    if not is_number(x):
        return NO_VALUE
    return f"{_fixed(float(x), digits, sign)} pts"


def ratio(x: object, digits: int = 3) -> str:
    """A plain ratio (Sharpe, a price ratio): ``0.254 → "0.254"``; no value as ``"–"``."""
    if not is_number(x):
        return NO_VALUE
    return _fixed(float(x), digits)


def number(x: object, digits: int = 0) -> str:
    """A plain number with thousands separators: ``1e7 → "10,000,000"``; else ``"–"``."""
    if not is_number(x):
        return NO_VALUE
    return _signed(f"{abs(float(x)):,.{digits}f}", float(x) < 0, False)


def shares(x: object, digits: int = 4) -> str:
    """A number of shares: whole ones as ``"1,200"``, else to ``digits``: ``"12.3457"``."""
    if not is_number(x):
        return NO_VALUE
    v = float(x)
    return number(v, 0 if abs(v - round(v)) < 1e-9 else digits)


def pct_g(x: object, sig: int = 4) -> str:
    """A percent to ``sig`` significant digits, trailing zeros dropped: ``0.05125 → "5.125%"``.

    For echoing a rate as the household file gave it (a coupon, a yield floor), not tables.
    """
    if not is_number(x):
        return NO_VALUE
    text = f"{float(_exact(float(x), 2)):.{sig}g}"
    return f"{text.removeprefix('-') if _shows_zero(text) else text}%"
