"""Clean machine output: every ``--json`` command, run as a user runs it, prints exactly one
JSON document on stdout and nothing on stderr; no solver writes to fd 1 or 2; numbers in JSON
are rounded for their unit (dollars to cents, shares to 1e-6) without breaking sums.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.paths import ROOT
from support.samples import TWO_ACCOUNTS_TOML

EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
SRC = str(ROOT / "src")

INFEASIBLE = (
    TWO_ACCOUNTS_TOML.replace(
        "balance = 200000", 'balance = 200000\nmenu = ["us_corp_bonds_core"]'
    ).replace("balance = 150000", 'balance = 150000\nmenu = ["us_corp_bonds_core"]')
    + """

[objective]
kind = "fixed_mix"
mix = { us_equity_large_cap = 0.6, us_corp_bonds_core = 0.4 }
"""
)

HOLDINGS_CSV = """account,type,symbol,shares,price,acquired,cost_basis
brokerage,taxable,CASH,1000,,,
brokerage,taxable,VTI,60,250.00,2020-01-15,9000.00
brokerage,taxable,VTI,40,250.00,2025-03-02,"$11,800.00"
ira,traditional,BND,300,72.50,,
"""

BOND = ["--coupon", "0.05", "--yield", "0.045", "--years", "5", "--federal-rate", "0.32"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m assetloc ARGS`` in a fresh process, as a user runs it (stdout a pipe)."""
    full_env = {**os.environ, "PYTHONPATH": SRC}
    full_env.pop("COLUMNS", None)  # a pipe with no stated width
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "assetloc", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=300,
    )


def json_cases(tmp: Path) -> list[list[str]]:
    """Every ``--json`` invocation: each analysis command on each bundled example, and more."""
    csv = tmp / "holdings.csv"
    csv.write_text(HOLDINGS_CSV, encoding="utf-8")
    cases = [
        [cmd, str(ex), "--json"]
        for ex in EXAMPLES
        for cmd in ("optimize", "taxes", "frontier", "compare")
    ]
    cases += [
        ["rebalance", str(ROOT / "examples" / "rebalance.toml"), "--json"],
        ["harvest", str(ROOT / "examples" / "rebalance.toml"), "--json"],
        ["import-holdings", str(csv), "--json"],
        ["bond", *BOND, "--json"],
        ["presets", "--json"],
        ["tax-year", str(ROOT / "examples" / "retired_couple.toml"), "--json"],
        ["tax-year", str(ROOT / "examples" / "four_accounts.toml"), "--json"],
        [
            "simulate",
            str(ROOT / "examples" / "lifecycle.toml"),
            "--paths",
            "20",
            "--years",
            "6",
            "--json",
        ],
    ]
    return cases


def json_commands() -> set[str]:
    """Names of the CLI commands that have a ``--json`` option (read from the app)."""
    import typer.main

    from assetloc.cli.app import _register_commands, app

    _register_commands()
    group = typer.main.get_command(app)
    out = set()
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        if any("--json" in getattr(p, "opts", ()) for p in cmd.params):
            out.add(name)
    return out


