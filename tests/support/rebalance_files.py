"""A small rebalance household and its holdings CSV, as a user would write them."""

from __future__ import annotations

from pathlib import Path

HOUSEHOLD = """
[investor]
ordinary_rate = 0.37
capital_gains_rate = 0.15

[[accounts]]
id = "brokerage"
type = "taxable"
cash = 1000
contribution = 6000

[[accounts.positions]]
symbol = "VTI"
shares = 100
price = 250.0
lots = [ { acquired = 2020-01-15, shares = 60, cost_basis = 9000.0 },
         { acquired = 2025-03-02, shares = 40, cost_basis = 11800.0 } ]

[[accounts]]
id = "ira"
type = "traditional"
cash = 0
withdrawal = 2000

[[accounts.positions]]
symbol = "BND"
shares = 300
price = 72.5

[objective]
kind = "fixed_mix"
mix = { us_equity_large_cap = 0.5, us_equity_small_mid_cap = 0.1, us_corp_bonds_core = 0.4 }

[rebalance]
as_of = 2026-06-30
"""

CSV = """account,type,symbol,shares,price,acquired,cost_basis
brokerage,taxable,CASH,1000,,,
brokerage,taxable,VTI,60,250.00,2020-01-15,9000.00
brokerage,taxable,VTI,40,250.00,2025-03-02,"$11,800.00"
ira,traditional,BND,300,72.50,,
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)
