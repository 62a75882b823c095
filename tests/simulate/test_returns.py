"""Return scenarios: Monte Carlo moments against the preset, bootstrap rows against the
bundled CSV files (read here independently), determinism of the seed."""

from __future__ import annotations

import csv
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetloc.errors import InputError
from assetloc.inputs.plan import PlanSettings
from assetloc.market.assumptions import MarketAssumptions, load_preset
from assetloc.simulate.returns import (
    HISTORY_FILES,
    HISTORY_MAP,
    block_rows,
    bootstrap,
    deterministic,
    lognormal_parameters,
    montecarlo,
    scenarios,
)

from support.paths import ROOT

DATA = ROOT / "src" / "assetloc" / "data"


@pytest.fixture(scope="module")
def horizon() -> MarketAssumptions:
    return load_preset("horizon-2025")


def test_lognormal_parameters_reproduce_the_arithmetic_moments(horizon: MarketAssumptions) -> None:
    """The moments of a lognormal vector: E[e^X] = e^(m + S/2), Cov = E E' (e^S − 1)."""
    mu, cov = horizon.expected_return, horizon.covariance
    m, s = lognormal_parameters(mu, cov)
    mean = np.exp(m + np.diag(s) / 2)
    np.testing.assert_allclose(mean - 1, mu, rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.outer(mean, mean) * np.expm1(s), cov, rtol=1e-12, atol=1e-15)


def test_montecarlo_mean_within_three_standard_errors(horizon: MarketAssumptions) -> None:
    sc = montecarlo(horizon, paths=4000, years=10, seed=11)
    x = sc.total.reshape(-1, len(horizon.ids))
    n = x.shape[0]
    se = horizon.volatility / np.sqrt(n)  # exact: the lognormal's sd is the preset's σ
    z = (x.mean(axis=0) - horizon.expected_return) / se
    assert np.all(np.abs(z) < 3), dict(zip(horizon.ids, z.round(2), strict=True))


def test_montecarlo_covariance_within_its_sampling_error(horizon: MarketAssumptions) -> None:
    """Each sample covariance s_ij is a mean of n products d_i d_j (d = x − mean): its
    standard error is sd(d_i d_j)/√n, estimated from the same draws (fat tails included).
    Tolerance: 4 standard errors per entry (171 entries: a false alarm about 1% of seeds)."""
    sc = montecarlo(horizon, paths=4000, years=10, seed=12)
    x = sc.total.reshape(-1, len(horizon.ids))
    n = x.shape[0]
    d = x - x.mean(axis=0)
    prod = d[:, :, None] * d[:, None, :]
    s = prod.sum(axis=0) / (n - 1)
    se = prod.std(axis=0, ddof=1) / np.sqrt(n)
    z = np.abs(s - horizon.covariance) / se
    assert z.max() < 4, np.unravel_index(int(z.argmax()), z.shape)
    corr = s / np.sqrt(np.outer(np.diag(s), np.diag(s)))
    np.testing.assert_allclose(corr, horizon.correlation, atol=0.05)


def test_montecarlo_seed_reproduces_and_differs(horizon: MarketAssumptions) -> None:
    a = montecarlo(horizon, 50, 7, seed=3)
    b = montecarlo(horizon, 50, 7, seed=3)
    c = montecarlo(horizon, 50, 7, seed=4)
    assert a.total.shape == (50, 7, len(horizon.ids))
    assert np.array_equal(a.total, b.total)
    assert not np.allclose(a.total, c.total)
    assert (a.method, a.seed, a.paths, a.years) == ("montecarlo", 3, 50, 7)
    assert np.all(a.total > -1.0)


def test_montecarlo_one_riskless_class_is_exact() -> None:
    m = load_preset("horizon-2025").subset(["us_treasuries_cash_equivalents"])
    m = replace(m, volatility=np.zeros(1))
    sc = montecarlo(m, 5, 4, seed=0)
    np.testing.assert_allclose(sc.total, m.expected_return[0], rtol=0, atol=1e-15)


def test_deterministic_is_the_mean_every_year(horizon: MarketAssumptions) -> None:
    sc = deterministic(horizon, 12)
    assert sc.total.shape == (1, 12, len(horizon.ids)) and sc.seed is None
    assert np.all(sc.total == horizon.expected_return)


