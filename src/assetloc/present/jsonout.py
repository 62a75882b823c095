"""The one place machine output (``--json``) gets its numbers rounded.

Every ``--json`` command prints :func:`dumps` of a plain ``to_dict()``; the dicts keep full
precision for callers in Python. Which unit a number has is read from its key:

* **dollars** (``balance``, ``amount``, ``gain``, ... and every value of a dollar map such as
  an account's ``holdings``): rounded to cents. The values of a dollar map are rounded
  together (largest remainder) so that they add up to their rounded total: an account's
  holdings still sum to its balance to the cent.
* **shares** (``shares``, ``quantity``, the values of ``positions``): rounded to 1e-6 share.
* **prices per share** (``price``, ``estimated_price``): rounded to 1e-6 dollar.
* everything else (returns, rates, shares of an account or of wealth, durations, bp):
  13 significant digits, and zero below 1e-12 in magnitude: every meaningful digit stays
  (a yield read back reprices the bond to 1e-12), solver noise such as ``2.3e-27`` or
  ``0.1499999999999999`` goes.

The rules are written once, here, in Python (:func:`reference_clean`); :func:`clean` is their
C translation (``_fastclean.c``, built at install when a C compiler is there: about 5x
faster, 0.019 against 0.104 ms on a batch household's document), checked against the
Python bit for bit on every command's documents and on generated ones
(``tests/present/test_fastclean.py``).
Without it, or with ``ASSETLOC_PURE_PYTHON=1``, :func:`clean` is the Python: the same output.

A new field in dollars or shares must be named in the tables below (a test checks the
fields of every command's JSON against them). No number is ever printed as ``-0.0``;
integers, strings, booleans and ``None`` pass through unchanged. Non-finite floats are an
error (JSON has no NaN): :func:`dumps` refuses them.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

from assetloc.native import extension

__all__ = ["clean", "compiled", "dumps", "line", "reference_clean", "unit_of"]

#: keys whose value is an amount in dollars
DOLLAR_KEYS = frozenset(
    {
        "after_tax",
        "agi",
        "capital_gain_or_loss",
        "capital_gains_tax",
        "deduction",
        "itemized_deduction",
        "loss_deducted",
        "net_investment_income",
        "niit",
        "ordinary_tax",
        "ordinary_taxable_income",
        "regular_tax",
        "senior_deduction",
        "standard_deduction",
        "taxable_income",
        "taxable_social_security",
        "total",
        "total_tax",
        "total_wealth",
        "wealth_p5",
        "wealth_p50",
        "wealth_p95",
        "after_tax_value",
        "after_tax_wealth",
        "amount",
        "annual_amount",
        "balance",
        "basis",
        "benefit_per_year",
        "cash",
        "cash_after",
        "cash_before",
        "cash_allowance",
        "cash_target",
        "consumption",
        "cost_basis",
        "deferral_value",
        "deferred_loss",
        "disallowed",
        "disallowed_deferred",
        "disallowed_if_sold_today",
        "disallowed_loss",
        "disallowed_permanent",
        "dollars",
        "dollars_after",
        "dollars_before",
        "dollars_target",
        "financial_wealth",
        "estimated_amount",
        "estimated_tax",
        "gain",
        "gain_budget",
        "human_capital",
        "long_term_gain",
        "loss",
        "loss_carried_forward",
        "min_loss",
        "min_trade",
        "model_tax",
        "net_benefit",
        "objective_dollars",
        "permanently_disallowed_if_sold_today",
        "permanently_disallowed_loss",
        "pre_tax",
        "present_value",
        "proceeds",
        "realized_gain",
        "short_term_gain",
        "tax",
        "tax_budget",
        "tax_cap",
        "tax_of_gain_realizing_trades",
        "tax_now",
        "tax_saved_by_waiting",
        "tax_value_now",
        "taxed_long_term_gain",
        "taxed_short_term_gain",
        "trading_costs",
        "unrealized_gain",
        "value",
        "wash_adjustment",
    }
)
#: keys whose value maps names (classes, symbols) to dollars
DOLLAR_MAPS = frozenset(
    {
        "after",
        "before",
        "carryforward",
        "dollars",
        "gains_worksheet",
        "holdings",
        "income",
        "target",
    }
)
#: keys whose value maps statistics over paths (mean, p5, p50, p95) to dollars, each rounded
#: on its own (they do not add up to anything)
DOLLAR_STATS = frozenset({"lifetime_tax", "spending", "terminal_wealth"})
#: keys whose value is a number of shares
SHARE_KEYS = frozenset({"shares", "quantity"})
#: keys whose value maps symbols to numbers of shares
SHARE_MAPS = frozenset({"positions"})
#: keys whose value maps class ids to decimals (a class id such as ``cash`` is no dollar key)
DECIMAL_MAPS = frozenset(
    {
        "effective_tax_rates",
        "equilibrium",
        "expected_return",
        "mix",
        "marginal_rates",
        "mix_pre_tax",
        "reference",
        "reference_mix",
        "reference_portfolio",
        "returns",
        "stated",
        "target_mix",
        "weights",
    }
)
#: keys whose value is a price per share, in dollars
PRICE_KEYS = frozenset({"price", "estimated_price"})

_DIGITS = {"dollars": 2, "shares": 6, "price": 6}
#: significant digits of a decimal (returns, rates, shares, durations)
SIGNIFICANT = 13
#: decimals smaller than this in magnitude print as 0
TINY = 1e-12


@functools.lru_cache(maxsize=4096)
def unit_of(key: str | None, parent: str | None = None) -> str:
    """``dollars``, ``shares``, ``price`` or ``decimal``: the unit of a number at ``key``.

    ``parent`` is the key of the mapping that holds ``key`` when that mapping is keyed by
    names (class ids, symbols); a known map decides before the name itself.
    """
    if parent in DOLLAR_MAPS or parent in DOLLAR_STATS:
        return "dollars"
    if parent in SHARE_MAPS:
        return "shares"
    if parent in DECIMAL_MAPS:
        return "decimal"
    if key in DOLLAR_KEYS:
        return "dollars"
    if key in SHARE_KEYS:
        return "shares"
    if key in PRICE_KEYS:
        return "price"
    return "decimal"


def _round(x: float, digits: int) -> float:
    if not math.isfinite(x):
        raise ValueError(f"cannot write {x!r} as JSON")
    r = round(x, digits)
    return r + 0.0 if r != 0 else 0.0  # never -0.0


def _decimal(x: float) -> float:
    """``x`` to :data:`SIGNIFICANT` significant digits; zero below :data:`TINY` (memoized:
    an advisor's households repeat the preset's returns and rates)."""
    hit = _DECIMALS.get(x)
    if hit is not None:
        return hit
    if not math.isfinite(x):
        raise ValueError(f"cannot write {x!r} as JSON")
    r = 0.0 if abs(x) < TINY else float(_SIGNIFICANT_FORMAT % x) + 0.0
    if len(_DECIMALS) >= _MEMO_SIZE:
        _DECIMALS.clear()
    _DECIMALS[x] = r
    return r


_SIGNIFICANT_FORMAT = f"%.{SIGNIFICANT}g"
#: memo of :func:`_decimal` (float -> float; -0.0 and 0.0 share an entry: both give 0.0)
_DECIMALS: dict[float, float] = {}
_MEMO_SIZE = 65536


def _round_map(values: Mapping[str, Any], digits: int) -> dict[str, Any]:
    """Round the numeric values so that they sum to their rounded total (largest remainder)."""
    keys: list[str] = []
    nums: list[float] = []
    for k, v in values.items():
        t = type(v)
        if t is float or t is int or (isinstance(v, (int, float)) and not isinstance(v, bool)):
            if t is not bool:
                keys.append(k)
                nums.append(float(v))
    if not keys:
        return {k: reference_clean(v, k) for k, v in values.items()}
    for v in nums:
        if not math.isfinite(v):
            raise ValueError(f"cannot write {v!r} as JSON")
    scale = 10**digits
    total = round(math.fsum(nums) * scale)
    units = [math.floor(v * scale) for v in nums]
    short = total - sum(units)
    out: dict[str, Any] = dict(values)
    if 0 <= short <= len(keys):
        if short:
            # hand the missing units to the largest fractional parts (ties: larger value, key)
            order = sorted(
                range(len(keys)),
                key=lambda i: (nums[i] * scale - units[i], nums[i], keys[i]),
                reverse=True,
            )
            for i in order[:short]:
                units[i] += 1
        for k, u in zip(keys, units, strict=True):
            # u / scale is already the double nearest the decimal u·10^-digits, which is
            # what round(u / scale, digits) gives back; u = 0 gives 0.0, never -0.0
            out[k] = u / scale
    else:  # cannot happen for finite sums; round one by one
        for k, v in zip(keys, nums, strict=True):
            out[k] = _round(v, digits)
    if len(keys) < len(out):
        done = set(keys)
        for k, v in values.items():
            if k not in done:
                out[k] = reference_clean(v, k)
    return out


def reference_clean(obj: Any, key: str | None = None, parent: str | None = None) -> Any:
    """``obj`` with every float rounded for its unit (see the module docstring): the Python
    reference of :func:`clean`, which is its C translation when that was built."""
    t = type(obj)
    if t is float:  # first: the most common leaf
        unit = _UNITS.get((key, parent)) or _unit(key, parent)
        return _decimal(obj) if unit == "decimal" else _round(obj, _DIGITS[unit])
    if t is str or t is int or obj is None or t is bool:
        return obj
    if t is dict:
        if key in DOLLAR_MAPS:
            return _round_map(obj, _DIGITS["dollars"])
        if key in _DECIMAL_ONLY:
            return _decimal_map(obj, key)
        if key in SHARE_MAPS or key in DECIMAL_MAPS or key in DOLLAR_STATS:
            return {k: reference_clean(v, k, key) for k, v in obj.items()}
        return _clean_dict(obj)
    if t is list or t is tuple:
        return [reference_clean(v, key) for v in obj]
    return _clean_other(obj, key, parent)


#: maps of names to decimals whose key names no other kind of map
_DECIMAL_ONLY = DECIMAL_MAPS - DOLLAR_MAPS - DOLLAR_STATS - SHARE_MAPS


def _clean_dict(obj: dict[Any, Any]) -> dict[Any, Any]:
    """:func:`clean` of a dict known by its keys (no parent map): floats inline."""
    out = {}
    for k, v in obj.items():
        t = type(v)
        if t is float:
            unit = _KEY_UNITS.get(k) or _key_unit(k)
            out[k] = _decimal(v) if unit == "decimal" else _round(v, _DIGITS[unit])
        elif t is str or t is int or v is None or t is bool:
            out[k] = v
        else:
            out[k] = reference_clean(v, k)
    return out


def _decimal_map(obj: dict[Any, Any], key: str) -> dict[Any, Any]:
    """:func:`clean` of a map of names to decimals (:data:`DECIMAL_MAPS`): floats inline."""
    return {
        k: _decimal(v) if type(v) is float else reference_clean(v, k, key) for k, v in obj.items()
    }


#: :func:`unit_of` of keys with no parent map, filled as keys are met
_KEY_UNITS: dict[Any, str] = {}


def _key_unit(key: Any) -> str:
    unit = _KEY_UNITS[key] = unit_of(key)
    return unit


#: :func:`unit_of` by (key, parent), filled as keys are met (a plain dict lookup)
_UNITS: dict[tuple[str | None, str | None], str] = {}


def _unit(key: str | None, parent: str | None) -> str:
    unit = _UNITS[key, parent] = unit_of(key, parent)
    return unit


def _clean_other(obj: Any, key: str | None, parent: str | None) -> Any:
    """:func:`clean` of anything but the exact built-in types: subclasses (enums, numpy
    float64), numpy scalars, other mappings and sequences."""
    if isinstance(obj, float):  # numpy float64, float subclasses
        return reference_clean(float(obj), key, parent)
    if isinstance(obj, bool) or isinstance(obj, (str, int)):
        return obj
    if isinstance(obj, numbers.Integral):  # numpy integers
        return int(obj)
    if isinstance(obj, Mapping):
        return reference_clean(dict(obj), key, parent)
    if isinstance(obj, (list, tuple)):
        return [reference_clean(v, key) for v in obj]
    try:  # numpy scalars
        return reference_clean(float(obj), key, parent)
    except (TypeError, ValueError):
        return obj


def dumps(obj: Any, indent: int | None = 2) -> str:
    """One JSON document of ``obj`` with its numbers rounded by :func:`clean`."""
    return json.dumps(clean(obj), indent=indent, allow_nan=False, ensure_ascii=False)


def line(obj: Any) -> str:
    """:func:`dumps` on one line, compact (no spaces), by orjson: the same JSON values.

    For JSON Lines (``assetloc batch``): about 10x faster than the standard encoder. Non-finite
    floats never get here (:func:`clean` refuses them); keys that are not strings are written
    as strings, as :mod:`json` does."""
    import orjson

    doc = clean(obj)
    try:  # string keys (every command's documents): the plain encoder, a fifth faster
        return orjson.dumps(doc).decode()
    except TypeError:  # a key that is not a string: written as a string, as json does
        return orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS).decode()


def _compiled() -> Callable[..., Any] | None:
    """The C translation of :func:`reference_clean` (``_fastclean.c``, built at install when
    a C compiler is there), configured with this module's tables; None when it was not
    built or ``ASSETLOC_PURE_PYTHON`` is set (the same numbers, about 5x slower)."""
    _fastclean = extension("assetloc.present._fastclean")
    if _fastclean is None:
        return None
    _fastclean.configure(
        DOLLAR_KEYS,
        DOLLAR_MAPS,
        DOLLAR_STATS,
        SHARE_KEYS,
        SHARE_MAPS,
        DECIMAL_MAPS,
        PRICE_KEYS,
        _round_map,
        _clean_other,
        _decimal,
        _round,
        math.fsum,
    )
    fast: Callable[..., Any] = _fastclean.clean
    return fast


#: the C translation in use, or None (then :func:`clean` is :func:`reference_clean`)
compiled = _compiled()
#: ``clean(obj, key=None, parent=None)``: ``obj`` with every float rounded for its unit
#: (the module docstring); the same numbers, to the bit, as :func:`reference_clean`
clean: Callable[..., Any] = compiled or reference_clean
