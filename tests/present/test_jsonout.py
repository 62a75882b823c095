"""The JSON formatter, against independent arithmetic (the text formatters: test_fmt.py).

Rounding is checked with exact decimal arithmetic (``fractions``/``decimal``), not with the
formatter itself; sums are checked against the unrounded numbers.
"""

from __future__ import annotations

import enum
import json
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc import optimize, parse_household
from assetloc.present import jsonout

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
    if d["expected_return"] == 0.0:  # only noise is written as 0 (below 1e-12)
        assert abs(x) <= 1e-12, x
    else:
        assert abs(d["expected_return"] - x) <= 5e-13 * abs(x)
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


def test_unit_of_cache_agrees_with_the_rule() -> None:
    """The cached ``unit_of`` answers as the uncached rule for every key of a plan."""
    from assetloc.present.jsonout import unit_of

    keys = [None, "balance", "holdings", "mix", "price", "shares", "utility", "x"]
    for key in keys:
        for parent in keys:
            assert unit_of(key, parent) == unit_of.__wrapped__(key, parent)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=30))
def test_memoized_decimals_equal_exact_decimal_rounding(xs: list[float]) -> None:
    """13 significant digits by exact decimal arithmetic, on first sight and from the memo."""

    def exact(x: float) -> float:
        if abs(x) < jsonout.TINY:
            return 0.0
        return float(format(Decimal(x), ".13g"))  # Decimal(x): the float's exact value

    for _ in range(2):  # the second pass reads the memo
        out = jsonout.clean({"xs": xs})
        assert out["xs"] == [exact(x) for x in xs]
        assert all(not is_negative_zero(v) for v in out["xs"])


def test_non_finite_floats_are_refused_after_finite_ones_were_seen() -> None:
    jsonout.clean({"expected_return": 0.07})
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="cannot write"):
            jsonout.clean({"expected_return": bad})


@given(st.integers(-(10**15), 10**15), st.sampled_from([2, 6]))
def test_whole_units_over_the_scale_need_no_second_rounding(units: int, digits: int) -> None:
    """The dollar (and share) maps write u / 10^digits for u whole cents (or micro-shares)
    without calling round again: it is already the double nearest the decimal."""
    x = units / 10**digits
    assert x == round(x, digits) == float(Decimal(units).scaleb(-digits))
    assert not is_negative_zero(x)


class _Side(enum.StrEnum):
    BUY = "buy"


@pytest.mark.parametrize(
    "doc",
    [
        {"amount": 1.005, "holdings": {"a": 0.125, "b": 0.875}},
        {1: 2.5, "x": {2: "y"}},  # keys that are not strings: written as strings, as json does
        {_Side.BUY: {"price": 10.1234567}, "side": _Side.BUY},
        [{"mix": {"cash": 2.27e-28}}, None, True, "é"],
    ],
)
def test_a_line_is_the_compact_json_of_the_rounded_document(doc: object) -> None:
    """``line`` (orjson, plain or with non-string keys) writes what ``json`` writes."""
    expected = json.dumps(jsonout.clean(doc), separators=(",", ":"), ensure_ascii=False)
    assert jsonout.line(doc) == expected
    assert json.loads(jsonout.line(doc)) == json.loads(jsonout.dumps(doc))
