"""The year's return as a result: its JSON, the return's lines as a frame, marginal rates."""

from __future__ import annotations

from pathlib import Path

import pytest

import assetloc
from assetloc.errors import InputError
from assetloc.tax.year_return import lines_of

ROOT = Path(__file__).resolve().parents[2]
RETIRED = ROOT / "examples" / "retired_couple.toml"


def test_tax_year_lines_and_identities() -> None:
    h = assetloc.load_household(RETIRED)
    ty = assetloc.tax_year(h)
    frame = ty.to_frame()["dollars"]
    # total = federal + state, and the federal total is the engine's line on the same income
    assert frame["total tax"] == pytest.approx(frame["federal total"] + frame["state tax"])
    engine = lines_of(ty.tax_return.filer, ty.tax_return.income.as_dict())
    assert frame["federal total"] == pytest.approx(engine["federal_total"], abs=1e-9)
    rates = ty.marginal_rates()
    assert (rates["total"] - rates["federal"] - rates["state"]).abs().max() < 1e-12
    assert str(ty.year) in repr(ty) and len(repr(ty)) < 150
    assert "marginal rates" in ty.summary() and "<table" in ty._repr_html_()
    assert ty.to_dict()["total_tax"] == ty.total_tax


def test_tax_year_needs_a_filing_status() -> None:
    h = assetloc.load_household(ROOT / "examples" / "three_accounts.toml")
    with pytest.raises(InputError, match=r"investor\.filing_status"):
        assetloc.tax_year(h)
