"""Ledger test cases written as TOML (tests/ledger/golden): accounts, transactions, and the
expected sale rows and open lots, compared field by field."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from assetloc.ledger.engine import LedgerResult, derive
from assetloc.ledger.records import AccountInfo
from assetloc.ledger.transactions import Action, Transaction

GOLDEN = Path(__file__).resolve().parents[1] / "ledger" / "golden"


def load_case(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def case_inputs(
    case: dict[str, Any],
) -> tuple[list[Transaction], dict[str, AccountInfo], dict[str, str]]:
    """The case's transactions (seq: their order in the file unless given), accounts and
    groups. Defaults: account ``tx`` or the first listed, the case's ``symbol``."""
    accounts = {
        a["id"]: AccountInfo(
            a["id"],
            taxable=a.get("taxable", True),
            owner=a.get("owner", "self"),
            lot_method=a.get("lot_method", "fifo"),
        )
        for a in case["accounts"]
    }
    first = case["accounts"][0]["id"]
    txs = [
        Transaction(
            date=t["date"],
            account=t.get("account", first),
            symbol=t.get("symbol", case.get("symbol", "")),
            action=Action(t["action"]),
            shares=float(t["shares"]),
            price=float(t.get("price", 0.0)),
            fees=float(t.get("fees", 0.0)),
            lot=t.get("lot", ""),
            id=t["id"],
            seq=t.get("seq", n),
        )
        for n, t in enumerate(case["transactions"])
    ]
    return txs, accounts, dict(case.get("groups", {}))


def run_case(case: dict[str, Any]) -> LedgerResult:
    txs, accounts, groups = case_inputs(case)
    as_of = case.get("as_of")
    return derive(
        txs,
        accounts,
        groups,
        as_of=as_of if isinstance(as_of, dt.date) else None,
        include_spouse=case.get("include_spouse", True),
    )


def mismatches(actual: object, expected: dict[str, Any], what: str) -> list[str]:
    """The fields of ``expected`` that ``actual`` does not have (dollars and shares to 1e-6)."""
    out = []
    for name, want in expected.items():
        got = getattr(actual, name)
        if isinstance(want, list):
            want = tuple(want)
        if isinstance(want, bool) or not isinstance(want, int | float):
            ok = got == want
        else:
            ok = abs(float(got) - float(want)) <= 1e-6 * max(1.0, abs(float(want)))
        if not ok:
            out.append(f"{what}.{name}: expected {want!r}, got {got!r}")
    return out
