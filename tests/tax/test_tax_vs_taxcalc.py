"""The one-year return against PSL Tax-Calculator (taxcalc), an independent engine.

600 random returns per year (2025, 2026; single, joint, separate, head of household; wages,
interest, dividends, gains and losses of both signs, carryforwards, IRA distributions, Roth
conversions, Social Security, itemized deductions, ages 20-90): AGI, taxable Social Security,
the deduction, the senior deduction, taxable income, regular tax and NIIT agree to the dollar.

Lines compared: those both engines compute. Credits and AMT are off in the peer (no
dependents, AMT exemption infinite), so its regular tax (`taxbc`) is ours. Rows left out of
a comparison, and why (each a documented difference, counted and bounded below):
  * married filing separately with Social Security: taxcalc uses the lived-apart base amounts
    ($25,000/$34,000); we assume the spouses lived together (base $0, §86(c)(1)(C)(ii));
  * 2026 returns whose AGI exceeds the 37% bracket start by more than the itemized
    deductions: taxcalc cuts 2/37 of the whole excess, §68 as amended cuts 2/37 of the
    lesser of the deductions and the excess (we follow the statute);
  * ties: taxcalc keeps the standard deduction when itemizing gives the same tax.
"""

from __future__ import annotations

import numpy as np
import pytest

from assetloc.tax import batch_returns, year_law
from assetloc.tax.law import STATUSES

from support.peer_taxcalc import require_taxcalc, taxcalc_lines

require_taxcalc()  # JIT off: pytest.importorskip would turn taxcalc's 30 s compile on

#: taxcalc warms up once (a few seconds), on one xdist worker shared with the harvest cases
pytestmark = pytest.mark.xdist_group("taxcalc")

N = 600
TOLERANCE = 1.0  # dollars


def _records(year: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def some(scale: float, p: float = 0.5) -> np.ndarray:
        return np.where(rng.random(N) < p, rng.lognormal(np.log(scale), 1.0, N), 0.0).round(2)

    ordinary_div = some(8_000)
    rec = {
        "filing_status": np.array(STATUSES[:4])[rng.integers(0, 4, N)],
        "age": rng.integers(20, 91, N),
        "spouse_age": rng.integers(20, 91, N),
        "wages": some(80_000, 0.75),
        "taxable_interest": some(3_000),
        "treasury_interest": some(2_000, 0.3),
        "tax_exempt_interest": some(4_000, 0.3),
        "ordinary_dividends": ordinary_div,
        "qualified_dividends": (ordinary_div * rng.random(N)).round(2),
        "short_term_gains": np.where(rng.random(N) < 0.5, rng.normal(0, 15_000, N), 0.0).round(2),
        "long_term_gains": np.where(rng.random(N) < 0.6, rng.normal(10_000, 60_000, N), 0.0).round(
            2
        ),
        "short_term_carryforward": some(5_000, 0.15),
        "long_term_carryforward": some(8_000, 0.15),
        "ira_distributions": some(30_000, 0.3),
        "roth_conversions": some(40_000, 0.15),
        "social_security": some(30_000, 0.35),
        "itemized_deductions": some(30_000, 0.4),
    }
    rich = rng.random(N) < 0.1  # reach the 35%/37% brackets, the 20% band and NIIT
    rec["wages"] = np.where(rich, rec["wages"] * 10, rec["wages"])
    return rec


def _ours(year: int, rec: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    income = {k: v for k, v in rec.items() if k not in ("filing_status", "age", "spouse_age")}
    return batch_returns(
        year, rec["filing_status"], income, age=rec["age"], spouse_age=rec["spouse_age"]
    )


@pytest.fixture(scope="module", params=[2025, 2026])
def both(request: pytest.FixtureRequest) -> tuple[int, dict, dict, dict]:
    year = request.param
    rec = _records(year, seed=year)
    return year, rec, _ours(year, rec), taxcalc_lines(year, rec)


def _comparable(year: int, rec: dict, ours: dict, peer: dict) -> np.ndarray:
    mfs = rec["filing_status"] == "married_filing_separately"
    keep = ~(mfs & (rec["social_security"] > 0))
    if year >= 2026:
        codes = np.array([STATUSES.index(s) for s in rec["filing_status"]])
        start37 = year_law(year).bracket_start[codes, -1]
        over = ours["agi"] - ours["senior_deduction"] - start37
        keep &= ~((rec["itemized_deductions"] > 0) & (over > rec["itemized_deductions"]))
    tie = ~peer["itemizes"] & (peer["itemized_deduction"] > peer["standard_deduction"] + 0.005)
    return keep & ~tie


@pytest.mark.parametrize(
    ("line", "peer_line"),
    [
        ("agi", "agi"),
        ("taxable_social_security", "taxable_social_security"),
        ("deduction", "deduction_used"),
        ("senior_deduction", "senior_deduction"),
        ("taxable_income", "taxable_income"),
        ("regular_tax", "regular_tax"),
        ("niit", "niit"),
    ],
)
def test_line_equals_taxcalc_to_the_dollar(both: tuple, line: str, peer_line: str) -> None:
    year, rec, ours, peer = both
    keep = _comparable(year, rec, ours, peer)
    assert keep.sum() >= 500  # the comparison covers at least 500 returns a year
    diff = np.abs(ours[line] - peer[peer_line])[keep]
    worst = int(np.argmax(diff))
    assert diff.max() <= TOLERANCE, f"{year} {line}: worst row {np.flatnonzero(keep)[worst]}"


def test_regular_tax_plus_niit_equals_taxcalc(both: tuple) -> None:
    year, rec, ours, peer = both
    keep = _comparable(year, rec, ours, peer)
    ours_total = ours["regular_tax"] + ours["niit"]
    assert np.abs(ours_total - (peer["regular_tax"] + peer["niit"]))[keep].max() <= TOLERANCE


def test_the_comparison_covers_every_kind_of_return(both: tuple) -> None:
    """Losses limited, carryforwards made, gains in every band, NIIT, taxed benefits, 65+."""
    year, rec, ours, peer = both
    keep = _comparable(year, rec, ours, peer)
    assert set(rec["filing_status"][keep]) == set(STATUSES[:4])
    assert (ours["carryforward_short_term"][keep] + ours["carryforward_long_term"][keep] > 0).sum()
    assert (ours["gains_at_15"][keep] > 0).sum() and (ours["gains_at_20"][keep] > 0).sum()
    assert (ours["niit"][keep] > 0).sum() and (ours["senior_deduction"][keep] > 0).sum()
    assert (ours["taxable_social_security"][keep] > 0).sum() >= 20
    assert (ours["capital_gain_or_loss"][keep] < 0).sum() >= 20
