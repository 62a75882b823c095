"""Return scenarios: each path's total return per class and year (decimal, NOMINAL).

Three generators, all returning :class:`Scenarios` with ``total`` of shape
``(paths, years, n)`` in the market's class order (``market.ids``):

* :func:`montecarlo` — independent years, multivariate **lognormal** gross returns
  ``1 + R = exp(X)``, ``X ~ N(m, S)``, matched to the preset's arithmetic means μ and
  covariance Σ (Σ = diag(σ) ρ diag(σ)): ``S_ij = ln(1 + Σ_ij / ((1 + μ_i)(1 + μ_j)))`` and
  ``m_i = ln(1 + μ_i) − S_ii / 2``, so that ``E[R_i] = μ_i`` and ``Cov(R_i, R_j) = Σ_ij``
  exactly (the moments of a lognormal vector). A return can never fall below −100%.
* :func:`bootstrap` — circular block bootstrap (Politis & Romano 1992) of a bundled annual
  history: each path strings together blocks of ``block`` consecutive history years, each
  starting at a uniformly drawn year; a block running past the last year wraps around to
  the first (so every year is drawn equally often). All classes move together: a drawn year
  gives every class that year's return (co-movement, fat tails and serial correlation
  within a block are kept).
* :func:`deterministic` — one path, every year the arithmetic mean μ (no volatility): the
  mode for closed-form checks.

**The histories and what each class is drawn from** (:data:`HISTORY_MAP`). Damodaran
(NYU Stern, 1928–2025; ``data/damodaran_histret_annual_1928_2025.csv``) covers US large-cap
stocks (S&P 500), US small stocks (bottom size decile), 3-month T-bills, 10-year Treasuries,
Aaa and Baa corporate bonds, US home prices (price only), gold and CPI. Simba
(Bogleheads, 1871–2018, fund-based and mostly net of expense ratios;
``data/simba_backtest_annual_nominal_1871_2018.csv``) covers US size/style, REITs,
developed and emerging ex-US stocks, Treasuries by maturity, the total bond market,
corporate, high-yield, TIPS, municipal, international bonds, commodities and CPI; several
series start in 1970–1985, and the window is the span of years in which every column the
classes need is complete (1985–2018 for the whole horizon-2025 preset).

A class is either **direct** (a column, or a fixed blend of columns, that measures it: its
historical returns are used as they are) or a **proxy** (no column measures it — e.g.
developed ex-US stocks in Damodaran, hedge funds anywhere): the proxy column's history is
standardized over the window and rescaled to the preset's μ and σ for that class, keeping
the history's timing (its co-movement with the other classes, its crashes) but not its
level. Two classes proxied by the same column are perfectly correlated. A class with no
mapping (an inline class of the household file) cannot be bootstrapped: an input error
names it. The exact mapping of each class is repeated in ``Scenarios.notes``.

Every generator uses ``numpy.random.default_rng(seed)``: the same seed gives the same
arrays.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from assetloc.errors import InputError
from assetloc.inputs.plan import PlanSettings
from assetloc.market.assumptions import MarketAssumptions
from assetloc.types import FloatArray

__all__ = [
    "HISTORY_FILES",
    "HISTORY_MAP",
    "History",
    "Scenarios",
    "block_rows",
    "bootstrap",
    "deterministic",
    "load_history",
    "lognormal_parameters",
    "montecarlo",
    "scenarios",
]

HISTORY_FILES = {
    "damodaran": "damodaran_histret_annual_1928_2025.csv",
    "simba": "simba_backtest_annual_nominal_1871_2018.csv",
}
HISTORY_SOURCES = {
    "damodaran": "Aswath Damodaran (NYU Stern), Historical Returns on Stocks, Bonds and "
    "Bills, January 2026 edition (1928-2025)",
    "simba": "Simba's backtesting spreadsheet (Bogleheads), rev18 (1871-2018)",
}
_INFLATION_COLUMN = {"damodaran": "cpi_inflation", "simba": "inflation"}

Kind = Literal["direct", "proxy"]
#: One class in one history: its kind and the columns (weights summing to 1) it is drawn from.
Source = tuple[Kind, dict[str, float]]

_D_BONDS = {"tbond_10y": 0.5, "aaa_corp_bond": 0.5}
#: class id → history → (direct | proxy, {column: weight}); both presets' classes.
HISTORY_MAP: dict[str, dict[str, Source]] = {
    # --- horizon-2025 ---
    "us_equity_large_cap": {
        "damodaran": ("direct", {"sp500_total_return": 1.0}),
        "simba": ("direct", {"lcb_500": 1.0}),
    },
    "us_equity_small_mid_cap": {
        "damodaran": ("proxy", {"us_small_cap_bottom_decile": 1.0}),
        "simba": ("direct", {"mcb": 0.5, "scb": 0.5}),
    },
    "non_us_equity_developed": {
        "damodaran": ("proxy", {"sp500_total_return": 1.0}),
        "simba": ("direct", {"intl_dev": 1.0}),
    },
    "non_us_equity_emerging": {
        "damodaran": ("proxy", {"us_small_cap_bottom_decile": 1.0}),
        "simba": ("direct", {"em": 1.0}),
    },
    "us_corp_bonds_core": {
        "damodaran": ("direct", _D_BONDS),
        "simba": ("direct", {"tbm": 1.0}),
    },
    "us_corp_bonds_long_duration": {
        "damodaran": ("proxy", {"baa_corp_bond": 1.0}),
        "simba": ("proxy", {"ltt": 0.5, "it_corp": 0.5}),
    },
    "us_corp_bonds_high_yield": {
        "damodaran": ("proxy", {"baa_corp_bond": 1.0}),
        "simba": ("direct", {"hi_yield_corp_bd": 1.0}),
    },
    "non_us_debt_developed": {
        "damodaran": ("proxy", {"tbond_10y": 1.0}),
        "simba": ("direct", {"intl_bd": 1.0}),
    },
    "non_us_debt_emerging": {
        "damodaran": ("proxy", {"baa_corp_bond": 1.0}),
        "simba": ("proxy", {"hi_yield_corp_bd": 1.0}),
    },
    "us_treasuries_cash_equivalents": {
        "damodaran": ("direct", {"tbill_3m": 1.0}),
        "simba": ("direct", {"tbill": 1.0}),
    },
    "tips": {
        "damodaran": ("proxy", {"tbond_10y": 1.0}),
        "simba": ("direct", {"tips": 1.0}),
    },
    "real_estate": {
        "damodaran": ("proxy", {"real_estate_home_prices": 1.0}),
        "simba": ("direct", {"reit": 1.0}),
    },
    "hedge_funds": {
        "damodaran": ("proxy", {"sp500_total_return": 0.5, "tbill_3m": 0.5}),
        "simba": ("proxy", {"tsm": 0.5, "tbill": 0.5}),
    },
    "commodities": {
        "damodaran": ("proxy", {"gold": 1.0}),
        "simba": ("direct", {"comm": 1.0}),
    },
    "infrastructure": {
        "damodaran": ("proxy", {"sp500_total_return": 0.5, "baa_corp_bond": 0.5}),
        "simba": ("proxy", {"lcv": 0.5, "reit": 0.5}),
    },
    "private_equity": {
        "damodaran": ("proxy", {"us_small_cap_bottom_decile": 1.0}),
        "simba": ("proxy", {"scv": 1.0}),
    },
    "private_debt": {
        "damodaran": ("proxy", {"baa_corp_bond": 1.0}),
        "simba": ("proxy", {"hi_yield_corp_bd": 1.0}),
    },
    "us_municipal_bonds": {
        "damodaran": ("proxy", {"aaa_corp_bond": 1.0}),
        "simba": ("direct", {"it_munis": 1.0}),
    },
    # --- kaplan-2020 ---
    "us_large_cap": {
        "damodaran": ("direct", {"sp500_total_return": 1.0}),
        "simba": ("direct", {"lcb_500": 1.0}),
    },
    "us_mid_cap": {
        "damodaran": ("proxy", {"sp500_total_return": 0.5, "us_small_cap_bottom_decile": 0.5}),
        "simba": ("direct", {"mcb": 1.0}),
    },
    "us_small_cap": {
        "damodaran": ("proxy", {"us_small_cap_bottom_decile": 1.0}),
        "simba": ("direct", {"scb": 1.0}),
    },
    "global_dm_ex_us": {
        "damodaran": ("proxy", {"sp500_total_return": 1.0}),
        "simba": ("direct", {"intl_dev": 1.0}),
    },
    "emerging_markets": {
        "damodaran": ("proxy", {"us_small_cap_bottom_decile": 1.0}),
        "simba": ("direct", {"em": 1.0}),
    },
    "global_reits": {
        "damodaran": ("proxy", {"real_estate_home_prices": 1.0}),
        "simba": ("proxy", {"reit": 1.0}),
    },
    "us_bonds": {
        "damodaran": ("direct", _D_BONDS),
        "simba": ("direct", {"tbm": 1.0}),
    },
    "global_bonds_ex_us": {
        "damodaran": ("proxy", {"tbond_10y": 1.0}),
        "simba": ("direct", {"intl_bd": 1.0}),
    },
    "cash": {
        "damodaran": ("direct", {"tbill_3m": 1.0}),
        "simba": ("direct", {"tbill": 1.0}),
    },
    "municipal_bonds": {
        "damodaran": ("proxy", {"aaa_corp_bond": 1.0}),
        "simba": ("direct", {"it_munis": 1.0}),
    },
}


@dataclass(frozen=True)
class Scenarios:
    """Simulated returns.

    Attributes
    ----------
    total : (paths, years, n) total return of each class in each year, decimal, NOMINAL,
        classes in ``market.ids`` order.
    method : ``montecarlo`` | ``bootstrap`` | ``deterministic``.
    seed : the random seed (None for deterministic).
    notes : how the returns were made (conversion, history, window, mapping per class).
    rows : bootstrap only: (paths, years) the history's calendar year drawn for each
        simulated year (None otherwise).
    inflation : bootstrap only: (paths, years) the history's CPI inflation of the drawn
        years, decimal (None otherwise; the simulator deflates by ``[plan] inflation``).
    """

    total: FloatArray
    method: str
    seed: int | None
    notes: tuple[str, ...]
    rows: NDArray[np.int64] | None = None
    inflation: FloatArray | None = None

    @property
    def paths(self) -> int:
        """Number of paths."""
        return int(self.total.shape[0])

    @property
    def years(self) -> int:
        """Number of simulated years."""
        return int(self.total.shape[1])


def _check(paths: int, years: int) -> None:
    if paths < 1:
        raise InputError("plan.paths", f"must be at least 1, got {paths}")
    if years < 1:
        raise InputError("plan.years", f"must be at least 1, got {years}")


# ----------------------------------------------------------------------------- Monte Carlo


def lognormal_parameters(mu: FloatArray, cov: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(m, S): the normal law of ln(1 + R) whose R has arithmetic means ``mu`` and
    covariance ``cov`` (decimals a year): S = ln(1 + Σ/((1+μ)(1+μ)')), m = ln(1+μ) − diag(S)/2.
    """
    gross = 1.0 + np.asarray(mu, dtype=float)
    s = np.log1p(np.asarray(cov, dtype=float) / np.outer(gross, gross))
    m = np.log(gross) - np.diag(s) / 2.0
    return m, s


