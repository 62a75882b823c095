"""The one place the commands read a household file: TOML → fields → holdings CSV (when
given) → the ledger (:func:`assetloc.ledger.context.apply_ledger`) → the checks that span
the accounts. Library imports are inside the functions (``--help`` stays fast)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assetloc.inputs.household import Household
    from assetloc.ledger.context import WithLedger


def load(
    file: Path,
    *,
    holdings: Path | None = None,
    as_of: dt.date | None = None,
    db: str | None = None,
    history: bool = False,
) -> WithLedger:
    """The household file completed by its holdings CSV and its ledger, checked.

    The checks that span the accounts (balances, ids) run last: a skeleton file may hold
    no positions of its own (they come from the CSV or the ledger). ``history``: read the
    ledger for its recent trades too (commands that apply the wash-sale rule)."""
    from assetloc.inputs.household import check_household, parse_fields, read_toml
    from assetloc.ledger.context import apply_ledger, trade_day

    h = parse_fields(read_toml(file))
    if holdings is not None:
        from assetloc.rebalance.csv_import import apply_holdings, check_against, read_holdings_csv

        imported = read_holdings_csv(holdings)
        check_against(imported, h, trade_day(h, as_of))
        h = apply_holdings(h, imported)
    out = apply_ledger(h, file, db=db, as_of=as_of, history=history)
    check_household(out.household)
    return out


def household(file: Path) -> Household:
    """The household file completed by its ledger (positions, gains), checked."""
    return load(file).household
