"""One self-contained HTML report: headline, tables, charts, assumptions, the tax notice.

The file works offline: no scripts, no external fonts, style sheets or images; charts are
embedded as SVG data URIs (text drawn as paths, so no font is needed either). The markup is
in Jinja2 templates (``present/templates/*.html.j2``) rendered with autoescape, so every
string that comes from the data (titles, account ids, class ids, notes) is escaped there.

This module turns a :class:`~assetloc.present.report_data.ReportData` (typed results) into
the rows the templates lay out: formatted numbers (:mod:`assetloc.present.fmt`) and plain
strings, never markup. All returns and volatilities are decimals per year after tax; money
is US dollars.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetloc.analysis.compare import Comparison
from assetloc.analysis.plan import Metrics, Plan
from assetloc.notice import NOTICE
from assetloc.present.fmt import CENT, bp, is_number, pct, points, ratio, usd
from assetloc.present.method_section import METHOD_KEYS, MethodSection, method_section
from assetloc.present.report_data import DEFAULT_POINTS, ReportData, report_data
from assetloc.present.simulate_section import SIMULATION_CHARTS, SimulateSection, simulate_section
from assetloc.present.style import METHOD_DESCRIPTIONS, VIEW_LABELS, class_colors, utility_formula
from assetloc.present.tax_section import TaxSection, tax_section

if TYPE_CHECKING:
    from jinja2 import Environment

    from assetloc.inputs.household import Household

#: The notice's heading; the rest of :data:`~assetloc.notice.NOTICE` follows it.
NOTICE_HEAD = NOTICE.split(":", 1)[0]  # "Estimates, not tax advice"

#: Added to the frontier caption when the plan places a fixed household mix.
FIXED_MIX_FRONTIER_NOTE = (
    "This household fixes its mix, so its plan (the cross) is not the star: the star is the "
    "unconstrained optimum with the mix released, shown for comparison only."
)

#: Captions of the charts, by figure name.
CHART_CAPTIONS: dict[str, str] = {
    "frontier": (
        "After-tax efficient frontier: the best expected return for each level of risk. The "
        "star is the optimum; the dashed curve joins the risk/return pairs with the same "
        "utility as the optimum. Net worth adds human capital and subtracts liabilities."
    ),
    "allocation": (
        "Dollars by asset class in each account (own, face-value dollars), with the balance and "
        "after-tax value above each bar."
    ),
    "mix": (
        "Household mix on the after-tax basis (what the household owns once deferred taxes are "
        "paid) and on the pre-tax basis (account balances at face value)."
    ),
    "comparison": (
        "Each method's after-tax expected return and volatility, and its utility gain over the "
        "naive approach in basis points a year."
    ),
}

VIEWS = ("financial", "net_worth")


# ----------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class ClassName:
    """An asset class as the report names it: the preset's label, the id as a tooltip."""

    id: str
    label: str
    color: str = ""

    @property
    def labelled(self) -> bool:
        """True when the preset gives a label other than the id."""
        return self.label != self.id


@dataclass(frozen=True)
class Card:
    """A headline figure: label, value, a note, and ``gain``/``loss`` (or "") for colour."""

    label: str
    value: str
    note: str
    tone: str = ""


@dataclass(frozen=True)
class Cell:
    """A table cell: text, a second smaller line ``sub``, its CSS class and column span."""

    text: str
    sub: str = ""
    css: str = "num"
    span: int = 1


def _muted(text: str, span: int = 1) -> Cell:
    return Cell(text, css="num muted", span=span)


@dataclass(frozen=True)
class Row:
    """A table row: its header (a class, a method id or a plain label) and cells.

    ``code``: the header is an id (monospace); ``note``: a second line under it; ``css``:
    the row's CSS class.
    """

    cells: tuple[Cell, ...]
    head: str = ""
    cls: ClassName | None = None
    code: bool = False
    note: str = ""
    css: str = ""


