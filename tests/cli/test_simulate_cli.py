"""`assetloc simulate`: one JSON document from a real process, the issue's keys, the same
seed giving the same document, flags overriding [plan], bad options as one line (exit 2),
the tables, and a progress bar that never touches stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from assetloc.cli.simulate import ProgressBar

from support.cli_runner import run_cli
from support.paths import EXAMPLES, ROOT

LIFECYCLE = str(EXAMPLES / "lifecycle.toml")
SMALL = ("--paths", "40", "--years", "12")
STRATEGIES = {"joint", "duplicate", "rule_of_thumb", "two_step", "separate"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m assetloc ARGS`` in a fresh process (stdout and stderr pipes)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "assetloc", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


def doc(*args: str) -> dict[str, Any]:
    res = run("simulate", LIFECYCLE, *args, "--json")
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""  # no progress bar on a pipe
    parsed: dict[str, Any] = json.loads(res.stdout)  # the whole of stdout
    return parsed


@pytest.fixture(scope="module")
def first() -> dict[str, Any]:
    return doc(*SMALL, "--seed", "11")


def test_json_has_the_issues_keys(first: dict[str, Any]) -> None:
    assert {"paths", "years", "seed", "strategies", "location_value_bp", "assumptions"} <= set(
        first
    )
    assert first["paths"] == 40 and first["years"] == 12 and first["seed"] == 11
    assert set(first["strategies"]) == STRATEGIES
    for s in first["strategies"].values():
        for key in ("terminal_wealth", "spending", "lifetime_tax"):
            assert set(s[key]) == {"mean", "p5", "p50", "p95"}
            assert s[key]["p5"] <= s[key]["p50"] <= s[key]["p95"]
        assert {"share_of_years", "tax"} <= set(s["taxable_rebalance_sales"])
    assert set(first["location_value_bp"]) == STRATEGIES - {"duplicate"}
    for v in first["location_value_bp"].values():
        assert {"mean", "p5", "p50", "p95", "share_negative"} <= set(v)
    assert "Estimates, not tax advice" in first["notice"]
    assert first["assumptions"]["not_modelled"]


def test_same_seed_same_json(first: dict[str, Any]) -> None:
    again = doc(*SMALL, "--seed", "11")
    first = {k: v for k, v in first.items() if k != "elapsed_s"}
    again = {k: v for k, v in again.items() if k != "elapsed_s"}
    assert again == first


def test_another_seed_other_paths(first: dict[str, Any]) -> None:
    other = doc(*SMALL, "--seed", "12")
    assert other["seed"] == 12
    assert (
        other["strategies"]["joint"]["terminal_wealth"]
        != first["strategies"]["joint"]["terminal_wealth"]
    )


def test_deterministic_returns_flag_overrides_the_plan() -> None:
    d = doc("--years", "10", "--returns", "deterministic")
    assert d["returns"] == "deterministic" and d["paths"] == 1
    for s in d["strategies"].values():  # one path: every percentile is that path
        tw = s["terminal_wealth"]
        assert tw["p5"] == tw["p50"] == tw["p95"] == pytest.approx(tw["mean"], abs=0.01)


@pytest.mark.parametrize(
    "args",
    [
        ("--paths", "0"),
        ("--paths", "many"),
        ("--years", "0"),
        ("--years", "500"),
        ("--seed", "-1"),
        ("--returns", "random"),
        ("--bogus",),
    ],
)
def test_bad_option_is_one_line_exit_2(args: tuple[str, ...]) -> None:
    res = run("simulate", LIFECYCLE, *args, "--json")
    assert res.returncode == 2, (args, res.stderr)
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), res.stderr
    assert "Traceback" not in res.stderr


def test_bad_file_is_one_line_exit_2(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    text = (EXAMPLES / "lifecycle.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace('"401k" = 23000', '"k401" = 23000'), encoding="utf-8")
    code, out, err = run_cli(capsys, "simulate", str(bad), *SMALL)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "k401" in err


def test_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "simulate", LIFECYCLE, *SMALL, "--seed", "3")
    assert code == 0, err
    for title in (
        "Terminal after-tax wealth",
        "Sustainable after-tax spending",
        "Lifetime tax",
        "Rebalancing that sold in a taxable account",
        "Location value vs duplicate",
        "Lifecycle (Kaplan)",
        "Assumptions:",
        "Estimates, not tax advice",
    ):
        assert title in out, title
    for name in STRATEGIES:
        assert name in out


def test_progress_bar_goes_to_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    with ProgressBar(enabled=True, delay_s=0.0) as bar:
        for done in range(1, 4):
            bar(done, 3, "paths")
    out, _err = capsys.readouterr()
    assert out == ""
    with ProgressBar(enabled=False, delay_s=0.0) as bar:
        bar(1, 3, "paths")
        assert bar._progress is None
    with ProgressBar(enabled=True, delay_s=3600.0) as bar:  # a fast run never shows it
        bar(1, 3, "paths")
        assert bar._progress is None


def test_help_names_the_plan_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(capsys, "simulate", "--help")
    assert code == 0
    assert out.count("[plan]") >= 3  # not swallowed as rich markup
    for flag in ("--paths", "--years", "--seed", "--returns", "--json"):
        assert flag in out


def test_a_fill_bracket_rate_that_is_no_bracket_is_refused_not_rounded(tmp_path: Any) -> None:
    text = (EXAMPLES / "lifecycle.toml").read_text()
    lines = [ln for ln in text.splitlines() if not ln.startswith("withdrawal_order")]
    assert "[plan]" in lines
    at = lines.index("[plan]") + 1
    lines[at:at] = ['withdrawal_order = "fill_bracket"', "fill_bracket_rate = 0.13"]
    text = "\n".join(lines) + "\n"
    bad = tmp_path / "bracket.toml"
    bad.write_text(text)
    res = run("simulate", str(bad), "--paths", "5", "--years", "3", "--json")
    assert res.returncode == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "plan.fill_bracket_rate" in lines[0] and "0.13" in lines[0]
    assert "Traceback" not in res.stderr


def test_a_horizon_before_retirement_is_said(first: dict[str, Any]) -> None:
    d = doc("--paths", "5", "--years", "10", "--seed", "1")  # the couple retires in 20 years
    assert "no retirement" in d["assumptions"]["retire_in_note"]


STATED = """
[investor]
ordinary_rate = 0.22
capital_gains_rate = 0.15
retirement_rate = 0.12