def _csv(name: str) -> tuple[list[int], dict[str, list[float]]]:
    with open(DATA / HISTORY_FILES[name], encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cols = {
        c: [float(r[c]) if r[c] else float("nan") for r in rows] for c in rows[0] if c != "year"
    }
    return [int(r["year"]) for r in rows], cols


@pytest.mark.parametrize("name", ["damodaran", "simba"])
def test_bootstrap_draws_rows_of_the_history(horizon: MarketAssumptions, name: str) -> None:
    sc = bootstrap(horizon, paths=60, years=23, seed=5, block=5, history=name)
    assert sc.rows is not None and sc.inflation is not None
    years, cols = _csv(name)
    where = {y: k for k, y in enumerate(years)}
    drawn = np.vectorize(where.__getitem__)(sc.rows)
    for i, cid in enumerate(horizon.ids):
        kind, blend = HISTORY_MAP[cid][name]
        series = sum(w * np.array(cols[c]) for c, w in blend.items())
        x = np.asarray(series)[drawn]
        if kind == "direct":
            np.testing.assert_allclose(sc.total[:, :, i], x, rtol=0, atol=1e-15, err_msg=cid)
        else:  # an affine image of the proxy's history: same ranks, one slope
            slope = np.polyfit(x.ravel(), sc.total[:, :, i].ravel(), 1)[0]
            assert slope > 0, cid
            np.testing.assert_allclose(
                sc.total[:, :, i] - slope * x,
                (sc.total[:, :, i] - slope * x).mean(),
                atol=1e-12,
                err_msg=cid,
            )
    infl = "cpi_inflation" if name == "damodaran" else "inflation"
    np.testing.assert_allclose(sc.inflation, np.array(cols[infl])[drawn], atol=1e-15)


@pytest.mark.parametrize("name", ["damodaran", "simba"])
def test_bootstrap_proxies_match_the_preset_moments_over_the_window(
    horizon: MarketAssumptions, name: str
) -> None:
    """Drawing every window year once (block = window, one path) gives each proxy class
    the preset's μ and σ exactly."""
    sc = bootstrap(horizon, paths=1, years=200, seed=0, block=500, history=name)
    assert sc.rows is not None
    window = sorted(set(sc.rows[0].tolist()))
    assert window == list(range(window[0], window[-1] + 1))
    sample = sc.total[0, : len(window)]
    for i, cid in enumerate(horizon.ids):
        if HISTORY_MAP[cid][name][0] == "proxy":
            assert sample[:, i].mean() == pytest.approx(horizon.expected_return[i], abs=1e-12)
            assert sample[:, i].std(ddof=1) == pytest.approx(horizon.volatility[i], abs=1e-12)


def test_bootstrap_blocks_are_contiguous_and_wrap(horizon: MarketAssumptions) -> None:
    block = 7
    sc = bootstrap(horizon, paths=400, years=21, seed=9, block=block, history="damodaran")
    assert sc.rows is not None
    first, last = 1928, 2025
    within = sc.rows.reshape(400, 3, block)
    step = np.diff(within, axis=2)
    wrapped = (within[:, :, :-1] == last) & (within[:, :, 1:] == first)
    assert np.all((step == 1) | wrapped)
    assert wrapped.any(), "some block wraps from the last year to the first"
    assert sc.rows.min() >= first and sc.rows.max() <= last


def test_bootstrap_window_is_where_every_series_is_complete(horizon: MarketAssumptions) -> None:
    simba = bootstrap(horizon, paths=200, years=30, seed=1, history="simba")
    assert simba.rows is not None and simba.rows.min() == 1985 and simba.rows.max() == 2018
    two = horizon.subset(["us_equity_large_cap", "us_corp_bonds_core"])
    long = bootstrap(two, paths=200, years=30, seed=1, history="simba")
    assert long.rows is not None and long.rows.min() < 1900  # tsm/lcb_500 and tbm from 1871


def test_bootstrap_seed_reproduces(horizon: MarketAssumptions) -> None:
    a = bootstrap(horizon, 30, 9, seed=2)
    b = bootstrap(horizon, 30, 9, seed=2)
    c = bootstrap(horizon, 30, 9, seed=3)
    assert np.array_equal(a.total, b.total) and not np.array_equal(a.total, c.total)


def test_every_preset_class_is_mapped_in_both_histories() -> None:
    for preset in ("horizon-2025", "kaplan-2020"):
        m = load_preset(preset)
        for name in HISTORY_FILES:
            sc = bootstrap(m, 2, 3, seed=0, history=name)
            for cid in m.ids:
                assert any(note.startswith(f"{cid} ←") for note in sc.notes), (preset, cid)


def test_a_class_without_history_is_an_input_error(horizon: MarketAssumptions) -> None:
    m = replace(horizon.subset(["us_equity_large_cap"]), ids=("my_fund",))
    with pytest.raises(InputError) as err:
        bootstrap(m, 2, 3, seed=0)
    assert err.value.field == "plan.returns" and "'my_fund'" in err.value.problem


def test_scenarios_dispatch(horizon: MarketAssumptions) -> None:
    plan = PlanSettings(years=6, paths=20, seed=4)
    assert np.array_equal(scenarios(horizon, plan).total, montecarlo(horizon, 20, 6, 4).total)
    boot = PlanSettings(years=6, paths=20, returns="bootstrap", bootstrap_block=3, history="simba")
    a = scenarios(horizon, boot, seed=8)
    assert np.array_equal(a.total, bootstrap(horizon, 20, 6, 8, 3, "simba").total)
    det = scenarios(horizon, PlanSettings(returns="deterministic"), years=4)
    assert det.total.shape == (1, 4, len(horizon.ids))
    with pytest.raises(InputError):
        scenarios(horizon, PlanSettings())  # years not resolved


@given(
    paths=st.integers(1, 5),
    years=st.integers(1, 40),
    block=st.integers(1, 12),
    length=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_block_rows_invariants(paths: int, years: int, block: int, length: int, seed: int) -> None:
    idx = block_rows(np.random.default_rng(seed), paths, years, block, length)
    assert idx.shape == (paths, years)
    assert idx.min() >= 0 and idx.max() < length
    for p in range(paths):
        for t in range(1, years):
            if t % block:  # inside a block: the next history year, wrapping to 0
                assert idx[p, t] == (idx[p, t - 1] + 1) % length
