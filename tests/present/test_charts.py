"""Charts: files, units on axes, the optimum equals the data, consistent class colours."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.image as mimage
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import assetloc
from assetloc.inputs.household import parse_household
from assetloc.present.charts import (
    PNG_DPI,
    PercentTicks,
    allocation_figure,
    build_figures,
    comparison_figure,
    comparison_from_plan,
    figure_svg,
    frontier_figure,
    mix_figure,
    save_figure,
    write_charts,
)
from assetloc.present.sample import sample_report_data, synthetic_frontier
from assetloc.present.style import CLASS_PALETTE, class_colors, class_hatches, plan_classes

from support.samples import FOUR_ACCOUNTS


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    plan = assetloc.optimize(parse_household(FOUR_ACCOUNTS)).to_dict()
    return sample_report_data(plan, title="Four accounts, Kaplan 2020")


@pytest.fixture(scope="module")
def written(data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
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


def test_png_resolution(data: dict[str, Any], tmp_path: Path) -> None:
    fig = mix_figure(data["plan"])
    png, _ = save_figure(fig, tmp_path / "mix")
    img = mimage.imread(png)
    w_in, h_in = fig.get_size_inches()
    assert PNG_DPI >= 120
    assert img.shape[1] == pytest.approx(w_in * PNG_DPI, abs=2)
    assert img.shape[0] == pytest.approx(h_in * PNG_DPI, abs=2)


def test_axis_labels_carry_units(data: dict[str, Any]) -> None:
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


def test_frontier_optimum_equals_data(data: dict[str, Any]) -> None:
    fig = frontier_figure(data["frontier"], "financial", views=data["views"])
    for view in ("financial", "net_worth"):
        opt = data["frontier"][view]["optimum"]
        line = _gid_artist(fig, f"optimum-{view}")
        assert list(line.get_xdata()) == [opt["volatility"]]
        assert list(line.get_ydata()) == [opt["expected_return"]]
        curve = _gid_artist(fig, f"frontier-line-{view}")
        assert len(curve.get_xdata()) == len(data["frontier"][view]["points"])
        _gid_artist(fig, f"indifference-{view}")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["financial assets (optimized view)", "net worth"]
    # the net-worth panel marks where the plan optimized on financial assets sits
    chosen = _gid_artist(fig, "chosen-net_worth")
    assert list(chosen.get_xdata()) == [data["views"]["net_worth"]["volatility"]]
    assert 'id="optimum-financial"' in figure_svg(fig)


def test_frontier_single_view_and_synthetic_optimum() -> None:
    f = synthetic_frontier(0.06, 0.10, 3.74)
    best = max(f["points"], key=lambda p: p["utility"])
    assert best["volatility"] == pytest.approx(0.10)
    assert best["expected_return"] == pytest.approx(0.06)
    fig = frontier_figure({"financial": f}, "financial")
    assert len(fig.axes) == 1
    with pytest.raises(ValueError, match="no view"):
        frontier_figure({}, "financial")


def test_class_colours_consistent_across_charts(data: dict[str, Any]) -> None:
    plan = data["plan"]
    expected = class_colors(plan_classes(plan))
    alloc, mix = allocation_figure(plan), mix_figure(plan)
    held = [
        c for c in expected if any(a["holdings"].get(c, 0.0) >= 0.005 for a in plan["accounts"])
    ]
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


def test_many_classes_get_hatches() -> None:
    classes = [f"c{i}" for i in range(12)]
    colors, hatches = class_colors(classes), class_hatches(classes)
    assert colors["c0"] == colors["c10"]
    assert hatches["c0"] == "" and hatches["c10"] != ""
    pairs = {(colors[c], hatches[c]) for c in classes}
    assert len(pairs) == len(classes)


def test_comparison_from_plan_and_figure(data: dict[str, Any]) -> None:
    comp = comparison_from_plan(data["plan"])
    assert comp["methods"][0]["name"] == data["plan"]["method"]
    fig = comparison_figure(comp)
    _gid_artist(fig, "method-financial-duplicate")
    fig2 = comparison_figure(data["comparison"])
    _gid_artist(fig2, "method-net_worth-joint")
    gain = _gid_artist(fig2, "gain-financial-duplicate")
    assert gain.get_width() == pytest.approx(0.0)
    with pytest.raises(ValueError):
        comparison_figure({"methods": []})


def test_plan_only_data(data: dict[str, Any]) -> None:
    assert set(build_figures({"plan": data["plan"]})) == {"allocation", "mix", "comparison"}


def test_no_global_state_leaks(written: dict[str, Any]) -> None:
    assert written["after"] == written["before"]
    # figures belong to nobody: pyplot is never imported by the report modules
    import subprocess
    import sys

    code = (
        "import sys, json; from assetloc.present import charts, html; "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"


def test_user_strings_are_not_mathtext(data: dict[str, Any]) -> None:
    plan = copy.deepcopy(data["plan"])
    plan["accounts"][0]["id"] = "cash $5 $x^2$ <b>"
    fig = allocation_figure(plan)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0].startswith("cash $5 $x^2$ <b>")
    assert figure_svg(fig).startswith("<?xml")


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