def _factor(s: FloatArray) -> tuple[FloatArray, float]:
    """A square root L of S (S = L L'), from its eigen-decomposition with negative
    eigenvalues (rounding, or a matrix that is PSD only before the log) set to 0; also the
    most negative eigenvalue clipped."""
    w, v = np.linalg.eigh((s + s.T) / 2.0)
    clipped = float(min(0.0, w.min(initial=0.0)))
    return v * np.sqrt(np.clip(w, 0.0, None)), clipped


def montecarlo(market: MarketAssumptions, paths: int, years: int, seed: int) -> Scenarios:
    """Independent lognormal years matched to the preset's arithmetic μ and Σ (module
    docstring). ``total[p, t, i] = exp(m_i + (L z_{p,t})_i) − 1``, z standard normal."""
    _check(paths, years)
    m, s = lognormal_parameters(market.expected_return, market.covariance)
    root, clipped = _factor(s)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((paths, years, len(market.ids)))
    total = np.expm1(m + z @ root.T)
    notes = [
        "Monte Carlo: independent years; 1 + R lognormal, matched to the preset's arithmetic "
        "means and covariance: S_ij = ln(1 + Σ_ij/((1+μ_i)(1+μ_j))), m_i = ln(1+μ_i) − S_ii/2.",
        f"Assumptions: {market.name} ({market.returns_method} expected returns), nominal.",
    ]
    if clipped < -1e-10:
        notes.append(
            f"The log covariance was not positive semidefinite (smallest eigenvalue "
            f"{clipped:.2g}); negative eigenvalues were set to 0."
        )
    return Scenarios(total=total, method="montecarlo", seed=seed, notes=tuple(notes))


