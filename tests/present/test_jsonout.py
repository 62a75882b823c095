"""The JSON formatter and the text formatter, against independent arithmetic.

Rounding is checked with exact decimal arithmetic (``fractions``/``decimal``), not with the
formatter itself; sums are checked against the unrounded numbers.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc import optimize, parse_household
from assetloc.present import fmt, jsonout

from support.householdgen import random_household

money = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
small = st.floats(min_value=-1e-6, max_value=1e-6, allow_nan=False)


def is_negative_zero(x: float) -> bool:
    return x == 0 and math.copysign(1.0, x) < 0


def cents_exact(x: float) -> bool:
    """The shortest repr of ``x`` has at most two decimals."""
    return Decimal(repr(x)).as_tuple().exponent >= -2  # type: ignore[operator]


@given(st.dictionaries(st.sampled_from("abcdefghij"), money | small, min_size=1, max_size=10))
def test_a_dollar_map_keeps_its_total_to_the_cent(values: dict[str, float]) -> None:
    out = jsonout.clean({"holdings": values})["holdings"]
    assert set(out) == set(values)
    total = math.fsum(values.values())
    assert abs(math.fsum(out.values()) - total) <= 0.005 + 1e-6 * max(1.0, abs(total))
    for k, v in out.items():
        assert cents_exact(v), (k, v)
        assert not is_negative_zero(v)
        assert abs(v - values[k]) < 0.01 + 1e-6 * max(1.0, abs(values[k]))  # moved < a cent


@given(money | small)
def test_dollars_shares_and_decimals_round_for_their_unit(x: float) -> None:
    d = jsonout.clean({"amount": x, "shares": x, "expected_return": x})
    assert abs(d["amount"] - x) <= 0.005 + 1e-12 * abs(x) and cents_exact(d["amount"])
    assert abs(d["shares"] - x) <= 5e-7 + 1e-15 * abs(x)
    assert d["expected_return"] == 0.0 or abs(d["expected_return"] - x) <= 5e-13 * abs(x)
    for v in d.values():
        assert not is_negative_zero(v)


def test_the_two_bad_numbers_from_the_trial() -> None:
    d = jsonout.clean({"holdings": {"a": 200000.00000034142, "b": -9.711593457337319e-08}})
    assert d == {"holdings": {"a": 200000.0, "b": 0.0}}
    assert not is_negative_zero(d["holdings"]["b"])
    assert jsonout.clean({"mix": {"cash": 0.123456789}})["mix"]["cash"] == 0.123456789
    assert jsonout.clean({"mix": {"cash": 2.27e-28}})["mix"]["cash"] == 0.0
    with pytest.raises(ValueError):
        jsonout.dumps({"x": float("nan")})


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_random_households_json_is_rounded_and_still_adds_up(seed: int) -> None:
    plan = optimize(parse_household(random_household(seed)))
    raw = plan.to_dict()
    doc = json.loads(jsonout.dumps(raw))
    for acc, raw_acc in zip(doc["accounts"], raw["accounts"], strict=True):
        for v in (acc["balance"], acc["after_tax_value"], *acc["holdings"].values()):
            assert cents_exact(v) and not is_negative_zero(v)
        assert abs(math.fsum(acc["holdings"].values()) - acc["balance"]) <= 0.01 + 1e-9
        for c, v in acc["holdings"].items():
            assert abs(v - raw_acc["holdings"][c]) < 0.01
    mix = doc["household"]["mix"]
    assert abs(math.fsum(mix.values()) - 1.0) < 1e-9
    assert all(not is_negative_zero(v) for v in mix.values())


# ----------------------------------------------------------------------------- text


@given(st.floats(min_value=-1.0, max_value=1.0, allow_nan=False), st.integers(0, 3))
def test_percent_never_shows_negative_zero(x: float, digits: int) -> None:
    text = fmt.pct(x, digits)
    exact = Decimal(repr(x)) * 100
    assert not text.startswith("-") or exact < -Decimal(5) / Decimal(10) ** (digits + 1)
    assert abs(Decimal(text.rstrip("%")) - exact) <= Decimal(5) / Decimal(10) ** (digits + 1)
    assert text != f"-{0:.{digits}f}%"
    signed = fmt.pct(x, digits, sign=True)
    assert signed.lstrip("+") == text


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False))
def test_dollars_never_show_negative_zero(x: float) -> None:
    text = fmt.usd(x)
    assert text not in ("-$0", "$-0")
    value = Decimal(text.replace("$", "").replace(",", ""))
    assert abs(value - Decimal(repr(x))) <= Decimal("0.5")
    assert fmt.bp(x / 1e4).endswith(" bp") and not fmt.bp(-1e-9).startswith("-")


def test_known_formats() -> None:
    assert fmt.pct(-3e-9, 1) == "0.0%" and fmt.pct(0.0606) == "6.06%"
    assert fmt.pct(0.0123, 1, sign=True) == "+1.2%" and fmt.pct(-0.0123, 1) == "-1.2%"
    assert fmt.usd(250000) == "$250,000" and fmt.usd(-0.4) == "$0" and fmt.usd(-5) == "-$5"
    assert fmt.bp(0.0) == "0.0 bp" and fmt.bp(15.45) in ("+15.4 bp", "+15.5 bp")
    assert fmt.ratio(None) == "–" and fmt.ratio(-0.0001) == "0.000"
