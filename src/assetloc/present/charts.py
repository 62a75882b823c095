"""Charts of a plan and its evidence (matplotlib, Agg; no pyplot, no global state).

Every function takes plain dictionaries (the report data contract, see
:mod:`assetloc.present.html`) and returns a :class:`matplotlib.figure.Figure` that belongs
to nobody: nothing is registered with pyplot, and matplotlib's global ``rcParams`` are
never changed (the house style is applied with ``rc_context`` while a figure is built and
while it is saved). Units: returns and volatilities are decimals per year after tax and
are shown as percents; money is US dollars.

Public functions
----------------
frontier_figure, allocation_figure, mix_figure, comparison_figure
    One figure each.
comparison_from_plan
    A comparison from a plan's own baselines, when the data has no ``comparison``.
build_figures
    Every figure the data allows, by name.
save_figure, figure_svg, write_charts
    Output as PNG + SVG files, or as an SVG string.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from assetloc.present.style import (
    CENT,
    RC,
    VIEW_COLORS,
    VIEW_LABELS,
    class_colors,
    class_hatches,
    class_label,
    is_fixed_mix,
    method_style,
    pct,
    plan_classes,
    text_color_on,
    usd_short,
    utility_formula,
)

#: PNG resolution (dots per inch).
PNG_DPI = 150

#: Axis labels, with units.
VOL_LABEL = "volatility (SD, % per year, after tax)"
RET_LABEL = "expected return (% per year, after tax)"
DOLLAR_LABEL = "dollars (US$, account balance)"
SHARE_LABEL = "share of the household portfolio (%)"

VIEWS = ("financial", "net_worth")


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


def _er_sd(d: Mapping[str, Any]) -> tuple[float, float]:
    return float(d["volatility"]), float(d["expected_return"])


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
        if best is None:
            raise RuntimeError("internal: no label position was tried")
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


# ----------------------------------------------------------------------------- frontier


def frontier_figure(
    frontier: Mapping[str, Any],
    context: str = "financial",
    *,
    views: Mapping[str, Any] | None = None,
    methods: Sequence[Mapping[str, Any]] | None = None,
    fixed_mix: bool = False,
) -> Figure:
    """The after-tax efficient frontier in each view, with the optimum and its indifference curve.

    One panel per view present (``financial`` = financial assets alone, ``net_worth`` =
    as part of net worth), on shared axes so that risk and return compare across views.

    Parameters
    ----------
    frontier
        ``{"financial": {...}, "net_worth": {...}}``; each view has ``points``
        (``expected_return``, ``volatility``, decimals per year after tax), ``optimum``
        and optionally ``indifference`` (the curve E = U* + (A/2)·SD² through it).
    context
        The view the optimizer used; its panel is titled "(optimized)".
    views
        Optional ``{view: {"expected_return", "volatility"}}``: where the chosen plan sits in
        each view; marked in a panel when it differs from that panel's optimum. A view's own
        ``frontier[view]["chosen"]`` takes precedence.
    methods
        Optional comparison methods (``comparison["methods"]``), marked in each view they
        have metrics for.
    fixed_mix
        The plan places a fixed household mix: the frontier's utility maximum is then the
        *unconstrained optimum (mix released)*, not the plan, and the plan's own point is
        marked as "the household's plan (its fixed mix)".

    Returns
    -------
    Figure
        Axes carry ``gid`` ``"frontier-<view>"``; the optimum marker has ``gid``
        ``"optimum-<view>"``.
    """
    keys = [v for v in VIEWS if v in frontier] + [v for v in frontier if v not in VIEWS]
    present = [v for v in keys if isinstance(frontier[v], Mapping) and frontier[v].get("points")]
    if not present:
        raise ValueError("frontier has no view with points")
    with _style():
        fig = _new_figure(6.2 * len(present) if len(present) > 1 else 8.5, 6.0)
        axes = fig.subplots(1, len(present), sharex=True, sharey=True, squeeze=False)[0]
        xs: list[float] = []
        ys: list[float] = []
        handles: dict[str, Any] = {}
        for ax, view in zip(axes, present, strict=True):
            f = frontier[view]
            color = VIEW_COLORS.get(view, "#444444")
            label = VIEW_LABELS.get(view, view)
            ax.set_gid(f"frontier-{view}")
            pts = sorted((_er_sd(p) for p in f.get("points", [])), key=lambda t: t[0])
            if pts:
                sd, er = map(np.array, zip(*pts, strict=True))
                (ln,) = ax.plot(sd, er, color=color, lw=2.4, zorder=3, gid=f"frontier-line-{view}")
                handles[f"frontier {label}"] = ln
                xs += list(sd)
                ys += list(er)
            opt = f.get("optimum")
            if opt:
                ox, oy = _er_sd(opt)
                xs.append(ox)
                ys.append(oy)
                ind = f.get("indifference") or []
                if ind:
                    ipts = sorted((_er_sd(p) for p in ind), key=lambda t: t[0])
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
                util = opt.get("utility")
                util_txt = f"\nU = {pct(util)}" if util is not None else ""
                ax.annotate(
                    f"{opt_name}\nE = {pct(oy)}, SD = {pct(ox)}{util_txt}",
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
            chosen = f.get("chosen") or (views or {}).get(view)
            if chosen and opt:
                cx, cy = _er_sd(chosen)
                if abs(cx - _er_sd(opt)[0]) > 1e-6 or abs(cy - _er_sd(opt)[1]) > 1e-6:
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
            for j, meth in enumerate(methods or []):
                mv = meth.get(view)
                if not mv or meth.get("name") == "joint":
                    continue
                mx, my = _er_sd(mv)
                mcol, mmark = method_style(str(meth["name"]), j)
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
                handles[f"method: {meth['name']}"] = Line2D(
                    [], [], ls="none", marker=mmark, ms=7, color=mcol, mec="black", mew=0.6
                )
                xs.append(mx)
                ys.append(my)
            title = f"{label}" + (" (optimized view)" if view == context else "")
            ax.set_title(title, color=color)
            ax.set_xlabel(VOL_LABEL)
            _pct_axis(ax, "x")
            _pct_axis(ax, "y")
        axes[0].set_ylabel(RET_LABEL)
        if xs:
            axes[0].set_xlim(0.0, max(xs) * 1.12)
            axes[0].set_ylim(*_padded(min(ys), max(ys), 0.12))
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(7))
        fig.suptitle(
            "After-tax efficient frontier" + (" in both views" if len(present) > 1 else "")
        )
        order = ("frontier", "indifference", "optimum", "the household", "method")
        keys = sorted(
            handles, key=lambda k: next(i for i, o in enumerate((*order, "")) if k.startswith(o))
        )
        fig.legend(
            [handles[k] for k in keys],
            keys,
            loc="outside lower center",
            ncol=min(3 if len(present) > 1 else 2, max(1, len(keys))),
        )
    return fig


# ----------------------------------------------------------------------------- allocation


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _held(plan: Mapping[str, Any]) -> list[str]:
    classes = plan_classes(plan)
    return [
        c
        for c in classes
        if any(float(a.get("holdings", {}).get(c, 0.0)) >= CENT for a in plan.get("accounts", []))
    ]


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
    accounts: Sequence[Mapping[str, Any]],
    classes: Sequence[str],
    colors: Mapping[str, str],
    hatches: Mapping[str, str],
    *,
    gid_prefix: str = "bar",
    label_min_share: float = 0.055,
) -> float:
    """Stacked dollar bars, one per account; returns the tallest bar (dollars)."""
    x = np.arange(len(accounts))
    bottoms = np.zeros(len(accounts))
    totals = np.array(
        [sum(max(float(v), 0.0) for v in a.get("holdings", {}).values()) for a in accounts]
    )
    top = float(max(totals.max(initial=0.0), 1.0))
    for c in classes:
        vals = np.array([max(float(a.get("holdings", {}).get(c, 0.0)), 0.0) for a in accounts])
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
                    f"{100 * v / tot:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    color=text_color_on(colors[c]),
                )
        bottoms += vals
    return top


def allocation_figure(plan: Mapping[str, Any]) -> Figure:
    """Stacked bars: dollars by asset class in each account, after-tax value annotated.

    Parameters
    ----------
    plan
        A plan dictionary (:meth:`Plan.to_dict`): ``accounts[*]`` with ``id``, ``type``,
        ``balance`` and ``after_tax_value`` (dollars) and ``holdings`` (class → dollars).

    Returns
    -------
    Figure
        Bars carry ``gid`` ``"bar-<class>"``; segments taller than 5.5% of the tallest bar
        show their share of the account.
    """
    accounts = list(plan.get("accounts", []))
    classes = plan_classes(plan)
    colors, hatches = class_colors(classes), class_hatches(classes)
    held = _held(plan)
    with _style():
        fig = _new_figure(max(6.5, 1.5 * len(accounts) + 4.2), 5.4)
        ax = fig.subplots()
        top = _stacked_accounts(ax, accounts, held, colors, hatches)
        for k, acc in enumerate(accounts):
            bal = float(acc.get("balance", 0.0))
            atv = acc.get("after_tax_value")
            txt = f"{usd_short(bal)} balance"
            if atv is not None:
                txt += f"\n{usd_short(float(atv))} after tax"
            ax.annotate(
                txt,
                xy=(k, bal),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8.5,
            )
        ax.set_xticks(
            np.arange(len(accounts)),
            [f"{a.get('id', '?')}\n({a.get('type', '?')})" for a in accounts],
        )
        ax.grid(axis="x", visible=False)
        ax.set_ylim(0, top * 1.2)
        ax.set_ylabel(DOLLAR_LABEL)
        _dollar_axis(ax)
        ax.set_title("Holdings by account (dollars; % of account inside the bars)")
        fig.legend(
            handles=_class_legend(
                held[::-1], colors, hatches, {c: class_label(plan, c) for c in held}
            ),
            title="asset class",
            loc="outside right upper",
        )
    return fig


# ----------------------------------------------------------------------------- household mix


def mix_figure(plan: Mapping[str, Any]) -> Figure:
    """Household mix on the pre-tax (face value) and after-tax bases, side by side per class.

    Parameters
    ----------
    plan
        A plan dictionary with ``household.mix`` (after-tax shares) and
        ``household.mix_pre_tax`` (face-value shares), decimals summing to 1.

    Returns
    -------
    Figure
        Bars carry ``gid`` ``"mix-after-<class>"`` and ``"mix-pre-<class>"``. Classes held
        by neither mix (below 0.05%) are left out and named in a footnote.
    """
    hh = plan.get("household", {})
    after = {c: float(v) for c, v in (hh.get("mix") or {}).items()}
    pre = {c: float(v) for c, v in (hh.get("mix_pre_tax") or {}).items()}
    classes = plan_classes(plan)
    colors, hatches = class_colors(classes), class_hatches(classes)
    shown = [c for c in classes if max(after.get(c, 0.0), pre.get(c, 0.0)) >= 5e-4]
    absent = [c for c in classes if c not in shown]
    with _style():
        fig = _new_figure(10.0, max(3.4, 0.62 * len(shown) + 1.9))
        ax = fig.subplots()
        y = np.arange(len(shown))[::-1].astype(float)
        h = 0.38
        vmax = max([*after.values(), *pre.values(), 0.01])
        for yi, c in zip(y, shown, strict=True):
            a, p = after.get(c, 0.0), pre.get(c, 0.0)
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
        ax.set_yticks(y, [class_label(plan, c) for c in shown])
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, vmax * 1.18)
        _pct_axis(ax, "x")
        ax.set_xlabel(SHARE_LABEL)
        fig.suptitle("Household mix: after tax vs pre-tax")
        fig.legend(
            handles=[
                Patch(facecolor="#888888", edgecolor="black", label="after tax\n(what you own)"),
                Patch(
                    facecolor="#888888",
                    alpha=0.45,
                    edgecolor="black",
                    hatch="////",
                    label="pre-tax\n(balances at face value)",
                ),
            ],
            loc="outside right upper",
            title="basis",
        )
        if absent:
            ax.annotate(
                _wrap("Not held: " + ", ".join(class_label(plan, c) for c in absent), 110),
                xy=(0.0, 0.0),
                xycoords="axes fraction",
                xytext=(0, -34),
                textcoords="offset points",
                fontsize=8,
                color="#555555",
                ha="left",
                va="top",
            )
    return fig


# ----------------------------------------------------------------------------- comparison


def comparison_from_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    """A ``comparison`` built from the plan's own metrics and baselines (financial view only).

    Parameters
    ----------
    plan
        A plan dictionary with ``method``, ``metrics`` and ``baselines``.

    Returns
    -------
    dict
        ``{"methods": [{"name", "financial"}, ...]}`` with the plan first.
    """
    methods = [{"name": str(plan.get("method", "joint")), "financial": dict(plan["metrics"])}]
    for name, m in (plan.get("baselines") or {}).items():
        methods.append({"name": str(name), "financial": dict(m)})
    return {"methods": methods}


def _reference(methods: Sequence[Mapping[str, Any]], view: str) -> str | None:
    names = [str(m["name"]) for m in methods if m.get(view)]
    if "duplicate" in names:
        return "duplicate"
    with_u = [m for m in methods if m.get(view) and m[view].get("utility") is not None]
    if not with_u:
        return None
    return str(min(with_u, key=lambda m: float(m[view]["utility"]))["name"])


def comparison_figure(comparison: Mapping[str, Any], *, utility: str | None = None) -> Figure:
    """Methods side by side: E vs SD (left) and the utility gain over a reference (right).

    Parameters
    ----------
    comparison
        ``{"methods": [{"name", "financial": {...}, "net_worth": {...} | absent}]}`` with
        ``expected_return``, ``volatility``, ``utility`` (decimals per year after tax).
    utility
        How utility is defined, for the title (default ``U = E − (A/2)·SD²``; see
        :func:`~assetloc.present.style.utility_formula`).

    Returns
    -------
    Figure
        The scatter's markers carry ``gid`` ``"method-<view>-<name>"``. The right panel shows
        the certainty-equivalent gain U − U_ref in basis points a year, against the
        ``duplicate`` method when present (else the method with the lowest utility).
    """
    methods = [m for m in comparison.get("methods", []) if m.get("financial") or m.get("net_worth")]
    if not methods:
        raise ValueError("comparison has no methods with metrics")
    views = [v for v in VIEWS if any(m.get(v) for m in methods)]
    with _style():
        fig = _new_figure(12.0, 5.0)
        ax, bx = fig.subplots(1, 2, width_ratios=[1.25, 1.0])
        label_pts: list[tuple[float, float, str, str, float]] = []
        for j, m in enumerate(methods):
            name = str(m["name"])
            col, mark = method_style(name, j)
            for v in views:
                mv = m.get(v)
                if not mv:
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
                    gid=f"method-{v}-{name}",
                )
                label_pts.append((x, y, name, col, (14 if mark == "*" else 9) / 2))
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

        # right: utility gain in bp/yr against the reference method, per view
        names = [str(m["name"]) for m in methods]
        yb = np.arange(len(names))[::-1].astype(float)
        hgt = 0.8 / len(views)
        vals_all: list[float] = []
        refs: dict[str, str | None] = {v: _reference(methods, v) for v in views}
        for vi, v in enumerate(views):
            ref = refs[v]
            ref_u = next(
                (float(m[v]["utility"]) for m in methods if str(m["name"]) == ref and m.get(v)),
                None,
            )
            for j, (m, yv) in enumerate(zip(methods, yb, strict=True)):
                mv = m.get(v)
                if not mv or ref_u is None or mv.get("utility") is None:
                    continue
                gain = 1e4 * (float(mv["utility"]) - ref_u)
                vals_all.append(gain)
                col = method_style(str(m["name"]), j)[0]
                off = (len(views) - 1) / 2 * hgt - vi * hgt
                bx.barh(
                    yv + off,
                    gain,
                    height=hgt * 0.9,
                    color=col if v == "financial" else "white",
                    edgecolor=col if v != "financial" else "black",
                    linewidth=1.6 if v != "financial" else 0.6,
                    hatch="" if v == "financial" else "////",
                    gid=f"gain-{v}-{m['name']}",
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
        bx.set_title(f"Utility gain, {utility or 'U = E − (A/2)·SD²'}")
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
        fig.legend(handles=leg, loc="outside lower center", ncol=len(leg))
        fig.suptitle("Method comparison (after tax)")
        _place_labels(fig, ax, _merge_coincident(label_pts, (x1 - x0), (y1 - y0)))
    return fig


# ----------------------------------------------------------------------------- output


def report_context(data: Mapping[str, Any]) -> str:
    """The view the optimizer used: ``data["context"]``, else the plan's, else financial."""
    for src in (data, data.get("plan") or {}, data.get("comparison") or {}):
        ctx = src.get("context")
        if ctx:
            return str(ctx)
    return "financial"


