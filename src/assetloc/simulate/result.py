"""The simulator's result: every strategy's outcomes over the paths, the lifecycle, the
assumptions; its JSON (``to_dict``), tables (``to_frame``, ``summary``) and charts.

Money is in **today's dollars** (nominal dollars deflated by the plan's inflation) unless a
name says otherwise; wealth is after tax (see :class:`~assetloc.simulate.outcome.
StrategyOutcome`). The **location value** of a strategy s against a reference (``duplicate``)
on one path is the constant extra after-tax return, in basis points a year, that turns the
reference's terminal wealth into the strategy's over the T simulated years:
v = ((W_s / W_ref)^(1/T) − 1)·10⁴, so W_ref·(1 + v/10⁴)^T = W_s.

pandas and matplotlib are imported inside the methods that need them.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assetloc.errors import InputError
from assetloc.notice import NOTICE
from assetloc.simulate.metrics import (
    PERCENTILES,
    location_value_bp,
    risk_adjusted_value_bp,
    share_negative,
    stats,
)
from assetloc.tax.engine import NOT_MODELLED
from assetloc.tax.law import supported_years
from assetloc.types import FloatArray
from assetloc.units import bp, number, pct, usd

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from assetloc.simulate.lifecycle import Lifecycle
    from assetloc.simulate.outcome import StrategyOutcome

#: the strategy every location value is measured against
REFERENCE = "duplicate"

#: what every simulation states, whatever the run adds (the run's own entries win)
STANDARD_ASSUMPTIONS: dict[str, Any] = {
    "dollars": (
        "today's dollars: nominal amounts divided by (1 + inflation)^t; with inflation = 0 "
        "they are nominal dollars"
    ),
    "wealth": (
        "after tax at each year end: taxable accounts at their liquidation value after the "
        "tax on unrealized gains, traditional accounts after ordinary tax at the stated "
        "rate, Roth and HSA at face"
    ),
    "location_value": (
        "per path, the constant extra after-tax return in bp a year that turns duplicate's "
        "terminal wealth into the strategy's: ((W_s / W_duplicate)^(1/T) - 1) x 10,000"
    ),
    "taxable_rebalance_sales": (
        "share_of_years: share of (path, year) pairs in which rebalancing sold in a taxable "
        "account; share_of_paths: share of paths with at least one such year; tax: mean over "
        "paths of the total tax those sales cost over the run, today's dollars"
    ),
    "social_security": (
        "the [plan] benefit, gross, in today's dollars (cost-of-living adjusted with "
        "inflation) from the year the investor reaches social_security_age; with a filing "
        "status its taxable part follows IRC §86 (0/50/85%) in the year's return, with "
        "stated rates 85% of it is taxed at the withdrawal rate"
    ),
    "percentiles": "p5, p50, p95 over the paths (linear interpolation); mean over the paths",
    "not_modelled": list(NOT_MODELLED),
}


def tax_law_note() -> str:
    """Which law taxes each simulated year (the bundled federal years, then the last one)."""
    years = supported_years()
    return (
        "with a filing status, year t is taxed under the federal law of calendar year "
        f"tax_year + t (bundled: {', '.join(map(str, years))}; later years: {years[-1]}'s "
        "law, its indexed amounts growing with inflation; the NIIT thresholds, Social "
        "Security base amounts and the $3,000 loss limit fixed in nominal dollars, as in "
        "the statute), one flat state rate; with stated marginal rates, those rates every "
        "year"
    )


@dataclass(frozen=True)
class SimulationResult:
    """What ``assetloc simulate`` computed: one :class:`StrategyOutcome` per strategy.

    ``paths`` scenarios of ``years`` years each, drawn by ``returns`` (``montecarlo``,
    ``bootstrap`` or ``deterministic``) from ``seed``; ``lifecycle`` is Kaplan's human
    capital / financial wealth / CRRA consumption path (None when it cannot be formed);
    ``assumptions`` what the run assumed (merged over :data:`STANDARD_ASSUMPTIONS`);
    ``elapsed_s`` the run's wall time in seconds; ``risk_aversion`` the household's relative
    risk aversion γ, for the risk-adjusted location value (None: not reported);
    ``household_mix`` each strategy's household mix at the start and held over the run,
    judged pre-tax and against joint's (:func:`assetloc.simulate.run.household_mixes`;
    empty: not computed).
    """

    paths: int
    years: int
    seed: int | None
    returns: str
    outcomes: dict[str, StrategyOutcome]
    lifecycle: Lifecycle | None
    assumptions: dict[str, Any]
    elapsed_s: float
    risk_aversion: float | None = None
    household_mix: dict[str, dict[str, float]] = field(default_factory=dict)

    # ------------------------------------------------------------------ access

    @property
    def names(self) -> tuple[str, ...]:
        """The strategies, in the order they were run."""
        return tuple(self.outcomes)

    def outcome(self, name: str) -> StrategyOutcome:
        """One strategy's outcome; an unknown name is an :class:`InputError` naming the known."""
        if name not in self.outcomes:
            known = ", ".join(self.outcomes) or "none"
            raise InputError("strategy", f"unknown strategy {name!r} (known: {known})")
        return self.outcomes[name]

    def location_value_bp(self, name: str, over: str = REFERENCE) -> FloatArray:
        """Per path, ((W_name / W_over)^(1/T) − 1)·10⁴: bp a year of after-tax return.

        NaN on a path where either terminal wealth is not positive (no rate turns one into
        the other); every statistic of :meth:`to_dict` skips those paths and counts them.
        """
        a = self.outcome(name).terminal_wealth
        b = self.outcome(over).terminal_wealth
        return location_value_bp(a, b, self.years)

    def wealth_percentiles(self, name: str) -> FloatArray:
        """(3, years + 1): the 5th, 50th and 95th percentile over paths of after-tax wealth
        at each year end (index 0 = the start), today's dollars."""
        w = np.asarray(self.outcome(name).wealth, dtype=float)
        out: FloatArray = np.percentile(w, PERCENTILES, axis=0)
        return out

    def _fan(self, name: str) -> dict[str, list[float] | list[int]]:
        """The fan chart's data: year 0..years and after-tax wealth at its 5th, 50th and
        95th percentile over paths (today's dollars)."""
        q = self.wealth_percentiles(name)
        out: dict[str, list[float] | list[int]] = {"year": list(range(q.shape[1]))}
        for j, p in enumerate(PERCENTILES):
            out[f"wealth_p{p}"] = [float(v) for v in q[j]]
        return out

    def taxable_rebalance_sales(self, name: str) -> dict[str, float]:
        """The guide's "core challenge": how often rebalancing sold in a taxable account.

        ``share_of_years``: of all (path, year) pairs; ``share_of_paths``: paths with at
        least one such year; ``tax``: mean over paths of the run's total tax on those sales
        (today's dollars).
        """
        o = self.outcome(name)
        sale = np.asarray(o.taxable_sale, dtype=bool)
        tax = np.asarray(o.taxable_sale_tax, dtype=float)
        return {
            "share_of_years": float(sale.mean()) if sale.size else 0.0,
            "share_of_paths": float(sale.any(axis=1).mean()) if sale.size else 0.0,
            "tax": float(tax.sum(axis=1).mean()) if tax.size else 0.0,
        }

    def _location_stats(self, name: str) -> dict[str, float | int | None]:
        v = self.location_value_bp(name)
        finite = v[np.isfinite(v)]
        out: dict[str, float | int | None] = dict(stats(finite)) if finite.size else {}
        out["share_negative"] = share_negative(finite)
        undefined = int(v.size - finite.size)
        if undefined:
            out["paths_undefined"] = undefined
        if self.risk_aversion is not None:
            ce = risk_adjusted_value_bp(
                self.outcome(name).terminal_wealth,
                self.outcome(REFERENCE).terminal_wealth,
                self.years,
                self.risk_aversion,
            )
            out["risk_adjusted"] = ce if math.isfinite(ce) else None  # None: a path W <= 0
        return out

    def _compared(self) -> list[str]:
        return [n for n in self.outcomes if n != REFERENCE] if REFERENCE in self.outcomes else []

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document: per strategy the distributions of terminal wealth,
        sustainable spending and lifetime tax (``mean``, ``p5``, ``p50``, ``p95``, today's
        dollars) and the taxable rebalance sales; the location value against ``duplicate``
        (bp a year); ``wealth_fan``: per strategy the 5th/50th/95th percentile of after-tax
        wealth at each year end (today's dollars); the lifecycle; the assumptions; the notice."""
        strategies: dict[str, Any] = {}
        for name, o in self.outcomes.items():
            entry: dict[str, Any] = {
                "terminal_wealth": stats(o.terminal_wealth),
                "spending": stats(o.spending),
                "lifetime_tax": stats(o.lifetime_tax),
                "taxable_rebalance_sales": self.taxable_rebalance_sales(name),
            }
            if o.reoptimized is not None:
                entry["reoptimized"] = dict(o.reoptimized)
            strategies[name] = entry
        return {
            "paths": self.paths,
            "years": self.years,
            "seed": self.seed,
            "returns": self.returns,
            "strategies": strategies,
            "location_value_bp": {n: self._location_stats(n) for n in self._compared()},
            "household_mix": {n: dict(v) for n, v in self.household_mix.items()},
            "wealth_fan": {n: self._fan(n) for n in self.outcomes},
            "lifecycle": None if self.lifecycle is None else lifecycle_dict(self.lifecycle),
            "assumptions": {
                **STANDARD_ASSUMPTIONS,
                "tax_law": tax_law_note(),
                **self.assumptions,
            },
            "risk_aversion": self.risk_aversion,
            "elapsed_s": self.elapsed_s,
            "notice": NOTICE,
        }

    # ------------------------------------------------------------------ tables

    def to_frame(self) -> pd.DataFrame:
        """Strategies × (measure, statistic): terminal wealth, spending, lifetime tax
        (today's dollars), taxable rebalance sales, location value vs duplicate (bp/yr)."""
        import pandas as pd

        rows: dict[str, dict[tuple[str, str], float]] = {}
        compared = set(self._compared())
        for name, o in self.outcomes.items():
            row: dict[tuple[str, str], float] = {}
            for measure, values in (
                ("terminal_wealth", o.terminal_wealth),
                ("spending", o.spending),
                ("lifetime_tax", o.lifetime_tax),
            ):
                for stat, v in stats(values).items():
                    row[(measure, stat)] = v
            for key, v in self.taxable_rebalance_sales(name).items():
                row[("taxable_rebalance_sales", key)] = v
            if name in compared:
                for key, lv in self._location_stats(name).items():
                    row[("location_value_bp", key)] = float("nan") if lv is None else float(lv)
            rows[name] = row
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["measure", "statistic"])
        frame.index.name = "strategy"
        return frame

    def wealth_frame(self) -> pd.DataFrame:
        """Long table of the fan chart: strategy, year, p5, p50, p95 of after-tax wealth."""
        import pandas as pd

        rows = []
        for name in self.outcomes:
            q = self.wealth_percentiles(name)
            for t in range(q.shape[1]):
                rows.append(
                    {
                        "strategy": name,
                        "year": t,
                        **{f"p{p}": float(q[j, t]) for j, p in enumerate(PERCENTILES)},
                    }
                )
        return pd.DataFrame(rows)

    def _headline(self) -> str:
        if self.returns == "deterministic":
            run = f"deterministic (one path) x {self.years} years"
        else:
            run = (
                f"{number(self.paths)} {self.returns} paths x {self.years} years, seed {self.seed}"
            )
        return f"{run}, {len(self.outcomes)} strategies"

    def __repr__(self) -> str:
        """One line: paths, years, method, and joint's location value when there is one."""
        extra = ""
        if "joint" in self._compared():
            v = self._location_stats("joint")
            mean = v.get("mean")
            if mean is not None:
                extra = f"; joint vs duplicate {bp(float(mean))}/yr (mean)"
        return f"<SimulationResult {self._headline()}{extra}>"

    def summary(self) -> str:
        """A few lines: the run, each strategy's median terminal wealth and spending, and
        the location value against duplicate."""
        lines = [repr(self), "median after tax, today's dollars:"]
        for name, o in self.outcomes.items():
            tw, sp = stats(o.terminal_wealth), stats(o.spending)
            lines.append(
                f"  {name:<14} terminal wealth {usd(tw['p50'], 0):>14}  "
                f"spending {usd(sp['p50'], 0):>10}/yr"
            )
        for name in self._compared():
            v = self._location_stats(name)
            if v.get("mean") is not None:
                lines.append(
                    f"location value {name} vs duplicate: mean {bp(float(v['mean'] or 0))}/yr, "
                    f"p5 {bp(float(v['p5'] or 0))}, p95 {bp(float(v['p95'] or 0))}, "
                    f"negative on {pct(float(v['share_negative'] or 0), 0)} of paths"
                )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """A small table for notebooks: median terminal wealth, spending, tax, location value."""
        frame = self.to_frame()
        cols = [
            c
            for c in (
                ("terminal_wealth", "p50"),
                ("spending", "p50"),
                ("lifetime_tax", "p50"),
                ("location_value_bp", "mean"),
            )
            if c in frame.columns
        ]
        small = frame[cols].copy()
        small.columns = [" ".join(c).replace("_", " ") for c in cols]
        money = [c for c in small.columns if not c.startswith("location")]
        style = small.style.format(lambda v: usd(v, 0), subset=money, na_rep="–")
        if "location value bp mean" in small.columns:
            style = style.format(lambda v: bp(v), subset=["location value bp mean"], na_rep="–")
        return str(style.set_caption(html.escape(repr(self))).to_html())

    # ------------------------------------------------------------------ charts

    def plot_fan(self, ax: Axes | None = None) -> Axes:
        """After-tax wealth per strategy over the years: median line, 5–95% band."""
        from assetloc.present import simulate_charts

        return simulate_charts.plot_fan(self, ax)

    def plot_location_value(self, ax: Axes | None = None) -> Axes:
        """Histogram of the per-path location value of each strategy against duplicate."""
        from assetloc.present import simulate_charts

        return simulate_charts.plot_location_value(self, ax)


def lifecycle_dict(lc: Lifecycle) -> dict[str, Any]:
    """Kaplan's lifecycle by year, today's dollars: human capital H, financial wealth F,
    total W = H + F and the CRRA consumption path."""
    return {
        "year": list(range(len(np.asarray(lc.total)))),
        "human_capital": _floats(lc.human_capital),
        "financial_wealth": _floats(lc.financial),
        "total_wealth": _floats(lc.total),
        "consumption": _floats(lc.consumption),
        **_lifecycle_parameters(lc),
    }


def _lifecycle_parameters(lc: Lifecycle) -> dict[str, Any]:
    """The scalar parameters the lifecycle carries: its rate r, ρ and ψ (when it has them)."""
    out: dict[str, Any] = {}
    for attr, key in (("rate", "rate"), ("rho", "time_preference"), ("psi", "eis")):
        value = getattr(lc, attr, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = float(value)
    return out


def _floats(a: Any) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]
