"""Charts of results (matplotlib, Agg; no pyplot, no global state).

Every ``plot_*`` function takes a result object and an optional matplotlib ``Axes``, draws
on it (or on a new figure that belongs to nobody when ``ax`` is None) and returns the axes
it drew on; the results' own plot methods (``Plan.plot_allocation``, ``Frontiers.plot``,
``Comparison.plot``, ``RebalanceResult.plot``, ``TaxYear.plot``) are thin accessors over
them, like pandas' ``DataFrame.plot``. Nothing is registered with pyplot, and matplotlib's
global ``rcParams`` are never changed (the house style is applied with ``rc_context`` while
a figure is built and while it is saved). Units: returns and volatilities are decimals per
year after tax and are shown as percents; money is US dollars.

Public functions
----------------
plot_frontier, plot_frontiers, plot_allocation, plot_mix, plot_comparison, plot_drift,
plot_marginal_rates
    One chart each.
comparison_from_plan
    A comparison from a plan's own baselines, when the report has no comparison.
build_figures
    Every figure the report data allows, by name (drawn by the results' plot methods).
save_figure, figure_svg, write_charts
    Output as PNG + SVG files, or as an SVG string.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from assetloc.present.fmt import CENT, pct, usd_short
from assetloc.present.style import (
    RC,
    VIEW_COLORS,
    VIEW_LABELS,
    class_colors,
    class_hatches,
    method_style,
    text_color_on,
    utility_formula,
)

if TYPE_CHECKING:
    from assetloc.analysis.compare import Comparison
    from assetloc.analysis.frontier import Frontier, Frontiers
    from assetloc.analysis.plan import Plan
    from assetloc.present.report_data import ReportData
    from assetloc.rebalance.result import RebalanceResult
    from assetloc.tax.household_return import TaxYear

#: PNG resolution (dots per inch).
PNG_DPI = 150

#: Axis labels, with units.
VOL_LABEL = "volatility (SD, % per year, after tax)"
RET_LABEL = "expected return (% per year, after tax)"
DOLLAR_LABEL = "dollars (US$, account balance)"
SHARE_LABEL = "share of the household portfolio (%)"
DRIFT_LABEL = "drift from target (percentage points of the household)"
RATE_LABEL = "tax on one more dollar (%)"

VIEWS = ("financial", "net_worth")


class _RiskReturn(Protocol):
    """A point with an after-tax expected return and volatility (decimals per year)."""

    @property
    def expected_return(self) -> float: ...

    @property
    def volatility(self) -> float: ...


@contextmanager
def _style() -> Iterator[None]:
    with mpl.rc_context(RC):  # type: ignore[arg-type]
        yield


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


class PercentTicks(Formatter):
    """Decimals as percents with just enough digits for the tick step (0.05 → "5%")."""

    def __init__(self) -> None:
        self.digits = 1

    def set_locs(self, locs: list[float]) -> None:
        """Choose the digits from the smallest step between ticks."""
        super().set_locs(locs)
        vals = np.asarray(locs, dtype=float) * 100
        self.digits = 4
        for d in range(5):  # the fewest digits that show every tick exactly
            scaled = vals * 10**d
            if np.all(np.abs(scaled - np.round(scaled)) < 1e-6 * max(1.0, 10**d)):
                self.digits = d
                break

    def __call__(self, x: float, pos: int | None = None) -> str:
        """The tick label."""
        return f"{100 * x:.{self.digits}f}%"


def _pct_axis(ax: Axes, axis: str) -> None:
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(PercentTicks())


def _dollar_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: usd_short(v)))


def _er_sd(d: _RiskReturn) -> tuple[float, float]:
    return float(d.volatility), float(d.expected_return)


def _padded(lo: float, hi: float, pad: float) -> tuple[float, float]:
    span = hi - lo if hi > lo else max(abs(hi), 1e-3)
    return lo - pad * span, hi + pad * span


_Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels


def _overlap(a: _Box, b: _Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _merge_coincident(
    points: Sequence[tuple[float, float, str, str, float]], xspan: float, yspan: float
) -> list[tuple[float, float, str, str, float]]:
    """One label for points that sit on top of each other: "joint = two_step"."""
    groups: list[list[tuple[float, float, str, str, float]]] = []
    for p in points:
        for g in groups:
            if abs(g[0][0] - p[0]) <= 0.006 * xspan and abs(g[0][1] - p[1]) <= 0.006 * yspan:
                g.append(p)
                break
        else:
            groups.append([p])
    return [
        (g[0][0], g[0][1], " = ".join(q[2] for q in g), g[0][3], max(q[4] for q in g))
        for g in groups
    ]


def _place_labels(
    fig: Figure,
    ax: Axes,
    points: Sequence[tuple[float, float, str, str, float]],
    fontsize: float = 9.0,
) -> None:
    """Label points without overlaps: each label takes the free spot nearest its point.

    ``points`` are (x, y, text, colour, marker radius in points). Candidates lie on rings
    around the point; a candidate is scored by its overlap with markers, labels already
    placed and the axes edge, then by its distance. Far labels get a leader line.
    """
    fig.draw_without_rendering()  # final layout: data → pixel transform is now fixed
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    px = fig.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    to_px = ax.transData.transform
    obstacles: list[_Box] = []
    for x, y, _t, _c, rad in points:
        cx, cy = to_px((x, y))
        r = (rad + 1.5) * px
        obstacles.append((cx - r, cy - r, cx + r, cy + r))
    centers: list[tuple[float, float]] = [
        (float(a), float(b)) for a, b in (to_px((x, y)) for x, y, *_ in points)
    ]
    angles = (0, 25, -25, 50, -50, 90, -90, 180, 155, -155, 130, -130)
    for x, y, text, color, rad in points:
        probe = ax.text(0, 0, text, fontsize=fontsize)
        bb = probe.get_window_extent(renderer)
        probe.remove()
        w, h = bb.width + 4, bb.height + 2
        cx, cy = (float(v) for v in to_px((x, y)))
        best: tuple[float, float, float, str, str, float] | None = None
        for ring in (rad + 4, rad + 11, rad + 20, rad + 32, rad + 46):
            for deg in angles:
                c, sn = np.cos(np.radians(deg)), np.sin(np.radians(deg))
                ax_ = cx + ring * px * c
                ay_ = cy + ring * px * sn
                ha = "left" if c > 0.3 else "right" if c < -0.3 else "center"
                va = "bottom" if sn > 0.3 else "top" if sn < -0.3 else "center"
                x0 = ax_ if ha == "left" else ax_ - w if ha == "right" else ax_ - w / 2
                y0 = ay_ if va == "bottom" else ay_ - h if va == "top" else ay_ - h / 2
                box = (x0, y0, x0 + w, y0 + h)
                hit = sum(_overlap(box, o) for o in obstacles) / (w * h)
                out = (
                    max(0.0, frame.x0 - box[0])
                    + max(0.0, box[2] - frame.x1)
                    + max(0.0, frame.y0 - box[1])
                    + max(0.0, box[3] - frame.y1)
                )
                # a leader line through another marker, or a label nearer another point,
                # would be misread
                bxc, byc = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                own = np.hypot(bxc - cx, byc - cy)
                near_other = sum(
                    1.0
                    for (mx, my) in centers
                    if (mx, my) != (cx, cy) and np.hypot(bxc - mx, byc - my) < own
                )
                crossed = 0.0
                if ring > rad + 12:
                    for t in np.linspace(0.15, 0.95, 9):
                        qx, qy = cx + t * (ax_ - cx), cy + t * (ay_ - cy)
                        crossed += sum(
                            1.0
                            for o, (mx, my) in zip(obstacles, centers, strict=False)  # markers only
                            if (mx, my) != (cx, cy) and o[0] <= qx <= o[2] and o[1] <= qy <= o[3]
                        )
                score = (
                    50 * hit
                    + out
                    + ring / 12
                    + (0.2 if c < 0 else 0.0)
                    + 1.5 * near_other
                    + 3 * crossed
                )
                if best is None or score < best[0]:
                    best = (score, ring * c, ring * sn, ha, va, ring)
        if best is None:  # pragma: no cover - the rings always give candidates
            continue
        _, dx, dy, ha, va, ring = best
        x0 = cx + dx * px
        y0 = cy + dy * px
        bx0 = x0 if ha == "left" else x0 - w if ha == "right" else x0 - w / 2
        by0 = y0 if va == "bottom" else y0 - h if va == "top" else y0 - h / 2
        obstacles.append((bx0, by0, bx0 + w, by0 + h))
        arrow = (
            {"arrowstyle": "-", "color": color, "lw": 0.9, "shrinkA": 1, "shrinkB": rad + 1}
            if ring > rad + 12
            else None
        )
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            color="#222222",
            zorder=5,
            arrowprops=arrow,
        )


def _ensure_canvas(fig: Figure) -> None:
    """Give a figure made elsewhere a renderer (label placement measures text)."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)


