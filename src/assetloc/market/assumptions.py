"""Capital market assumptions: asset classes, expected returns, risk, correlations.

Every number is a decimal per year: 0.072 is a 7.2% arithmetic expected return.
Two presets ship with the package (see :func:`preset_names`); a household file can also
give its classes inline. The effective tax rate of a class is the share of its return
(and risk) lost to tax when it is held in a taxable account (Kaplan, DESIGN.md §2).
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from assetloc.errors import InputError
from assetloc.market.traits import TaxTraits, default_traits
from assetloc.types import FloatArray
from assetloc.units import pct, ratio

if TYPE_CHECKING:
    from assetloc.market.robust import BlackLitterman


@dataclass(frozen=True)
class MarketAssumptions:
    """Asset classes with pre-tax arithmetic expected returns, volatilities and correlations.

    Attributes
    ----------
    ids, labels : class identifiers and human labels, in matrix order.
    expected_return : pre-tax arithmetic expected return per class, decimal per year.
    volatility : standard deviation of annual return per class, decimal per year.
    correlation : symmetric, unit-diagonal, positive semidefinite matrix.
    tax_rate : effective tax rate per class in a taxable account (decimal), as published
        for an investor at ``reference_ordinary_rate`` on interest and
        ``reference_gains_rate`` on long-term gains (used only for such an investor).
    cash_rate : the risk-free (cash) return, decimal per year, pre-tax.
    name, source, date : where the numbers come from, shown in every output.
    notes : derivations and caveats, shown in reports.
    """

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    expected_return: FloatArray
    volatility: FloatArray
    correlation: FloatArray
    tax_rate: FloatArray
    cash_rate: float
    name: str
    source: str
    date: str
    reference_ordinary_rate: float = 0.40
    reference_gains_rate: float = 0.20  # Kaplan's article states no gains rate; 20% assumed
    notes: tuple[str, ...] = field(default=())
    tax_rate_is_reference: tuple[bool, ...] | None = None  # None: all scale; False: as given
    traits: tuple[TaxTraits | None, ...] | None = None  # what each class pays out
    stated_return: FloatArray | None = None  # the preset's/file's returns when robust is used
    holdable: tuple[bool, ...] | None = None  # False: in the market for H/L only, not held
    excluded: tuple[tuple[str, str], ...] = ()  # (class id, why) left out of the universe
    excluded_labels: tuple[tuple[str, str], ...] = ()  # (class id, label) of those
    universe_rule: str = ""  # how the universe was chosen (default, the file's, the mix's)
    robust: BlackLitterman | None = None  # how expected_return was made, when robust
    returns_method: str = "as_given"  # "robust" (Black-Litterman) | "as_given"
    returns_reason: str = ""  # why, when the method is not the one asked for by default

    @cached_property
    def covariance(self) -> FloatArray:
        """Σ = diag(σ) ρ diag(σ), decimal² per year."""
        return self.volatility[:, None] * self.correlation * self.volatility[None, :]

    def index(self, class_id: str) -> int:
        """Position of ``class_id`` in the matrix order."""
        return self.ids.index(class_id)

    def subset(self, ids: list[str] | tuple[str, ...]) -> MarketAssumptions:
        """The same assumptions restricted to ``ids`` (kept in the given order)."""
        idx = [self.index(i) for i in ids]
        return replace(
            self,
            ids=tuple(self.ids[i] for i in idx),
            labels=tuple(self.labels[i] for i in idx),
            expected_return=self.expected_return[idx],
            volatility=self.volatility[idx],
            correlation=self.correlation[np.ix_(idx, idx)],
            tax_rate=self.tax_rate[idx],
            tax_rate_is_reference=None
            if self.tax_rate_is_reference is None
            else tuple(self.tax_rate_is_reference[i] for i in idx),
            traits=None if self.traits is None else tuple(self.traits[i] for i in idx),
            stated_return=None if self.stated_return is None else self.stated_return[idx],
            holdable=None if self.holdable is None else tuple(self.holdable[i] for i in idx),
        )


def validate_correlation(corr: FloatArray, field_name: str, tol: float = 1e-8) -> None:
    """Raise :class:`InputError` unless ``corr`` is a symmetric, unit-diagonal PSD matrix."""
    if corr.ndim != 2 or corr.shape[0] != corr.shape[1]:
        raise InputError(field_name, f"must be a square matrix, got shape {corr.shape}")
    if not np.all(np.isfinite(corr)):
        raise InputError(field_name, "has non-finite entries")
    asym = np.abs(corr - corr.T)
    if asym.max(initial=0.0) > tol:
        i, j = (int(v) for v in np.unravel_index(int(np.argmax(asym)), asym.shape))
        raise InputError(field_name, f"is not symmetric: [{i}][{j}] != [{j}][{i}]")
    diag_err = np.abs(np.diag(corr) - 1.0)
    if diag_err.max(initial=0.0) > tol:
        d = int(np.argmax(diag_err))
        raise InputError(field_name, f"diagonal entry [{d}][{d}] is {corr[d, d]}, must be 1")
    if np.abs(corr).max() > 1.0 + tol:
        raise InputError(field_name, "has entries outside [-1, 1]")
    min_eig = float(np.linalg.eigvalsh(corr).min())
    if min_eig < -tol:
        raise InputError(
            field_name, f"is not positive semidefinite (smallest eigenvalue {min_eig:.3g})"
        )


# ----------------------------------------------------------------------------- presets


def _data_text(name: str) -> str:
    return resources.files("assetloc.data").joinpath(name).read_text(encoding="utf-8")


def _read_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_data_text(name).splitlines()))


@dataclass(frozen=True)
class MuniModel:
    """How the municipal-bond class's risk is derived from the Simba history (1986–2018).

    Intermediate-term munis (Simba ``it_munis``, VWITX) are regressed on total US bonds
    (``tbm``, VBMFX) and the S&P 500 (``lcb_500``, VFINX): r_muni = α + β_b r_b + β_s r_s + ε.
    The preset's muni class is then the factor portfolio β_b·(core bonds) + β_s·(US large
    cap) + independent ε, so its covariances come from the survey's own matrix (keeping it
    positive semidefinite). The residual volatility is scaled by the preset's bond volatility
    over the historical one, so munis keep their history's share of bond-unrelated risk.
    The class's expected return is not historical: see :func:`muni_yields`.
    """

    beta_bonds: float
    beta_stocks: float
    residual_vol: float
    bonds_vol: float
    first_year: int
    last_year: int


@cache
def muni_model(first_year: int = 1986, last_year: int = 2018) -> MuniModel:
    """Estimate :class:`MuniModel` from the bundled Simba file (OLS, annual returns)."""
    rows = [
        r
        for r in _read_csv("simba_backtest_annual_nominal_1871_2018.csv")
        if first_year <= int(r["year"]) <= last_year
    ]
    muni = np.array([float(r["it_munis"]) for r in rows])
    bonds = np.array([float(r["tbm"]) for r in rows])
    stocks = np.array([float(r["lcb_500"]) for r in rows])
    design = np.column_stack([np.ones_like(muni), bonds, stocks])
    coef, *_ = np.linalg.lstsq(design, muni, rcond=None)
    resid = muni - design @ coef
    return MuniModel(
        beta_bonds=float(coef[1]),
        beta_stocks=float(coef[2]),
        residual_vol=float(np.sqrt(resid @ resid / (len(muni) - design.shape[1]))),
        bonds_vol=float(bonds.std(ddof=1)),
        first_year=first_year,
        last_year=last_year,
    )


MUNI_YIELDS_FILE = "muni_yields.toml"


@dataclass(frozen=True)
class MuniYields:
    """How the municipal-bond class is priced from yields (``data/muni_yields.toml``).

    AAA munis yield ``ratio`` × Treasuries of the same maturity; a Treasury of a core bond's
    duration yields ``treasury_yield / core_yield`` × the core bond. So the muni class's
    expected return is :attr:`core_multiplier` × the preset's core taxable bond return,
    for the stated returns and for the Black–Litterman equilibrium alike. Decimals.
    """

    ratio: float  # AAA muni / Treasury yield, same maturity
    maturity: str
    benchmark: str
    ratio_date: str
    ratio_source: str
    treasury_yield: float  # Treasury index yield at a core bond's duration
    core_yield: float  # core taxable bond index yield
    spread_date: str
    spread_source: str

    @property
    def treasury_share(self) -> float:
        """Treasury yield / core-bond yield: the core bond's Treasury-like part."""
        return self.treasury_yield / self.core_yield

    @property
    def core_multiplier(self) -> float:
        """μ_muni / μ_core = ratio × treasury_share."""
        return self.ratio * self.treasury_share

    def note(self, core_label: str) -> str:
        """One sentence for a preset's notes: how its muni return was made."""
        return (
            f"Municipal bonds' expected return = {ratio(self.ratio, 2)} ({self.maturity} "
            f"{self.benchmark} ratio, {self.ratio_date}) x the Treasury-like return of "
            f"{core_label} (its return x {pct(self.treasury_yield, 2)} / "
            f"{pct(self.core_yield, 2)}, "
            f"Treasury / core-bond index yield, {self.spread_date}) = "
            f"{ratio(self.core_multiplier, 4)} x {core_label}; sources in data/PROVENANCE.md."
        )


