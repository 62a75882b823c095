"""The batch summary's failures by reason: the household-specific part of each message cut
(indices, quoted values, paths, amounts), the top reasons one a line, the rest summed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from assetloc.batch.engine import Summary
from assetloc.batch.reasons import reason, reason_lines

from support.paths import EXAMPLES, ROOT


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "accounts[2].balance: input should be greater than or equal to 0",
            "accounts[*].balance: input should be greater than or equal to 0",
        ),
        (
            "investor.ordinary_rate: must be a number, got 'high'",
            "investor.ordinary_rate: must be a number, got '…'",
        ),
        (
            "/tmp/x/h7.toml: is not valid TOML: Invalid value (at line 1, column 5)",
            "FILE: is not valid TOML: Invalid value",
        ),
        (
            "ledger.url: sqlite:////tmp/x/missing.db: no ledger database there (a mistyped "
            "path? `assetloc ledger import` creates it)",
            "ledger.url: PATH: no ledger database there",
        ),
        (
            "accounts[0].balance: give cash and positions (today's holdings) to rebalance, "
            "not a balance",
            "accounts[*].balance: give cash and positions to rebalance, not a balance",
        ),
        ("w.x: needs $1,234.50 more at 0.31 a year", "w.x: needs $… more at … a year"),
        (  # the percent of the hint is the household's too (24 and 32 are one reason)
            "investor.ordinary_rate: input should be less than 1 (got 24); rates are "
            "decimals: 0.24 for 24%",
            "investor.ordinary_rate: input should be less than 1; rates are decimals: … for …%",
        ),
        ("worker process died on this chunk twice", "worker process died on this chunk twice"),
        (
            "plan.spending: " + "word " * 20,
            "plan.spending: " + " ".join(["word"] * 12) + " …",
        ),
    ],
)
def test_reason_cuts_the_household_specific_part(message: str, expected: str) -> None:
    assert reason(message) == expected


def test_two_households_with_one_fault_share_a_reason() -> None:
    a = "accounts[0].positions[1].lots[0].cost_basis: must be >= 0 (got -1)"
    b = "accounts[3].positions[0].lots[2].cost_basis: must be >= 0 (got -250.5)"
    assert reason(a) == reason(b) == "accounts[*].positions[*].lots[*].cost_basis: must be >= 0"


def test_reason_lines_top_five_then_the_rest() -> None:
    reasons = Counter({f"r{i}": i for i in range(1, 9)})  # r8 × 8 ... r1 × 1
    lines = reason_lines(reasons)
    assert lines[:5] == [f"failed: {n} × r{n}" for n in (8, 7, 6, 5, 4)]
    assert lines[5:] == ["failed: 6 × 3 other reasons"]  # r3 + r2 + r1
    assert reason_lines(Counter({"b": 2, "a": 2})) == ["failed: 2 × a", "failed: 2 × b"]
    assert Summary().lines() == [Summary().line()]


def test_the_summary_on_stderr_counts_failures_by_reason(tmp_path: Path) -> None:
    three = (EXAMPLES / "three_accounts.toml").read_text()
    for i, value in enumerate(["-5", "-7", "-1e6"]):
        (tmp_path / f"neg{i}.toml").write_text(three.replace("150000", value, 1))
    (tmp_path / "high.toml").write_text('[investor]\nordinary_rate = "high"\n')
    (tmp_path / "ok.toml").write_text(three)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "assetloc", "batch", str(tmp_path), "--out"]
    cmd += [str(tmp_path / "out.jsonl"), "--workers", "1"]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 5 and run.stdout == ""
    first, *rest = run.stderr.splitlines()
    assert first.startswith("batch: 1 ok, 4 failed (exit 2: 4), ")
    assert rest == [
        "failed: 3 × accounts[*].balance: input should be greater than or equal to 0",
        "failed: 1 × investor.ordinary_rate: must be a number, got '…'",
    ]