def _figure_of(ax: Axes) -> Figure:
    fig = ax.get_figure()
    if not isinstance(fig, Figure):
        raise TypeError("ax belongs to no figure")
    return fig


# ----------------------------------------------------------------------------- frontier


def _frontier_panel(
    ax: Axes,
    f: Frontier,
    context: str,
    fixed_mix: bool,
    comparison: Comparison | None,
    handles: dict[str, Any],
    xs: list[float],
    ys: list[float],
) -> None:
    """One view's frontier, optimum, indifference curve, the plan and the methods on ``ax``."""
    view = f.view
    color = VIEW_COLORS.get(view, "#444444")
    label = VIEW_LABELS.get(view, view)
    ax.set_gid(f"frontier-{view}")
    pts = sorted((_er_sd(p) for p in f.points), key=lambda t: t[0])
    if pts:
        sd, er = map(np.array, zip(*pts, strict=True))
        (ln,) = ax.plot(sd, er, color=color, lw=2.4, zorder=3, gid=f"frontier-line-{view}")
        handles[f"frontier {label}"] = ln
        xs += list(sd)
        ys += list(er)
    opt = f.optimum
    ox, oy = _er_sd(opt)
    xs.append(ox)
    ys.append(oy)
    if f.indifference:
        ipts = sorted(f.indifference, key=lambda t: t[0])
        isd, ier = map(np.array, zip(*ipts, strict=True))
        (il,) = ax.plot(
            isd,
            ier,
            color="#555555",
            lw=1.3,
            ls=(0, (5, 3)),
            zorder=2,
            gid=f"indifference-{view}",
        )
        handles["indifference curve through the optimum (same utility)"] = il
    (om,) = ax.plot(
        [ox],
        [oy],
        ls="none",
        marker="*",
        ms=17,
        color=color,
        mec="black",
        mew=0.9,
        zorder=6,
        gid=f"optimum-{view}",
    )
    opt_name = "unconstrained optimum\n(mix released)" if fixed_mix else "optimum"
    om.set_label(f"{opt_name} ({label})")
    ax.annotate(
        f"{opt_name}\nE = {pct(oy)}, SD = {pct(ox)}\nU = {pct(opt.utility)}",
        xy=(ox, oy),
        xytext=(12, -14),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=9,
        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": color, "lw": 0.8},
        zorder=7,
    )
    opt_key = (
        "optimum: unconstrained utility maximum (mix released; not the plan)"
        if fixed_mix
        else "optimum (utility maximum)"
    )
    handles[opt_key] = Line2D(
        [], [], ls="none", marker="*", ms=13, color="#999999", mec="black", mew=0.9
    )
    chosen = f.chosen
    if chosen is not None:
        cx, cy = _er_sd(chosen)
        if abs(cx - ox) > 1e-6 or abs(cy - oy) > 1e-6:
            ax.plot(
                [cx],
                [cy],
                ls="none",
                marker="P",
                ms=11,
                color="white",
                mec=color,
                mew=2.0,
                zorder=6,
                gid=f"chosen-{view}",
            )
            plan_key = (
                "the household's plan (its fixed mix)"
                if fixed_mix
                else f"the household's plan (optimized in the "
                f"{VIEW_LABELS.get(context, context)} view)"
            )
            handles[plan_key] = Line2D(
                [], [], ls="none", marker="P", ms=10, color="white", mec="#333333", mew=2.0
            )
            xs.append(cx)
            ys.append(cy)
    for j, meth in enumerate(comparison.methods if comparison is not None else ()):
        mv = meth.metrics.get(view)
        if mv is None or meth.name == "joint":
            continue
        mx, my = _er_sd(mv)
        mcol, mmark = method_style(meth.name, j)
        ax.plot(
            [mx],
            [my],
            ls="none",
            marker=mmark,
            ms=7.5,
            color=mcol,
            mec="black",
            mew=0.6,
            zorder=5,
            alpha=0.95,
        )
        handles[f"method: {meth.name}"] = Line2D(
            [], [], ls="none", marker=mmark, ms=7, color=mcol, mec="black", mew=0.6
        )
        xs.append(mx)
        ys.append(my)
    title = f"{label}" + (" (optimized view)" if view == context else "")
    ax.set_title(title, color=color)
    ax.set_xlabel(VOL_LABEL)
    _pct_axis(ax, "x")
    _pct_axis(ax, "y")


