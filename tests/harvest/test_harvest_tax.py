"""tax_value_now by the year's return against independent references: hand brackets for a
single filer in the 24% bracket, and PSL Tax-Calculator's regular tax."""

from __future__ import annotations

import numpy as np
import pytest

from assetloc import parse_household
from assetloc.harvest import harvest
from assetloc.tax import Filer

from support.rebalance_support import (
    LONG_AGO,
    RECENT,
    account,
    household_dict,
    lot,
    pos,
    wages_for_taxable_income,
)


def _single(wages: float, lots: list[dict[str, object]], **income: float) -> object:
    shares = sum(float(x["shares"]) for x in lots)  # type: ignore[arg-type]
    d = household_dict([account("brk", "taxable", 0.0, [pos("STK", shares, 100.0, lots)])])
    d["investor"] = {"filing_status": "single", "tax_year": 2026}
    d["income"] = {"wages": wages, **income}
    return parse_household(d)


FILER = Filer(filing_status="single", year=2026)


def test_a_2000_loss_in_the_24pct_bracket_saves_480_and_5000_saves_720() -> None:
    """Taxable income $150,000 (single 2026: inside the 24% bracket, NIIT far off): a net
    capital loss offsets ordinary income up to $3,000, the rest carries forward."""
    wages = wages_for_taxable_income(FILER, 150_000.0)
    (c,) = harvest(_single(wages, [lot(RECENT, 20, 4000.0)])).candidates
    assert c.tax_value_now == pytest.approx(480.0, abs=0.01)
    assert c.carryforward == pytest.approx(0.0, abs=0.01)
    (c,) = harvest(_single(wages, [lot(LONG_AGO, 50, 10_000.0)])).candidates
    assert c.tax_value_now == pytest.approx(720.0, abs=0.01)
    assert c.carryforward == pytest.approx(2000.0, abs=0.01)


def test_a_loss_against_long_term_gains_saves_the_gain_rate() -> None:
    """$10,000 of long-term gains at 15% (taxable income in the 15% gain band): a $2,000
    long-term loss nets against them and saves 15% x $2,000 = $300, nothing carried."""
    wages = wages_for_taxable_income(FILER, 60_000.0)
    h = _single(wages, [lot(LONG_AGO, 20, 4000.0)], long_term_gains=10_000.0)
    (c,) = harvest(h).candidates
    assert c.tax_value_now == pytest.approx(300.0, abs=0.01)
    assert c.carryforward == pytest.approx(0.0, abs=0.01)


@pytest.mark.xdist_group("taxcalc")  # one worker warms taxcalc up (a few seconds), not both
@pytest.mark.parametrize(
    ("wages", "loss", "st_gains"),
    [(60_000.0, 2000.0, 0.0), (120_000.0, 5000.0, 1000.0), (40_000.0, 8000.0, 6000.0)],
)
def test_tax_value_now_equals_taxcalcs_regular_tax_difference(
    wages: float, loss: float, st_gains: float
) -> None:
    from support.peer_taxcalc import require_taxcalc, taxcalc_lines

    require_taxcalc()
    basis = 20 * 100.0 + loss
    h = _single(wages, [lot(RECENT, 20, basis)], short_term_gains=st_gains)
    (c,) = harvest(h).candidates
    rec = {
        "filing_status": np.array(["single", "single"]),
        "wages": np.array([wages, wages]),
        "short_term_gains": np.array([st_gains, st_gains - loss]),
    }
    tax = taxcalc_lines(2026, rec)["regular_tax"]
    assert c.tax_value_now == pytest.approx(tax[0] - tax[1], abs=0.5)
