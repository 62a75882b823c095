"""The number formatters (assetloc.units, re-exported by assetloc.present.fmt).

Each formatter is checked against an independent formulation: the float's exact value as a
``Fraction``, rounded half to even by integer arithmetic, with the thousands grouped by hand;
no float formatting and no ``Decimal`` (which the implementation uses) in the reference.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from assetloc import units
from assetloc.present import fmt

finite = st.floats(allow_nan=False, allow_infinity=False)
money = st.floats(min_value=-1e13, max_value=1e13, allow_nan=False) | st.integers(-(10**13), 10**13)
near = st.floats(min_value=-200.0, max_value=200.0, allow_nan=False)
decimals = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False) | st.floats(
    min_value=-1e-6, max_value=1e-6
)
NEGATIVE_ZERO = re.compile(r"^[-+]\(?\$?0(\.0*)?(%| bp| pts)?\)?$")


def _group(n: int) -> str:
    """``n >= 0`` with commas every three digits, by hand."""
    s = str(n)
    head, tail = s[: len(s) % 3 or 3], s[len(s) % 3 or 3 :]
    return ",".join([head, *(tail[i : i + 3] for i in range(0, len(tail), 3))])


def _rounded(q: Fraction, digits: int, group: bool) -> tuple[str, bool]:
    """``|q|`` to ``digits`` decimals, half to even (Fraction's round), and whether it is > 0."""
    n = round(abs(q) * 10**digits)
    whole, frac = divmod(n, 10**digits)
    text = (_group(whole) if group else str(whole)) + (
        "." + str(frac).rjust(digits, "0") if digits else ""
    )
    return text, n != 0


def _signed(text: str, nonzero: bool, negative: bool, sign: bool) -> str:
    if not nonzero:
        return text
    return "-" + text if negative else ("+" + text if sign else text)


def ref_usd(x: float, digits: int | None, sign: bool = False, parens: bool = False) -> str:
    q = Fraction(x)
    if digits is None:
        cents = round(abs(q) * 100)
        if cents == 0:
            return "$0"
        digits = 2 if cents < 100 * 100 else 0
    text, nonzero = _rounded(q, digits, group=True)
    if parens and nonzero and q < 0:
        return f"(${text})"
    return _signed("$" + text, nonzero, q < 0, sign)


def ref_fixed(q: Fraction, digits: int, sign: bool, group: bool = False) -> str:
    text, nonzero = _rounded(q, digits, group)
    return _signed(text, nonzero, q < 0, sign)


@given(money, st.sampled_from([None, 0, 1, 2]), st.booleans(), st.booleans())
@example(-1234.0, None, False, False)
@example(5.5, None, False, False)
@example(99.996, None, False, False)
@example(-0.004, 2, True, True)
@example(2.675, 2, False, False)
@example(1234.5, 0, False, False)
def test_usd_matches_exact_rounding(x: float, digits: int | None, sign: bool, parens: bool) -> None:
    assert units.usd(x, digits, sign=sign, parens=parens) == ref_usd(x, digits, sign, parens)


@given(near)
def test_usd_shows_cents_exactly_below_100_dollars(x: float) -> None:
    text = units.usd(x)
    shown = Fraction(text.lstrip("-").lstrip("$").replace(",", "") or "0")
    assert ("." in text) == (Fraction(1, 100) <= shown < 100)
    assert abs(shown - abs(Fraction(x))) <= (Fraction(1, 200) if "." in text else Fraction(1, 2))


@given(finite, st.integers(0, 4), st.booleans())
@example(0.125, 0, False)
@example(-3e-9, 1, False)
@example(0.0605, 1, True)
def test_pct_matches_exact_rounding(x: float, digits: int, sign: bool) -> None:
    assert units.pct(x, digits, sign) == ref_fixed(Fraction(x) * 100, digits, sign) + "%"


@given(finite, st.integers(0, 3))
@example(15.45, 1)
@example(-1e-9, 1)
def test_bp_is_signed_and_exact(x: float, digits: int) -> None:
    assert units.bp(x, digits) == ref_fixed(Fraction(x), digits, sign=True) + " bp"


@given(finite, st.integers(0, 3), st.booleans())
def test_points_ratio_number_match_exact_rounding(x: float, digits: int, sign: bool) -> None:
    q = Fraction(x)
    assert units.points(x, digits, sign) == ref_fixed(q, digits, sign) + " pts"
    assert units.ratio(x, digits) == ref_fixed(q, digits, False)
    assert units.number(x, digits) == ref_fixed(q, digits, False, group=True)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False) | st.integers(-(10**9), 10**9))