def _legend_keys(handles: Mapping[str, Any]) -> list[str]:
    order = ("frontier", "indifference", "optimum", "the household", "method")
    return sorted(
        handles, key=lambda k: next(i for i, o in enumerate((*order, "")) if k.startswith(o))
    )


def _frontier_axes(
    frontiers: Sequence[Frontier],
    axes: Sequence[Axes],
    context: str,
    fixed_mix: bool,
    comparison: Comparison | None,
    fig: Figure | None,
) -> None:
    """Draw each frontier on its axes; the legend on ``fig`` (outside) or on the first axes."""
    handles: dict[str, Any] = {}
    xs: list[float] = []
    ys: list[float] = []
    for ax, f in zip(axes, frontiers, strict=True):
        _frontier_panel(ax, f, context, fixed_mix, comparison, handles, xs, ys)
    axes[0].set_ylabel(RET_LABEL)
    if xs:
        axes[0].set_xlim(0.0, max(xs) * 1.12)
        axes[0].set_ylim(*_padded(min(ys), max(ys), 0.12))
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(7))
    keys = _legend_keys(handles)
    if fig is None:
        axes[0].legend([handles[k] for k in keys], keys, loc="lower right", fontsize=8)
        return
    fig.suptitle("After-tax efficient frontier" + (" in both views" if len(axes) > 1 else ""))
    fig.legend(
        [handles[k] for k in keys],
        keys,
        loc="outside lower center",
        ncol=min(3 if len(axes) > 1 else 2, max(1, len(keys))),
    )


