"""Everything a report shows for one household, as typed results (not dicts).

``report_data(h)`` runs the optimizer, the frontier in each view, the method comparison,
the year's return and, when the household file has a ``[plan]`` table, the year-by-year
simulation, and returns a :class:`ReportData` that
:func:`assetloc.present.html.render_html` and :func:`assetloc.present.charts.write_charts`
render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assetloc.analysis.compare import Comparison, compare
from assetloc.analysis.frontier import Frontiers, frontiers
from assetloc.analysis.optimize import optimize
from assetloc.analysis.plan import Plan
from assetloc.inputs.household import Household
from assetloc.tax.household_return import TaxYear, tax_year

if TYPE_CHECKING:
    from assetloc.simulate.result import SimulationResult

DEFAULT_POINTS = 60
DEFAULT_TITLE = "assetloc report"


@dataclass(frozen=True)
class ReportData:
    """The results a report renders: the plan is required, every other section optional.

    ``frontiers``: the after-tax frontier per view; ``comparison``: the methods side by
    side; ``tax_year``: the year's return (None for a household with stated rates);
    ``simulation``: the year-by-year simulation (when the household has a ``[plan]`` table).
    """

    plan: Plan
    title: str = DEFAULT_TITLE
    frontiers: Frontiers | None = None
    comparison: Comparison | None = None
    tax_year: TaxYear | None = None
    simulation: SimulationResult | None = None

    @property
    def context(self) -> str:
        """The view the optimizer used (``financial`` or ``net_worth``)."""
        return str(self.plan.problem.context)


def report_data(h: Household, points: int = DEFAULT_POINTS) -> ReportData:
    """Plan, frontiers (``points`` return targets each), comparison and return of ``h``;
    with a ``[plan]`` table, the year-by-year simulation too."""
    plan = optimize(h)
    simulation = None
    if h.plan is not None:
        from assetloc.simulate.run import simulate

        simulation = simulate(h)
    return ReportData(
        plan=plan,
        title=h.name or DEFAULT_TITLE,
        frontiers=frontiers(h, points, plan.x),
        comparison=compare(h, plan),
        tax_year=tax_year(h) if h.investor.filing_status is not None else None,
        simulation=simulation,
    )