def test_shares_whole_or_four_decimals(x: float) -> None:
    whole = abs(x - round(x)) < 1e-9
    q = Fraction(round(x)) if whole else Fraction(x)
    assert units.shares(x) == ref_fixed(q, 0 if whole else 4, False, group=True)


@given(st.floats(min_value=-1e16, max_value=1e16, allow_nan=False))
@example(999_600.0)
@example(999.6)
@example(999_500_000_000.0)
def test_usd_short_is_within_its_three_digits(x: float) -> None:
    text = units.usd_short(x)
    m = re.fullmatch(r"(-?)\$([0-9][0-9,]*(?:\.[0-9]+)?)([kMBT]?)", text)
    assert m is not None, text
    mantissa = Fraction(m[2].replace(",", ""))
    assert not m[3] or 1 <= mantissa < 1000 or m[3] == "T"
    shown = mantissa * {"": 1, "k": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}[m[3]]
    assert (m[1] == "-") == (x < 0 and shown > 0)
    tol = shown / 200 if m[3] else Fraction(1, 2)  # half a unit in the third digit
    assert abs(shown - abs(Fraction(x))) <= tol


@given(finite, st.integers(0, 3))
def test_nothing_prints_a_negative_zero(x: float, digits: int) -> None:
    for text in (
        units.usd(x),
        units.usd(x, digits, sign=True),
        units.usd(x, digits, parens=True),
        units.pct(x, digits, sign=True),
        units.bp(x, digits),
        units.points(x, digits, sign=True),
        units.ratio(x, digits),
        units.number(x, digits),
        units.pct_g(x, digits + 1),
    ):
        assert not NEGATIVE_ZERO.match(text), text


@pytest.mark.parametrize("x", [None, math.nan, math.inf, -math.inf, "1", True])
def test_no_value_is_a_dash(x: object) -> None:
    for f in (units.usd, units.pct, units.bp, units.points, units.ratio, units.number):
        assert f(x) == "–"
    assert units.shares(x) == "–" and units.pct_g(x) == "–"


def test_the_stated_conventions() -> None:
    """The docstring's examples, as a reader of a statement expects them."""
    assert units.usd(-1234) == "-$1,234" and units.usd(250_000) == "$250,000"
    assert units.usd(5.5) == "$5.50" and units.usd(0.43) == "$0.43" and units.usd(-0.4) == "-$0.40"
    assert units.usd(0.004) == "$0" and units.usd(-0.004) == "$0" and units.usd(99.996) == "$100"
    assert units.usd(1234.56, 2) == "$1,234.56" and units.usd(-5, 0, parens=True) == "($5)"
    assert units.usd(3, sign=True) == "+$3.00" and units.usd(-3000, sign=True) == "-$3,000"
    assert units.pct(0.0606) == "6.06%" and units.pct(0.125, 0) == "12%"  # a tie, to even
    assert units.pct(-3e-9, 1) == "0.0%" and units.pct(0.0123, 1, sign=True) == "+1.2%"
    assert units.bp(0.0) == "0.0 bp" and units.bp(15.45) == "+15.4 bp"  # 15.4499… in binary
    assert units.points(1.25) == "1.2 pts" and units.ratio(-0.0001) == "0.000"
    assert units.shares(1200.0) == "1,200" and units.shares(12.345678) == "12.3457"
    assert units.number(1e7) == "10,000,000" and units.usd_short(-2.5e6) == "-$2.5M"
    assert units.pct_g(0.05125) == "5.125%" and units.pct_g(0.24, 6) == "24%"


def test_present_fmt_re_exports_the_one_implementation() -> None:
    for name in ("usd", "pct", "pct_g", "bp", "points", "ratio", "number", "shares"):
        assert getattr(fmt, name) is getattr(units, name), name
    assert fmt.usd_short is units.usd_short and fmt.is_number is units.is_number
    assert fmt.CENT == units.CENT == 0.005


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(-(10**9), 10**9))
def test_numpy_scalars_format_as_their_python_numbers(x: float, n: int) -> None:
    """Messages format array elements (numpy scalars) directly; they are numbers, not "–"."""
    assert units.usd(np.float64(x)) == units.usd(x) and units.pct(np.float64(x)) == units.pct(x)
    assert units.usd(np.int64(n)) == units.usd(n) and units.number(np.int64(n)) == units.number(n)
    assert units.usd(np.float32(x)) == units.usd(float(np.float32(x)))
    assert units.usd(np.bool_(True)) == "–"
