"""Household folders for the batch's ``rebalance``, ``harvest`` and ``simulate`` tests:
bundled examples, a ledger household, small simulations and bad households per task."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from support.paths import EXAMPLES

#: the ledger example with positions and lots typed in the file: the ledger gives only
#: its recent trades (``history``), which wash the VTI loss on 2026-05-10
LEDGER_HISTORY = (
    (EXAMPLES / "ledger" / "household.toml")
    .read_text()
    .replace("positions = true ", "positions = false")
    .replace("gains_to_income = true ", "gains_to_income = false")
    .replace("as_of = 2026-12-01", "as_of = 2026-05-10")
    .replace("price = 275.0", "price = 250.0")
    .replace(
        "cash = 2000                 # the ledger holds no cash: give it here\n",
        """cash = 2000
[[accounts.positions]]
symbol = "VTI"
shares = 400
price = 250.0
lots = [
  { acquired = 2024-02-01, shares = 300, cost_basis = 72000.0 },
  { acquired = 2025-03-03, shares = 100, cost_basis = 29000.0 },
]
[[accounts.positions]]
symbol = "VXUS"
shares = 505
price = 56.0
lots = [
  { acquired = 2024-02-01, shares = 500, cost_basis = 29000.0 },
  { acquired = 2025-06-02, shares = 5, cost_basis = 310.0 },
]
""",
        1,
    )
    .replace(
        "cash = 0\n",
        'cash = 0\n[[accounts.positions]]\nsymbol = "BND"\nshares = 2000\nprice = 71.0\n',
        1,
    )
)
#: a simulation small enough for the suite: 20 paths over 5 years
SMALL_PLAN = "\n[plan]\npaths = 20\nyears = 5\nseed = 1\n"
#: a ledger that is not there (exit 2, whatever the task)
MISSING_DB = (
    EXAMPLES / "rebalance.toml"
).read_text() + '\n[ledger]\nurl = "sqlite:///missing.db"\n'


def example(name: str) -> str:
    """A bundled example's text."""
    return (EXAMPLES / f"{name}.toml").read_text()


def _texts(task: str) -> dict[str, str]:
    """Household id → TOML text of the folder for ``task`` (good ones and bad ones)."""
    if task == "simulate":
        return {
            "three_small": example("three_accounts") + SMALL_PLAN,
            "lifecycle_small": example("lifecycle").replace(
                "paths = 1000", "paths = 20\nyears = 25"
            ),
            "rebalance_small": example("rebalance") + SMALL_PLAN,
            "no_plan": example("retired_couple"),  # [plan] defaults: 1,000 paths, 30 years
            "bad_plan": example("three_accounts") + "\n[plan]\npaths = 0\n",
            "bad_order": example("three_accounts") + '\n[plan]\nwithdrawal_order = "x"\n',
            "bad_toml": "x = \n",
        }
    texts = {
        "four_accounts": example("four_accounts"),
        "rebalance": example("rebalance"),
        "ledger_history": LEDGER_HISTORY,
        "missing_db": MISSING_DB,
        "bad_type": '[investor]\nordinary_rate = "high"\n',
    }
    if task == "rebalance":
        texts["balance_only"] = example("three_accounts")  # needs holdings: exit 2
        texts["bad_mode"] = example("rebalance").replace('mode = "full"', 'mode = "sideways"')
    else:
        texts["three_accounts"] = example("three_accounts")  # no lots: no candidates
        texts["bad_lot"] = example("rebalance").replace("cost_basis = 7900.0", "cost_basis = -1")
    return texts


def household_folder(task: str, folder: Path, env: dict[str, str]) -> Path:
    """``folder`` filled with the households of ``task``; the ledger household's database
    imported next to it by ``assetloc ledger import``."""
    folder.mkdir(parents=True, exist_ok=True)
    for hid, text in _texts(task).items():
        (folder / f"{hid}.toml").write_text(text)
    if (folder / "ledger_history.toml").exists():
        shutil.copy(EXAMPLES / "ledger" / "transactions.csv", folder / "transactions.csv")
        cmd = [sys.executable, "-m", "assetloc", "ledger", "import"]
        cmd += [str(folder / "ledger_history.toml"), str(folder / "transactions.csv")]
        subprocess.run(cmd, env=env, check=True, capture_output=True)
    return folder