def _unit_share(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1.5:
        raise InputError(
            f"{MUNI_YIELDS_FILE}: {name}", f"must be a decimal in (0, 1.5], got {value!r}"
        )
    return float(value)


@cache
def muni_yields() -> MuniYields:
    """The documented muni / Treasury yield ratio and the Treasury share of core-bond yields."""
    spec = tomllib.loads(_data_text(MUNI_YIELDS_FILE))
    m, t = spec["muni_treasury"], spec["treasury_core"]
    return MuniYields(
        ratio=_unit_share("muni_treasury.ratio", m["ratio"]),
        maturity=str(m["maturity"]),
        benchmark=str(m["benchmark"]),
        ratio_date=str(m["as_of"]),
        ratio_source=str(m["source"]),
        treasury_yield=_unit_share("treasury_core.treasury_yield", t["treasury_yield"]),
        core_yield=_unit_share("treasury_core.core_yield", t["core_yield"]),
        spread_date=str(t["as_of"]),
        spread_source=str(t["source"]),
    )


def _append_factor_class(
    mu: FloatArray,
    cov: FloatArray,
    loadings: FloatArray,
    residual_vol: float,
    expected_return: float,
) -> tuple[FloatArray, FloatArray]:
    """Add a class r = loadings'r_existing + ε to (μ, Σ); the result stays PSD."""
    n = len(mu)
    new_cov = np.zeros((n + 1, n + 1))
    new_cov[:n, :n] = cov
    cross = cov @ loadings
    new_cov[n, :n] = cross
    new_cov[:n, n] = cross
    new_cov[n, n] = float(loadings @ cov @ loadings) + residual_vol**2
    return np.append(mu, expected_return), new_cov


def _cov_to_corr(cov: FloatArray) -> tuple[FloatArray, FloatArray]:
    vol = np.sqrt(np.diag(cov))
    corr = cov / np.outer(vol, vol)
    np.fill_diagonal(corr, 1.0)
    return vol, (corr + corr.T) / 2.0


# Effective tax rates at a 40% ordinary rate, from Kaplan's Part II table (DESIGN.md §2),
# assigned to the survey's classes by the nearest class he published (see README).
_HORIZON_TAX_ANALOGUE: dict[str, tuple[float, str]] = {
    "us_equity_large_cap": (0.2450, "Kaplan: U.S. large-cap stocks"),
    "us_equity_small_mid_cap": (0.2593, "Kaplan: U.S. small-cap stocks"),
    "non_us_equity_developed": (0.1934, "Kaplan: global developed ex-U.S. stocks"),
    "non_us_equity_emerging": (0.2050, "Kaplan: emerging-markets stocks"),
    "us_corp_bonds_core": (0.40, "Kaplan: U.S. bonds (all return is interest)"),
    "us_corp_bonds_long_duration": (0.40, "as U.S. bonds"),
    "us_corp_bonds_high_yield": (0.40, "as U.S. bonds"),
    "non_us_debt_developed": (0.40, "Kaplan: global bonds ex-U.S."),
    "non_us_debt_emerging": (0.40, "as global bonds ex-U.S."),
    "us_treasuries_cash_equivalents": (0.40, "Kaplan: cash"),
    "tips": (0.40, "as U.S. bonds (inflation accruals are taxed as interest)"),
    "real_estate": (0.2639, "Kaplan: global REITs"),
    "hedge_funds": (0.40, "assumed ordinary income (short-term gains, interest)"),
    "commodities": (0.40, "assumed ordinary (conservative; §1256 60/40 would be lower)"),
    "infrastructure": (0.2639, "as global REITs (pass-through income)"),
    "private_equity": (0.2450, "as U.S. large-cap stocks"),
    "private_debt": (0.40, "as U.S. bonds"),
    "us_municipal_bonds": (0.0, "Kaplan: municipal bonds (federally tax-exempt)"),
}


@cache
def _horizon_2025() -> MarketAssumptions:
    rows = [
        r for r in _read_csv("horizon_cma_2025_assumptions.csv") if r["asset_class"] != "inflation"
    ]
    corr_rows = _read_csv("horizon_cma_2025_correlation.csv")
    ids = [r["asset_class"] for r in rows]
    corr = np.array([[float(cr[c]) for c in ids] for cr in corr_rows])
    mu = np.array([float(r["arith_return_10y"]) for r in rows])
    vol = np.array([float(r["std_dev"]) for r in rows])
    labels = [r["survey_label"] for r in rows]
    cov = vol[:, None] * corr * vol[None, :]

    mm = muni_model()
    loadings = np.zeros(len(ids))
    loadings[ids.index("us_corp_bonds_core")] = mm.beta_bonds
    loadings[ids.index("us_equity_large_cap")] = mm.beta_stocks
    my = muni_yields()
    muni_mu = mu[ids.index("us_corp_bonds_core")] * my.core_multiplier
    resid = mm.residual_vol * vol[ids.index("us_corp_bonds_core")] / mm.bonds_vol
    mu, cov = _append_factor_class(mu, cov, loadings, resid, muni_mu)
    ids.append("us_municipal_bonds")
    labels.append("US Municipal Bonds (priced from yields, see notes)")
    vol, corr = _cov_to_corr(cov)

    return MarketAssumptions(
        ids=tuple(ids),
        labels=tuple(labels),
        expected_return=mu,
        volatility=vol,
        correlation=corr,
        tax_rate=np.array([_HORIZON_TAX_ANALOGUE[i][0] for i in ids]),
        cash_rate=float(mu[ids.index("us_treasuries_cash_equivalents")]),
        name="horizon-2025",
        source="Horizon Actuarial Services, Survey of Capital Market Assumptions: 2025 "
        "Edition, Exhibit 17 (10-year arithmetic returns, volatilities, correlations)",
        date="2025-08",
        notes=(
            "Third-party transcription of the survey, not checked against the PDF.",
            f"us_municipal_bonds is derived. Risk: OLS of Simba it_munis on tbm and lcb_500 "
            f"over {mm.first_year}-{mm.last_year} (beta_bonds {mm.beta_bonds:.3f}, beta_stocks "
            f"{mm.beta_stocks:.3f}, residual vol {mm.residual_vol:.4f} scaled by core-bond "
            f"vol / historical tbm vol {mm.bonds_vol:.4f}).",
            my.note("us_corp_bonds_core")
            + " The survey's core class is treated as aggregate-like (Treasuries plus spread "
            "sectors); the AAA ratio is against Treasuries, so the core bond's spread over "
            "Treasuries is taken out first.",
            "Effective tax rates are computed from each class's payouts (bundled tax traits); "
            "with options.effective_tax_rates = 'preset', Kaplan's Part II rates (computed at "
            "a 40% ordinary rate) for the nearest class, only for an investor at 40% on "
            "interest and 20% on long-term gains.",
            "Cash rate = expected return of US Treasuries (Cash Equivalents).",
        ),
    )


@cache
def _kaplan_2020() -> MarketAssumptions:
    spec = tomllib.loads(_data_text("kaplan_2020.toml"))
    classes = spec["classes"]
    ids = [c["id"] for c in classes]
    horizon = _horizon_2025()
    # Each Kaplan class is a blend of survey classes (weights in the TOML); the blend's
    # correlations come from the survey matrix, and any variance the blend lacks relative
    # to a unit-variance class is made independent (keeps the matrix PD and unit-diagonal).
    blend = np.zeros((len(ids), len(horizon.ids)))
    for row, c in enumerate(classes):
        for hid, w in c["correlation_proxy"].items():
            blend[row, horizon.index(hid)] = w
    hcorr = horizon.correlation
    corr = blend @ hcorr @ blend.T
    corr += np.diag(1.0 - np.diag(corr))
    d = np.sqrt(np.diag(corr))
    corr = corr / np.outer(d, d)
    mu = np.array([c["expected_return"] for c in classes])
    vol = np.array([c["volatility"] for c in classes])

    mm = muni_model()
    bonds = ids.index("us_bonds")
    stocks = ids.index("us_large_cap")
    cov = vol[:, None] * corr * vol[None, :]
    loadings = np.zeros(len(ids))
    loadings[bonds] = mm.beta_bonds
    loadings[stocks] = mm.beta_stocks
    resid = mm.residual_vol * vol[bonds] / mm.bonds_vol
    my = muni_yields()
    mu, cov = _append_factor_class(mu, cov, loadings, resid, mu[bonds] * my.core_multiplier)
    vol, corr = _cov_to_corr(cov)
    return MarketAssumptions(
        ids=(*ids, "municipal_bonds"),
        labels=(*(c["label"] for c in classes), "Municipal Bonds (derived)"),
        expected_return=mu,
        volatility=vol,
        correlation=corr,
        tax_rate=np.array([*(c["effective_tax_rate"] for c in classes), 0.0]),
        cash_rate=float(spec["cash_rate"]),
        name="kaplan-2020",
        source=spec["source"],
        date=spec["date"],
        notes=(
            *spec["notes"],
            "municipal_bonds is derived (Kaplan published no muni return): its risk from the "
            "Simba history as in horizon-2025, relative to Kaplan's U.S. bonds; its tax rate is "
            "Kaplan's 0%.",
            my.note("us_bonds")
            + " The yields are of 2025, applied to Kaplan's 2020 returns as ratios.",
        ),
    )


def _with_default_traits(market: MarketAssumptions) -> MarketAssumptions:
    known = default_traits()
    return replace(market, traits=tuple(known.get(i) for i in market.ids))


_PRESETS = {
    "horizon-2025": lambda: _with_default_traits(_horizon_2025()),
    "kaplan-2020": lambda: _with_default_traits(_kaplan_2020()),
}


def preset_names() -> list[str]:
    """Names of the bundled assumption sets."""
    return list(_PRESETS)


def load_preset(name: str) -> MarketAssumptions:
    """A bundled assumption set by name (``horizon-2025`` or ``kaplan-2020``)."""
    hit = _LOADED.get(name)
    if hit is not None:
        return hit
    try:
        market = _PRESETS[name]()
    except KeyError:
        raise InputError(
            "assumptions.preset", f"unknown preset {name!r}; known: {', '.join(_PRESETS)}"
        ) from None
    _LOADED[name] = read_only(market)  # shared from now on: nobody may change it
    return market


def read_only(m: MarketAssumptions) -> MarketAssumptions:
    """``m`` with its arrays made read-only, so a shared (memoized) market cannot change."""
    for value in vars(m).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    return m


#: the presets loaded so far, by name (read-only arrays; built once per process)
_LOADED: dict[str, MarketAssumptions] = {}