@dataclass(frozen=True)
class Table:
    """A captioned table: column heads (label, numeric?), rows and footer rows."""

    caption: str
    head: tuple[tuple[str, bool], ...]
    rows: tuple[Row, ...]
    foot: tuple[Row, ...] = ()
    groups: tuple[str, ...] = ()  # column-group heads over five columns each
    css: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart embedded as an SVG data URI."""

    name: str
    uri: str
    caption: str


@dataclass(frozen=True)
class Value:
    """An assumption's value: text, a muted remark, a keyed table or a list."""

    text: str = ""
    muted: bool = False
    keyed: tuple[tuple[ClassName, Value], ...] | None = None
    items: tuple[Value, ...] | None = None


@dataclass(frozen=True)
class Assumption:
    """One entry of the assumptions list: its name, and a value or a joint table."""

    name: str
    value: Value | None = None
    joint_heads: tuple[str, ...] = ()
    joint_rows: tuple[tuple[ClassName, tuple[Value, ...]], ...] = ()


@dataclass(frozen=True)
class Page:
    """Everything the report template lays out."""

    title: str
    view: str
    notice: str
    cards: tuple[Card, ...]
    method: str
    balance: str
    wealth: str
    views_coincide: bool
    views_table: Table | None
    holdings: Table
    not_held: tuple[ClassName, ...]
    mix: Table
    comparison: Table | None
    method_holdings: tuple[Table, ...]
    baselines: Table | None
    utility: str
    balance_sheet: Table | None
    charts: tuple[Chart, ...]
    method_section: MethodSection | None
    tax_section: TaxSection | None
    assumptions: tuple[Assumption, ...]
    tie_break: str
    simulate_section: SimulateSection | None = None


def _label(key: str) -> str:
    return key.replace("_", " ")


def _view(v: str) -> str:
    return VIEW_LABELS.get(v, _label(v))


def _class(plan: Plan, c: str, colors: Mapping[str, str] | None = None) -> ClassName:
    return ClassName(c, plan.class_labels.get(c, c), (colors or {}).get(c, ""))


def _metric_cells(m: Metrics | None) -> tuple[Cell, ...]:
    if m is None:
        return (_muted("not computed", span=4),)
    return (
        Cell(pct(m.expected_return)),
        Cell(pct(m.volatility)),
        Cell(pct(m.utility)),
        Cell(ratio(m.sharpe)),
    )


# ----------------------------------------------------------------------------- sections


def _gain_vs_duplicate(data: ReportData) -> tuple[float, float] | None:
    """The plan's (E, U) gain over ``duplicate`` in bp/yr: its baseline, else the comparison."""
    plan = data.plan
    if "duplicate" in plan.baselines:
        g = plan.improvement_bp("duplicate")
        return g["expected_return_bp"], g["utility_bp"]
    comp = data.comparison
    if comp is None or not {plan.method, "duplicate"} <= set(comp.names):
        return None
    a = comp.method(plan.method).metrics.get(data.context)
    b = comp.method("duplicate").metrics.get(data.context)
    if a is None or b is None:
        return None
    return 1e4 * (a.expected_return - b.expected_return), 1e4 * (a.utility - b.utility)


def _cards(data: ReportData) -> tuple[Card, ...]:
    plan = data.plan
    m = plan.metrics
    cards = [
        Card("Expected return", pct(m.expected_return), "after tax, per year"),
        Card("Volatility (SD)", pct(m.volatility), "after tax, per year"),
        Card(
            "Utility",
            pct(m.utility),
            f"risk-adjusted return, {utility_formula(plan.problem.kind)}",
        ),
        Card("Sharpe ratio", ratio(m.sharpe), "excess return over cash / SD"),
    ]
    gain = _gain_vs_duplicate(data)
    if gain is not None:
        e_bp, u_bp = gain
        cards.append(
            Card(
                "Gain vs duplicate",
                f"{bp(u_bp)}/yr",
                f"utility; expected return {bp(e_bp)}/yr, vs the same mix in every account",
                "gain" if u_bp >= 0 else "loss",
            )
        )
    return tuple(cards)


def _views_coincide(views: Mapping[str, Metrics]) -> bool:
    """True when every view has the same E and SD (no human capital, no liabilities)."""
    pts = [(m.expected_return, m.volatility) for m in views.values()]
    if len(pts) < 2:
        return False
    e0, v0 = pts[0]
    return all(abs(e - e0) < 1e-12 and abs(v - v0) < 1e-12 for e, v in pts)