def plot_frontier(
    frontier: Frontier,
    ax: Axes | None = None,
    *,
    context: str | None = None,
    fixed_mix: bool = False,
    comparison: Comparison | None = None,
) -> Axes:
    """One view's after-tax efficient frontier with its optimum and indifference curve.

    Parameters
    ----------
    frontier
        The view's :class:`~assetloc.analysis.frontier.Frontier` (decimals per year).
    ax
        Axes to draw on; a new figure (8.5 × 6 in) when None.
    context
        The view the optimizer used (default: this one); its title says "(optimized view)".
    fixed_mix
        The plan places a fixed mix: the star is then the unconstrained optimum.
    comparison
        Marks each method's portfolio in this view.

    Returns
    -------
    Axes
        Axes ``gid`` ``"frontier-<view>"``; the optimum marker has ``gid`` ``"optimum-<view>"``.
    """
    ctx = context or frontier.view
    with _style():
        if ax is not None:
            _frontier_axes([frontier], [ax], ctx, fixed_mix, comparison, None)
            return ax
        fig = _new_figure(8.5, 6.0)
        own = fig.subplots()
        _frontier_axes([frontier], [own], ctx, fixed_mix, comparison, fig)
    return own


def plot_frontiers(
    frontiers: Frontiers, ax: Axes | None = None, *, comparison: Comparison | None = None
) -> Axes:
    """The frontier in every view, side by side on shared axes (a new figure), or the
    optimized view alone on ``ax``.

    One panel per view (``financial`` = financial assets alone, ``net_worth`` = as part of
    net worth), so that risk and return compare across views; the optimized view's panel is
    titled "(optimized view)", the household's plan is marked where it differs from a
    panel's optimum, and ``comparison`` marks each method.

    Returns
    -------
    Axes
        The optimized view's axes (``ax.figure`` is the whole figure).
    """
    present = [frontiers[v] for v in frontiers if frontiers[v].points]
    if not present:
        raise ValueError("frontier has no view with points")
    ctx, fixed = frontiers.context, frontiers.fixed_mix
    if ax is not None:
        main = next((f for f in present if f.view == ctx), present[0])
        return plot_frontier(main, ax, context=ctx, fixed_mix=fixed, comparison=comparison)
    with _style():
        fig = _new_figure(6.2 * len(present) if len(present) > 1 else 8.5, 6.0)
        axes = fig.subplots(1, len(present), sharex=True, sharey=True, squeeze=False)[0]
        _frontier_axes(present, list(axes), ctx, fixed, comparison, fig)
    views = [f.view for f in present]
    shown: Axes = axes[views.index(ctx)] if ctx in views else axes[0]
    return shown


# ----------------------------------------------------------------------------- allocation


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _held(plan: Plan) -> list[str]:
    """Classes some account holds a cent or more of, in the plan's order."""
    d = plan.dollars
    return [c for i, c in enumerate(plan.classes) if bool((d[:, i] >= CENT).any())]


def _class_legend(
    classes: Sequence[str],
    colors: Mapping[str, str],
    hatches: Mapping[str, str],
    names: Mapping[str, str] | None = None,
) -> list[Patch]:
    names = names or {}
    return [
        Patch(facecolor=colors[c], edgecolor="white", hatch=hatches[c], label=names.get(c, c))
        for c in classes
    ]


def _stacked_accounts(
    ax: Axes,
    dollars: Mapping[str, np.ndarray],
    classes: Sequence[str],
    colors: Mapping[str, str],
    hatches: Mapping[str, str],
    *,
    gid_prefix: str = "bar",
    label_min_share: float = 0.055,
) -> float:
    """Stacked dollar bars, one per account (``dollars``: class → (K,) dollars); returns the
    tallest bar (dollars)."""
    k = len(next(iter(dollars.values()))) if dollars else 0
    x = np.arange(k)
    bottoms = np.zeros(k)
    totals = np.zeros(k)
    for v in dollars.values():
        totals += np.maximum(v, 0.0)
    top = float(max(totals.max(initial=0.0), 1.0))
    for c in classes:
        vals = np.maximum(dollars[c], 0.0)
        bars = ax.bar(
            x,
            vals,
            bottom=bottoms,
            width=0.62,
            color=colors[c],
            hatch=hatches[c],
            edgecolor="white",
            linewidth=0.8,
            label=c,
            gid=f"{gid_prefix}-{c}",
        )
        for b, v, tot in zip(bars, vals, totals, strict=True):
            if v >= label_min_share * top and tot > 0 and v / tot >= 0.005:
                ax.text(
                    b.get_x() + b.get_width() / 2,
                    b.get_y() + v / 2,
                    pct(v / tot, 0),
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    color=text_color_on(colors[c]),
                )
        bottoms += vals
    return top


