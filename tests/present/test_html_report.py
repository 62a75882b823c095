"""The HTML report: self-contained, complete, escaped; rendered by a real headless Chromium."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mimage
import pytest

import assetloc
from assetloc.inputs.household import parse_household
from assetloc.present.html import render_html, report, write_report
from assetloc.present.method_section import METHOD_KEYS
from assetloc.present.report_data import ReportData, report_data

from support.browser import CHROMIUM_FLAGS
from support.samples import FOUR_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
POINTS = 25


VOID = {"meta", "br", "img", "hr", "input", "link", "col", "source", "wbr", "area", "base"}


@pytest.fixture(scope="module")
def data() -> ReportData:
    """The real pipeline on Kaplan's net-worth example (both views, every method)."""
    return report_data(assetloc.load_household(EXAMPLES / "kaplan_net_worth.toml"), POINTS)


@pytest.fixture(scope="module")
def page(data: ReportData) -> str:
    return render_html(data)


class _Tags(HTMLParser):
    """Collects tags, attributes and text; checks nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for k, v in attrs:
            self.attrs.append((tag, k, v or ""))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    p.close()
    return p


def test_well_formed(page: str) -> None:
    p = _parse(page)
    assert p.errors == []
    assert p.stack == []
    assert page.startswith("<!DOCTYPE html>")


def test_self_contained_no_external_resources(page: str) -> None:
    p = _parse(page)
    assert "script" not in p.tags
    assert "link" not in p.tags
    assert "iframe" not in p.tags
    for tag, attr, value in p.attrs:
        if attr in {"src", "href", "srcset", "poster", "data", "action"}:
            assert value.startswith(("data:", "#")), (tag, attr, value[:60])
    assert not re.search(r"""<(img|script|link|iframe)[^>]+(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "@font-face" not in page


def test_charts_embedded(page: str) -> None:
    p = _parse(page)
    imgs = [v for tag, attr, v in p.attrs if tag == "img" and attr == "src"]
    assert len(imgs) == 4
    assert all(v.startswith("data:image/svg+xml;base64,") for v in imgs)
    for name in ("frontier", "allocation", "mix", "comparison"):
        assert f'id="chart-{name}"' in page


def test_every_account_and_class_appears(data: ReportData, page: str) -> None:
    h = assetloc.load_household(EXAMPLES / "kaplan_net_worth.toml")
    text = " ".join(_parse(page).text)
    for acc in h.accounts:
        assert acc.id in text
    for label in data.plan.class_labels.values():
        assert label in text  # by the preset's label, id as tooltip


def test_headline_tables_notice_tie_break(data: ReportData, page: str) -> None:
    text = " ".join(" ".join(_parse(page).text).split())
    assert text.count("Estimates, not tax advice") >= 2
    for sid in ("headline", "holdings", "mix", "comparison", "balance-sheet", "assumptions"):
        assert f'<section id="{sid}">' in page
    m = data.plan.metrics
    for v in (m.expected_return, m.volatility, m.utility):
        assert f"{100 * v:.2f}%" in text
    assert m.sharpe is not None and f"{m.sharpe:.3f}" in text
    g = data.plan.improvement_bp("duplicate")
    assert f"{g['utility_bp']:+.1f} bp/yr" in text
    assert " ".join(data.plan.tie_break.split()) in text
    for name in ("joint", "duplicate", "separate", "two_step", "rule_of_thumb"):
        assert name in text
    assert "net worth" in text and "financial assets" in text
    for row in data.plan.balance_rows():
        assert row.item in text


def test_holdings_cells_add_up_to_the_file(page: str) -> None:
    """The holdings table's balance row shows each account's balance from the household
    file and their sum."""
    h = assetloc.load_household(EXAMPLES / "kaplan_net_worth.toml")
    text = " ".join(" ".join(_parse(page).text).split())
    total = sum(a.balance for a in h.accounts)
    row = "balance " + " ".join(f"${a.balance:,.0f}" for a in h.accounts) + f" ${total:,.0f}"
    assert row in text


def test_all_assumptions_shown(data: ReportData, page: str) -> None:
    text = " ".join(" ".join(_parse(page).text).split())
    a = data.plan.assumptions
    for key, value in a.items():
        if key in METHOD_KEYS:  # their own section, checked below
            continue
        assert key.replace("_", " ") in text
        if isinstance(value, str):
            assert " ".join(value.split()) in text
    for note in a.get("notes", []):
        assert " ".join(note.split()) in text
    assert "How the mix was chosen" in text
    assert " ".join(a["universe"]["rule"].split()) in text
    for cid, why in a["universe"]["excluded"].items():
        assert a["universe"]["labels"][cid] in text and why in text
    for note in a["concentration"]:
        assert " ".join(note.split()) in text
    if a["returns"]["method"] == "robust":
        assert "Black–Litterman" in text and a["returns"]["reference_source"] in text


def test_user_strings_escaped() -> None:
    """Account ids, the title and the tie-break text from the file are escaped by the
    templates (autoescape), never interpreted as markup."""
    spec = copy.deepcopy(FOUR_ACCOUNTS)
    spec["name"] = "<script>alert('t')</script> & co"
    spec["accounts"][0]["id"] = "<b>x</b>"
    h = parse_household(spec)
    plan = assetloc.optimize(h)
    evil = dataclasses.replace(plan, tie_break="split <i>pro rata</i>")
    page = render_html(ReportData(plan=evil, title=h.name or ""), charts=False)
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &amp; co" in page
    assert "<i>pro rata</i>" not in page and "split &lt;i&gt;pro rata&lt;/i&gt;" in page
    assert _parse(page).errors == []


def test_minimal_plan_only(data: ReportData, tmp_path: Path) -> None:
    page = render_html(ReportData(plan=data.plan), charts=False)
    assert "Estimates, not tax advice" in page
    assert "<img" not in page and "Holdings of each method by account" not in page
    assert 'id="balance-sheet"' in page  # the plan's own balance sheet
    assert "The household file states its marginal rates" in page  # no tax year given
    out = write_report(ReportData(plan=data.plan, title="t"), tmp_path / "sub" / "r.html")
    assert out.exists() and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(TypeError, match="ReportData"):
        render_html({"plan": data.plan.to_dict()})  # type: ignore[arg-type]


def test_report_function_writes_report_and_charts(tmp_path: Path) -> None:
    h = assetloc.load_household(EXAMPLES / "retired_couple.toml")
    out = report(h, tmp_path / "r.html", charts_dir=tmp_path / "charts", points=5)
    page = out.read_text(encoding="utf-8")
    ty = assetloc.tax_year(h)
    assert 'id="year-tax"' in page and f"${ty.total_tax:,.0f}" in page
    assert {p.name for p in (tmp_path / "charts").iterdir()} >= {"frontier.png", "mix.svg"}


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_every_example_renders(example: str) -> None:
    """Each example household through the whole pipeline: well formed, every section."""
    data = report_data(assetloc.load_household(EXAMPLES / example), 5)
    page = render_html(data, charts=False)
    parsed = _parse(page)
    assert parsed.errors == [] and parsed.stack == []
    for sid in ("headline", "holdings", "mix", "comparison", "year-tax", "assumptions"):
        assert f'<section id="{sid}">' in page
    assert data.comparison is not None
    assert page.count('<tr class="optimum">') == 2  # the plan's method, in both tables


# ----------------------------------------------------------------------------- real browser


def _chromium() -> str | None:
    env = os.environ.get("ASSETLOC_CHROMIUM")
    if env and Path(env).exists():
        return env
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _browser_args(binary: str, profile: Path) -> list[str]:
    return [
        binary,
        "--headless",
        *CHROMIUM_FLAGS,
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]


def test_renders_in_headless_chromium(data: ReportData, page: str, tmp_path: Path) -> None:
    if os.environ.get("ASSETLOC_SKIP_BROWSER") == "1":
        pytest.skip("ASSETLOC_SKIP_BROWSER=1")
    binary = _chromium()
    if binary is None:
        pytest.fail(
            "chromium is not installed: run scripts/ensure-chromium.sh (as root) or "
            "`apt-get install chromium`, or set ASSETLOC_SKIP_BROWSER=1 to skip this test"
        )
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    url = report.resolve().as_uri()
    shot = tmp_path / "shot.png"
    args = _browser_args(binary, tmp_path / "profile")
    res = subprocess.run(
        [*args, f"--screenshot={shot}", "--window-size=1280,2000", url],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert shot.exists(), f"no screenshot (exit {res.returncode}): {res.stderr[-2000:]}"
    img = mimage.imread(shot)[..., :3]
    assert img.shape[:2] == (2000, 1280)
    assert float(img.std()) > 0.05, "screenshot is blank"
    non_white = float((img.min(axis=2) < 0.9).mean())
    assert non_white > 0.03, f"screenshot is nearly blank ({non_white:.1%} ink)"

    dom = subprocess.run(
        [*args, "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    html_dom = dom.stdout
    assert html_dom.count("<table") == page.count("<table") >= 5
    assert 'id="holdings"' in html_dom and 'id="assumptions"' in html_dom
    assert "Estimates, not tax advice" in html_dom
    for acc_id in data.plan.problem.account_ids:
        assert acc_id in html_dom
    assert html_dom.count("data:image/svg+xml;base64,") == 4


def test_ensure_chromium_script_is_valid_sh() -> None:
    script = ROOT / "scripts" / "ensure-chromium.sh"
    assert os.access(script, os.X_OK)
    subprocess.run(["sh", "-n", str(script)], check=True)
    res = subprocess.run(
        ["sh", str(script)],
        env={**os.environ, "ASSETLOC_SKIP_BROWSER": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ASSETLOC_SKIP_BROWSER=1" in res.stdout


def test_images_decode(page: str) -> None:
    """Each embedded chart is a complete SVG document."""
    import base64

    uris = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(uris) == 4
    for u in uris:
        svg = base64.b64decode(u).decode("utf-8")
        assert svg.lstrip().startswith("<?xml") and svg.rstrip().endswith("</svg>")
        assert "http://www.w3.org" in svg  # namespaces only, never fetched
        assert not re.search(r'(xlink:href|href)="https?://', svg)


def test_numbers_finite(page: str) -> None:
    text = " ".join(_parse(page).text)
    assert "nan" not in text.lower().split()
    assert "inf" not in text.lower().split()


def test_real_pipeline_in_both_views(data: ReportData, page: str) -> None:
    """Kaplan's net-worth example: optimized in the net-worth view, the plan marked in the
    financial one, human capital on the balance sheet."""
    from assetloc.present.charts import build_figures

    figs = build_figures(data)
    assert set(figs) == {"frontier", "allocation", "mix", "comparison"}
    titles = [ax.get_title() for ax in figs["frontier"].axes]
    assert titles == ["financial assets", "net worth (optimized view)"]
    gids = {ln.get_gid() for ax in figs["frontier"].axes for ln in ax.lines}
    assert {"optimum-financial", "optimum-net_worth", "chosen-financial"} <= gids
    text = " ".join(" ".join(_parse(page).text).split())
    assert "net worth (optimized)" in text
    assert "human capital" in text
    assert _parse(page).errors == []
