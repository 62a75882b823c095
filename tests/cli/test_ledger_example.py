"""The bundled ledger example (`examples/ledger/`), run as the README's quick start runs it,
in a copy (the database is written next to the household file). Every figure below is
worked by hand from the transactions, not read off the program:

* 100 VTI bought 2025-03-03 at $290, sold 2026-04-07 at $260: a $3,000 long-term loss
  ($30 a share). Replacements in the window, in the order bought: 60 in the spouse's Roth
  on 04-20 (13 days after; $1,800 lost for good, Rev. Rul. 2008-5) and 20 in the brokerage
  on 05-01 (24 days; $600 added to their basis: 20 x 265 + 600 = $5,900, and the holding
  period tacks: 2026-05-01 - 400 days = 2025-03-27). The last 20 shares: $600 allowed.
* 200 VXUS sold 2026-09-15 at $60 from the 2024-02-01 lot at $58 (FIFO): +$400 long-term.
* The IRA's BND sale is not a taxable event. Net long-term 2026: -$600 + $400 = -$200.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ledger"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetloc", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("ledger_example")
    for name in ("household.toml", "transactions.csv"):
        shutil.copy(EXAMPLE / name, d / name)
    r = _run("ledger", "import", str(d / "household.toml"), str(d / "transactions.csv"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("imported transactions.csv: 10 transactions added")
    return d / "household.toml"


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    r = _run(*args, "--json")
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_realized_2026_is_the_hand_worked_wash_sale(home: Path) -> None:
    doc = _json("ledger", "realized", str(home), "--year", "2026")
    vti = [s for s in doc["sales"] if s["symbol"] == "VTI"]
    assert sum(s["shares"] for s in vti) == pytest.approx(100.0)
    assert sum(s["disallowed"] for s in vti) == pytest.approx(2400.0)
    assert sum(s["disallowed"] for s in vti if s["permanent"]) == pytest.approx(1800.0)
    assert sum(s["gain"] for s in vti) == pytest.approx(-600.0)
    assert all(s["term"] == "long" for s in vti)
    assert {s["code"] for s in vti if s["disallowed"] > 0} == {"W"}
    taxable = [s for s in doc["sales"] if s["account"] != "ira"]
    assert sum(s["gain"] for s in taxable) == pytest.approx(-200.0)


def test_the_replacement_lot_carries_the_basis_and_the_tacked_date(home: Path) -> None:
    doc = _json("ledger", "lots", str(home), "--as-of", "2026-12-01")
    (lot,) = [x for x in doc["lots"] if x["wash_adjustment"]]
    assert (lot["account"], lot["symbol"], lot["shares"]) == ("brokerage", "VTI", 20.0)
    assert lot["basis"] == pytest.approx(5900.0)
    assert lot["wash_adjustment"] == pytest.approx(600.0)
    assert lot["acquired"] == (dt.date(2026, 5, 1) - dt.timedelta(days=400)).isoformat()
    roth = [x for x in doc["lots"] if x["account"] == "roth"]
    assert [x["basis"] for x in roth] == [pytest.approx(60 * 262.0)]  # no basis moves in


def test_harvest_sees_the_roths_monthly_purchase(home: Path) -> None:
    """The washed lot: 20 shares, basis $5,900, at $275 today: a $400 loss. The Roth's
    $500 on 2026-12-15 buys 500/275 shares: that part of the loss is lost for good."""
    doc = _json("harvest", str(home))
    (c,) = doc["candidates"]
    assert (c["symbol"], c["shares"], c["loss"]) == ("VTI", 20.0, pytest.approx(400.0))
    assert c["blocked_until"] == "2027-01-01"
    (x,) = c["conflicts"]
    assert (x["account"], x["date"], x["permanent"]) == ("roth", "2026-12-15", True)
    assert c["disallowed_if_sold_today"] == pytest.approx(500 / 275 * 20, abs=0.01)