def plot_allocation(plan: Plan, ax: Axes | None = None) -> Axes:
    """Stacked bars: dollars by asset class in each account, after-tax value annotated.

    Parameters
    ----------
    plan
        The :class:`~assetloc.analysis.plan.Plan`.
    ax
        Axes to draw on; a new figure (legend outside on the right) when None.

    Returns
    -------
    Axes
        Bars carry ``gid`` ``"bar-<class>"``; segments taller than 5.5% of the tallest bar
        show their share of the account.
    """
    p = plan.problem
    classes = list(plan.classes)
    colors, hatches = class_colors(classes), class_hatches(classes)
    held = _held(plan)
    d = plan.dollars
    labels = plan.class_labels
    with _style():
        if ax is None:
            fig: Figure | None = _new_figure(max(6.5, 1.5 * p.k + 4.2), 5.4)
            ax = fig.subplots()  # type: ignore[union-attr]
        else:
            fig = None
        cols = {c: d[:, i] for i, c in enumerate(classes)}
        top = _stacked_accounts(ax, cols, held, colors, hatches)
        for k in range(p.k):
            bal = float(p.balances[k])
            atv = float(p.value_factor[k] * p.balances[k])
            ax.annotate(
                f"{usd_short(bal)} balance\n{usd_short(atv)} after tax",
                xy=(k, bal),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8.5,
            )
        ax.set_xticks(
            np.arange(p.k),
            [f"{p.account_ids[k]}\n({p.account_types[k]})" for k in range(p.k)],
        )
        ax.grid(axis="x", visible=False)
        ax.set_ylim(0, top * 1.2)
        ax.set_ylabel(DOLLAR_LABEL)
        _dollar_axis(ax)
        ax.set_title("Holdings by account (dollars; % of account inside the bars)")
        legend = _class_legend(held[::-1], colors, hatches, {c: labels[c] for c in held})
        if fig is not None:
            fig.legend(handles=legend, title="asset class", loc="outside right upper")
        else:
            ax.legend(handles=legend, title="asset class", fontsize=8)
    return ax


# ----------------------------------------------------------------------------- household mix


def plot_mix(plan: Plan, ax: Axes | None = None) -> Axes:
    """Household mix on the pre-tax (face value) and after-tax bases, side by side per class.

    Parameters
    ----------
    plan
        The :class:`~assetloc.analysis.plan.Plan` (``weights`` after tax, ``weights_pre_tax``
        at face value, decimals summing to 1).
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    Axes
        Bars carry ``gid`` ``"mix-after-<class>"`` and ``"mix-pre-<class>"``. Classes held
        by neither mix (below 0.05%) are left out and named in a footnote.
    """
    classes = list(plan.classes)
    after = dict(zip(classes, map(float, plan.weights), strict=True))
    pre = dict(zip(classes, map(float, plan.weights_pre_tax), strict=True))
    labels = plan.class_labels
    colors, hatches = class_colors(classes), class_hatches(classes)
    shown = [c for c in classes if max(after[c], pre[c]) >= 5e-4]
    absent = [c for c in classes if c not in shown]
    with _style():
        if ax is None:
            fig: Figure | None = _new_figure(10.0, max(3.4, 0.62 * len(shown) + 1.9))
            ax = fig.subplots()  # type: ignore[union-attr]
        else:
            fig = None
        y = np.arange(len(shown))[::-1].astype(float)
        h = 0.38
        vmax = max([*after.values(), *pre.values(), 0.01])
        for yi, c in zip(y, shown, strict=True):
            a, p = after[c], pre[c]
            ax.barh(
                yi + h / 2,
                a,
                height=h,
                color=colors[c],
                edgecolor="black",
                linewidth=0.6,
                hatch=hatches[c],
                gid=f"mix-after-{c}",
            )
            ax.barh(
                yi - h / 2,
                p,
                height=h,
                color=colors[c],
                alpha=0.45,
                edgecolor="black",
                linewidth=0.6,
                hatch="////",
                gid=f"mix-pre-{c}",
            )
            ax.text(a + vmax * 0.01, yi + h / 2, pct(a, 1), va="center", fontsize=8.5)
            ax.text(
                p + vmax * 0.01, yi - h / 2, pct(p, 1), va="center", fontsize=8.5, color="#333333"
            )
        ax.set_yticks(y, [labels[c] for c in shown])
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, vmax * 1.18)
        _pct_axis(ax, "x")
        ax.set_xlabel(SHARE_LABEL)
        basis = [
            Patch(facecolor="#888888", edgecolor="black", label="after tax\n(what you own)"),
            Patch(
                facecolor="#888888",
                alpha=0.45,
                edgecolor="black",
                hatch="////",
                label="pre-tax\n(balances at face value)",
            ),
        ]
        if fig is not None:
            fig.suptitle("Household mix: after tax vs pre-tax")
            fig.legend(handles=basis, loc="outside right upper", title="basis")
        else:
            ax.set_title("Household mix: after tax vs pre-tax")
            ax.legend(handles=basis, title="basis", fontsize=8)
        if absent:
            ax.annotate(
                _wrap("Not held: " + ", ".join(labels[c] for c in absent), 110),
                xy=(0.0, 0.0),
                xycoords="axes fraction",
                xytext=(0, -34),
                textcoords="offset points",
                fontsize=8,
                color="#555555",
                ha="left",
                va="top",
            )
    return ax


