"""Results: holdings per account, household mix, metrics, baselines (to_dict / to_frame)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assetloc.model.problem import Problem
from assetloc.notice import NOTICE
from assetloc.types import FloatArray

if TYPE_CHECKING:
    import pandas as pd


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
    """E = μ'z, SD = √(z'Σz), U (see :meth:`Problem.utility`), Sharpe = (E − cash) / SD.

    z is the portfolio of the ``view`` (default: the optimized one): the after-tax exposure
    e for ``financial``, (F·e + H·h − L·l) / W for ``net_worth``.
    """
    z = p.view(view).portfolio(p.exposure(x))
    er = float(p.mu @ z)
    var = float(z @ p.cov @ z)
    sd = float(np.sqrt(max(var, 0.0)))
    cash = p.market.cash_rate
    return Metrics(
        expected_return=er,
        volatility=sd,
        utility=p.utility(er, var),
        sharpe=(er - cash) / sd if sd > 0 else None,
    )


@dataclass(frozen=True)
class Baseline:
    """A comparison portfolio: its holdings (shares of F) and metrics."""

    name: str
    x: FloatArray
    metrics: Metrics


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

    @property
    def holdings(self) -> FloatArray:
        """Dollars per account (own, face-value dollars) and class, shape (K, n)."""
        return self.problem.dollars(self.x)

    @property
    def mix(self) -> FloatArray:
        """Household mix on the after-tax basis (sums to 1)."""
        mix: FloatArray = self.x.sum(axis=0)
        return mix

    @property
    def mix_pre_tax(self) -> FloatArray:
        """Household mix in face-value dollars (sums to 1)."""
        d = self.holdings.sum(axis=0)
        mix: FloatArray = d / d.sum()
        return mix

    def improvement_bp(self, baseline: str) -> dict[str, float]:
        """Optimum minus ``baseline`` in basis points a year (E and U)."""
        b = self.baselines[baseline].metrics
        return {
            "expected_return_bp": 1e4 * (self.metrics.expected_return - b.expected_return),
            "utility_bp": 1e4 * (self.metrics.utility - b.utility),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result: dollars, decimals, basis points as named."""
        p = self.problem
        ids = p.market.ids
        dollars = self.holdings
        accounts = [
            {
                "id": p.account_ids[k],
                "type": p.account_types[k],
                "balance": float(p.balances[k]),
                "after_tax_value": float(p.value_factor[k] * p.balances[k]),
                "holdings": {ids[i]: float(dollars[k, i]) for i in range(p.n)},
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
                "mix": dict(zip(ids, map(float, self.mix), strict=True)),
                "mix_pre_tax": dict(zip(ids, map(float, self.mix_pre_tax), strict=True)),
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

    def views(self) -> dict[str, dict[str, float]]:
        """E and SD of the portfolio seen as financial assets and as part of net worth."""
        out = {}
        for name in ("financial", "net_worth"):
            m = metrics(self.problem, self.x, name)
            out[name] = {
                "expected_return": m.expected_return,
                "volatility": m.volatility,
                "utility": m.utility,
            }
        return out

    def balance_sheet(self) -> dict[str, Any]:
        """Pre-tax and after-tax value of each account and in total, dollars."""
        p = self.problem
        rows = [
            {
                "item": f"{p.account_ids[k]} ({p.account_types[k]})",
                "pre_tax": float(p.balances[k]),
                "after_tax": float(p.value_factor[k] * p.balances[k]),
            }
            for k in range(p.k)
        ]
        rows.append(
            {
                "item": "financial wealth (F)",
                "pre_tax": float(p.balances.sum()),
                "after_tax": p.wealth,
            }
        )
        if p.has_net_worth:
            for name, pv in p.networth.items:
                sign = -1.0 if name.startswith("liability") else 1.0
                rows.append({"item": name, "pre_tax": sign * pv, "after_tax": sign * pv})
            rows.append(
                {
                    "item": "net worth (W = F + H - L)",
                    "pre_tax": float(p.balances.sum())
                    + p.networth.human_capital
                    - p.networth.liabilities,
                    "after_tax": p.net_worth_total,
                }
            )
        return {"rows": rows}

    def to_frame(self) -> pd.DataFrame:
        """Holdings as a long table: account, type, class, dollars, share of account."""
        p = self.problem
        d = self.holdings
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
        import pandas as pd

        return pd.DataFrame(rows)