# ----------------------------------------------------------------------------- deterministic


def deterministic(market: MarketAssumptions, years: int) -> Scenarios:
    """One path: every class earns its arithmetic mean μ every year (no volatility)."""
    _check(1, years)
    mu = np.asarray(market.expected_return, dtype=float)
    total = np.broadcast_to(mu, (1, years, mu.size)).copy()
    notes = (
        "Deterministic: each class earns its arithmetic expected return every year "
        "(one path, no volatility; for closed-form checks, not a forecast).",
        f"Assumptions: {market.name} ({market.returns_method} expected returns), nominal.",
    )
    return Scenarios(total=total, method="deterministic", seed=None, notes=notes)


# ----------------------------------------------------------------------------- bootstrap


@dataclass(frozen=True)
class History:
    """A bundled annual history: calendar years and columns of decimal total returns
    (NaN where a series has no data)."""

    name: str
    years: NDArray[np.int64]
    columns: dict[str, FloatArray]
    source: str

    def window(self, columns: list[str]) -> tuple[int, int]:
        """(first, last) index of the longest run of years, ending at the last complete
        year, in which every one of ``columns`` has data."""
        ok = np.ones(self.years.size, dtype=bool)
        for c in columns:
            ok &= ~np.isnan(self.columns[c])
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            raise InputError("plan.history", f"{self.name}: no year has all of {columns}")
        last = int(idx[-1])
        first = last
        while first > 0 and ok[first - 1]:
            first -= 1
        return first, last


