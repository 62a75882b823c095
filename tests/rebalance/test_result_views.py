"""The rebalance result's notebook face: a one-line repr, a summary by class, an HTML table."""

from __future__ import annotations

from pathlib import Path

import pytest

import assetloc

ROOT = Path(__file__).resolve().parents[2]


def test_rebalance_repr_summary_and_html() -> None:
    result = assetloc.rebalance(assetloc.load_household(ROOT / "examples" / "rebalance.toml"))
    text = repr(result)
    assert "\n" not in text and len(text) < 200
    assert f"{len(result.trades)} trades" in text
    tax = round(result.tax.estimated_tax)  # whole dollars, the minus sign before the "$"
    assert f"{'-' if tax < 0 else ''}${abs(tax):,}" in text
    frame = result.allocation_frame()
    # the shares after the trades are the dollars after over their total (cash included)
    after = frame["dollars_after"] / frame["dollars_after"].sum()
    assert after.to_numpy() == pytest.approx(frame["after"].to_numpy(), abs=1e-9)
    summary = result.summary()
    for cid in result.classes:
        assert result.labels.get(cid, cid) in summary
    assert "<table" in result._repr_html_()