def _views_table(data: ReportData) -> Table:
    rows = tuple(
        Row(
            head=_view(v) + (" (optimized)" if v == data.context else ""),
            cells=(Cell(pct(m.expected_return)), Cell(pct(m.volatility)), Cell(pct(m.utility))),
        )
        for v, m in data.plan.view_metrics().items()
    )
    return Table(
        "This plan seen as financial assets alone and as part of net worth",
        (("view", False), ("expected return", True), ("volatility (SD)", True), ("utility", True)),
        rows,
    )


def _holdings(plan: Plan) -> tuple[Table, tuple[ClassName, ...]]:
    p = plan.problem
    classes = list(plan.classes)
    colors = class_colors(classes)
    d = plan.dollars
    held = [c for i, c in enumerate(classes) if bool((d[:, i] >= CENT).any())]
    grand = float(p.balances.sum())
    rows = []
    for c in held:
        i = classes.index(c)
        cells = []
        for k in range(p.k):
            v = float(d[k, i])
            bal = float(p.balances[k]) or float(d[k].sum())
            if v >= CENT:
                share = v / bal if bal > 0 else 0.0
                cells.append(Cell(usd(v), f"{pct(share, 1)} of account"))
            else:
                cells.append(_muted("–"))
        total = float(d[:, i].sum())
        cells.append(Cell(usd(total), f"{pct(total / grand if grand > 0 else 0.0, 1)} of balances"))
        rows.append(Row(cls=_class(plan, c, colors), cells=tuple(cells)))
    after = [float(p.value_factor[k] * p.balances[k]) for k in range(p.k)]
    foot = (
        Row(head="balance", cells=tuple(Cell(usd(float(b))) for b in [*p.balances, grand])),
        Row(head="after-tax value", cells=tuple(Cell(usd(v)) for v in [*after, p.wealth])),
    )
    head = (
        ("asset class", False),
        *((f"{p.account_ids[k]} ({p.account_types[k]})", True) for k in range(p.k)),
        ("household", True),
    )
    table = Table(
        "Holdings by account and asset class (dollars; share of the account)",
        head,
        tuple(rows),
        foot=foot,
    )
    return table, tuple(_class(plan, c) for c in classes if c not in held)


def _mix(plan: Plan) -> Table:
    classes = list(plan.classes)
    colors = class_colors(classes)
    rows = tuple(
        Row(
            cls=_class(plan, c, colors),
            cells=(
                Cell(pct(a, 1)),
                Cell(pct(b, 1)),
                Cell(points(100 * (float(a) - float(b)), 1, sign=True)),
            ),
        )
        for c, a, b in zip(classes, plan.weights, plan.weights_pre_tax, strict=True)
    )
    return Table(
        "Household mix: after-tax basis vs pre-tax (face value) basis",
        (("asset class", False), ("after tax", True), ("pre-tax", True), ("after − pre", True)),
        rows,
    )


def _comparison(data: ReportData, comp: Comparison) -> tuple[Table | None, tuple[Table, ...]]:
    if not comp.methods:
        return None, ()
    plan = data.plan
    views = [v for v in VIEWS if v in comp.views]
    ref = {
        v: next(
            (r.metrics[v] for r in comp.methods if r.name == "duplicate" and v in r.metrics), None
        )
        for v in views
    }
    head: list[tuple[str, bool]] = [("method", False)]
    for _v in views:
        head += [("E", True), ("SD", True), ("U", True), ("Sharpe", True), ("U vs duplicate", True)]
    rows = []
    for r in comp.methods:
        desc = METHOD_DESCRIPTIONS.get(r.name, "")
        if r.error:
            desc = f"not available: {r.error}"
        cells: list[Cell] = []
        for v in views:
            mv = r.metrics.get(v)
            cells += _metric_cells(mv)
            base = ref[v]
            gain = "–" if base is None or mv is None else bp(1e4 * (mv.utility - base.utility))
            cells.append(Cell(gain))
        css = "optimum" if r.name == plan.method else ""
        rows.append(Row(head=r.name, code=True, note=desc, cells=tuple(cells), css=css))
    groups = tuple(_view(v) + (" (optimized)" if v == data.context else "") for v in views)
    table = Table(
        "After-tax expected return (E), volatility (SD), utility (U) and Sharpe ratio "
        "by method; % per year; gains in basis points a year",
        tuple(head),
        tuple(rows),
        groups=groups,
    )
    details = tuple(_method_holdings(plan, comp, r.name) for r in comp.methods if r.x is not None)
    return table, details