# ----------------------------------------------------------------------------- comparison


def comparison_from_plan(plan: Plan) -> Comparison:
    """A comparison built from the plan's own metrics and baselines (financial view only),
    the plan first."""
    from assetloc.analysis.compare import Comparison, MethodResult

    methods = [MethodResult(plan.method, plan.x, {"financial": plan.metrics})]
    for name, b in plan.baselines.items():
        methods.append(MethodResult(name, b.x, {"financial": b.metrics}))
    return Comparison(problem=plan.problem, methods=tuple(methods))


def _reference(comparison: Comparison, view: str) -> str | None:
    """The method gains are measured against: ``duplicate``, else the lowest utility."""
    with_view = [r for r in comparison.methods if view in r.metrics]
    if "duplicate" in [r.name for r in with_view]:
        return "duplicate"
    if not with_view:
        return None
    return min(with_view, key=lambda r: r.metrics[view].utility).name


def _method_scatter(ax: Axes, comparison: Comparison, views: Sequence[str]) -> list[Any]:
    """Each method's (SD, E) in each view on ``ax``; returns the points to label."""
    label_pts: list[tuple[float, float, str, str, float]] = []
    for j, r in enumerate(r for r in comparison.methods if r.metrics):
        col, mark = method_style(r.name, j)
        for v in views:
            mv = r.metrics.get(v)
            if mv is None:
                continue
            x, y = _er_sd(mv)
            filled = v == "financial"
            ax.plot(
                [x],
                [y],
                ls="none",
                marker=mark,
                ms=14 if mark == "*" else 9,
                color=col if filled else "white",
                mec="black" if filled else col,
                mew=0.7 if filled else 1.8,
                zorder=4,
                gid=f"method-{v}-{r.name}",
            )
            label_pts.append((x, y, r.name, col, (14 if mark == "*" else 9) / 2))
    xs = [p[0] for p in label_pts]
    ys = [p[1] for p in label_pts]
    x0, x1 = _padded(min(xs), max(xs), 0.12)
    y0, y1 = _padded(min(ys), max(ys), 0.12)
    x1 = x1 + 0.2 * (x1 - x0)  # room for labels on the right
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(VOL_LABEL)
    ax.set_ylabel(RET_LABEL)
    _pct_axis(ax, "x")
    _pct_axis(ax, "y")
    ax.set_title("Risk and return by method")
    return _merge_coincident(label_pts, (x1 - x0), (y1 - y0))


def _gain_bars(bx: Axes, comparison: Comparison, views: Sequence[str]) -> None:
    """Utility gain in bp/yr of each method against the reference method, per view."""
    methods = [r for r in comparison.methods if r.metrics]
    names = [r.name for r in methods]
    yb = np.arange(len(names))[::-1].astype(float)
    hgt = 0.8 / len(views)
    vals_all: list[float] = []
    refs: dict[str, str | None] = {v: _reference(comparison, v) for v in views}
    for vi, v in enumerate(views):
        ref = refs[v]
        ref_u = next((r.metrics[v].utility for r in methods if r.name == ref), None)
        for j, (r, yv) in enumerate(zip(methods, yb, strict=True)):
            mv = r.metrics.get(v)
            if mv is None or ref_u is None:
                continue
            gain = 1e4 * (mv.utility - ref_u)
            vals_all.append(gain)
            col = method_style(r.name, j)[0]
            off = (len(views) - 1) / 2 * hgt - vi * hgt
            bx.barh(
                yv + off,
                gain,
                height=hgt * 0.9,
                color=col if v == "financial" else "white",
                edgecolor=col if v != "financial" else "black",
                linewidth=1.6 if v != "financial" else 0.6,
                hatch="" if v == "financial" else "////",
                gid=f"gain-{v}-{r.name}",
            )
            bx.text(
                gain,
                yv + off,
                f" {gain:+.1f} " if abs(gain) >= 0.05 else " 0 ",
                va="center",
                ha="left" if gain >= 0 else "right",
                fontsize=8.5,
            )
    bx.axvline(0, color="black", lw=0.8)
    bx.set_yticks(yb, names)
    bx.grid(axis="y", visible=False)
    lo = min([*vals_all, 0.0])
    hi = max([*vals_all, 0.0])
    span = hi - lo if hi > lo else 1.0
    bx.set_xlim(lo - 0.22 * span if lo < 0 else -0.05 * span, hi + 0.22 * span)
    ref_names = sorted({r for r in refs.values() if r})
    bx.set_xlabel("utility gain vs " + " / ".join(ref_names) + " (bp per year, after tax)")
    bx.set_title(f"Utility gain, {utility_formula(comparison.problem.kind)}")


