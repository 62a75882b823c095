"""Simulation outcomes built by hand (today's dollars): the fields of StrategyOutcome and
Lifecycle that SimulationResult reads, so result, tables and report tests need no run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assetloc.simulate.result import SimulationResult


@dataclass(frozen=True)
class Outcome:
    """The fields of StrategyOutcome the result reads (today's dollars)."""

    name: str
    wealth: np.ndarray  # (paths, years + 1)
    terminal_wealth: np.ndarray
    spending: np.ndarray
    lifetime_tax: np.ndarray
    tax: np.ndarray
    taxable_sale: np.ndarray
    taxable_sale_tax: np.ndarray
    reoptimized: dict[str, float] | None = None


@dataclass(frozen=True)
class Lifecycle:
    years: int
    human_capital: np.ndarray
    financial: np.ndarray
    total: np.ndarray
    consumption: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)


def outcome(name: str, terminal: np.ndarray, years: int, seed: int = 0) -> Outcome:
    rng = np.random.default_rng(seed)
    paths = terminal.size
    start = np.full(paths, 100_000.0)
    growth = (terminal / start) ** (1 / years)
    wealth = start[:, None] * growth[:, None] ** np.arange(years + 1)[None, :]
    sale = rng.random((paths, years)) < 0.3
    return Outcome(
        name=name,
        wealth=wealth,
        terminal_wealth=terminal,
        spending=terminal / 25.0,
        lifetime_tax=rng.uniform(1e4, 2e4, paths),
        tax=rng.uniform(0, 1e3, (paths, years)),
        taxable_sale=sale,
        taxable_sale_tax=np.where(sale, 100.0, 0.0),
    )


def result(outcomes: dict[str, Outcome], years: int, lifecycle: Any = None) -> SimulationResult:
    paths = next(iter(outcomes.values())).terminal_wealth.size
    return SimulationResult(
        paths=paths,
        years=years,
        seed=7,
        returns="montecarlo",
        outcomes=outcomes,  # type: ignore[arg-type]
        lifecycle=lifecycle,
        assumptions={"inflation": 0.025, "liquidation": "liquidate"},
        elapsed_s=0.5,
    )
