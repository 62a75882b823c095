"""Charts of the real pipeline: files, units on axes, markers at the results, class colours.

Every chart is drawn from the results of the example households (optimize, frontiers,
compare, tax_year, rebalance), by the results' own plot methods.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.image as mimage
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import assetloc
from assetloc.analysis.frontier import Frontiers
from assetloc.inputs.household import parse_household
from assetloc.present.charts import (
    PNG_DPI,
    PercentTicks,
    build_figures,
    comparison_from_plan,
    figure_svg,
    save_figure,
    write_charts,
)
from assetloc.present.report_data import ReportData, report_data
from assetloc.present.style import CLASS_PALETTE, class_colors, class_hatches

from support.samples import FOUR_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
POINTS = 25


@pytest.fixture(scope="module")
def data() -> ReportData:
    """Kaplan's net-worth example: both views, every method."""
    return report_data(assetloc.load_household(EXAMPLES / "kaplan_net_worth.toml"), POINTS)


@pytest.fixture(scope="module")
def written(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every chart written once; the rcParams seen before and after."""
    before = copy.deepcopy(dict(mpl.rcParams))
    out = write_charts(data, tmp_path_factory.mktemp("charts"))
    return {"out": out, "before": before, "after": copy.deepcopy(dict(mpl.rcParams))}


def _all_labels(fig: Figure) -> list[str]:
    return [t for ax in fig.axes for t in (ax.get_xlabel(), ax.get_ylabel())]


def _legend_count(fig: Figure) -> int:
    return len(fig.legends) + sum(ax.get_legend() is not None for ax in fig.axes)


def _gid_artist(fig: Figure, gid: str) -> Any:
    for ax in fig.axes:
        for art in [*ax.lines, *ax.patches]:
            if art.get_gid() == gid:
                return art
    raise AssertionError(f"no artist with gid {gid!r}")


def _figure(ax: Axes) -> Figure:
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    return fig


def _new_axes() -> Axes:
    fig = Figure()
    FigureCanvasAgg(fig)
    return fig.subplots()


def test_write_charts_writes_valid_png_and_svg(written: dict[str, Any]) -> None:
    out = written["out"]
    assert set(out) == {"frontier", "allocation", "mix", "comparison"}
    for paths in out.values():
        png, svg = paths
        assert png.suffix == ".png" and svg.suffix == ".svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 20_000
        head = svg.read_text(encoding="utf-8")[:400]
        assert head.startswith("<?xml") and "<svg" in head
        assert svg.stat().st_size > 20_000


def test_png_resolution(data: ReportData, tmp_path: Path) -> None:
    fig = _figure(data.plan.plot_mix())
    png, _ = save_figure(fig, tmp_path / "mix")
    img = mimage.imread(png)
    w_in, h_in = fig.get_size_inches()
    assert PNG_DPI >= 120
    assert img.shape[1] == pytest.approx(w_in * PNG_DPI, abs=2)
    assert img.shape[0] == pytest.approx(h_in * PNG_DPI, abs=2)


def test_axis_labels_carry_units(data: ReportData) -> None:
    figs = build_figures(data)
    fr = _all_labels(figs["frontier"])
    assert "volatility (SD, % per year, after tax)" in fr
    assert "expected return (% per year, after tax)" in fr
    assert any("dollars" in lbl for lbl in _all_labels(figs["allocation"]))
    assert any("(%)" in lbl for lbl in _all_labels(figs["mix"]))
    comp = _all_labels(figs["comparison"])
    assert any("% per year" in lbl for lbl in comp)
    assert any("bp per year" in lbl for lbl in comp)
    for name, fig in figs.items():
        assert _legend_count(fig) >= 1, name
        titles = [ax.get_title() for ax in fig.axes] + [fig.get_suptitle()]
        assert any(titles), name


def test_percent_ticks() -> None:
    f = PercentTicks()
    f.set_locs([0.0, 0.05, 0.10])
    assert f(0.05) == "5%"
    f.set_locs([0.060, 0.062, 0.064])
    assert f(0.062) == "6.2%"
    f.set_locs([0.0600, 0.0605])
    assert f(0.0605) == "6.05%"


def test_frontier_markers_sit_at_the_results(data: ReportData) -> None:
    """The star is the frontier's optimum, the cross is the plan seen in that view (its
    metrics computed by the plan, not by the frontier), one marker per comparison method."""
    fr = data.frontiers
    assert fr is not None and list(fr) == ["financial", "net_worth"]
    ax = fr.plot(comparison=data.comparison)
    fig = _figure(ax)
    assert ax.get_title() == "net worth (optimized view)"  # the axes returned: the context
    seen = data.plan.view_metrics()
    for view in fr:
        opt = fr[view].optimum
        line = _gid_artist(fig, f"optimum-{view}")
        assert list(line.get_xdata()) == [opt.volatility]
        assert list(line.get_ydata()) == [opt.expected_return]
        curve = _gid_artist(fig, f"frontier-line-{view}")
        assert len(curve.get_xdata()) == POINTS
        _gid_artist(fig, f"indifference-{view}")
    # the plan optimized on net worth sits off the financial frontier's optimum
    chosen = _gid_artist(fig, "chosen-financial")
    assert chosen.get_xdata()[0] == pytest.approx(seen["financial"].volatility, abs=1e-9)
    assert chosen.get_ydata()[0] == pytest.approx(seen["financial"].expected_return, abs=1e-9)
    titles = [a.get_title() for a in fig.axes]
    assert titles == ["financial assets", "net worth (optimized view)"]
    assert 'id="optimum-financial"' in figure_svg(fig)


def test_frontier_optimum_beats_every_point(data: ReportData) -> None:
    """Each frontier point is its own QP; none has a higher utility than the optimum."""
    assert data.frontiers is not None
    for f in data.frontiers.values():
        best = max(pt.utility for pt in f.points)
        assert f.optimum.utility >= best - 1e-9
        vols = f.to_frame()["volatility"].to_numpy()
        assert vols[0] == pytest.approx(vols.min(), abs=1e-9)  # starts at least variance


def test_frontier_on_given_axes_and_single_view(data: ReportData) -> None:
    assert data.frontiers is not None
    ax = _new_axes()
    assert data.frontiers.plot(ax) is ax  # the optimized view on the caller's axes
    assert ax.get_gid() == "frontier-net_worth"
    one = data.frontiers["financial"]
    ax2 = one.plot()
    assert len(_figure(ax2).axes) == 1 and ax2.get_title() == "financial assets (optimized view)"
    with pytest.raises(ValueError, match="no view"):
        Frontiers(views={}).plot()


def test_class_colours_consistent_across_charts(data: ReportData) -> None:
    plan = data.plan
    expected = class_colors(plan.classes)
    alloc, mix = _figure(plan.plot_allocation()), _figure(plan.plot_mix())
    holdings = plan.holdings
    held = [c for c in expected if (holdings[c] >= 0.005).any()]
    assert held
    for c in held:
        bar = _gid_artist(alloc, f"bar-{c}")
        after = _gid_artist(mix, f"mix-after-{c}")
        pre = _gid_artist(mix, f"mix-pre-{c}")
        assert to_hex(bar.get_facecolor()) == expected[c].lower()
        assert to_hex(after.get_facecolor()) == expected[c].lower()
        assert to_hex(pre.get_facecolor(), keep_alpha=False) == expected[c].lower()
    # colours follow the plan's class order, not what a chart shows
    assert list(expected.values())[: len(CLASS_PALETTE)] == [
        c for c in CLASS_PALETTE[: len(expected)]
    ]


def test_allocation_bars_are_the_accounts_dollars(data: ReportData) -> None:
    """Each account's stacked bars add up to its balance from the household file."""
    h = assetloc.load_household(EXAMPLES / "kaplan_net_worth.toml")
    ax = data.plan.plot_allocation(_new_axes())
    tops: dict[float, float] = {}
    for patch in ax.patches:
        x = round(patch.get_x() + patch.get_width() / 2, 6)
        tops[x] = tops.get(x, 0.0) + patch.get_height()
    balances = [acc.balance for acc in h.accounts]
    assert [tops[float(k)] for k in range(len(balances))] == pytest.approx(balances, rel=1e-9)


