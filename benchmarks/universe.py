"""The 17 classes of the Horizon 2025 survey, the benchmarks' universe (preset ids)."""

HORIZON_17: list[str] = [
    "us_equity_large_cap",
    "us_equity_small_mid_cap",
    "non_us_equity_developed",
    "non_us_equity_emerging",
    "us_corp_bonds_core",
    "us_corp_bonds_long_duration",
    "us_corp_bonds_high_yield",
    "non_us_debt_developed",
    "non_us_debt_emerging",
    "us_treasuries_cash_equivalents",
    "tips",
    "real_estate",
    "hedge_funds",
    "commodities",
    "infrastructure",
    "private_equity",
    "private_debt",
]