@cache
def load_history(name: str) -> History:
    """The bundled history ``damodaran`` or ``simba`` (see the module docstring)."""
    if name not in HISTORY_FILES:
        raise InputError(
            "plan.history", f"unknown history {name!r}; known: {', '.join(HISTORY_FILES)}"
        )
    text = resources.files("assetloc").joinpath("data", HISTORY_FILES[name]).read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    years = np.array([int(r["year"]) for r in rows])
    cols = {
        c: np.array([float(r[c]) if r[c] != "" else np.nan for r in rows])
        for c in rows[0]
        if c != "year"
    }
    return History(name=name, years=years, columns=cols, source=HISTORY_SOURCES[name])


def _sources(market: MarketAssumptions, name: str) -> list[Source]:
    out = []
    for cid in market.ids:
        entry = HISTORY_MAP.get(cid, {}).get(name)
        if entry is None:
            raise InputError(
                "plan.returns",
                f"class {cid!r} has no column in the {name} history to bootstrap from; "
                "use returns = 'montecarlo' or 'deterministic'",
            )
        out.append(entry)
    return out


def _describe(cid: str, kind: Kind, cols: dict[str, float]) -> str:
    blend = " + ".join(c if w == 1.0 else f"{w:g}×{c}" for c, w in cols.items())
    if kind == "direct":
        return f"{cid} ← {blend} (as recorded)"
    return f"{cid} ← {blend} (proxy: its history rescaled to the preset's mean and volatility)"


