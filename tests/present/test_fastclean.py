"""The C translation of ``jsonout.clean`` (``_fastclean.c``) against its Python reference,
bit for bit: on the documents of every command, and on generated documents that reach every
rule of the module docstring (and its edges: ties of a cent, the bounds of the fast paths,
non-finite floats, numpy scalars, enums). The rounding itself is also checked against exact
decimal arithmetic (``decimal``), so the two cannot agree on a wrong number."""

from __future__ import annotations

import enum
import math
import os
import struct
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assetloc.native import PURE_PYTHON
from assetloc.present import jsonout

from support.paths import ROOT

fast = jsonout.compiled
needs_c = pytest.mark.skipif(fast is None, reason="the C translation is not built")


def test_the_c_translation_is_built_and_in_use() -> None:
    """An install with a C compiler (CI's) builds it; only ASSETLOC_PURE_PYTHON turns it off."""
    if os.environ.get(PURE_PYTHON):
        assert jsonout.clean is jsonout.reference_clean
    else:
        assert fast is not None and jsonout.clean is fast


def bits(obj: Any) -> Any:
    """``obj`` with every float as its 8 bytes (so -0.0 ≠ 0.0 and NaN compares) and every
    container's type and key order kept."""
    if isinstance(obj, float):
        return ("float", type(obj).__name__, struct.pack("<d", obj))
    if isinstance(obj, dict):
        return ("dict", [(k, bits(v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [bits(v) for v in obj])
    return (type(obj).__name__, obj)


def outcome(clean: Any, doc: Any) -> Any:
    try:
        return ("ok", bits(clean(doc)))
    except Exception as err:  # the same error, same message
        return ("raises", type(err).__name__, str(err))


def same(doc: Any) -> None:
    assert fast is not None
    assert outcome(fast, doc) == outcome(jsonout.reference_clean, doc)


# ---------------------------------------------------------------- every command's documents


def _documents() -> list[tuple[str, dict[str, Any]]]:
    from assetloc.batch.tasks import TASKS, load_raw
    from assetloc.inputs.household import read_toml
    from assetloc.present.documents import HISTORY_TASKS, document_steps
    from assetloc.steps import run

    out = []
    for path in sorted((ROOT / "examples").glob("*.toml")):
        for task in TASKS:
            try:
                loaded = load_raw(read_toml(path), path, history=task in HISTORY_TASKS)
                out.append((f"{path.stem}:{task}", run(document_steps(task, loaded))))
            except Exception:  # a task the example is not for (no lots to harvest, ...)
                continue
    return out


@needs_c
def test_every_commands_documents_clean_to_the_same_bits() -> None:
    docs = _documents()
    tasks = {name.split(":")[1] for name, _ in docs}
    assert tasks == {"optimize", "rebalance", "taxes", "tax-year", "harvest", "simulate"}
    for name, doc in docs:
        assert outcome(fast, doc) == outcome(jsonout.reference_clean, doc), name


@needs_c
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_random_households_plans_clean_to_the_same_bits(seed: int) -> None:
    from assetloc import optimize, parse_household

    from support.householdgen import random_household

    same(optimize(parse_household(random_household(seed))).to_dict())


# ---------------------------------------------------------------- generated documents


class Kind(enum.StrEnum):
    TAXABLE = "taxable"


class Level(enum.IntEnum):
    ONE = 1


TABLES = (
    jsonout.DOLLAR_KEYS
    | jsonout.DOLLAR_MAPS
    | jsonout.DOLLAR_STATS
    | jsonout.SHARE_KEYS
    | jsonout.SHARE_MAPS
    | jsonout.DECIMAL_MAPS
    | jsonout.PRICE_KEYS
)
keys = st.sampled_from(sorted(TABLES)) | st.sampled_from(["x", "cash", "us_bonds", "w"])
#: floats of every magnitude, and the edges of the fast paths: exact ties of a cent and of
#: a micro-unit, 13-digit ties, values next to 10**12 and 2**40 after scaling
edges = st.one_of(
    st.integers(-(10**9), 10**9).map(lambda n: (n + 0.5) / 100),
    st.integers(-(10**9), 10**9).map(lambda n: (n + 0.5) / 10**6),
    st.integers(10**12, 10**13).map(lambda n: (n + 0.5) / 10**13),
    st.integers(-5, 5).map(lambda k: 2.0**40 / 100 + k),
    st.integers(-3, 3).map(lambda k: math.nextafter(1e-12, 1.0) * (1 + k * 1e-16)),
    st.sampled_from([1e12, 1e13, 9.9999999999995e-1, 0.1, 1e22, 1e23, -0.0, 5e-324]),
)
numbers = st.floats(allow_nan=False, allow_infinity=False) | edges
leaves = st.one_of(
    numbers,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
    st.just(Kind.TAXABLE),
    st.just(Level.ONE),
    numbers.map(np.float64),
    st.integers(-5, 5).map(np.int64),
)
documents = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.dictionaries(keys, inner, max_size=6),
        st.dictionaries(st.text(max_size=2), numbers | inner, max_size=6),
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
    ),
    max_leaves=40,
)


@needs_c
@settings(max_examples=600, deadline=None)
@given(documents, st.none() | keys, st.none() | keys)
def test_generated_documents_clean_to_the_same_bits(doc: Any, key: Any, parent: Any) -> None:
    assert fast is not None
    got = outcome(lambda d: fast(d, key, parent), doc)
    assert got == outcome(lambda d: jsonout.reference_clean(d, key, parent), doc)


@needs_c
@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=3), numbers | st.integers(-100, 100), max_size=12))
@example({"a": 0.125, "b": 0.125, "c": 0.75})  # two ties of the largest remainder
@example({"a": 2.0**53, "b": 1.0})  # past the exact int64 arithmetic: Python's
@example({"a": 1.0, "b": float("nan")})  # refused, by Python's message
def test_dollar_maps_round_to_the_same_bits(values: dict[str, Any]) -> None:
    same({"holdings": values})
    same({"holdings": {**values, "note": "text", "flag": True, "n": None}})