def _method_holdings(plan: Plan, comp: Comparison, name: str) -> Table:
    p = comp.problem
    r = comp.method(name)
    if r.x is None:
        raise ValueError(f"{name} has no holdings")
    d = p.dollars(r.x)
    classes = list(p.market.ids)
    held = [c for i, c in enumerate(classes) if bool((d[:, i] >= CENT).any())]
    head = (("asset class", False), *((str(a), True) for a in p.account_ids))
    rows = tuple(
        Row(cls=_class(plan, c), cells=tuple(Cell(usd(float(v))) for v in d[:, classes.index(c)]))
        for c in held
    )
    return Table(f"{name}: dollars by account", head, rows)


def _baselines(data: ReportData) -> Table | None:
    plan = data.plan
    if not plan.baselines:
        return None
    blank = Cell("", css="")
    rows = [
        Row(
            head=plan.method,
            code=True,
            cells=(*_metric_cells(plan.metrics), blank, blank),
            css="optimum",
        )
    ]
    for name, b in plan.baselines.items():
        g = plan.improvement_bp(name)
        gains = (Cell(bp(g["expected_return_bp"])), Cell(bp(g["utility_bp"])))
        rows.append(Row(head=name, code=True, cells=(*_metric_cells(b.metrics), *gains)))
    return Table(
        f"Baselines holding the same household mix ({_view(data.context)} view): "
        "the optimum's gain over each",
        (
            ("portfolio", False),
            ("E", True),
            ("SD", True),
            ("U", True),
            ("Sharpe", True),
            ("optimum gain E", True),
            ("optimum gain U", True),
        ),
        tuple(rows),
    )


def _balance_sheet(plan: Plan) -> Table | None:
    rows = tuple(
        Row(head=r.item, cells=(Cell(usd(r.pre_tax)), Cell(usd(r.after_tax))))
        for r in plan.balance_rows()
    )
    if not rows:
        return None
    return Table(
        "Balance sheet (US dollars; present values)",
        (("item", False), ("pre-tax", True), ("after tax", True)),
        rows,
    )


def _charts(data: ReportData) -> tuple[Chart, ...]:
    from assetloc.present.charts import build_figures, figure_svg

    out = []
    for name, fig in build_figures(data).items():
        svg = figure_svg(fig).encode("utf-8")
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        caption = CHART_CAPTIONS.get(name, name)
        if name == "frontier" and data.plan.problem.kind == "fixed_mix":
            caption += " " + FIXED_MIX_FRONTIER_NOTE
        out.append(Chart(name, uri, caption))
    return tuple(out)


def _trimmed(v: float, digits: int) -> str:
    """Fixed point with at most ``digits`` decimals, trailing zeros dropped: 24.000 → "24"."""
    text = f"{v:,.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _value(key: str, value: Any, plan: Plan) -> Value:
    """One assumption value: rates as percents, mappings as tables, lists as lists."""
    rate_like = "rate" in key or key in {"cash_rate", "expected_return", "volatility"}
    if isinstance(value, Mapping):
        return Value(
            keyed=tuple(
                (_class(plan, str(k)), _value(key if rate_like else str(k), v, plan))
                for k, v in value.items()
            )
        )
    if isinstance(value, list | tuple):
        if not value:
            return Value("none", muted=True)
        return Value(items=tuple(_value(key, v, plan) for v in value))
    if isinstance(value, bool):
        return Value("yes" if value else "no")
    if is_number(value):
        if rate_like:
            return Value(_trimmed(100 * float(value), 3) + "%")
        return Value(_trimmed(float(value), 6))
    if value is None:
        return Value("not given", muted=True)
    return Value(str(value))


