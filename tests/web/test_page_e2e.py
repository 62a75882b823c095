"""The page end to end in Debian's Chromium driven by Playwright: the guide's three-account
example entered by hand and optimized ($200,000 of stocks in the brokerage, $150,000 of
bonds in the IRA read off the page), a rebalance's orders CSV downloaded and compared with
the CLI's, a saved household edited and reloaded, hostile names shown as text, and no
request leaving the machine. Screenshots go to ``out/web-screenshots/`` (kept by CI)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("playwright")
pytest.importorskip("fastapi")

from playwright.sync_api import Page, expect

from support.browser import CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SHOTS = ROOT / "out" / "web-screenshots"
pytestmark = pytest.mark.xdist_group("browser")


def _chromium() -> str | None:
    if os.environ.get("ASSETLOC_SKIP_BROWSER") == "1":
        return None
    return os.environ.get("ASSETLOC_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's Chromium, headless, no background traffic (the machine has no network)."""
    binary = _chromium()
    if binary is None:
        pytest.skip(
            "no chromium (scripts/ensure-chromium.sh installs it) or ASSETLOC_SKIP_BROWSER=1"
        )
    return {
        "executable_path": binary,
        "headless": True,
        "args": list(CHROMIUM_FLAGS),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's SQLite database file."""
    return tmp_path_factory.mktemp("web") / "assetloc.db"


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[str]:
    """``assetloc serve`` on a free loopback port with its own SQLite database."""
    db = web_db
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assetloc", "serve", "--port", str(port), "--db", f"sqlite:///{db}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/presets", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            proc.kill()
            raise AssertionError(f"serve did not start: {proc.communicate()[1].decode()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture()
def app(page: Page, server: str) -> Iterator[Page]:
    """The page loaded, every request outside the server refused and recorded."""
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(server + "/")
    expect(page.get_by_label("Household name")).to_be_visible()
    yield page
    assert outside == [], f"the page asked for outside resources: {outside}"
    assert errors == [], f"script errors or dialogs: {errors}"


def _cli(*args: str) -> str:
    """What ``assetloc ARGS`` prints (a subprocess, as a user runs it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, "-m", "assetloc", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return run.stdout


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _account(page: Page, i: int) -> Any:
    return page.locator("fieldset.account").nth(i)


def _enter_three_accounts(page: Page, name: str = "Three accounts, 60/40") -> None:
    """The guide's example (examples/three_accounts.toml), typed into the form."""
    page.get_by_label("Household name").fill(name)
    page.get_by_label("Ordinary income tax rate today").fill("0.24")
    page.get_by_label("Long-term capital gains rate").fill("0.15")
    page.get_by_label("Ordinary rate on tax-deferred withdrawals").fill("0.24")
    _account(page, 0).get_by_label("Account id").fill("brokerage")
    _account(page, 0).get_by_label("Type").select_option("taxable")
    _account(page, 0).get_by_label("Balance ($)").fill("200000")
    for i, (aid, kind, bal) in enumerate(
        (("ira", "traditional", "150000"), ("roth", "roth", "50000")), 1
    ):
        page.get_by_role("button", name="Add an account").click()
        _account(page, i).get_by_label("Account id").fill(aid)
        _account(page, i).get_by_label("Type").select_option(kind)
        _account(page, i).get_by_label("Balance ($)").fill(bal)
    page.get_by_label("Capital market assumptions").select_option("horizon-2025")
    page.get_by_label("Kind").select_option("fixed_mix")
    page.get_by_label("US Equity - Large Cap", exact=True).fill("0.60")
    page.get_by_label("US Corporate Bonds - Core", exact=True).fill("0.40")
    page.get_by_label("Risk aversion A").fill("3.74")
    page.get_by_label("Tax-deferred accounts count at").select_option("after_tax")
    page.get_by_label("HSA treated as").select_option("tax_free")


def _holding(page: Page, account: str, label: str) -> str:
    """The holdings table's cell of ``account``'s row under the column ``label``."""
    table = page.locator("#result-optimize table").first
    headers = table.locator("thead th").all_inner_texts()
    row = table.locator("tbody tr", has=page.locator("th", has_text=account)).first
    return str(row.locator("th, td").nth(headers.index(label)).inner_text())


def test_three_accounts_by_hand(app: Page) -> None:
    _enter_three_accounts(app)
    app.get_by_role("button", name="Optimize").click()
    expect(app.locator("#result-optimize table").first).to_be_visible(timeout=30_000)
    assert _holding(app, "brokerage (taxable)", "US Equity - Large Cap") == "$200,000"
    assert _holding(app, "ira (traditional)", "US Corporate Bonds - Core") == "$150,000"
    cli = json.loads(_cli("optimize", str(EXAMPLES / "three_accounts.toml"), "--json"))
    roth = next(a for a in cli["accounts"] if a["id"] == "roth")["holdings"]
    assert (
        _holding(app, "roth (roth)", "US Equity - Large Cap")
        == f"${roth['us_equity_large_cap']:,.0f}"
    )
    expect(app.locator("#result-optimize .notice")).to_contain_text("not tax advice")
    expect(app.locator("#chart-holdings .main-svg").first).to_be_visible(timeout=30_000)
    _shot(app, "optimize")
    app.get_by_role("button", name="Frontier").click()
    expect(app.locator("#chart-frontier .main-svg").first).to_be_visible(timeout=30_000)
    app.get_by_role("button", name="Simulate").click()
    expect(app.locator("#chart-fan .main-svg").first).to_be_visible(timeout=120_000)
    _shot(app, "frontier-simulate")


def test_a_bad_field_shows_its_message_next_to_it(app: Page) -> None:
    _enter_three_accounts(app)
    _account(app, 1).get_by_label("Balance ($)").fill("-5")
    app.get_by_role("button", name="Optimize").click()
    box = _account(app, 1).get_by_label("Balance ($)")
    expect(box).to_have_attribute("aria-invalid", "true")
    message = "accounts[1].balance: input should be greater than or equal to 0"
    expect(box.locator("xpath=..").locator(".error")).to_have_text(message)
    # a screen reader announces it with the field (aria-describedby)
    expect(box).to_have_accessible_description(re.compile(re.escape(message)))
    expect(box).to_be_focused()
    _shot(app, "field-error")


def test_rebalance_orders_csv_matches_the_cli(app: Page, tmp_path: Path) -> None:
    app.locator("#import-toml").set_input_files(str(EXAMPLES / "rebalance.toml"))
    expect(app.get_by_label("Household name")).not_to_have_value("")
    app.get_by_role("button", name="Rebalance").click()
    expect(app.locator("#result-rebalance table").first).to_be_visible(timeout=60_000)
    with app.expect_download() as dl:
        app.get_by_role("button", name="Download the orders CSV").click()
    got = Path(dl.value.path()).read_text(encoding="utf-8")
    want = tmp_path / "orders.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "assetloc",
            "rebalance",
            str(EXAMPLES / "rebalance.toml"),
            "--orders",
            str(want),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=True,
        capture_output=True,
    )
    assert list(csv.reader(io.StringIO(got))) == list(csv.reader(io.StringIO(want.read_text())))
    assert len(got.splitlines()) > 1
    _shot(app, "rebalance")


def test_saved_household_edited_and_reloaded(app: Page, server: str) -> None:
    _enter_three_accounts(app, name="Saved couple")
    app.get_by_role("button", name="Save", exact=True).click()
    expect(app.locator("#saved-status")).to_contain_text("revision 1")
    app.get_by_label("Ordinary income tax rate today").fill("0.32")
    app.get_by_role("button", name="Save", exact=True).click()
    expect(app.locator("#saved-status")).to_contain_text("revision 2")
    app.reload()
    app.get_by_label("Saved households", exact=True).select_option(label="Saved couple")
    app.get_by_role("button", name="Load", exact=True).click()
    expect(app.get_by_label("Ordinary income tax rate today")).to_have_value("0.32")
    expect(_account(app, 2).get_by_label("Account id")).to_have_value("roth")
    _shot(app, "saved-reloaded")


def test_hostile_names_are_shown_as_text(app: Page) -> None:
    evil = "<script>alert('x')</script>\"'&<img src=x onerror=alert(1)>"
    _enter_three_accounts(app, name=evil)
    _account(app, 0).get_by_label("Account id").fill('b"><img src=y onerror=alert(2)>')
    app.get_by_role("button", name="Optimize").click()
    expect(app.locator("#result-optimize table").first).to_be_visible(timeout=30_000)
    expect(app.locator("#result-optimize tbody th").first).to_have_text(
        'b"><img src=y onerror=alert(2)> (taxable)'
    )
    assert app.locator("img").count() == 0
    assert app.evaluate("document.querySelectorAll('script:not([src])').length") == 0


def test_saved_household_ledger_lots_realized_and_8949(app: Page, web_db: Path) -> None:
    """The ledger example saved, its transactions imported through the page; the lots and
    the year's sales shown; the Form 8949 CSV equals the CLI's on the same database."""
    household = EXAMPLES / "ledger" / "household.toml"
    app.locator("#import-toml").set_input_files(str(household))
    expect(app.get_by_label("Household name")).not_to_have_value("")
    app.get_by_role("button", name="Save", exact=True).click()
    expect(app.locator("#saved-status")).to_contain_text("revision 1")
    expect(app.locator("#ledger")).to_be_visible()
    app.locator("#ledger-file").set_input_files(str(EXAMPLES / "ledger" / "transactions.csv"))
    app.get_by_role("button", name="Import into the ledger").click()
    expect(app.locator("#ledger-status")).to_contain_text("10 transactions added")
    app.get_by_role("button", name="Open lots").click()
    lots = json.loads(
        _cli("ledger", "lots", str(household), "--db", f"sqlite:///{web_db}", "--json")
    )
    rows = app.locator("#result-lots tbody tr")
    expect(rows).to_have_count(len(lots["lots"]))
    app.get_by_label("Tax year").fill("2026")
    app.get_by_role("button", name="Realized sales of the year").click()
    expect(app.locator("#result-realized tbody tr").first).to_be_visible()
    with app.expect_download() as dl:
        app.get_by_role("button", name="Download Form 8949 (CSV)").click()
    got = Path(dl.value.path()).read_bytes()
    want = web_db.parent / "8949.csv"
    _cli("ledger", "form8949", str(household), "--year", "2026", "-o", str(want),
         "--db", f"sqlite:///{web_db}")  # fmt: skip
    assert got == want.read_bytes()
    _shot(app, "ledger")


def test_results_of_another_household_never_stay_unmarked(app: Page) -> None:
    """A change to the form marks the results stale; an import clears them."""
    _enter_three_accounts(app)
    app.get_by_role("button", name="Optimize").click()
    expect(app.locator("#result-optimize table").first).to_be_visible(timeout=30_000)
    expect(app.locator("#stale-banner")).to_have_count(0)
    app.get_by_label("Ordinary income tax rate today").fill("0.32")
    expect(app.locator("#stale-banner")).to_be_visible()
    app.get_by_role("button", name="Optimize").click()
    expect(app.locator("#stale-banner")).to_have_count(0)
    app.locator("#import-toml").set_input_files(str(EXAMPLES / "rebalance.toml"))
    expect(app.locator("#result-optimize")).to_have_count(0)
    expect(app.locator("#stale-banner")).to_have_count(0)
