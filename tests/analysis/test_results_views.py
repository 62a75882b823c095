"""The results' notebook face: labelled pandas views, short reprs, summaries, HTML tables,
and lookups that fail with one clear line. Figures are checked against the household file
(balances, a stated mix) or against a second computation (the plan's baselines)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assetloc
from assetloc.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
THREE = ROOT / "examples" / "three_accounts.toml"  # fixed 60/40 after-tax mix
KAPLAN = ROOT / "examples" / "kaplan_net_worth.toml"  # both views


@pytest.fixture(scope="module")
def three() -> tuple[assetloc.Household, assetloc.Plan]:
    h = assetloc.load_household(THREE)
    return h, assetloc.optimize(h)


@pytest.fixture(scope="module")
def kaplan() -> tuple[assetloc.Household, assetloc.Plan]:
    h = assetloc.load_household(KAPLAN)
    return h, assetloc.optimize(h)


def test_mix_is_a_series_by_class_with_the_stated_mix(
    three: tuple[assetloc.Household, assetloc.Plan],
) -> None:
    h, plan = three
    assert isinstance(plan.mix, pd.Series)
    assert list(plan.mix.index) == list(plan.classes)
    assert h.objective.mix is not None
    for cid, w in h.objective.mix.items():
        assert plan.mix[cid] == pytest.approx(w, abs=1e-9)
    assert plan.mix.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_array_equal(plan.mix.to_numpy(), plan.weights)


def test_holdings_is_accounts_by_classes_in_dollars(
    three: tuple[assetloc.Household, assetloc.Plan],
) -> None:
    h, plan = three
    frame = plan.holdings
    assert list(frame.index) == [a.id for a in h.accounts]
    assert list(frame.columns) == list(plan.classes)
    # every account holds exactly its balance from the file
    np.testing.assert_allclose(frame.sum(axis=1), [a.balance for a in h.accounts], rtol=1e-9)
    # the pre-tax mix is the dollars' share at face value
    face = frame.sum(axis=0) / sum(a.balance for a in h.accounts)
    np.testing.assert_allclose(plan.mix_pre_tax, face, atol=1e-12)
    long = plan.to_frame()
    assert len(long) == frame.size and long["dollars"].sum() == pytest.approx(frame.values.sum())


def test_repr_is_short_and_summary_names_the_mix(
    kaplan: tuple[assetloc.Household, assetloc.Plan],
) -> None:
    _, plan = kaplan
    text = repr(plan)
    assert len(text) < 250 and "\n" not in text
    assert "mean_variance" in text and "2 accounts" in text and "net_worth" in text
    assert f"E {plan.metrics.expected_return:.2%}" in text
    summary = plan.summary()
    gain = plan.improvement_bp("duplicate")["utility_bp"]
    assert f"gain vs duplicate: U {gain:+.1f} bp/yr" in summary
    for cid, w in plan.mix.items():
        if w >= 5e-4:
            assert plan.class_labels[cid] in summary
    html = plan._repr_html_()
    assert html.count("<table") == 1 and "mix (after tax)" in html and "taxable" in html


def test_unknown_baseline_is_one_clear_line(
    three: tuple[assetloc.Household, assetloc.Plan],
) -> None:
    _, plan = three
    with pytest.raises(InputError) as err:
        plan.improvement_bp("separate")
    msg = str(err.value)
    assert "'separate'" in msg and "duplicate" in msg and "\n" not in msg


def test_comparison_is_typed_and_agrees_with_the_plan(
    kaplan: tuple[assetloc.Household, assetloc.Plan],
) -> None:
    h, plan = kaplan
    comp = assetloc.compare(h, plan)
    assert comp.names == ("joint", "duplicate", "separate", "two_step", "rule_of_thumb")
    frame = comp.to_frame()
    ctx = plan.problem.context
    # joint is the optimized plan; duplicate is the plan's own duplicate baseline, computed
    # by optimize separately from compare
    assert frame.loc["joint", (ctx, "utility")] == pytest.approx(plan.metrics.utility, abs=1e-12)
    dup = plan.baselines["duplicate"].metrics
    assert frame.loc["duplicate", (ctx, "utility")] == pytest.approx(dup.utility, abs=1e-9)
    assert comp.improvement_bp("joint") == pytest.approx(
        plan.improvement_bp("duplicate")["utility_bp"], abs=1e-6
    )
    assert "joint vs duplicate" in repr(comp) and len(repr(comp)) < 200
    assert "separate" in comp.summary() and "<table" in comp._repr_html_()
    with pytest.raises(InputError, match="unknown method 'nope'; known: joint, duplicate"):
        comp.method("nope")


def test_frontiers_are_a_mapping_of_views(kaplan: tuple[assetloc.Household, assetloc.Plan]) -> None:
    h, plan = kaplan
    fr = assetloc.frontiers(h, 12, plan.x)
    assert list(fr) == ["financial", "net_worth"] and len(fr) == 2
    assert fr.context == "net_worth" and not fr.fixed_mix
    seen = plan.view_metrics()
    for view, f in fr.items():
        frame = f.to_frame()
        assert list(frame.columns) == ["expected_return", "volatility", "utility"]
        assert len(frame) == 12
        # the plan cannot beat the frontier: at its volatility no frontier point is lower
        assert f.chosen is not None
        assert f.chosen.expected_return == pytest.approx(seen[view].expected_return, abs=1e-12)
        assert f.optimum.utility >= f.chosen.utility - 1e-9
        assert view in repr(f) and "12 points" in repr(f)
    assert set(fr.to_frame()["view"]) == {"financial", "net_worth"}
    assert fr.to_dict()["net_worth"] == fr["net_worth"].to_dict()
    with pytest.raises(InputError, match="no frontier in the 'other' view"):
        fr["other"]
    assert "<table" in fr._repr_html_()