def build_figures(data: Mapping[str, Any]) -> dict[str, Figure]:
    """Every figure the report data allows, by name.

    Names: ``frontier`` (when ``data["frontier"]`` has a view), ``allocation``, ``mix``
    (when the plan has them), ``comparison`` (from ``data["comparison"]``, else from the
    plan's baselines).
    """
    out: dict[str, Figure] = {}
    plan = data.get("plan") or {}
    comparison = data.get("comparison")
    frontier = data.get("frontier") or {}
    if any(isinstance(frontier.get(v), Mapping) and frontier[v].get("points") for v in frontier):
        out["frontier"] = frontier_figure(
            {v: f for v, f in frontier.items() if isinstance(f, Mapping) and f.get("points")},
            report_context(data),
            views=data.get("views") or plan.get("views"),
            methods=(comparison or {}).get("methods"),
            fixed_mix=is_fixed_mix(plan),
        )
    if plan.get("accounts"):
        out["allocation"] = allocation_figure(plan)
    if plan.get("household", {}).get("mix"):
        out["mix"] = mix_figure(plan)
    if not comparison and plan.get("metrics") and plan.get("baselines"):
        comparison = comparison_from_plan(plan)
    if comparison and comparison.get("methods"):
        out["comparison"] = comparison_figure(comparison, utility=utility_formula(plan))
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


def write_charts(data: Mapping[str, Any], out_dir: str | Path) -> dict[str, list[Path]]:
    """Write every chart the data allows as ``<out_dir>/<name>.png`` and ``.svg``.

    Parameters
    ----------
    data
        Report data (see :mod:`assetloc.present.html`).
    out_dir
        Directory, created when missing.

    Returns
    -------
    dict
        Chart name → written paths.
    """
    out = Path(out_dir)
    return {name: save_figure(fig, out / name) for name, fig in build_figures(data).items()}