def floats(obj: Any, key: str | None = None, parent: str | None = None) -> Iterator[tuple]:
    """(key, parent, value) of every float in a parsed JSON document."""
    if isinstance(obj, float):
        yield key, parent, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from floats(v, k, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from floats(v, key, parent)


def decimals(x: float) -> int:
    """Digits after the decimal point in the shortest repr of ``x``."""
    text = repr(x)
    if "e" in text or "E" in text:
        mant, exp = text.lower().split("e")
        frac = mant.split(".")[1] if "." in mant else ""
        return max(0, len(frac.rstrip("0")) - int(exp))
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def significant(x: float) -> int:
    """Significant digits in the shortest repr of ``x``."""
    mant = repr(abs(x)).lower().split("e")[0].replace(".", "")
    return len(mant.strip("0")) or 1


MONEY_WORDS = re.compile(r"(balance|amount|dollar|cash|gain|loss|tax$|tax_|cost|proceeds|value)")
NOT_MONEY = re.compile(r"(_rate|rate_|_ratio|_bp$|_share|_yield|_years$|_return|^dv01$)")


def check_numbers(doc: Any, where: str) -> None:
    """Dollars with at most 2 decimals, shares at most 6, no negative zero, money classified."""
    from assetloc.present.jsonout import DECIMAL_MAPS, unit_of

    for key, parent, v in floats(doc):
        assert not (v == 0 and math.copysign(1.0, v) < 0), f"{where}: -0.0 at {key}"
        unit = unit_of(key, parent)
        if unit == "decimal":
            assert v == 0 or abs(v) >= 1e-12, f"{where}: {key}={v!r} is noise"
            assert significant(v) <= 13, f"{where}: {key}={v!r}"
        else:
            limit = {"dollars": 2, "shares": 6, "price": 6}[unit]
            assert decimals(v) <= limit, f"{where}: {key}={v!r} ({unit})"
        if parent in DECIMAL_MAPS:  # keyed by class id (a class may be called "cash")
            continue
        if key and MONEY_WORDS.search(key) and not NOT_MONEY.search(key):
            assert unit in ("dollars", "price"), f"{where}: {key!r} looks like money, is {unit}"


# ------------------------------------------------------------------------------ the CLI


def test_the_cases_cover_every_json_command(tmp_path: Path) -> None:
    covered = {c[0] for c in json_cases(tmp_path)}
    assert json_commands() <= covered, json_commands() - covered


def test_every_json_command_prints_one_document_and_nothing_else(tmp_path: Path) -> None:
    for case in json_cases(tmp_path):
        res = run(*case)
        where = " ".join(case[:2])
        assert res.returncode == 0, (where, res.stderr)
        assert res.stderr == "", (where, res.stderr)
        doc = json.loads(res.stdout)  # the whole of stdout, nothing before or after
        assert "Running HiGHS" not in res.stdout
        check_numbers(doc, where)
        if case[0] == "optimize":
            for acc in doc["accounts"]:
                assert abs(sum(acc["holdings"].values()) - acc["balance"]) <= 0.01 + 1e-9
        if case[0] in ("optimize", "frontier", "compare", "taxes", "rebalance"):
            # every result states its universe and how the expected returns were made
            method = doc["assumptions"] if case[0] == "optimize" else doc
            assert {"classes", "excluded", "rule"} <= set(method["universe"]), where
            assert method["returns"]["method"] in ("robust", "as_given"), where


def test_infeasible_json_run_prints_one_error_line_only(tmp_path: Path) -> None:
    path = tmp_path / "infeasible.toml"
    path.write_text(INFEASIBLE, encoding="utf-8")
    for cmd in ("optimize", "frontier", "compare"):
        res = run(cmd, str(path), "--json")
        assert res.returncode == 3, (cmd, res.stderr)
        assert res.stdout == "", (cmd, res.stdout)
        lines = res.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: infeasible"), (cmd, res.stderr)


def test_report_and_charts_print_only_what_they_wrote(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = run("report", str(ROOT / "examples" / "three_accounts.toml"), "-o", str(out))
    assert res.returncode == 0 and res.stderr == ""
    assert res.stdout.splitlines() == [f"wrote {out}"]


def test_the_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    import assetloc

    assert assetloc.__version__ == version("assetloc")
    res = run("--version")
    assert res.returncode == 0 and res.stderr == ""
    assert res.stdout == f"assetloc {assetloc.__version__}\n"


# ----------------------------------------------------------------------- the solver, fd-level

QUIET = """
import highspy, numpy as np
from assetloc.solve.highs import new_highs
h = new_highs()
lp = highspy.HighsLp()
lp.num_col_ = 1
lp.col_cost_ = np.array([1.0])
lp.col_lower_ = np.array([0.0])
lp.col_upper_ = np.array([1.0])
h.passModel(lp)
h.run()
assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        timeout=120,
    )


def test_new_highs_is_silent_from_construction_in_a_fresh_process() -> None:
    """A fresh process: HiGHS prints its banner once per process, on the first logging call."""
    loud = _python("import highspy; highspy.Highs()")
    if "HiGHS" not in loud.stdout + loud.stderr:
        pytest.skip("this highspy prints no banner at construction: nothing to silence")
    quiet = _python(QUIET)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and quiet.stderr == ""


def test_in_process_optimize_rebalance_and_report_write_nothing(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import tomllib

    from assetloc import load_household, optimize
    from assetloc.errors import InfeasibleError
    from assetloc.inputs.household import parse_household
    from assetloc.present.html import write_report
    from assetloc.present.report_data import report_data
    from assetloc.rebalance import rebalance

    capfd.readouterr()
    for ex in EXAMPLES:
        optimize(load_household(ex))
    rebalance(load_household(ROOT / "examples" / "rebalance.toml"))
    write_report(report_data(load_household(EXAMPLES[0]), 8), tmp_path / "r.html")
    with pytest.raises(InfeasibleError):
        optimize(parse_household(tomllib.loads(INFEASIBLE)))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# ------------------------------------------------------------------------- tables, piped


def test_piped_tables_keep_their_headers_whole() -> None:
    res = run("taxes", str(ROOT / "examples" / "three_accounts.toml"))
    assert res.returncode == 0 and res.stderr == ""
    lines = res.stdout.splitlines()
    header = next(line for line in lines if "asset class" in line)
    for col in ("pre-tax", "tax rate (taxable)", "tax cost ratio", "traditional", "origin"):
        assert col in header, (col, header)
    for label in ("US Equity - Large Cap", "US Corporate Bonds - Core"):
        assert any(label in line for line in lines), label
    assert "us_equity_large_cap" not in res.stdout  # labels in tables; ids in JSON
    res = run("optimize", str(ROOT / "examples" / "kaplan_net_worth.toml"))
    assert res.returncode == 0 and res.stderr == ""
    head = "\n".join(res.stdout.splitlines()[:6])
    for part in ("asset class", "after-tax mix", "pre-tax mix"):
        assert part in head, part
    assert "…" not in res.stdout  # nothing truncated


def test_piped_width_follows_columns() -> None:
    narrow = run("taxes", str(ROOT / "examples" / "three_accounts.toml"), env={"COLUMNS": "70"})
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 70


def test_no_negative_zero_percent_in_tables_or_report(tmp_path: Path) -> None:
    for ex in EXAMPLES:
        for cmd in ("optimize", "compare", "taxes"):
            res = run(cmd, str(ex))
            assert res.returncode == 0, (cmd, ex, res.stderr)
            assert not re.search(r"-0\.0*%|-\$0\b|-0\.0* bp", res.stdout), (cmd, ex)
    res = run("rebalance", str(ROOT / "examples" / "rebalance.toml"))
    assert res.returncode == 0 and not re.search(r"-0\.0*%", res.stdout)
    out = tmp_path / "r.html"
    assert run("report", str(EXAMPLES[-1]), "-o", str(out)).returncode == 0
    assert not re.search(r"-0\.0*%|−0\.0*%", out.read_text(encoding="utf-8"))


def test_frontier_says_when_it_shows_a_sample() -> None:
    ex = str(ROOT / "examples" / "kaplan_net_worth.toml")
    many = run("frontier", ex, "--points", "100")
    assert many.returncode == 0 and many.stderr == ""
    assert "showing 12 of 100 points" in many.stdout and "--json gives all" in many.stdout
    few = run("frontier", ex, "--points", "6")
    assert "showing" not in few.stdout
