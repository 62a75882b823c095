"""The report's "How the mix was chosen" section: universe, expected returns (stated,
equilibrium, used; the market reference) and the concentration notes.

Input: the plan's ``assumptions`` (decimals; shown as percents). Output: a
:class:`MethodSection` of formatted text that ``templates/method.html.j2`` lays out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assetloc.present.fmt import pct

METHOD_KEYS = ("universe", "returns", "concentration")  # not repeated in the assumptions list


@dataclass(frozen=True)
class ReturnRow:
    """One class's expected returns (percent text), labelled with its id as a tooltip."""

    id: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class MethodSection:
    """What the section shows; ``robust`` is None for returns taken as stated."""

    robust: dict[str, str] | None  # market_risk_aversion, view_confidence, tau, source, date
    reason: str
    columns: tuple[str, ...]
    returns: tuple[ReturnRow, ...]
    rule: str
    excluded: tuple[tuple[str, str, str], ...]  # (id, label, why)
    concentration: tuple[str, ...]


def method_section(assumptions: Mapping[str, Any]) -> MethodSection | None:
    """The section's content (None when the plan carries no universe/returns data)."""
    u, r = assumptions.get("universe"), assumptions.get("returns")
    if not isinstance(u, Mapping) or not isinstance(r, Mapping):
        return None
    names: Mapping[str, str] = u.get("labels") or {}
    robust = r.get("method") == "robust"
    cols = (
        ("class", "stated", "equilibrium", "used", "market reference")
        if robust
        else ("class", "used (as stated)")
    )
    rows = []
    for cid, used in r["expected_return"].items():
        cells = (
            [r["stated"][cid], r["equilibrium"][cid], used, r["reference_portfolio"][cid]]
            if robust
            else [used]
        )
        rows.append(ReturnRow(cid, names.get(cid, cid), tuple(pct(v) for v in cells)))
    detail = (
        {
            "market_risk_aversion": f"{float(r['market_risk_aversion']):.2f}",
            "view_confidence": pct(float(r["view_confidence"]), 0),
            "tau": f"{float(r['tau']):g}",
            "source": str(r["reference_source"]),
            "date": str(r["reference_date"]),
        }
        if robust
        else None
    )
    excluded = u.get("excluded") or {}
    return MethodSection(
        robust=detail,
        reason=str(r.get("reason", "")),
        columns=cols,
        returns=tuple(rows),
        rule=str(u.get("rule", "")),
        excluded=tuple((c, names.get(c, c), str(why)) for c, why in excluded.items()),
        concentration=tuple(str(n) for n in assumptions.get("concentration") or []),
    )
