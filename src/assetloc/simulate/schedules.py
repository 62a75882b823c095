"""Required minimum distributions: the IRS Uniform Lifetime Table and the SECURE 2.0 ages.

An owner's required minimum distribution (RMD) from a traditional account for a year is
the account's balance on December 31 of the year before divided by the distribution period
(the *divisor*) for the age the owner reaches that year, from the Uniform Lifetime Table
(Treas. Reg. §1.401(a)(9)-9(c), for distribution years from 2022; IRS Publication 590-B,
Table III), bundled as ``data/irs_uniform_lifetime.toml``. The first RMD is for the year
the owner reaches the applicable age (IRC §401(a)(9)(C)(v) as amended by SECURE 2.0
§107): 72 for owners born before 1951, 73 for 1951–1959, 75 for 1960 and later.

Simplifications (stated in the simulator's assumptions): the first RMD is taken in the
year the age is reached (never delayed to April 1 of the next year); the joint table for a
spouse more than 10 years younger who is the sole beneficiary is not used; Roth accounts
(owners) and HSAs have no RMDs.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from assetloc.types import FloatArray

__all__ = ["TABLE_FIRST_AGE", "rmd_divisor", "rmd_fraction", "rmd_start_age", "uniform_table"]

TABLE_FIRST_AGE = 72  # the 2022 table's first row


@cache
def uniform_table() -> dict[int, float]:
    """The Uniform Lifetime Table: age reached in the year → distribution period, years.

    The last age (120) stands for "120 and over".
    """
    text = resources.files("assetloc").joinpath("data", "irs_uniform_lifetime.toml")
    data = tomllib.loads(text.read_text("utf-8"))
    return {int(age): float(d) for age, d in data["divisor"].items()}


@cache
def _by_age() -> FloatArray:
    """Divisor indexed by age 0..120 (0 below the table's first age)."""
    table = uniform_table()
    out = np.zeros(max(table) + 1)
    for age, d in table.items():
        out[age] = d
    return out


def rmd_start_age(birth_year: int) -> int:
    """The age of an owner's first RMD, by birth year (SECURE 2.0): 72 before 1951 (the
    SECURE Act's age; owners born before July 1949 had 70½, long past), 73 for 1951–1959,
    75 from 1960."""
    if birth_year < 1951:
        return 72
    if birth_year < 1960:
        return 73
    return 75


def rmd_divisor(age: ArrayLike, start_age: ArrayLike = TABLE_FIRST_AGE) -> FloatArray:
    """The distribution period (years) for each ``age`` reached in the year; 0 below
    ``start_age`` (the owner's RMD age, :func:`rmd_start_age`) or the table's first age.

    Ages above 120 take the "120 and over" divisor. Works elementwise on arrays.
    """
    a = np.asarray(age, dtype=np.int64)
    table = _by_age()
    d = table[np.clip(a, 0, table.size - 1)]
    return np.where(a >= np.asarray(start_age), d, 0.0).astype(np.float64)


def rmd_fraction(age: ArrayLike, start_age: ArrayLike = TABLE_FIRST_AGE) -> FloatArray:
    """The share of last December 31's balance that must come out this year: 1/divisor at
    and after ``start_age``, else 0 (decimal, elementwise)."""
    d = rmd_divisor(age, start_age)
    with np.errstate(divide="ignore"):
        return np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), 0.0)
