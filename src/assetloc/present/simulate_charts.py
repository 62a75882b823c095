"""Charts of a simulation (matplotlib, Agg; the house style of :mod:`assetloc.present.charts`).

:func:`plot_fan`: after-tax wealth per strategy over the years, the median as a line and the
5th–95th percentile band shaded. :func:`plot_location_value`: the distribution over paths of
each strategy's location value against ``duplicate``, in bp a year. Both draw on the ``Axes``
given or on a new figure that belongs to nobody, and return the axes;
``SimulationResult.plot_fan`` / ``plot_location_value`` call them. Money is in today's dollars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from assetloc.present.charts import (
    PercentTicks,
    _dollar_axis,
    _ensure_canvas,
    _figure_of,
    _new_figure,
    _style,
)
from assetloc.present.fmt import number
from assetloc.present.style import method_style

if TYPE_CHECKING:
    from assetloc.simulate.result import SimulationResult

#: Axis labels, with units.
WEALTH_LABEL = "after-tax wealth (today's US$)"
YEAR_LABEL = "year"
LOCATION_LABEL = "location value vs duplicate (bp per year of after-tax return)"
PATHS_LABEL = "share of paths (%)"
#: the location-value histogram's bins span these percentiles of all values (the paths
#: beyond them are counted in the end bins)
CLIP_PERCENTILES = (1, 99)
#: the strategy whose 5–95% band the fan chart shades (two bands of nearly equal
#: strategies hide each other); without it in the result, every strategy gets its band
BANDED = ("joint",)


def plot_fan(result: SimulationResult, ax: Axes | None = None) -> Axes:
    """After-tax wealth at each year end per strategy: median line; the 5–95% band of
    :data:`BANDED` strategies.

    Returns
    -------
    Axes
        Median lines carry ``gid`` ``"fan-median-<strategy>"``, bands ``"fan-band-<strategy>"``.
    """
    with _style():
        if ax is None:
            fig = _new_figure(9.0, 5.5)
            ax = fig.subplots()
        else:
            _ensure_canvas(_figure_of(ax))
        years = np.arange(result.years + 1)
        banded = [n for n in result.names if n in BANDED] or list(result.names)
        lowest = 0.0
        for j, name in enumerate(result.names):
            color = method_style(name, j)[0]
            q = result.wealth_percentiles(name)
            lowest = min(lowest, float(q.min()))
            if name in banded:
                band = ax.fill_between(years, q[0], q[2], color=color, alpha=0.15, linewidth=0)
                band.set_gid(f"fan-band-{name}")
                for k in (0, 2):
                    ax.plot(years, q[k], color=color, lw=0.7, alpha=0.6)
            lw = 2.2 if name in banded else 1.4
            ax.plot(years, q[1], color=color, lw=lw, label=name, gid=f"fan-median-{name}")
        _dollar_axis(ax)
        ax.autoscale_view()
        if lowest >= 0:  # wealth that stays positive: the axis starts at $0
            ax.set_ylim(bottom=0.0)
        ax.set_xlim(0, max(1, result.years))
        ax.set_xlabel(YEAR_LABEL)
        ax.set_ylabel(WEALTH_LABEL)
        runs = f"{number(result.paths)} {result.returns} paths"
        ax.set_title(f"After-tax wealth: median and 5–95% band ({runs})")
        handles, labels = ax.get_legend_handles_labels()
        band_label = f"5th–95th percentile ({', '.join(banded)})"
        handles.append(Patch(facecolor="#999999", alpha=0.3, label=band_label))
        labels.append(band_label)
        ax.legend(handles, labels, fontsize=8, loc="upper left")
    return ax


def plot_location_value(result: SimulationResult, ax: Axes | None = None) -> Axes:
    """Histogram over paths of each strategy's location value against ``duplicate``.

    One outlined histogram per strategy on shared bins (share of paths in each bin) that
    span the 1st–99th percentile of all values (the paths beyond fall in the end bins), a
    dashed line at each mean (of every path), a solid line at zero. A single deterministic
    path shows as one bar per strategy.

    Returns
    -------
    Axes
        Histograms carry ``gid`` ``"lv-hist-<strategy>"``, mean lines ``"lv-mean-<strategy>"``.
    """
    values = {
        name: v[np.isfinite(v)]
        for name in result.names
        if name != "duplicate" and "duplicate" in result.names
        for v in [result.location_value_bp(name)]
    }
    with _style():
        if ax is None:
            fig: Figure = _new_figure(9.0, 5.0)
            ax = fig.subplots()
        else:
            _ensure_canvas(_figure_of(ax))
        pooled = np.concatenate([v for v in values.values() if v.size] or [np.zeros(1)])
        # a few extreme paths would squeeze the rest into one bar: the bins span the pooled
        # 1st-99th percentile and the paths beyond fall into the end bins
        lo, hi = (float(q) for q in np.percentile(pooled, CLIP_PERCENTILES))
        if hi - lo < 1e-9:
            lo, hi = lo - 1.0, hi + 1.0
        bins = np.linspace(lo, hi, 41)
        for j, (name, v) in enumerate(values.items(), start=1):
            if not v.size:
                continue
            color = method_style(name, j)[0]
            weights = np.full(v.size, 1.0 / v.size)
            counts, edges = np.histogram(np.clip(v, lo, hi), bins=bins, weights=weights)
            stairs = ax.stairs(counts, edges, color=color, lw=1.8, label=name)
            stairs.set_gid(f"lv-hist-{name}")
            mean = float(v.mean())
            ax.axvline(mean, color=color, lw=1.2, ls=(0, (4, 3)), gid=f"lv-mean-{name}")
        ax.axvline(0.0, color="black", lw=0.9)
        ax.yaxis.set_major_formatter(PercentTicks())
        ax.set_xlabel(LOCATION_LABEL)
        ax.set_ylabel(PATHS_LABEL)
        ax.set_title(f"Location value per path over {result.years} years (dashed: mean)")
        if values:
            ax.legend(fontsize=8)
    return ax
