"""Strict numbers in the input files (pydantic's strict mode), choices and dates from strings."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetloc.errors import InputError
from assetloc.inputs.household import Household, parse_household, read_toml
from assetloc.types import AccountType, ObjectiveKind, RebalanceMode

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = read_toml(ROOT / "examples" / "three_accounts.toml")


def _parse(change: Callable[[dict[str, Any]], object]) -> Household:
    d = copy.deepcopy(EXAMPLE)
    change(d)
    return parse_household(d)


def test_an_integer_is_a_float() -> None:
    h = _parse(lambda d: d["accounts"][0].__setitem__("balance", 1000))
    assert type(h.accounts[0].balance) is float and h.accounts[0].balance == 1000.0


@pytest.mark.parametrize(("value", "shown"), [("1000", "'1000'"), (True, "True")])
def test_strings_and_booleans_are_not_numbers(value: object, shown: str) -> None:
    with pytest.raises(InputError) as err:
        _parse(lambda d: d["accounts"][0].__setitem__("balance", value))
    assert str(err.value) == f"accounts[0].balance: must be a number, got {shown}"


def test_numbers_are_not_booleans_nor_fractions_whole_numbers() -> None:
    with pytest.raises(InputError) as err:
        _parse(lambda d: d["investor"].__setitem__("niit", 1))
    assert str(err.value) == "investor.niit: must be true or false, got 1"
    with pytest.raises(InputError) as err:
        _parse(lambda d: d["investor"].__setitem__("horizon_years", 20.5))
    assert str(err.value) == "investor.horizon_years: must be a whole number, got 20.5"


def test_a_union_field_names_the_field_not_the_member() -> None:
    def classes(value: object) -> Callable[[dict[str, Any]], object]:
        spec = {"id": "us_equity_large_cap", "income_yield": value}
        return lambda d: d.setdefault("assumptions", {}).setdefault("classes", []).append(spec)

    with pytest.raises(InputError) as err:
        _parse(classes("x"))
    assert str(err.value) == "assumptions.classes[0].income_yield: must be a number, got 'x'"
    assert _parse(classes("all")).assumptions.classes[0].income_yield == "all"


def test_choices_and_dates_are_read_from_strings() -> None:
    def change(d: dict[str, Any]) -> None:
        d["rebalance"] = {"mode": "within_bands", "as_of": "2026-03-02"}

    h = _parse(change)
    assert h.rebalance.mode is RebalanceMode.WITHIN_BANDS
    assert h.rebalance.as_of == dt.date(2026, 3, 2)
    assert isinstance(h.accounts[0].type, AccountType)
    assert h.objective.kind is ObjectiveKind(EXAMPLE["objective"]["kind"])
