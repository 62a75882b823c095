"""What the output says: preset labels in tables and reports (ids in JSON), a fixed-mix
frontier that does not pass off the unconstrained optimum as the plan, where the effective
tax rates came from, and which frontier points a table shows."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from hypothesis import given
from hypothesis import strategies as st

from assetloc import load_household, load_preset, parse_household
from assetloc.analysis.tax_summary import tax_summary
from assetloc.cli.frontier import _sample
from assetloc.present.charts import build_figures
from assetloc.present.html import FIXED_MIX_FRONTIER_NOTE, render_html
from assetloc.present.report_data import ReportData, report_data

from support.samples import TWO_ACCOUNTS_TOML

ROOT = Path(__file__).resolve().parents[2]
FIXED = ROOT / "examples" / "three_accounts.toml"  # objective: fixed 60/40 mix

MEAN_VARIANCE = (
    TWO_ACCOUNTS_TOML
    + """
[objective]
kind = "mean_variance"

[assumptions]
universe = ["us_equity_large_cap", "us_corp_bonds_core", "tips"]
"""
)


def _legend_texts(fig: Any) -> list[str]:
    legends = [*fig.legends, *(lg for ax in fig.axes if (lg := ax.get_legend()) is not None)]
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def _data(text_or_path: str | Path) -> ReportData:
    if isinstance(text_or_path, Path):
        h = load_household(text_or_path)
    else:
        h = parse_household(tomllib.loads(text_or_path))
    return report_data(h, 8)


def test_fixed_mix_frontier_names_the_star_and_the_plan() -> None:
    data = _data(FIXED)
    assert data.plan.assumptions["objective"] == "fixed_mix"
    fig = build_figures(data)["frontier"]
    texts = " | ".join(_legend_texts(fig))
    plt.close("all")
    assert "mix released" in texts and "the household's plan (its fixed mix)" in texts
    html = render_html(data, charts=False)
    assert FIXED_MIX_FRONTIER_NOTE not in html  # no chart, no caption
    html = render_html(data)
    assert FIXED_MIX_FRONTIER_NOTE in html


def test_an_optimized_plan_keeps_the_plain_optimum() -> None:
    data = _data(MEAN_VARIANCE)
    fig = build_figures(data)["frontier"]
    texts = " | ".join(_legend_texts(fig))
    plt.close("all")
    assert "optimum (utility maximum)" in texts and "mix released" not in texts
    assert FIXED_MIX_FRONTIER_NOTE not in render_html(data)


def test_report_shows_labels_and_json_keeps_ids() -> None:
    data = _data(FIXED)
    preset = load_preset("horizon-2025")
    labels = dict(zip(preset.ids, preset.labels, strict=True))
    plan = data.plan.to_dict()
    assert set(plan["accounts"][0]["holdings"]) == {"us_equity_large_cap", "us_corp_bonds_core"}
    assert plan["class_labels"]["us_equity_large_cap"] == labels["us_equity_large_cap"]
    assert data.plan.class_labels["us_equity_large_cap"] == labels["us_equity_large_cap"]
    html = render_html(data, charts=False)
    assert "US Equity - Large Cap" in html and "US Corporate Bonds - Core" in html
    assert ">us_equity_large_cap<" not in html  # the id is only a tooltip


def test_effective_tax_rates_say_where_they_came_from() -> None:
    base = tomllib.loads(MEAN_VARIANCE)
    simulated = tax_summary(parse_household(base)).to_dict()["assumptions"]
    assert any("simulation" in s for s in simulated)
    preset = {
        **base,
        "investor": {"ordinary_rate": 0.40, "capital_gains_rate": 0.20},  # the preset's investor
        "options": {"effective_tax_rates": "preset"},
    }
    notes = tax_summary(parse_household(preset)).to_dict()["assumptions"]
    assert not any("simulation" in s for s in notes), notes
    assert any("'preset'" in s and "not simulated" in s for s in notes), notes
    given_rates = {
        **base,
        "assumptions": {
            "preset": "horizon-2025",
            "classes": [{"id": "us_equity_large_cap", "effective_tax_rate": 0.3}],
            "universe": base["assumptions"]["universe"],
        },
    }
    mixed = tax_summary(parse_household(given_rates)).to_dict()
    origins = {c["id"]: c["origin"] for c in mixed["classes"]}
    assert origins["us_equity_large_cap"] == "given"
    text = " ".join(mixed["assumptions"])
    assert "stated in the household file: us_equity_large_cap" in text
    assert "Simulated rates (origin 'computed'): us_corp_bonds_core, tips" in text


@given(st.integers(1, 3000))
def test_frontier_table_sample(n: int) -> None:
    idx = _sample(n)
    assert idx == sorted(set(idx)) and len(idx) == min(n, 12)
    assert idx[0] == 0 and idx[-1] == n - 1
