"""Results: holdings per account, household mix, metrics, baselines (to_dict / to_frame).

A :class:`Plan` owns its presentation: labelled pandas views (``mix``, ``holdings``,
``to_frame()``), ``summary()``, a short ``repr`` and ``_repr_html_`` for notebooks, and plot
methods (``plot_allocation``, ``plot_mix``) that draw with :mod:`assetloc.present.charts`.
pandas and matplotlib are imported inside the methods that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from assetloc.errors import InputError
from assetloc.model.problem import Problem
from assetloc.notice import NOTICE
from assetloc.solve import portfolio_moments
from assetloc.types import FloatArray
from assetloc.units import bp, pct, usd

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class Metrics:
    """After-tax expected return and volatility (decimals per year), utility, Sharpe ratio.

    ``utility`` is the household's (mean-variance, or CRRA for ``crra``); ``sharpe`` is None
    for a riskless portfolio.
    """

    expected_return: float
    volatility: float
    utility: float
    sharpe: float | None

    def to_dict(self) -> dict[str, float | None]:
        """Plain floats."""
        return {
            "expected_return": self.expected_return,
            "volatility": self.volatility,
            "utility": self.utility,
            "sharpe": self.sharpe,
        }


def metrics(p: Problem, x: FloatArray, view: str | None = None) -> Metrics:
    """E = μ'z, SD = √(z'Σz), U (see :meth:`Problem.utility`), Sharpe = (E − cash) / SD
    (E and z'Σz by :func:`assetloc.solve.portfolio_moments`: every sum left to right).

    z is the portfolio of the ``view`` (default: the optimized one): the after-tax exposure
    e for ``financial``, (F·e + H·h − L·l) / W for ``net_worth``.
    """
    v = p.view(view)
    er, var = portfolio_moments(p.tau, x, v.scale, v.offset, p.mu, p.cov)
    sd = float(np.sqrt(max(var, 0.0)))
    cash = p.market.cash_rate
    return Metrics(
        expected_return=er,
        volatility=sd,
        utility=p.utility(er, var),
        sharpe=(er - cash) / sd if sd > 0 else None,
    )


#: a difference in expected return or utility below this (decimal a year) is rounding
SAME = 1e-12


def _bp_gap(a: float, b: float) -> float:
    """(a − b)·10⁴ bp, or 0 when |a − b| < :data:`SAME`."""
    d = a - b
    return 0.0 if abs(d) < SAME else 1e4 * d


@dataclass(frozen=True)
class Baseline:
    """A comparison portfolio: its holdings (shares of F) and metrics."""

    name: str
    x: FloatArray
    metrics: Metrics


@dataclass(frozen=True)
class BalanceRow:
    """One line of the balance sheet: pre-tax and after-tax value, dollars."""

    item: str
    pre_tax: float
    after_tax: float


@dataclass(frozen=True)
class Plan:
    """An optimized household: holdings x (shares of F, shape (K, n)) and the evidence."""

    method: str
    problem: Problem
    x: FloatArray
    metrics: Metrics
    baselines: dict[str, Baseline]
    tie_break: str
    assumptions: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def dollars(self) -> FloatArray:
        """Dollars per account (own, face-value dollars) and class, array of shape (K, n);
        computed once, read-only."""
        d = self.problem.dollars(self.x)
        d.setflags(write=False)
        return d

    @property
    def weights(self) -> FloatArray:
        """Household mix on the after-tax basis as an array of shape (n,) (sums to 1)."""
        w: FloatArray = self.x.sum(axis=0)
        return w

    @property
    def weights_pre_tax(self) -> FloatArray:
        """Household mix in face-value dollars as an array of shape (n,) (sums to 1)."""
        d: FloatArray = self.dollars.sum(axis=0)
        return d / float(d.sum())

    @property
    def classes(self) -> tuple[str, ...]:
        """Asset class ids, in the order of every array and view."""
        return tuple(self.problem.market.ids)

    @property
    def class_labels(self) -> dict[str, str]:
        """Class id → the preset's human label."""
        return dict(zip(self.problem.market.ids, self.problem.market.labels, strict=True))

    @property
    def holdings(self) -> pd.DataFrame:
        """Dollars per account (rows, by account id) and asset class (columns, by class id)."""
        import pandas as pd

        p = self.problem
        frame = pd.DataFrame(self.dollars, index=list(p.account_ids), columns=list(self.classes))
        frame.index.name, frame.columns.name = "account", "asset_class"
        return frame

    @property
    def mix(self) -> pd.Series:
        """Household mix on the after-tax basis, by class id (decimals summing to 1)."""
        import pandas as pd

        return pd.Series(self.weights, index=list(self.classes), name="mix").rename_axis(
            "asset_class"
        )

    @property
    def mix_pre_tax(self) -> pd.Series:
        """Household mix in face-value dollars, by class id (decimals summing to 1)."""
        import pandas as pd

        return pd.Series(
            self.weights_pre_tax, index=list(self.classes), name="mix_pre_tax"
        ).rename_axis("asset_class")

    def baseline(self, name: str) -> Baseline:
        """The baseline ``name``; an unknown name raises :class:`InputError` naming the known."""
        if name not in self.baselines:
            known = ", ".join(self.baselines) or "none"
            raise InputError("baseline", f"unknown baseline {name!r}; this plan has: {known}")
        return self.baselines[name]

    def improvement_bp(self, baseline: str) -> dict[str, float]:
        """Optimum minus ``baseline`` in basis points a year (E and U); a difference below
        :data:`SAME` (decimal a year) is the same portfolio up to rounding: 0."""
        b = self.baseline(baseline).metrics
        return {
            "expected_return_bp": _bp_gap(self.metrics.expected_return, b.expected_return),
            "utility_bp": _bp_gap(self.metrics.utility, b.utility),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result: dollars, decimals, basis points as named."""
        p = self.problem
        ids = p.market.ids
        dollars = self.dollars.tolist()
        balances = p.balances.tolist()
        after_tax = (p.value_factor * p.balances).tolist()
        accounts = [
            {
                "id": p.account_ids[k],
                "type": p.account_types[k],
                "balance": balances[k],
                "after_tax_value": after_tax[k],
                "holdings": dict(zip(ids, dollars[k], strict=True)),
            }
            for k in range(p.k)
        ]
        return {
            "method": self.method,
            "accounts": accounts,
            "balance_sheet": self.balance_sheet(),
            "household": {
                "balance": float(p.balances.sum()),
                "after_tax_wealth": p.wealth,
                "mix": dict(zip(ids, self.weights.tolist(), strict=True)),
                "mix_pre_tax": dict(zip(ids, self.weights_pre_tax.tolist(), strict=True)),
            },
            "class_labels": dict(zip(ids, p.market.labels, strict=True)),
            "context": p.context,
            "metrics": self.metrics.to_dict(),
            "views": self.views(),
            "baselines": {name: b.metrics.to_dict() for name, b in self.baselines.items()},
            "improvement_bp": {name: self.improvement_bp(name) for name in self.baselines},
            "tie_break": self.tie_break,
            "assumptions": self.assumptions,
            "notice": NOTICE,
        }

    def view_metrics(self) -> dict[str, Metrics]:
        """The plan's metrics seen as financial assets and as part of net worth (the
        optimized view's are :attr:`metrics`, computed once)."""
        context = self.problem.context
        return {
            name: self.metrics if name == context else metrics(self.problem, self.x, name)
            for name in ("financial", "net_worth")
        }

    def views(self) -> dict[str, dict[str, float]]:
        """E and SD of the portfolio seen as financial assets and as part of net worth."""
        out = {}
        for name, m in self.view_metrics().items():
            out[name] = {
                "expected_return": m.expected_return,
                "volatility": m.volatility,
                "utility": m.utility,
            }
        return out

    def balance_rows(self) -> tuple[BalanceRow, ...]:
        """Pre-tax and after-tax value of each account and in total (and, with human capital
        or liabilities, each item and net worth), dollars."""
        p = self.problem
        balances, factors = p.balances.tolist(), p.value_factor.tolist()
        rows = [
            BalanceRow(f"{p.account_ids[k]} ({p.account_types[k]})", b, v * b)
            for k, (b, v) in enumerate(zip(balances, factors, strict=True))
        ]
        rows.append(BalanceRow("financial wealth (F)", float(p.balances.sum()), p.wealth))
        if p.has_net_worth:
            for name, pv in p.networth.items:
                sign = -1.0 if name.startswith("liability") else 1.0
                rows.append(BalanceRow(name, sign * pv, sign * pv))
            rows.append(
                BalanceRow(
                    "net worth (W = F + H - L)",
                    float(p.balances.sum()) + p.networth.human_capital - p.networth.liabilities,
                    p.net_worth_total,
                )
            )
        return tuple(rows)

    def balance_sheet(self) -> dict[str, Any]:
        """Pre-tax and after-tax value of each account and in total, dollars (JSON-ready)."""
        return {
            "rows": [
                {"item": r.item, "pre_tax": r.pre_tax, "after_tax": r.after_tax}
                for r in self.balance_rows()
            ]
        }

    def to_frame(self) -> pd.DataFrame:
        """Holdings as a long table: account, type, class, dollars, share of account."""
        import pandas as pd

        p = self.problem
        d = self.dollars
        rows = []
        for k in range(p.k):
            for i, cid in enumerate(p.market.ids):
                bal = p.balances[k]
                rows.append(
                    {
                        "account": p.account_ids[k],
                        "type": p.account_types[k],
                        "asset_class": cid,
                        "dollars": float(d[k, i]),
                        "share_of_account": float(d[k, i] / bal) if bal > 0 else 0.0,
                    }
                )

        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ presentation

    def _headline(self) -> str:
        m = self.metrics
        sharpe = "–" if m.sharpe is None else f"{m.sharpe:.3f}"
        return (
            f"E {pct(m.expected_return)}, SD {pct(m.volatility)}, U {pct(m.utility)}, "
            f"Sharpe {sharpe} (after tax, per year)"
        )

    def __repr__(self) -> str:
        """One line: method, objective, view, accounts, classes and the headline metrics."""
        p = self.problem
        return (
            f"<Plan {self.method}, {p.kind} in the {p.context} view: {p.k} accounts, "
            f"{p.n} classes, {usd(p.balances.sum(), 0)}; {self._headline()}>"
        )

    def summary(self) -> str:
        """A few lines: the headline, the mix by class and the gain over each baseline."""
        lines = [repr(self), "household mix (after tax):"]
        labels = self.class_labels
        for cid, w in zip(self.classes, self.weights, strict=True):
            if w >= 5e-4:
                lines.append(f"  {labels[cid]:<32} {pct(w):>7}")
        for name in self.baselines:
            g = self.improvement_bp(name)
            lines.append(
                f"gain vs {name}: U {bp(g['utility_bp'])}/yr, E {bp(g['expected_return_bp'])}/yr"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """A small table for notebooks: dollars by class and account, with the mix."""
        frame = self.holdings.T
        frame["mix (after tax)"] = self.weights
        style = frame.style.format(lambda v: usd(v, 0), subset=list(self.holdings.index)).format(
            pct, subset=["mix (after tax)"]
        )
        return str(style.set_caption(repr(self)).to_html())

    def plot_allocation(self, ax: Axes | None = None) -> Axes:
        """Stacked bars of dollars by class in each account (a new figure without ``ax``)."""
        from assetloc.present import charts

        return charts.plot_allocation(self, ax)

    def plot_mix(self, ax: Axes | None = None) -> Axes:
        """Household mix after tax vs pre-tax, per class (a new figure without ``ax``)."""
        from assetloc.present import charts

        return charts.plot_mix(self, ax)