def test_mix_bars_are_after_tax_shares() -> None:
    """The guide's example fixes a 60/40 after-tax mix: the after-tax bars are the file's
    mix, and Σ_k v_k·dollars / Σ_k v_k·balance with v_k = 1 − retirement_rate for the IRA."""
    h = assetloc.load_household(EXAMPLES / "three_accounts.toml")
    plan = assetloc.optimize(h)
    ret = h.investor.retirement_rate
    assert ret is not None and h.objective.mix is not None
    v = np.array([1 - ret if a.type == "traditional" else 1.0 for a in h.accounts])
    dollars = plan.holdings.loc[[a.id for a in h.accounts]].to_numpy()
    from_dollars = v @ dollars / (v @ [a.balance for a in h.accounts])
    fig = _figure(plan.plot_mix())
    for c, share in zip(plan.classes, from_dollars, strict=True):
        stated = h.objective.mix.get(c, 0.0)
        assert share == pytest.approx(stated, abs=1e-9)
        if share >= 5e-4:
            assert _gid_artist(fig, f"mix-after-{c}").get_width() == pytest.approx(stated, abs=1e-9)


def test_many_classes_get_hatches() -> None:
    classes = [f"c{i}" for i in range(12)]
    colors, hatches = class_colors(classes), class_hatches(classes)
    assert colors["c0"] == colors["c10"]
    assert hatches["c0"] == "" and hatches["c10"] != ""
    pairs = {(colors[c], hatches[c]) for c in classes}
    assert len(pairs) == len(classes)


