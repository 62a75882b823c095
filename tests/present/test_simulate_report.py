"""The report's "Year by year" section: present with a [plan] table (its two charts, its
tables, escaped and well-formed), absent without one; the real pipeline on the lifecycle
example; the page rendered by headless Chromium."""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mimage
import numpy as np
import pytest

import assetloc
from assetloc.inputs.household import parse_fields, read_toml
from assetloc.present.html import render_html
from assetloc.present.report_data import ReportData, report_data
from assetloc.present.simulate_section import SIMULATION_CHARTS
from assetloc.simulate.result import SimulationResult

from support.paths import EXAMPLES
from support.sim_outcomes import Lifecycle, outcome, result

POINTS = 12
SECTION = re.compile(r'<section id="simulation">.*?</section>', re.S)


def fake_result(years: int = 20, paths: int = 300) -> SimulationResult:
    """Outcomes built by hand: joint ahead of duplicate by about 10 bp a year."""
    rng = np.random.default_rng(5)
    dup = rng.lognormal(np.log(1.5e6), 0.45, paths)
    outs = {}
    for j, (name, lead) in enumerate((("joint", 10.0), ("duplicate", 0.0), ("separate", -4.0))):
        terminal = dup * (1 + (lead + rng.normal(0, 5, paths)) / 1e4) ** years if lead else dup
        outs[name] = outcome(name, terminal, years, j)
    lc = Lifecycle(
        years=years,
        human_capital=np.linspace(5e5, 0, years + 1),
        financial=np.linspace(5e5, 1.5e6, years + 1),
        total=np.linspace(1e6, 1.5e6, years + 1),
        consumption=np.full(years, 4e4),
    )
    return result(outs, years, lifecycle=lc)


@pytest.fixture(scope="module")
def base() -> ReportData:
    return report_data(assetloc.load_household(EXAMPLES / "three_accounts.toml"), POINTS)


@pytest.fixture(scope="module")
def page(base: ReportData) -> str:
    return render_html(dataclasses.replace(base, simulation=fake_result()))


class _Nesting(HTMLParser):
    VOID = frozenset({"meta", "br", "img", "hr", "input", "link", "col", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}>")
            return
        self.stack.pop()


def test_section_present_with_charts_and_tables(page: str) -> None:
    m = SECTION.search(page)
    assert m is not None
    section = m.group(0)
    for name in SIMULATION_CHARTS:
        assert f'id="chart-{name}"' in section
    uris = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', section)
    assert len(uris) == 2
    for u in uris:
        assert base64.b64decode(u).decode("utf-8").rstrip().endswith("</svg>")
    for table in ("terminal_wealth", "spending", "lifetime_tax", "sales", "location", "lifecycle"):
        assert f'id="sim-{table}"' in section
    assert "Location value vs duplicate" in section
    assert 'id="sim-assumptions"' in section
    # the simulation's charts are not repeated in the general Charts section
    assert page.count('id="chart-simulation_wealth"') == 1
    p = _Nesting()
    p.feed(page)
    assert p.errors == [] and p.stack == []


def test_section_figures_match_the_result(page: str) -> None:
    """The location-value table's mean is the result's own mean (formatted)."""
    r = fake_result()
    mean = float(np.nanmean(r.location_value_bp("joint")))
    section = SECTION.search(page).group(0)  # type: ignore[union-attr]
    row = re.search(
        r'id="sim-location".*?<span class="id">joint</span></th><td class="num">([^<]+)<',
        section,
        re.S,
    )
    assert row is not None
    printed = row.group(1).replace("bp", "").replace("+", "").replace("−", "-").strip()
    assert abs(float(printed) - mean) <= 0.05 + 1e-9


def test_no_section_without_a_plan(base: ReportData) -> None:
    assert base.simulation is None  # three_accounts.toml has no [plan]
    html = render_html(base)
    assert 'id="simulation"' not in html


def test_strings_are_escaped(base: ReportData) -> None:
    r = fake_result()
    r = dataclasses.replace(r, assumptions={**r.assumptions, "note": "<script>x</script>"})
    html = render_html(dataclasses.replace(base, simulation=r), charts=False)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_real_pipeline_on_the_lifecycle_example(tmp_path: Path) -> None:
    """report_data on a household with [plan] (few paths and years) carries the section."""
    raw = read_toml(EXAMPLES / "lifecycle.toml")
    raw["plan"] = {**raw["plan"], "paths": 40, "years": 12, "reoptimize_every": 0}
    h = parse_fields(raw)
    data = report_data(h, POINTS)
    assert data.simulation is not None
    assert data.simulation.paths == 40 and data.simulation.years == 12
    html = render_html(data)
    section = SECTION.search(html)
    assert section is not None
    for name in ("joint", "duplicate"):
        assert f'<span class="id">{name}</span>' in section.group(0)
    from assetloc.present.charts import write_charts

    written = write_charts(data, tmp_path / "charts")
    assert {"simulation_wealth", "location_value"} <= set(written)


def test_renders_in_headless_chromium(page: str, tmp_path: Path) -> None:
    if os.environ.get("ASSETLOC_SKIP_BROWSER") == "1":
        pytest.skip("ASSETLOC_SKIP_BROWSER=1")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail("chromium is not installed: run scripts/ensure-chromium.sh (as root)")
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    args = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [*args, "--dump-dom", report.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'id="simulation"' in dom.stdout
    assert dom.stdout.count('id="sim-') >= 6
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*args, f"--screenshot={shot}", "--window-size=1200,3000", report.resolve().as_uri()],
        capture_output=True,
        timeout=90,
    )
    img = mimage.imread(shot)[..., :3]
    assert float(img.std()) > 0.05, "screenshot is blank"


def test_tables_read_the_result() -> None:
    """Every table row is the result's own figure, formatted; re-solving gets one row per
    strategy that re-solves; the lifecycle shows its first and last year."""
    from assetloc.present import jsonout
    from assetloc.present.fmt import bp, usd
    from assetloc.present.simulate_tables import tables

    r = fake_result()
    joint = r.outcomes["joint"]
    r = dataclasses.replace(
        r,
        outcomes={
            **r.outcomes,
            "joint": dataclasses.replace(
                joint, reoptimized={"solves": 40.0, "mean_abs_change": 0.0312}
            ),
        },
    )
    d = jsonout.clean(r.to_dict())
    by_name = {t.name: t for t in tables(d)}
    tw = dict((row[0], row[1:]) for row in by_name["terminal_wealth"].rows)
    assert tw["joint"][2] == usd(float(np.median(r.outcomes["joint"].terminal_wealth)), 0)
    lv = dict((row[0], row[1:]) for row in by_name["location"].rows)
    assert set(lv) == {"joint", "separate"}
    assert lv["joint"][0] == bp(float(np.nanmean(r.location_value_bp("joint"))))
    re_solve = by_name["reoptimized"]
    assert re_solve.columns == ("strategy", "solves", "mean abs change")
    assert re_solve.rows == (("joint", "40", "3.12%"),)
    years = [row[0] for row in by_name["lifecycle"].rows]
    assert years[0] == "0" and years[-1] == str(r.lifecycle.years)  # type: ignore[union-attr]
    assert len(years) <= 8
