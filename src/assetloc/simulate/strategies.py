"""The strategies simulated side by side: target shares per account and class.

Each strategy is a holding x (K, n) in shares of after-tax wealth F (DESIGN.md §3):
``joint`` (the optimizer's plan), ``duplicate`` (its mix in every account),
``rule_of_thumb`` (the guide's placement of that mix), ``two_step`` (mix chosen ignoring
tax, then placed), ``separate`` (each account optimized alone). The simulator rebalances
each account every year to the strategy's shares of that account's own balance,
w[k, i] = x[k, i] / Σ_i x[k, i] (money cannot move between accounts); an account the plan
leaves empty holds the household mix over its menu if it later receives money.

Every ``reoptimize_every`` years the strategies are placed again on each path's own
account shares (:class:`Replacer`): ``joint`` re-solves the whole problem (its mix may
change: a mean-variance optimum depends on how much sits in taxable accounts);
``duplicate`` and ``rule_of_thumb`` place the re-solved joint mix, as they place the first
one, so that the location value compares locations of the same allocation; ``two_step``
places its tax-blind mix again; ``separate`` (each account alone) does not depend on the
shares. Without re-placing, each strategy's household mix would drift with the accounts
that grew or were spent. Paths whose account shares agree when rounded
to :data:`BUDGET_GRID` are placed once (a batch of unique problems per date).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assetloc.analysis.baselines import duplicate, rule_of_thumb
from assetloc.analysis.compare import separate, two_step
from assetloc.analysis.optimize import optimize, tax_flags
from assetloc.analysis.plan import Plan
from assetloc.errors import AssetlocError, InputError
from assetloc.inputs.household import Household
from assetloc.model.problem import Problem
from assetloc.solve import solve
from assetloc.types import FloatArray, ObjectiveKind

#: The strategies, in the order reported.
STRATEGIES: tuple[str, ...] = ("joint", "duplicate", "rule_of_thumb", "two_step", "separate")
#: Account shares of F are rounded to this grid (decimal) before a batch re-solve.
BUDGET_GRID = 0.02


#: How a strategy places on other account shares: the problem with those budgets → x.
Placer = Callable[[Problem], FloatArray]


@dataclass(frozen=True)
class Targets:
    """The plan, its problem, each strategy's holdings x (K, n) or why it failed, and how
    the budget-dependent strategies place on other account shares."""

    plan: Plan
    holdings: dict[str, FloatArray]
    errors: dict[str, str]
    placers: dict[str, Placer] = field(default_factory=dict)

    @property
    def problem(self) -> Problem:
        """The household's problem (shares of F)."""
        return self.plan.problem


def account_weights(x: FloatArray, p: Problem) -> FloatArray:
    """w[k, i] = x[k, i] / Σ_i x[k, i]; an empty account gets the mix over its menu."""
    totals = x.sum(axis=1, keepdims=True)
    mix = x.sum(axis=0)
    allowed = p.upper > 0 if p.menu is None else p.menu
    fallback = mix[None, :] * allowed
    fallback = np.where(fallback.sum(axis=1, keepdims=True) > 0, fallback, allowed.astype(float))
    fallback = fallback / np.maximum(fallback.sum(axis=1, keepdims=True), 1e-300)
    w = np.divide(x, totals, out=np.zeros_like(x), where=totals > 1e-12)
    out: FloatArray = np.where(totals > 1e-12, w, fallback)
    out = np.maximum(out, 0.0)
    normed: FloatArray = out / out.sum(axis=1, keepdims=True)
    return normed


def targets(h: Household, names: tuple[str, ...] = STRATEGIES) -> Targets:
    """Each strategy's holdings for ``h``; unknown names are an :class:`InputError`."""
    unknown = [n for n in names if n not in STRATEGIES]
    if unknown:
        raise InputError("strategies", f"unknown {unknown[0]!r}; use {', '.join(STRATEGIES)}")
    plan = optimize(h)
    p = plan.problem
    deferred, free = tax_flags(h)
    builders: dict[str, Callable[[], FloatArray]] = {
        "joint": lambda: plan.x,
        "duplicate": lambda: duplicate(p, plan.weights),
        "rule_of_thumb": lambda: rule_of_thumb(p, plan.weights, deferred, free),
        "two_step": lambda: two_step(h, p),
        "separate": lambda: separate(h, p),
    }
    holdings: dict[str, FloatArray] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            holdings[name] = np.asarray(builders[name](), float)
        except AssetlocError as err:
            errors[name] = str(err)
    crra = p.kind == ObjectiveKind.CRRA
    solved: dict[bytes, FloatArray] = {}

    def joint(q: Problem) -> FloatArray:
        key = q.budgets.tobytes()
        if key not in solved:
            solved[key] = np.asarray(solve(q, tax_free=free).x, float)
        return solved[key]

    def dup(q: Problem) -> FloatArray:
        return duplicate(q, joint(q).sum(axis=0))

    def thumb(q: Problem) -> FloatArray:
        return rule_of_thumb(q, joint(q).sum(axis=0), deferred, free)

    placers: dict[str, Placer] = {"joint": joint, "duplicate": dup, "rule_of_thumb": thumb}
    if "two_step" in holdings:
        blind = holdings["two_step"].sum(axis=0)
        kind = ObjectiveKind.CRRA if crra else ObjectiveKind.FIXED_MIX

        def step(q: Problem) -> FloatArray:
            return np.asarray(solve(q.with_objective(kind, mix=blind), tax_free=free).x, float)

        placers["two_step"] = step
    return Targets(plan, holdings, errors, {n: f for n, f in placers.items() if n in holdings})


