"""A small household with a ledger, and ledger CSVs, as a user would write them."""

from __future__ import annotations

from pathlib import Path

HOUSEHOLD = """
name = "{name}"

[investor]
ordinary_rate = 0.37
capital_gains_rate = 0.15

[ledger]
url = "{url}"

[[accounts]]
id = "brokerage"
type = "taxable"
balance = 100000

[[accounts]]
id = "ira"
type = "traditional"
balance = 50000

[[accounts]]
id = "roth"
type = "roth"
owner = "spouse"
balance = 20000

[objective]
kind = "fixed_mix"
mix = {{ us_equity_large_cap = 0.6, us_corp_bonds_core = 0.4 }}
"""

LEDGER = """date,account,symbol,action,shares,price,fees,lot
2024-01-10,brokerage,VTI,buy,100,200.00,0,
2024-02-01,brokerage,VTI,buy,50,"$1,210.50",4.95,
2024-06-03,brokerage,VTI,sell,40,185.5,0,2024-01-10
2024-06-20,ira,bnd,buy,10,72.25,,
"""


def household(tmp_path: Path, url: str, name: str = "smith") -> Path:
    """Write the household file into ``tmp_path`` and return its path."""
    path = tmp_path / "household.toml"
    path.write_text(HOUSEHOLD.format(url=url, name=name), encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``tmp_path/name`` and return the path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
