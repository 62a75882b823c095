"""One household through Owl and through assetloc's simulator, side by side.

Owl (``owlplanner`` on PyPI, Martin-D. Lacasse) optimizes a retiree's withdrawals (and Roth
conversions) with a linear program, but takes the asset allocation as given: the same
60/40 in every account here, as a user would set it. assetloc's simulator runs the same
couple year by year with each location strategy (``duplicate`` is Owl's placement,
``joint`` the optimizer's), so the difference between them is what location adds on top
of Owl's plan.

The household: a married couple, both 65 at the end of 2026 (born 1961), retired, planning
to 95 (31 years, 2026–2056); a $500,000 taxable account (cost basis = value), IRAs of
$600,000 and $300,000, a $200,000 Roth IRA; Social Security of $2,800 and $1,800 a month
(primary insurance amounts) from 67; $100,000 a year of after-tax spending in today's
dollars; 60% US large-cap stocks and 40% US core bonds, earning every year their
horizon-2025 arithmetic means (7.67% and 5.19%) with 2.5% inflation (deterministic
returns). Alike in both: the 2026 federal law indexed by inflation (Owl's "OBBBA expiry"
is moved past the horizon), no state tax, equity dividends 1.7% a year, traditional
balances left at the end valued at a 22% rate (Owl's heirs' rate). Owl's Medicare premiums
are switched off (assetloc has none) and, for the main comparison, so are its Roth
conversions (assetloc's simulator has none); a second Owl run with conversions shows what
they are worth to Owl.

Owl's withdrawals (today's dollars, by account) are fed to assetloc's simulator when
``assetloc.simulate.run.simulate`` accepts a ``withdrawals`` array (years, accounts); if
it does not, the script says so and assetloc uses its own withdrawal order
(``taxable_first``). Run::

    pip install owlplanner            # the dev extra has it
    PYTHONPATH=src python examples/owl_compare.py

Estimates, not tax advice. What differs between the two models is listed at the end of
the output.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

SPENDING = 100_000.0  # after tax, today's dollars a year
INFLATION = 0.025
YEARS = 31  # 2026..2056: both reach 95 in 2056
BIRTH = "1961-01-15"
LIFE_EXPECTANCY = 95
PIAS = (2800, 1800)  # dollars a month at full retirement age (67 for 1961)
SS_AGE = 67
HEIRS_RATE = 0.22
DIVIDEND_RATE = 0.017  # assetloc's us_equity_large_cap income_yield
STOCKS, BONDS = 0.60, 0.40
MU_STOCKS, MU_BONDS = 0.0767, 0.0519  # horizon-2025 arithmetic means (as_given)

#: assetloc account id -> (Owl account type j, Owl individual i)
ACCOUNTS = {
    "brokerage": (0, 0, "taxable", 500_000.0, "self"),
    "ira": (1, 0, "traditional", 600_000.0, "self"),
    "ira_spouse": (1, 1, "traditional", 300_000.0, "spouse"),
    "roth": (2, 0, "roth", 200_000.0, "self"),
}

HOUSEHOLD = f"""
name = "Owl comparison: a retired couple of 65"

[investor]
filing_status = "married_filing_jointly"
taxable_income = 0            # the simulator computes each year's income
age = 65
spouse_age = 65
tax_year = 2026
retirement_rate = {HEIRS_RATE}
liquidation = "liquidate"

[objective]
kind = "fixed_mix"
mix = {{ us_equity_large_cap = {STOCKS}, us_corp_bonds_core = {BONDS} }}
returns = "as_given"

[plan]
years = {YEARS}
retire_in = 0
spending = {SPENDING}
social_security = {12 * sum(PIAS)}
social_security_age = {SS_AGE}
inflation = {INFLATION}
returns = "deterministic"
withdrawal_order = "{{order}}"{{fill}}
""" + "".join(
    f"""