def with_budgets(p: Problem, budgets: FloatArray) -> Problem:
    """``p`` with other account shares of F (sum 1): bounds scale with each budget."""
    old = p.budgets
    allowed = (p.upper > 0) if p.menu is None else p.menu
    has = old > 0
    lower_unit = np.divide(p.lower, old[:, None], out=np.zeros_like(p.lower), where=has[:, None])
    upper_unit = np.where(
        has[:, None],
        np.divide(p.upper, old[:, None], out=np.zeros_like(p.upper), where=has[:, None]),
        allowed.astype(float),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        balances = np.where(p.value_factor > 0, budgets * p.wealth / p.value_factor, 0.0)
    return dataclasses.replace(
        p,
        budgets=budgets,
        balances=balances,
        lower=lower_unit * budgets[:, None],
        upper=upper_unit * budgets[:, None],
    )


@dataclass
class Replacer:
    """Place a strategy again every ``every`` years on each path's account shares
    (batched): ``place`` maps the problem with other budgets to holdings x.

    Paths whose after-tax account shares of F round to the same point of a
    :data:`BUDGET_GRID` grid share one placement, kept per grid point, so every chunk of
    paths and every date reuses it. Records what re-placing changed: ``solves``
    (placements computed), ``resolves`` (dates), ``kept_old_targets`` (path-dates that kept
    their old shares because the placement failed: a path counts once per date),
    ``failed_placements`` (distinct grid points whose placement failed; why: :attr:`errors`)
    and ``mean_abs_change`` (mean over paths, accounts and
    dates of ½ Σ_i |Δw[k, i]|, the share of an account's balance the new target moves;
    decimal). ``grid = 0`` solves every path on its exact shares (no rounding).
    """

    problem: Problem
    place: Placer
    every: int
    grid: float = BUDGET_GRID
    solves: int = 0
    kept_old_targets: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    dates: set[int] = field(default_factory=set)
    change_sum: float = 0.0
    change_count: int = 0
    _cache: dict[bytes, FloatArray | None] = field(default_factory=dict)

    def _solve(self, t: int, key: np.ndarray) -> FloatArray | None:
        ck = key.tobytes()  # the placement depends on the shares only, not on the date
        if ck in self._cache:
            return self._cache[ck]
        budgets = key * self.grid if self.grid > 0 else np.asarray(key, float)
        w: FloatArray | None = None
        if budgets.sum() > 0:
            try:
                x = self.place(with_budgets(self.problem, budgets / budgets.sum()))
                w = account_weights(np.asarray(x, float), self.problem)
                self.solves += 1
            except AssetlocError as err:
                message = " ".join(str(err).splitlines())
                self.errors[message] = self.errors.get(message, 0) + 1
                w = None
        self._cache[ck] = w
        return w

    def __call__(self, t: int, balances: FloatArray, current: FloatArray) -> FloatArray | None:
        """New target shares (P, K, n) at the rebalance ending year ``t`` when ``every``
        years have passed since the last plan (t + 1 a multiple of ``every``), for
        ``balances`` (P, K) at face value (valued after tax by the problem's factors);
        else None."""
        if self.every <= 0 or (t + 1) % self.every != 0:
            return None
        after_tax = balances * self.problem.value_factor[None, :]
        total = after_tax.sum(axis=1, keepdims=True)
        shares = np.divide(
            np.maximum(after_tax, 0.0), total, out=np.zeros_like(after_tax), where=total > 0
        )
        keys = np.round(shares / self.grid).astype(np.int64) if self.grid > 0 else shares
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        new = np.array(current, float, copy=True)
        for j, key in enumerate(unique):
            rows = np.flatnonzero(inverse == j)
            if not np.any(key > 0):  # nothing left on these paths: nothing to place
                continue
            w = self._solve(t, key)
            if w is None:
                self.kept_old_targets += int(rows.size)
                continue
            held = np.flatnonzero(key > 0)  # accounts rounded to nothing keep their shares
            new[np.ix_(rows, held)] = w[held][None, :, :]
        self.dates.add(t)
        change = 0.5 * np.abs(new - current).sum(axis=2).mean(axis=1)
        self.change_sum += float(change.sum())
        self.change_count += int(change.size)
        return new

    def error_note(self) -> str | None:
        """Why placements failed, for the output (None if none did): each distinct message
        with how many grid points gave it."""
        if not self.errors:
            return None
        return "; ".join(f"{m} ({n} account-share points)" for m, n in self.errors.items())

    def summary(self) -> dict[str, float]:
        """What re-solving changed (see the class docstring): counts as ints, shares as
        decimals."""
        return {
            "resolves": len(self.dates),
            "solves": self.solves,
            "kept_old_targets": self.kept_old_targets,
            "failed_placements": sum(self.errors.values()),
            "mean_abs_change": self.change_sum / self.change_count if self.change_count else 0.0,
            "budget_grid": self.grid,
        }
