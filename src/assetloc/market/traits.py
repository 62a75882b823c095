"""Tax traits of an asset class: how it pays out (income yield, qualified, exempt and
foreign shares, turnover), decimals; bundled defaults in ``data/tax_traits.toml``.

These describe the class, not a tax law: :mod:`assetloc.tax.effective` turns them into
effective tax rates for a household's :class:`~assetloc.tax.profile.TaxProfile`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from typing import Any

from assetloc.errors import InputError

__all__ = ["SHARE_FIELDS", "TRAIT_FIELDS", "TaxTraits", "default_traits", "traits_from_mapping"]

_TRAITS_FILE = "tax_traits.toml"
_ALL_INCOME = "all"
_SHARE_TOLERANCE = 1e-9


def _share(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(name, f"must be a decimal share, got {value!r}")
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise InputError(name, f"must be a decimal share in [0, 1], got {value!r}")
    return float(value)


#: The share-valued traits of a class (decimals in [0, 1]); with ``income_yield`` they are
#: every number a household file may give per class (see :data:`TRAIT_FIELDS`).
SHARE_FIELDS: tuple[str, ...] = (
    "qualified_share",
    "exempt_share",
    "state_exempt_share",
    "foreign_tax_share",
    "turnover",
    "long_term_share",
)
TRAIT_FIELDS: tuple[str, ...] = ("income_yield", *SHARE_FIELDS)


@dataclass(frozen=True)
class TaxTraits:
    """How one asset class pays out and is taxed (decimals).

    Attributes
    ----------
    income_yield : float or None
        Income (dividends, interest) per year as a share of value, >= 0. ``None``
        means all of the expected return is income (bonds, cash: g = 0).
    qualified_share : float
        Share of income that is qualified dividends (long-term rate).
    exempt_share : float
        Share of income exempt from federal tax (municipal interest).
    state_exempt_share : float
        Share of income exempt from state tax only (US Treasury interest).
    foreign_tax_share : float
        Foreign tax withheld as a share of income.
    turnover : float
        Share of the unrealized gain realized each year.
    long_term_share : float
        Share of realized gains that is long-term.
    source : str
        Where the numbers come from (for reports; not compared).

    The three income shares must not add up to more than 1; the remainder is taxed as
    ordinary investment income.
    """

    income_yield: float | None
    qualified_share: float = 0.0
    exempt_share: float = 0.0
    state_exempt_share: float = 0.0
    foreign_tax_share: float = 0.0
    turnover: float = 0.0
    long_term_share: float = 1.0
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        y = self.income_yield
        if y is not None:
            if isinstance(y, bool) or not isinstance(y, int | float):
                raise InputError("income_yield", f"must be a decimal per year, got {y!r}")
            if not (math.isfinite(y) and 0.0 <= y < 1.0):
                raise InputError("income_yield", f"must be a decimal in [0, 1), got {y!r}")
        for name in SHARE_FIELDS:
            _share(name, getattr(self, name))
        total = self.qualified_share + self.exempt_share + self.state_exempt_share
        if total > 1.0 + _SHARE_TOLERANCE:
            raise InputError(
                "qualified_share",
                f"qualified {self.qualified_share} + exempt {self.exempt_share} + "
                f"state-exempt {self.state_exempt_share} = {total:g} exceeds 1",
            )


_TRAIT_KEYS = frozenset(f.name for f in fields(TaxTraits))


def traits_from_mapping(data: Mapping[str, Mapping[str, Any]]) -> dict[str, TaxTraits]:
    """Build traits per class id from a parsed table (TOML or JSON).

    Parameters
    ----------
    data : mapping
        ``{class_id: {field: value}}`` with the fields of :class:`TaxTraits`;
        ``income_yield = "all"`` (or absent) means the whole return is income.

    Returns
    -------
    dict of str to TaxTraits
        In the order of ``data``.
    """
    out: dict[str, TaxTraits] = {}
    for class_id, row in data.items():
        if not isinstance(row, Mapping):
            raise InputError(f"tax_traits.{class_id}", "must be a table of trait values")
        unknown = sorted(set(row) - _TRAIT_KEYS)
        if unknown:
            raise InputError(
                f"tax_traits.{class_id}.{unknown[0]}",
                f"unknown field; use {', '.join(sorted(_TRAIT_KEYS))}",
            )
        values = dict(row)
        if values.get("income_yield", _ALL_INCOME) == _ALL_INCOME:
            values["income_yield"] = None
        try:
            out[class_id] = TaxTraits(**values)
        except InputError as err:
            raise InputError(f"tax_traits.{class_id}.{err.field}", err.problem) from None
    return out


@lru_cache(maxsize=1)
def _bundled() -> dict[str, TaxTraits]:
    text = resources.files("assetloc").joinpath("data", _TRAITS_FILE).read_text("utf-8")
    table = tomllib.loads(text)
    return traits_from_mapping(table["classes"])


def default_traits() -> dict[str, TaxTraits]:
    """Bundled default tax traits per class id (``data/tax_traits.toml``).

    Covers the Horizon 2025 survey classes, ``us_municipal_bonds`` and Kaplan's classes.
    Expected returns are not included: pass μ from the capital market assumptions.

    Returns
    -------
    dict of str to TaxTraits
        A new dict each call (the traits themselves are immutable).
    """
    return dict(_bundled())
