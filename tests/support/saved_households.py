"""Saved-household documents for tests: a household file's tables as the JSON a client
sends (dates as ISO text), and bad households paired with the CLI's message for them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from assetloc.inputs.household import read_toml

from support.paths import EXAMPLES

LEDGER_HOUSEHOLD = EXAMPLES / "ledger" / "household.toml"
LEDGER_CSV = EXAMPLES / "ledger" / "transactions.csv"

#: the smallest valid household with a name
MINIMAL = """name = "{name}"
[investor]
ordinary_rate = 0.3
capital_gains_rate = 0.15
[objective]
kind = "mean_variance"
[[accounts]]
id = "brokerage"
type = "taxable"
balance = 1000
"""

#: bad household files (TOML, no dates: the same tables as JSON): each fails the CLI's checks
BAD = {
    "negative balance": MINIMAL.replace("balance = 1000", "balance = -5"),
    "unknown key": MINIMAL.replace("balance = 1000", "balance = 1000\nbalanse = 3"),
    "wrong type": MINIMAL.replace("balance = 1000", 'balance = "lots"'),
    "duplicate account": MINIMAL + '[[accounts]]\nid = "brokerage"\ntype = "roth"\nbalance = 1\n',
    "no accounts": MINIMAL.split("[[accounts]]")[0].replace("\n", "\naccounts = []\n", 1),
    "bad filing status": MINIMAL.replace(
        "ordinary_rate = 0.3\ncapital_gains_rate = 0.15",
        'filing_status = "married"\ntaxable_income = 1',
    ),
}


def jsonable(value: Any) -> Any:
    """TOML values as JSON values: dates (and datetimes) as ISO text."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def document(path: Path = LEDGER_HOUSEHOLD) -> dict[str, Any]:
    """The household file's tables as a client would send them (through JSON text)."""
    doc: dict[str, Any] = json.loads(json.dumps(jsonable(read_toml(path))))
    return doc


def minimal(name: str = "smith") -> dict[str, Any]:
    """A small valid household named ``name`` (as JSON)."""
    import tomllib

    return tomllib.loads(MINIMAL.format(name=name.replace('"', '\\"')))


def bad(kind: str) -> tuple[str, dict[str, Any]]:
    """The TOML text of a bad household (named ``bad``) and its tables."""
    import tomllib

    text = BAD[kind].format(name="bad")
    return text, tomllib.loads(text)
