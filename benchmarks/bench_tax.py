"""Time the one-year return (`assetloc.tax`) against PSL Tax-Calculator on the same returns.

Random returns of every kind (statuses, wages, interest, dividends, gains and losses,
carryforwards, IRA distributions, Social Security, itemized deductions, ages; 2026 law).
Prints medians (ms) and microseconds per return of:

* ours, vectorized: ``batch_returns`` over 10,000 returns (numpy);
* ours, singly: ``lines_of`` on one return (the float path), and ``tax_return`` (the return
  plus nine marginal rates);
* the peer, taxcalc (pure-Python mode, as the tests run it), on the same 10,000 returns and on
  one return, and the ratios; the two engines' regular tax + NIIT are checked to agree.

Requirements (issue 11): ≤ 20 µs a return vectorized, ≤ 0.2 ms singly.
Run by hand: `.venv/bin/python benchmarks/bench_tax.py` (needs the dev extra's taxcalc).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from peer_taxcalc import taxcalc_lines

from assetloc.tax import Filer, Income, batch_returns, tax_return
from assetloc.tax.year_return import lines_of

from timing import median_ms

N = 10_000
YEAR = 2026
STATUSES = ("single", "married_filing_jointly", "married_filing_separately", "head_of_household")


def records(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def some(scale: float, p: float = 0.5) -> np.ndarray:
        return np.where(rng.random(n) < p, rng.lognormal(np.log(scale), 1.0, n), 0.0)

    div = some(8_000)
    return {
        "filing_status": np.array(STATUSES)[rng.integers(0, 4, n)],
        "age": rng.integers(20, 91, n),
        "spouse_age": rng.integers(20, 91, n),
        "wages": some(80_000, 0.75),
        "taxable_interest": some(3_000),
        "treasury_interest": some(2_000, 0.3),
        "tax_exempt_interest": some(4_000, 0.3),
        "ordinary_dividends": div,
        "qualified_dividends": div * rng.random(n),
        "short_term_gains": np.where(rng.random(n) < 0.5, rng.normal(0, 15_000, n), 0.0),
        "long_term_gains": np.where(rng.random(n) < 0.6, rng.normal(10_000, 60_000, n), 0.0),
        "short_term_carryforward": some(5_000, 0.15),
        "long_term_carryforward": some(8_000, 0.15),
        "ira_distributions": some(30_000, 0.3),
        "roth_conversions": some(40_000, 0.15),
        "social_security": some(30_000, 0.35),
        "itemized_deductions": np.zeros(n),  # the peer reads §68 differently (see the tests)
    }


def ours(rec: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    income = {k: v for k, v in rec.items() if k not in ("filing_status", "age", "spouse_age")}
    return batch_returns(
        YEAR, rec["filing_status"], income, age=rec["age"], spouse_age=rec["spouse_age"]
    )


def main() -> None:
    rec = records(N)
    one = {k: v[:1] for k, v in rec.items()}
    filer = Filer(str(rec["filing_status"][0]), YEAR, int(rec["age"][0]))
    people = ("filing_status", "age", "spouse_age")
    income = Income(**{k: float(v[0]) for k, v in rec.items() if k not in people})
    amounts = income.as_dict()

    a, b = ours(rec), taxcalc_lines(YEAR, rec)
    mfs_ss = (rec["filing_status"] == "married_filing_separately") & (rec["social_security"] > 0)
    gap = np.abs((a["regular_tax"] + a["niit"]) - (b["regular_tax"] + b["niit"]))[~mfs_ss]
    print(f"agreement on regular tax + NIIT ({(~mfs_ss).sum()} returns): max gap ${gap.max():.4f}")

    batch = median_ms(lambda: ours(rec), repeat=7)
    single = median_ms(lambda: [lines_of(filer, amounts) for _ in range(2000)], 7) / 2000
    full = median_ms(lambda: [tax_return(filer, income) for _ in range(200)], 7) / 200
    peer_batch = median_ms(lambda: taxcalc_lines(YEAR, rec), repeat=3)
    peer_one = median_ms(lambda: taxcalc_lines(YEAR, one), repeat=3)
    print(f"ours, {N:,} returns vectorized: {batch:9.2f} ms  ({1000 * batch / N:7.2f} µs a return)")
    print(f"ours, one return (float path):  {single * 1000:9.2f} µs")
    print(f"ours, one return + 9 marginal rates: {full * 1000:9.2f} µs")
    per = 1000 * peer_batch / N
    print(f"taxcalc, {N:,} returns:          {peer_batch:9.2f} ms  ({per:7.2f} µs a return)")
    print(f"taxcalc, one return:            {peer_one:9.2f} ms")
    print(f"ratio taxcalc / ours, vectorized: {peer_batch / batch:8.1f}x")
    print(f"ratio taxcalc / ours, one return: {peer_one / single:8.1f}x")


if __name__ == "__main__":
    main()
