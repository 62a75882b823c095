"""Assemble everything a report shows for one household (plain dicts, JSON-ready).

``report_data(h)`` runs the optimizer, the frontier in both views and the method
comparison, and returns the dict that :func:`assetloc.present.html.render_html` and
:func:`assetloc.present.charts.write_charts` render.
"""

from __future__ import annotations

from typing import Any

from assetloc.analysis.compare import compare
from assetloc.analysis.frontier import frontiers
from assetloc.analysis.optimize import optimize
from assetloc.inputs.household import Household
from assetloc.tax.household_return import return_document

DEFAULT_POINTS = 60


def report_data(h: Household, points: int = DEFAULT_POINTS) -> dict[str, Any]:
    """Plan, views, frontier, comparison and balance sheet of ``h``."""
    plan = optimize(h)
    d = plan.to_dict()
    fr = frontiers(h, points, plan.x)
    return {
        "title": h.name or "assetloc report",
        "context": plan.problem.context,
        "plan": d,
        "views": d["views"],
        "frontier": {name: f.to_dict() for name, f in fr.items()},
        "comparison": compare(h, plan).to_dict(),
        "balance_sheet": d["balance_sheet"],
        "tax_year": return_document(h) if h.investor.filing_status is not None else None,
    }
