"""Golden cases: published IRS examples (Pub 550, Reg. §1.1091-1 and -2, Rev. Rul. 2008-5)
and edge cases, each figure written by hand from the text quoted in its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.ledger_cases import GOLDEN, load_case, mismatches, run_case

CASES = sorted(GOLDEN.glob("*.toml"))


def test_there_are_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    case = load_case(path)
    assert case.get("source") and case.get("title"), "every case cites its source"
    result = run_case(case)
    expected = case["expected"]
    problems: list[str] = []
    sales = expected.get("sales", [])
    if len(result.sales) != len(sales):
        problems.append(f"{len(result.sales)} sale rows, expected {len(sales)}: {result.sales}")
    for n, (got, want) in enumerate(zip(result.sales, sales, strict=False)):
        problems += mismatches(got, want, f"sales[{n}]")
    if "lots" in expected:
        first = case["accounts"][0]["id"]
        lots = [{"account": first, **lot} for lot in expected["lots"]]
        if len(result.lots) != len(lots):
            problems.append(f"{len(result.lots)} open lots, expected {len(lots)}: {result.lots}")
        for n, (got_lot, want_lot) in enumerate(zip(result.lots, lots, strict=False)):
            problems += mismatches(got_lot, want_lot, f"lots[{n}]")
    assert not problems, "\n".join(problems)