[[accounts]]
id = "{acc}"
type = "{kind}"
balance = {bal}
owner = "{owner}"
"""
    for acc, (_, _, kind, bal, owner) in ACCOUNTS.items()
)


@dataclass(frozen=True)
class OwlRun:
    """Owl's plan in today's dollars (deflated by Owl's own cumulative inflation)."""

    withdrawals: np.ndarray  # (years, accounts) in ACCOUNTS order
    conversions: np.ndarray  # (years,) Roth conversions
    tax: np.ndarray  # (years,) federal income + gains + NIIT
    terminal: float  # after-tax value of the final bequest
    spending: float  # net spending a year (first year)


@contextlib.contextmanager
def _quiet_stdout_fd() -> Iterator[None]:
    """Silence file descriptor 1 (HiGHS prints its banner from C, past sys.stdout)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def run_owl(conversions: bool) -> OwlRun:
    """Owl, deterministic rates, its own withdrawal plan, maximizing the bequest at the
    fixed spending."""
    import owlplanner as owl

    log = io.StringIO()  # Owl's own log, kept out of this script's output
    plan = owl.Plan(["Alex", "Sam"], [BIRTH, BIRTH], [LIFE_EXPECTANCY] * 2, "owl", logstreams=[log])
    plan.setVerbose(False)
    bal: dict[tuple[int, int], float] = {}
    for j, i, _, b, _ in ACCOUNTS.values():
        bal[(j, i)] = bal.get((j, i), 0.0) + b / 1000

    def per(j: int) -> list[float]:
        return [bal.get((j, 0), 0.0), bal.get((j, 1), 0.0)]

    plan.setAccountBalances(taxable=per(0), taxDeferred=per(1), taxFree=per(2), startDate="01-01")
    plan.setCostBasis(per(0))  # basis = value: no embedded gain at the start
    plan.setRates("user", values=[100 * MU_STOCKS, 100 * MU_BONDS, 0.0, 100 * INFLATION])
    mix = [[100 * STOCKS, 100 * BONDS, 0, 0]] * 2
    plan.setAllocationRatios("individual", generic=[mix, mix])
    plan.setDividendRate(100 * DIVIDEND_RATE)
    plan.setHeirsTaxRate(100 * HEIRS_RATE)
    plan.setExpirationYearOBBBA(2100)
    plan.setSocialSecurity(list(PIAS), [SS_AGE, SS_AGE])
    plan.setSpendingProfile("flat")
    options: dict[str, Any] = {
        "netSpending": SPENDING / 1000,
        "withMedicare": "none",
        "solver": "HiGHS",
    }
    if not conversions:
        options["maxRothConversion"] = 0
    with contextlib.redirect_stdout(log), _quiet_stdout_fd():
        plan.solve("maxBequest", options=options)
    if plan.caseStatus != "solved":
        raise RuntimeError(f"Owl did not solve the plan: {plan.caseStatus}")
    n = plan.N_n
    deflator = plan.gamma_n[:n]
    w = np.zeros((n, len(ACCOUNTS)))
    for k, (j, i, _, _, _) in enumerate(ACCOUNTS.values()):
        w[:, k] = plan.w_ijn[i, j, :n] / deflator
    tax = (plan.T_n + plan.U_n + plan.J_n) / deflator  # income, gains, NIIT
    summary = plan.summaryDic()
    today = " (today's $)"
    terminal = _dollars(summary["Total after-tax value of final bequest" + today])
    total = sum(
        _dollars(summary[key + today])
        for key in (
            "Total tax paid on ordinary income",
            "Total tax paid on gains and dividends",
            "Total net investment income tax paid",
        )
    )
    if abs(total - tax.sum()) > 1.0 * n:  # the summary rounds to dollars
        raise RuntimeError(f"Owl's yearly taxes {tax.sum():,.0f} != its summary {total:,.0f}")
    return OwlRun(
        withdrawals=w,
        conversions=plan.x_in[:, :n].sum(axis=0) / deflator,
        tax=tax,
        terminal=terminal,
        spending=float(plan.g_n[0]),
    )


def _dollars(text: str) -> float:
    """'$1,234' (Owl's summary, today's dollars) -> 1234.0."""
    return float(str(text).replace("$", "").replace(",", "").split()[0])


def household_toml(order: str) -> str:
    """The assetloc household with a withdrawal order (``fill_bracket`` fills the 12%
    bracket with traditional withdrawals first, as Owl's plan does here)."""
    fill = "\nfill_bracket_rate = 0.12" if order == "fill_bracket" else ""
    return HOUSEHOLD.replace("{order}", order).replace("{fill}", fill)


def run_assetloc(
    withdrawals: np.ndarray | None, order: str = "taxable_first"
) -> tuple[dict[str, tuple[float, float]], str]:
    """assetloc's simulator on the same household: strategy -> (lifetime tax, terminal
    after-tax wealth), today's dollars; and a note on how withdrawals were set."""
    from assetloc.inputs.household import parse_household

    try:
        from assetloc.simulate.run import simulate
    except ImportError:
        return {}, "assetloc.simulate.run.simulate is not available on this branch"
    h = parse_household(tomllib.loads(household_toml(order)))
    kwargs: dict[str, Any] = {"progress": None}
    note = f"assetloc's own withdrawal order ({order})"
    if withdrawals is not None:
        if "withdrawals" in inspect.signature(simulate).parameters:
            kwargs["withdrawals"] = withdrawals
            note = "Owl's withdrawals, by account and year"
        else:
            note += (
                "; simulate() takes no withdrawal schedule yet, so Owl's withdrawals were NOT fed"
            )
    result = simulate(h, **kwargs)
    out = {}
    for name, o in result.outcomes.items():
        out[name] = (float(np.mean(o.lifetime_tax)), float(np.mean(o.terminal_wealth)))
    return out, note


DIFFERENCES = (
    "Timing: Owl withdraws at the start of each year, before that year's return "
    "(b_{n+1} = (1 + r)(b_n - w_n + ...)); assetloc's engine after the year's return. Owl's "
    "spending thus forgoes about one year's return more: a few percent of terminal wealth.",
    "Owl models Social Security benefits paid in arrears and its own SS taxation loop; "
    "assetloc takes the year's gross benefits from the stated age.",
    "Owl tracks one average-cost basis per taxable account; assetloc tracks lots.",
    "Owl's bond interest and equity dividends are taxed each year by its own rates; "
    "assetloc uses the class's tax traits (income yield, qualified share, turnover).",
    "Owl decides withdrawals by linear programming over the whole horizon (perfect "
    "foresight); assetloc follows a rule each year unless fed Owl's schedule.",
    "Terminal wealth: Owl's after-tax bequest (traditional at the heirs' rate); assetloc's "
    "after-tax liquidation value (traditional at retirement_rate, taxable gains taxed).",
)


def main() -> int:
    try:
        import owlplanner  # noqa: F401
    except ImportError:
        print("owlplanner is not installed: pip install owlplanner (in the dev extra)")
        return 1
    owl_plain = run_owl(conversions=False)
    owl_conv = run_owl(conversions=True)
    ours, note = run_assetloc(owl_plain.withdrawals)
    filled, _ = run_assetloc(None, "fill_bracket")
    print("One household through Owl and assetloc (today's dollars; estimates, not tax advice)")
    print(f"  {YEARS} years, deterministic returns, spending ${SPENDING:,.0f} a year after tax")
    print()
    print(f"{'model / strategy':<44}{'lifetime tax':>16}{'terminal wealth':>18}")
    rows = [
        ("Owl, its withdrawals, no Roth conversions", owl_plain),
        ("Owl, its withdrawals and Roth conversions", owl_conv),
    ]
    for label, run in rows:
        print(f"{label:<44}{run.tax.sum():>16,.0f}{run.terminal:>18,.0f}")
    if not ours:
        print(f"assetloc: {note}")
    fed = "Owl's withdrawals" if note.startswith("Owl's") else "taxable first"
    for name, (tax, wealth) in ours.items():
        print(f"{'assetloc ' + name + ', ' + fed:<44}{tax:>16,.0f}{wealth:>18,.0f}")
    for name in ("joint", "duplicate"):
        if name in filled:
            tax, wealth = filled[name]
            label = f"assetloc {name}, fill the 12% bracket"
            print(f"{label:<44}{tax:>16,.0f}{wealth:>18,.0f}")
    print()
    for label, runs in ((f"with {fed}", ours), ("filling the 12% bracket", filled)):
        if "joint" in runs and "duplicate" in runs:
            gain = runs["joint"][1] - runs["duplicate"][1]
            bp = ((runs["joint"][1] / runs["duplicate"][1]) ** (1 / YEARS) - 1) * 1e4
            print(f"Location (joint - duplicate), {label}: {gain:+,.0f} ({bp:+.1f} bp a year)")
    print(f"\nassetloc withdrawals: {note}")
    first = owl_plain.withdrawals[:5].round(-2)
    print("Owl's withdrawals, first 5 years (brokerage, ira, ira_spouse, roth):")
    for t, row in enumerate(first):
        print(f"  {2026 + t}: " + ", ".join(f"{v:,.0f}" for v in row))
    print(f"Owl's Roth conversions when allowed: {owl_conv.conversions.sum():,.0f} in total")
    print("\nWhat differs between the models:")
    for line in DIFFERENCES:
        print(f"  - {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