# ---------------------------------------------------------------- against exact decimals


def half_even(x: float, digits: int) -> float:
    """``x`` (its exact binary value) rounded to ``digits`` decimals, ties to even."""
    return float(Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN))


@given(numbers.filter(lambda x: abs(x) < 1e15))
def test_dollars_shares_and_prices_are_the_exact_decimal_rounding(x: float) -> None:
    out = jsonout.clean({"amount": x, "shares": x, "price": x})
    assert out["amount"] == half_even(x, 2) + 0.0
    assert out["shares"] == half_even(x, 6) + 0.0
    assert out["price"] == half_even(x, 6) + 0.0


@given(numbers)
def test_decimals_are_the_exact_13_digit_rounding(x: float) -> None:
    exact = 0.0 if abs(x) < jsonout.TINY else float(format(Decimal(x), ".13g")) + 0.0
    assert bits(jsonout.clean({"expected_return": x})["expected_return"]) == bits(exact)


def test_the_benchmark_households_documents_clean_to_the_same_bits() -> None:
    """The batch benchmark's households (the hot path this translation is for)."""
    if fast is None:
        pytest.skip("the C translation is not built")
    import sys

    sys.path.insert(0, str(Path(ROOT, "benchmarks")))
    try:
        from hotpath_households import household
    finally:
        sys.path.pop(0)
    from assetloc import optimize, parse_household

    for seed in range(40):
        same(optimize(parse_household(household(seed))).to_dict())


class _Clears:
    """A number whose ``float()`` empties the container it is in (user code run by clean)."""

    def __init__(self, box: Any) -> None:
        self.box = box

    def __float__(self) -> float:
        self.box.clear()
        return 1.0


def _self_clearing_list() -> list[Any]:
    listed: list[Any] = []
    listed += [_Clears(listed), *(i * 1.1 for i in range(1000))]
    return listed


def _self_clearing_dict() -> dict[str, Any]:
    mapped: dict[str, Any] = {}
    mapped.update({"a": _Clears(mapped), **{f"k{i}": i * 1.1 for i in range(50)}})
    return mapped


def _self_clearing_holdings() -> dict[str, Any]:
    held: dict[str, Any] = {}
    held.update({"a": 1.5, "b": _Clears(held), "c": 2.5})
    return {"holdings": held}


@needs_c
@pytest.mark.parametrize(
    "make", [_self_clearing_list, _self_clearing_dict, _self_clearing_holdings]
)
def test_user_code_that_changes_the_document_gives_pythons_answer_not_a_crash(make: Any) -> None:
    """Each side cleans a fresh document (cleaning one empties it)."""
    assert outcome(fast, make()) == outcome(jsonout.reference_clean, make())


@needs_c
def test_keywords_and_unhashable_keys_as_the_python() -> None:
    assert fast is not None
    for kwargs in ({"key": "balance"}, {"parent": "holdings"}, {"key": "x", "parent": "mix"}):
        got = outcome(lambda d, kw=kwargs: fast(d, **kw), 1.2345678)
        assert got == outcome(lambda d, kw=kwargs: jsonout.reference_clean(d, **kw), 1.2345678)
    assert outcome(lambda d: fast(d, [1], "holdings"), 1.234567) == outcome(
        lambda d: jsonout.reference_clean(d, [1], "holdings"), 1.234567
    )
    with pytest.raises(TypeError):
        fast(1.0, "a", "b", "c")