def _view_legend(views: Sequence[str]) -> list[Any]:
    leg: list[Any] = [
        Line2D(
            [],
            [],
            ls="none",
            marker="s",
            ms=10,
            color="#777777",
            mec="black",
            label="financial assets view (filled)",
        )
    ]
    if "net_worth" in views:
        leg.append(
            Line2D(
                [],
                [],
                ls="none",
                marker="s",
                ms=10,
                color="white",
                mec="#555555",
                mew=1.8,
                label="net worth view (hollow, hatched)",
            )
        )
    return leg


def plot_comparison(comparison: Comparison, ax: Axes | None = None) -> Axes:
    """Methods side by side: E vs SD, and (on a new figure) the utility gain over a reference.

    Parameters
    ----------
    comparison
        The :class:`~assetloc.analysis.compare.Comparison` (metrics per view, decimals per
        year after tax).
    ax
        Axes for the risk/return scatter alone; None draws a new figure with the scatter
        (left) and the certainty-equivalent gain U − U_ref in basis points a year (right),
        against ``duplicate`` when present (else the method with the lowest utility).

    Returns
    -------
    Axes
        The scatter's axes; its markers carry ``gid`` ``"method-<view>-<name>"``, the gain
        bars ``"gain-<view>-<name>"``.
    """
    if not any(r.metrics for r in comparison.methods):
        raise ValueError("comparison has no methods with metrics")
    views = list(comparison.views)
    with _style():
        if ax is not None:
            fig = _figure_of(ax)
            _ensure_canvas(fig)
            pts = _method_scatter(ax, comparison, views)
            ax.legend(handles=_view_legend(views), fontsize=8)
            _place_labels(fig, ax, pts)
            return ax
        fig = _new_figure(12.0, 5.0)
        own: Axes
        bx: Axes
        own, bx = fig.subplots(1, 2, width_ratios=[1.25, 1.0])
        pts = _method_scatter(own, comparison, views)
        _gain_bars(bx, comparison, views)
        leg = _view_legend(views)
        fig.legend(handles=leg, loc="outside lower center", ncol=len(leg))
        fig.suptitle("Method comparison (after tax)")
        _place_labels(fig, own, pts)
    return own


# ----------------------------------------------------------------------------- rebalance


def plot_drift(result: RebalanceResult, ax: Axes | None = None) -> Axes:
    """Each class's drift from its target before and after the trades, with its band.

    Drift is the class's share of the household minus its target share, in percentage
    points; the grey span is the band (± its half-width) a class may drift inside.

    Returns
    -------
    Axes
        Bars carry ``gid`` ``"drift-before-<class>"`` and ``"drift-after-<class>"``.
    """
    db, da = result.drift_before, result.drift_after
    classes = list(da.classes)
    names = [result.labels.get(c, c) for c in classes]
    with _style():
        if ax is None:
            fig = _new_figure(9.0, max(3.2, 0.5 * len(classes) + 1.8))
            ax = fig.subplots()
        y = np.arange(len(classes))[::-1].astype(float)
        h = 0.38
        for yi, band in zip(y, da.band, strict=True):
            ax.fill_betweenx(
                [yi - 0.45, yi + 0.45], -band, band, color="#EEEEEE", zorder=0, linewidth=0
            )
        for i, c in enumerate(classes):
            ax.barh(
                y[i] + h / 2,
                db.drift[i],
                height=h,
                color=VIEW_COLORS["net_worth"],
                alpha=0.5,
                gid=f"drift-before-{c}",
            )
            ax.barh(
                y[i] - h / 2,
                da.drift[i],
                height=h,
                color=VIEW_COLORS["financial"],
                gid=f"drift-after-{c}",
            )
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, names)
        ax.grid(axis="y", visible=False)
        _pct_axis(ax, "x")
        ax.set_xlabel(DRIFT_LABEL)
        ax.set_title(f"Drift from target, {result.as_of.isoformat()} ({result.action})")
        ax.legend(
            handles=[
                Patch(facecolor=VIEW_COLORS["net_worth"], alpha=0.5, label="before the trades"),
                Patch(facecolor=VIEW_COLORS["financial"], label="after the trades"),
                Patch(facecolor="#EEEEEE", label="band"),
            ],
            fontsize=8,
        )
    return ax


