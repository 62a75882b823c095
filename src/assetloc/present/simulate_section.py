"""The report's "Year by year" section: the simulation's two charts and its tables.

Input: a :class:`~assetloc.simulate.result.SimulationResult` (today's dollars; location
value in bp a year) and its two figures, already drawn. Output: a :class:`SimulateSection`
of formatted text and SVG data URIs that ``templates/simulate.html.j2`` lays out. The
section appears when the household file has a ``[plan]`` table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assetloc.present import jsonout
from assetloc.present.fmt import number
from assetloc.present.simulate_tables import (
    TextTable,
    assumption_lines,
    lifecycle_note,
    tables,
    warnings,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from assetloc.present.html import Chart
    from assetloc.simulate.result import SimulationResult

#: The section's charts: (figure name, caption).
SIMULATION_CHARTS: dict[str, str] = {
    "simulation_wealth": (
        "After-tax wealth at each year end, today's dollars, per strategy: the median over "
        "the paths as a line; for joint the 5th to 95th percentile as a band."
    ),
    "location_value": (
        "Location value of each strategy against duplicate (the same mix in every account), "
        "per path: the constant extra after-tax return, in basis points a year, that turns "
        "duplicate's terminal wealth into the strategy's. Dashed: the mean; solid: zero. The "
        "bins span the 1st to 99th percentile of all the strategies' values; the paths beyond "
        "are counted in the two end bins (a tall end bin: a strategy with a long tail)."
    ),
}


@dataclass(frozen=True)
class SimulateSection:
    """What the section shows (text, no markup)."""

    run: str
    charts: tuple[Chart, ...]
    tables: tuple[TextTable, ...]
    lifecycle_note: str
    assumptions: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def simulation_figures(result: SimulationResult) -> dict[str, Figure]:
    """The section's figures by name, drawn by the result's own plot methods."""
    from assetloc.present.charts import _figure_of

    return {
        "simulation_wealth": _figure_of(result.plot_fan()),
        "location_value": _figure_of(result.plot_location_value()),
    }


def simulate_section(
    result: SimulationResult, uris: Mapping[str, str] | None = None
) -> SimulateSection:
    """The section's content; ``uris``: figure name → SVG data URI (none: no charts)."""
    from assetloc.present.html import Chart  # the report's chart type (html imports us)

    d: dict[str, Any] = jsonout.clean(result.to_dict())
    charts = tuple(
        Chart(name, uris[name], caption)
        for name, caption in SIMULATION_CHARTS.items()
        if uris and name in uris
    )
    run = (
        f"{number(d['paths'])} {d['returns']} paths of {d['years']} years (seed {d['seed']}), "
        "every strategy rebalanced each year under the same rules; after tax, today's dollars."
    )
    return SimulateSection(
        run=run,
        charts=charts,
        tables=tables(d),
        lifecycle_note=lifecycle_note(d) or "",
        assumptions=tuple(assumption_lines(d["assumptions"])),
        warnings=warnings(d),
    )
