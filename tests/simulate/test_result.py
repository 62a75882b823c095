"""SimulationResult: the location value's identity and closed form, the JSON's shape and
rounding, the core-challenge counts, tables and charts, on outcomes built by hand (the
result reads only the fields of StrategyOutcome, so no simulation is needed here)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from assetloc.errors import InputError
from assetloc.notice import NOTICE
from assetloc.present import jsonout
from assetloc.simulate.result import SimulationResult
from assetloc.tax.engine import NOT_MODELLED

from support.sim_outcomes import Lifecycle, Outcome, outcome, result


def pair(years: int = 30, paths: int = 200, bp_a_year: float = 12.0) -> SimulationResult:
    rng = np.random.default_rng(3)
    dup = rng.lognormal(np.log(2e6), 0.4, paths)
    joint = dup * (1 + bp_a_year / 1e4) ** years
    return result(
        {"joint": outcome("joint", joint, years, 1), "duplicate": outcome("duplicate", dup, years)},
        years,
    )


# ------------------------------------------------------------------ location value


def test_location_value_closed_form() -> None:
    r = pair(years=30, bp_a_year=12.0)
    v = r.location_value_bp("joint")
    assert np.allclose(v, 12.0, atol=1e-9)
    assert np.allclose(r.location_value_bp("duplicate"), 0.0)
    d = r.to_dict()["location_value_bp"]
    assert set(d) == {"joint"}  # duplicate is the reference, not compared with itself
    assert d["joint"]["mean"] == pytest.approx(12.0)
    assert d["joint"]["share_negative"] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    arrays(float, 20, elements=st.floats(1e3, 1e8)),
    arrays(float, 20, elements=st.floats(1e3, 1e8)),
    st.integers(1, 60),
)
def test_location_value_identity(a: np.ndarray, b: np.ndarray, years: int) -> None:
    """W_dup · (1 + v/1e4)^T = W_s on every path."""
    r = result(
        {"joint": outcome("joint", a, years), "duplicate": outcome("duplicate", b, years)}, years
    )
    v = r.location_value_bp("joint")
    assert np.allclose(b * (1 + v / 1e4) ** years, a, rtol=1e-9)
    assume(bool(np.all(np.abs(a / b - 1) > 1e-9)))  # near-ties round to either sign
    share = r.to_dict()["location_value_bp"]["joint"]["share_negative"]
    assert share == pytest.approx(float((a < b).mean()))


def test_location_value_undefined_where_wealth_is_not_positive() -> None:
    years = 10
    dup = np.array([1e6, 1e6, -5e4, 1e6])
    joint = np.array([1.1e6, 0.0, 1e6, 0.9e6])
    r = result(
        {
            "joint": outcome("joint", np.abs(joint) + 1, years),
            "duplicate": outcome("duplicate", np.abs(dup), years),
        },
        years,
    )
    # build with the signed values directly (outcome() needs positive wealth for its path)
    o = {
        "joint": Outcome(**{**r.outcomes["joint"].__dict__, "terminal_wealth": joint}),
        "duplicate": Outcome(**{**r.outcomes["duplicate"].__dict__, "terminal_wealth": dup}),
    }
    r = result(o, years)
    v = r.location_value_bp("joint")
    assert np.isnan(v[1]) and np.isnan(v[2])
    lv = r.to_dict()["location_value_bp"]["joint"]
    assert lv["paths_undefined"] == 2
    assert lv["share_negative"] == pytest.approx(0.5)  # of the two defined paths, one < 0
    json.loads(jsonout.dumps(r.to_dict()))  # no NaN reaches the JSON


def test_unknown_strategy_names_the_known() -> None:
    with pytest.raises(InputError, match="known: joint, duplicate"):
        pair().location_value_bp("nope")


# ------------------------------------------------------------------ JSON


def test_json_shape_is_the_issues() -> None:
    r = pair()
    doc = json.loads(jsonout.dumps(r.to_dict()))
    assert {"paths", "years", "seed", "returns", "strategies", "location_value_bp"} <= set(doc)
    assert {"assumptions", "notice", "lifecycle"} <= set(doc)
    assert doc["notice"] == NOTICE
    for s in doc["strategies"].values():
        for key in ("terminal_wealth", "spending", "lifetime_tax"):
            assert set(s[key]) == {"mean", "p5", "p50", "p95"}
        assert {"share_of_years", "share_of_paths", "tax"} <= set(s["taxable_rebalance_sales"])
    assert {"mean", "p5", "p50", "p95", "share_negative"} <= set(doc["location_value_bp"]["joint"])
    a = doc["assumptions"]
    assert a["not_modelled"] == list(NOT_MODELLED)
    assert "today's dollars" in a["dollars"]
    assert "2026" in a["tax_law"] and "IRC §86" in a["social_security"]
    assert a["inflation"] == 0.025 and a["liquidation"] == "liquidate"  # the run's own


def test_json_statistics_against_numpy_and_rounded_to_cents() -> None:
    r = pair()
    doc = json.loads(jsonout.dumps(r.to_dict()))
    tw = r.outcomes["joint"].terminal_wealth
    got = doc["strategies"]["joint"]["terminal_wealth"]
    assert got["p50"] == pytest.approx(float(np.median(tw)), abs=0.006)
    assert got["mean"] == pytest.approx(float(np.mean(tw)), abs=0.006)
    for v in got.values():
        assert round(v, 2) == v  # dollars: cents


def test_taxable_rebalance_sales_counts() -> None:
    years, paths = 4, 3
    sale = np.array(
        [[True, False, False, False], [False, False, False, False], [True, True, False, False]]
    )
    tax = np.where(sale, 250.0, 0.0)
    base = outcome("duplicate", np.full(paths, 1e6), years)
    o = Outcome(**{**base.__dict__, "taxable_sale": sale, "taxable_sale_tax": tax})
    r = result({"duplicate": o}, years)
    t = r.taxable_rebalance_sales("duplicate")
    assert t["share_of_years"] == pytest.approx(3 / 12)
    assert t["share_of_paths"] == pytest.approx(2 / 3)
    assert t["tax"] == pytest.approx((250 + 500) / 3)
    assert r.to_dict()["location_value_bp"] == {}  # nothing to compare with duplicate


def test_lifecycle_in_json() -> None:
    n = 5
    lc = Lifecycle(
        years=n,
        human_capital=np.linspace(4e5, 0, n + 1),
        financial=np.linspace(1e5, 5e5, n + 1),
        total=np.linspace(5e5, 5e5, n + 1),
        consumption=np.full(n, 3e4),
    )
    r = result(pair().outcomes, 30, lifecycle=lc)  # type: ignore[arg-type]
    doc = json.loads(jsonout.dumps(r.to_dict()))
    life = doc["lifecycle"]
    assert life["year"] == list(range(n + 1))
    assert np.allclose(
        np.array(life["human_capital"]) + life["financial_wealth"], life["total_wealth"]
    )
    assert life["consumption"] == [30000.0] * n


def test_same_inputs_same_json() -> None:
    a = jsonout.dumps(pair().to_dict())
    b = jsonout.dumps(pair().to_dict())
    assert a == b


# ------------------------------------------------------------------ presentation


def test_frame_summary_repr_html() -> None:
    r = pair()
    f = r.to_frame()
    assert list(f.index) == ["joint", "duplicate"]
    assert f.loc["joint", ("location_value_bp", "mean")] == pytest.approx(12.0)
    assert np.isnan(f.loc["duplicate", ("location_value_bp", "mean")])
    w = r.wealth_frame()
    assert len(w) == 2 * 31 and {"strategy", "year", "p5", "p50", "p95"} <= set(w.columns)
    assert (w["p5"] <= w["p50"]).all() and (w["p50"] <= w["p95"]).all()
    assert "+12.0 bp" in repr(r)
    assert "location value joint vs duplicate" in r.summary()
    page = r._repr_html_()
    assert "<table" in page and "&lt;SimulationResult" in page  # the caption shows as text


def test_plots_draw_every_strategy() -> None:
    r = pair()
    ax = r.plot_fan()
    gids = {a.get_gid() for a in ax.get_children()}
    assert {"fan-median-joint", "fan-median-duplicate", "fan-band-joint"} <= gids
    lo, hi = ax.get_ylim()
    for name in r.names:  # the whole band is inside the axes, which start at $0
        q = r.wealth_percentiles(name)
        assert lo == 0.0 and q.max() <= hi
        line = next(a for a in ax.get_lines() if a.get_gid() == f"fan-median-{name}")
        assert np.allclose(line.get_ydata(), q[1])
    ax2 = r.plot_location_value()
    gids2 = {a.get_gid() for a in ax2.get_children()}
    assert {"lv-hist-joint", "lv-mean-joint"} <= gids2
    mean_line = next(a for a in ax2.get_lines() if a.get_gid() == "lv-mean-joint")
    assert mean_line.get_xdata()[0] == pytest.approx(12.0)  # the closed form's 12 bp
    hist = next(a for a in ax2.get_children() if a.get_gid() == "lv-hist-joint")
    assert float(np.sum(hist.get_data().values)) == pytest.approx(1.0)  # shares of paths
    assert "lv-hist-duplicate" not in gids2


def test_wealth_fan_against_sorted_paths() -> None:
    """``wealth_fan``: per year the 5th/50th/95th percentile of the paths' wealth, checked
    against an order statistic computed by hand (odd path count: the median is a path)."""
    years, paths = 6, 201
    rng = np.random.default_rng(11)
    r = result({"duplicate": outcome("duplicate", rng.lognormal(13, 0.3, paths), years)}, years)
    doc = json.loads(jsonout.dumps(r.to_dict()))
    fan = doc["wealth_fan"]["duplicate"]
    w = r.outcomes["duplicate"].wealth
    assert fan["year"] == list(range(years + 1))
    for t in range(years + 1):
        col = sorted(w[:, t])
        assert fan["wealth_p50"][t] == pytest.approx(col[paths // 2], abs=0.006)
        # linear interpolation at rank 0.05 (n - 1) = 10: exactly the 11th smallest path
        assert fan["wealth_p5"][t] == pytest.approx(col[10], abs=0.006)
        assert fan["wealth_p95"][t] == pytest.approx(col[190], abs=0.006)
        assert fan["wealth_p5"][t] <= fan["wealth_p50"][t] <= fan["wealth_p95"][t]
        assert round(fan["wealth_p50"][t], 2) == fan["wealth_p50"][t]  # dollars: cents