# ----------------------------------------------------------------------------- tax year


def plot_marginal_rates(tax_year: TaxYear, ax: Axes | None = None) -> Axes:
    """The tax on one more dollar of each kind of income: federal, NIIT and state stacked.

    Returns
    -------
    Axes
        Bars carry ``gid`` ``"rate-<part>-<kind>"`` (part: federal, niit, state); the total
        is written at the end of each bar.
    """
    marginal = tax_year.tax_return.marginal
    kinds = list(marginal)
    with _style():
        if ax is None:
            fig = _new_figure(9.0, max(3.2, 0.5 * len(kinds) + 1.8))
            ax = fig.subplots()
        y = np.arange(len(kinds))[::-1].astype(float)
        parts = (
            ("federal", "federal (without NIIT)", VIEW_COLORS["financial"]),
            ("niit", "net investment income tax", "#E69F00"),
            ("state", "state", VIEW_COLORS["net_worth"]),
        )
        for yi, kind in zip(y, kinds, strict=True):
            m = marginal[kind]
            left = 0.0
            for part, _label, color in parts:
                width = m.federal - m.niit if part == "federal" else getattr(m, part)
                ax.barh(yi, width, left=left, height=0.6, color=color, gid=f"rate-{part}-{kind}")
                left += width
            ax.text(left, yi, f" {pct(m.total, 1)}", va="center", fontsize=8.5)
        ax.set_yticks(y, [k.replace("_", " ") for k in kinds])
        ax.grid(axis="y", visible=False)
        _pct_axis(ax, "x")
        ax.set_xlabel(RATE_LABEL)
        ax.set_title(
            f"Marginal rates, {tax_year.year} ({tax_year.filing_status.replace('_', ' ')})"
        )
        ax.legend(
            handles=[Patch(facecolor=c, label=lbl) for _p, lbl, c in parts],
            fontsize=8,
            loc="lower right",
        )
    return ax


# ----------------------------------------------------------------------------- output


def build_figures(data: ReportData) -> dict[str, Figure]:
    """Every figure the report data allows, by name, drawn by the results' plot methods.

    Names: ``frontier`` (when the data has frontiers with points), ``allocation``, ``mix``,
    ``comparison`` (the data's comparison, else one from the plan's baselines), and with a
    simulation ``simulation_wealth`` (the fan chart) and ``location_value``.
    """
    out: dict[str, Figure] = {}
    plan = data.plan
    fr = data.frontiers
    if fr is not None and any(f.points for f in fr.values()):
        out["frontier"] = _figure_of(fr.plot(comparison=data.comparison))
    out["allocation"] = _figure_of(plan.plot_allocation())
    out["mix"] = _figure_of(plan.plot_mix())
    comparison = data.comparison
    if comparison is None and plan.baselines:
        comparison = comparison_from_plan(plan)
    if comparison is not None and comparison.methods:
        out["comparison"] = _figure_of(comparison.plot())
    if data.simulation is not None:
        from assetloc.present.simulate_section import simulation_figures

        out.update(simulation_figures(data.simulation))
    return out


def save_figure(fig: Figure, path_without_suffix: str | Path) -> list[Path]:
    """Write ``fig`` as PNG (150 dpi) and SVG next to each other.

    Parameters
    ----------
    fig
        The figure.
    path_without_suffix
        Output path without extension; parent directories are created.

    Returns
    -------
    list of Path
        ``[<path>.png, <path>.svg]``.
    """
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    png, svg = base.with_name(base.name + ".png"), base.with_name(base.name + ".svg")
    with _style():
        fig.savefig(png, dpi=PNG_DPI, format="png", facecolor="white", metadata={"Software": None})
        fig.savefig(svg, format="svg", facecolor="white", metadata={"Date": None})
    return [png, svg]


def figure_svg(fig: Figure) -> str:
    """The figure as a standalone SVG document (text as paths: no fonts needed)."""
    buf = io.StringIO()
    with _style():
        fig.savefig(buf, format="svg", facecolor="white", metadata={"Date": None})
    return buf.getvalue()


def write_charts(data: ReportData, out_dir: str | Path) -> dict[str, list[Path]]:
    """Write every chart of the report data as ``<out_dir>/<name>.png`` and ``.svg``.

    Returns
    -------
    dict
        Chart name → written paths.
    """
    out = Path(out_dir)
    return {name: save_figure(fig, out / name) for name, fig in build_figures(data).items()}