def _class_history(
    market: MarketAssumptions, hist: History, sources: list[Source], lo: int, hi: int
) -> FloatArray:
    """(window years, n): each class's return in each history year of the window."""
    out = np.empty((hi - lo + 1, len(sources)))
    for i, (kind, cols) in enumerate(sources):
        series = sum(w * hist.columns[c][lo : hi + 1] for c, w in cols.items())
        x = np.asarray(series, dtype=float)
        if kind == "proxy":
            sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
            z = (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)
            x = market.expected_return[i] + market.volatility[i] * z
        out[:, i] = x
    return out


def block_rows(
    rng: np.random.Generator, paths: int, years: int, block: int, length: int
) -> NDArray[np.int64]:
    """(paths, years) indices into a history of ``length`` years: blocks of ``block``
    consecutive indices from uniform starts, wrapping from the last index to 0."""
    blocks = -(-years // block)
    starts = rng.integers(0, length, size=(paths, blocks))
    offsets = np.arange(block)
    idx = (starts[:, :, None] + offsets[None, None, :]) % length
    return idx.reshape(paths, blocks * block)[:, :years]


def bootstrap(
    market: MarketAssumptions,
    paths: int,
    years: int,
    seed: int,
    block: int = 5,
    history: str = "damodaran",
) -> Scenarios:
    """Circular block bootstrap of the bundled ``history`` (module docstring)."""
    _check(paths, years)
    if block < 1:
        raise InputError("plan.bootstrap_block", f"must be at least 1, got {block}")
    hist = load_history(history)
    sources = _sources(market, history)
    needed = sorted({c for _, cols in sources for c in cols} | {_INFLATION_COLUMN[hist.name]})
    lo, hi = hist.window(needed)
    table = _class_history(market, hist, sources, lo, hi)
    length = hi - lo + 1
    rng = np.random.default_rng(seed)
    idx = block_rows(rng, paths, years, min(block, length), length)
    cpi = hist.columns[_INFLATION_COLUMN[hist.name]][lo : hi + 1]
    notes = [
        f"Bootstrap: circular blocks of {min(block, length)} consecutive years from "
        f"{hist.source}, window {int(hist.years[lo])}-{int(hist.years[hi])} ({length} years, "
        "every series the classes need complete); a block past the last year wraps to the "
        "first; every class takes the drawn year's return.",
        *(_describe(cid, k, cols) for cid, (k, cols) in zip(market.ids, sources, strict=True)),
    ]
    if block > length:
        notes.append(f"The block ({block} years) was cut to the window's {length} years.")
    return Scenarios(
        total=table[idx],
        method="bootstrap",
        seed=seed,
        notes=tuple(notes),
        rows=hist.years[lo:][idx],
        inflation=cpi[idx],
    )


# ----------------------------------------------------------------------------- dispatch


def scenarios(
    market: MarketAssumptions,
    settings: PlanSettings,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
) -> Scenarios:
    """The scenarios ``settings.returns`` asks for; ``paths``, ``years`` and ``seed``
    default to the settings' (``years`` must then be resolved: see
    :func:`assetloc.simulate.settings.plan_settings`). Deterministic gives one path."""
    n_paths = settings.paths if paths is None else paths
    n_years = settings.years if years is None else years
    if n_years is None:
        raise InputError("plan.years", "is not resolved (call plan_settings first)")
    rng_seed = settings.seed if seed is None else seed
    if settings.returns == "deterministic":
        return deterministic(market, n_years)
    if settings.returns == "bootstrap":
        return bootstrap(
            market, n_paths, n_years, rng_seed, settings.bootstrap_block, settings.history
        )
    return montecarlo(market, n_paths, n_years, rng_seed)
