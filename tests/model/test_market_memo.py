"""The memo of resolved markets (``model.market``) changes no result and cannot be changed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import assetloc.model.market as market_mod
from assetloc import optimize, parse_household
from assetloc.model.market import resolve_market

BASE: dict[str, Any] = {
    "investor": {"ordinary_rate": 0.32, "capital_gains_rate": 0.15, "retirement_rate": 0.22},
    "accounts": [
        {"id": "brokerage", "type": "taxable", "balance": 300000.0},
        {"id": "ira", "type": "traditional", "balance": 200000.0},
        {"id": "roth", "type": "roth", "balance": 100000.0},
    ],
    "assumptions": {"preset": "horizon-2025"},
    "objective": {"kind": "mean_variance", "risk_aversion": 3.0},
}


def _variants() -> list[dict[str, Any]]:
    """Households that differ in everything the memo key holds (and in what it must not)."""
    out = []
    for universe in (
        None,
        ["us_equity_large_cap", "us_corp_bonds_core", "us_treasuries_cash_equivalents"],
        ["us_equity_large_cap", "non_us_equity_developed"],
    ):
        for returns in ("robust", "as_given"):
            for confidence in (None, 0.5):
                h = {**BASE, "assumptions": dict(BASE["assumptions"])}
                if universe is not None:
                    h["assumptions"]["universe"] = universe
                h["objective"] = {**BASE["objective"], "returns": returns}
                if confidence is not None and returns == "robust":
                    h["objective"]["view_confidence"] = confidence
                out.append(h)
    h = {**BASE, "assumptions": {**BASE["assumptions"], "cash_rate": 0.01}}
    out.append(h)
    return out


def _plans() -> list[dict[str, Any]]:
    return [optimize(parse_household(d)).to_dict() for d in _variants()]


def test_memo_gives_the_results_of_no_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    market_mod._RESOLVED.clear()
    warm = _plans()
    again = _plans()  # every market from the memo now
    monkeypatch.setattr(market_mod, "_memo_key", lambda *a: ())
    fresh = _plans()
    assert warm == fresh
    assert again == fresh
    assert len({str(p["assumptions"]["returns"]) for p in fresh}) > 3  # the variants differ


def test_memoized_market_is_read_only_and_shared() -> None:
    market_mod._RESOLVED.clear()
    h = parse_household(BASE)
    a, b = resolve_market(h), resolve_market(h)
    assert a is b
    with pytest.raises(ValueError, match="read-only"):
        a.expected_return[0] = 1.0
    assert np.all(np.isfinite(a.covariance))


def test_overrides_are_not_memoized() -> None:
    market_mod._RESOLVED.clear()
    d = {
        **BASE,
        "assumptions": {
            "preset": "horizon-2025",
            "classes": [{"id": "us_equity_large_cap", "expected_return": 0.09}],
        },
    }
    m = resolve_market(parse_household(d))
    assert not market_mod._RESOLVED
    assert (
        m.expected_return[m.index("us_equity_large_cap")]
        != resolve_market(parse_household(BASE)).expected_return[m.index("us_equity_large_cap")]
    )