[objective]
kind = "mean_variance"
risk_aversion = 3.0

[[accounts]]
id = "brokerage"
type = "taxable"
balance = 60000

[[accounts]]
id = "ira"
type = "traditional"
balance = 40000

[plan]
withdrawal_order = "fill_bracket"
fill_bracket_rate = {rate}
"""


@pytest.mark.parametrize("command", ["simulate", "validate"])
def test_a_fill_bracket_rate_that_is_no_bracket_is_refused_with_stated_rates_too(
    command: str, tmp_path: Any
) -> None:
    """With stated rates a fill_bracket order has no brackets to fill (it falls back to
    taxable first, said in the output), but a rate that is no bracket rate is still a wrong
    input: exit 2 from ``simulate`` and from ``validate``, as with a filing status."""
    bad = tmp_path / "stated.toml"
    bad.write_text(STATED.replace("{rate}", "0.15"))
    res = run(
        command, str(bad), *(("--paths", "5", "--years", "3") if command == "simulate" else ())
    )
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "plan.fill_bracket_rate" in lines[0] and "0.15" in lines[0]
    good = tmp_path / "ok.toml"
    good.write_text(STATED.replace("{rate}", "0.12"))
    assert (
        run(
            command, str(good), *(("--paths", "5", "--years", "3") if command == "simulate" else ())
        ).returncode
        == 0
    )