def test_comparison_from_plan_and_figure(data: ReportData) -> None:
    plan = data.plan
    comp = comparison_from_plan(plan)
    assert comp.names[0] == plan.method and set(comp.names[1:]) == set(plan.baselines)
    fig = _figure(comp.plot())
    _gid_artist(fig, "method-financial-duplicate")
    assert data.comparison is not None
    fig2 = _figure(data.comparison.plot())
    _gid_artist(fig2, "method-net_worth-joint")
    gain = _gid_artist(fig2, "gain-financial-duplicate")
    assert gain.get_width() == pytest.approx(0.0)
    # joint's bar is its utility over duplicate's, from the plan's own baseline
    joint = _gid_artist(fig2, "gain-net_worth-joint")
    assert joint.get_width() == pytest.approx(plan.improvement_bp("duplicate")["utility_bp"])
    ax = _new_axes()
    assert data.comparison.plot(ax) is ax


def test_plan_only_data(data: ReportData) -> None:
    assert set(build_figures(ReportData(plan=data.plan))) == {"allocation", "mix", "comparison"}


def test_no_global_state_leaks(written: dict[str, Any]) -> None:
    assert written["after"] == written["before"]
    # figures belong to nobody: pyplot is never imported by the report modules
    code = (
        "import sys, json; from assetloc.present import charts, html; "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"


def test_user_strings_are_not_mathtext() -> None:
    spec = copy.deepcopy(FOUR_ACCOUNTS)
    spec["accounts"][0]["id"] = "cash $5 $x^2$ <b>"
    plan = assetloc.optimize(parse_household(spec))
    ax = plan.plot_allocation()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0].startswith("cash $5 $x^2$ <b>")
    assert figure_svg(_figure(ax)).startswith("<?xml")


def test_rebalance_drift_chart() -> None:
    """Bars are each class's share minus its target, before and after, from the result's
    allocation in dollars."""
    result = assetloc.rebalance(assetloc.load_household(EXAMPLES / "rebalance.toml"))
    ax = result.plot()
    fig = _figure(ax)
    frame = result.allocation_frame()
    for row in frame.itertuples():
        after = _gid_artist(fig, f"drift-after-{row._1}")
        assert after.get_width() == pytest.approx(row.after - row.target, abs=1e-12)
        before = _gid_artist(fig, f"drift-before-{row._1}")
        assert before.get_width() == pytest.approx(row.before - row.target, abs=1e-12)
    total = frame["dollars_after"].sum()
    assert (frame["dollars_after"] / total).to_numpy() == pytest.approx(frame["after"], abs=1e-9)


def test_tax_year_marginal_rate_chart() -> None:
    """Each stacked bar (federal without NIIT + NIIT + state) adds up to the total rate."""
    ty = assetloc.tax_year(assetloc.load_household(EXAMPLES / "retired_couple.toml"))
    fig = _figure(ty.plot())
    for kind, m in ty.tax_return.marginal.items():
        parts = [
            _gid_artist(fig, f"rate-{p}-{kind}").get_width() for p in ("federal", "niit", "state")
        ]
        assert sum(parts) == pytest.approx(m.federal + m.state, abs=1e-12)
    ax = _new_axes()
    assert ty.plot(ax) is ax


@pytest.mark.parametrize(
    ("locs", "value", "text"),
    [
        ([0.0, 0.025, 0.05, 0.075], 0.025, "2.5%"),
        ([0.0, 0.025, 0.05, 0.075], 0.05, "5.0%"),
        ([0.0, 0.02, 0.04], 0.04, "4%"),
        ([0.06, 0.0625, 0.065], 0.0625, "6.25%"),
    ],
)
def test_percent_ticks_are_exact(locs: list[float], value: float, text: str) -> None:
    f = PercentTicks()
    f.set_locs(locs)
    assert f(value) == text