def _assumptions(plan: Plan) -> tuple[Assumption, ...]:
    a = {k: v for k, v in plan.assumptions.items() if k not in METHOD_KEYS}
    # Assumptions keyed by the same names (per asset class, typically) share one table.
    groups: dict[tuple[str, ...], list[str]] = {}
    for k, v in a.items():
        if isinstance(v, Mapping) and v and not any(isinstance(x, Mapping) for x in v.values()):
            groups.setdefault(tuple(map(str, v)), []).append(str(k))
    merged = {names[0]: (keys, names) for keys, names in groups.items() if len(names) > 1}
    skip = {n for _, names in merged.values() for n in names[1:]}
    out = []
    for k, v in a.items():
        key = str(k)
        if key in skip:
            continue
        if key in merged:
            keys, names = merged[key]
            out.append(
                Assumption(
                    " / ".join(_label(n) for n in names),
                    joint_heads=tuple(_label(n) for n in names),
                    joint_rows=tuple(
                        (_class(plan, c), tuple(_value(n, a[n][c], plan) for n in names))
                        for c in keys
                    ),
                )
            )
        else:
            out.append(Assumption(_label(key), value=_value(key, v, plan)))
    return tuple(out)


def _notice_text() -> str:
    text = NOTICE
    if text.lower().startswith(NOTICE_HEAD.lower()):
        text = text[len(NOTICE_HEAD) :].lstrip(" :.;,-–—")
        text = text[:1].upper() + text[1:]
    return text


def page(data: ReportData, *, charts: bool = True) -> Page:
    """The report's sections as rows of formatted text (no markup)."""
    plan = data.plan
    p = plan.problem
    views = plan.view_metrics()
    coincide = _views_coincide(views)
    holdings, not_held = _holdings(plan)
    comparison: Table | None = None
    details: tuple[Table, ...] = ()
    if data.comparison is not None:
        comparison, details = _comparison(data, data.comparison)
    all_charts = _charts(data) if charts else ()
    sim_uris = {c.name: c.uri for c in all_charts if c.name in SIMULATION_CHARTS}
    sim = None if data.simulation is None else simulate_section(data.simulation, sim_uris)
    return Page(
        title=data.title or "assetloc report",
        view=_view(data.context),
        notice=_notice_text(),
        cards=_cards(data),
        method=plan.method,
        balance=usd(float(p.balances.sum())),
        wealth=usd(p.wealth),
        views_coincide=coincide,
        views_table=None if coincide else _views_table(data),
        holdings=holdings,
        not_held=not_held,
        mix=_mix(plan),
        comparison=comparison,
        method_holdings=details,
        baselines=_baselines(data),
        utility=utility_formula(p.kind),
        balance_sheet=_balance_sheet(plan),
        charts=tuple(c for c in all_charts if c.name not in SIMULATION_CHARTS),
        method_section=method_section(plan.assumptions),
        tax_section=None if data.tax_year is None else tax_section(data.tax_year),
        assumptions=_assumptions(plan),
        tie_break=plan.tie_break,
        simulate_section=sim,
    )


# ----------------------------------------------------------------------------- public


@cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("assetloc.present", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


def render_html(data: ReportData, *, charts: bool = True) -> str:
    """Render the report as one self-contained HTML document.

    Parameters
    ----------
    data
        The typed report data (:func:`~assetloc.present.report_data.report_data`); only the
        plan is required: a section whose result is None is left out.
    charts
        Embed the charts (SVG data URIs). False gives a small, text-only report.

    Returns
    -------
    str
        The HTML document (UTF-8 text). No scripts and no external resources.
    """
    if not isinstance(data, ReportData):
        raise TypeError("render_html needs a ReportData (see assetloc.present.report_data)")
    template = _environment().get_template("report.html.j2")
    return template.render(page=page(data, charts=charts)) + "\n"


def write_report(data: ReportData, path: str | Path) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8; parent directories are created).

    Returns
    -------
    Path
        The written file.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data), encoding="utf-8")
    return out


def report(
    h: Household,
    path: str | Path,
    *,
    charts_dir: str | Path | None = None,
    points: int = DEFAULT_POINTS,
) -> Path:
    """``assetloc report``: write the HTML report of ``h`` to ``path`` (and, with
    ``charts_dir``, every chart as PNG and SVG there); ``points`` return targets per
    frontier. Returns the written report."""
    data = report_data(h, points)
    out = write_report(data, path)
    if charts_dir is not None:
        from assetloc.present.charts import write_charts

        write_charts(data, charts_dir)
    return out
