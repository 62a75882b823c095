"""One concept, one place: numbers are formatted by assetloc.units, the notice and CENT are
defined once (assetloc.notice, assetloc.units), and every output carries that notice.

The source scan reads the files as text, so it needs no import of the modules it checks; its
patterns are checked against samples first, so a pattern that can never match fails here.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from assetloc.notice import DISCLAIMER, NOTICE
from assetloc.tax.profile import TaxProfile

from support.cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "assetloc"
EXAMPLES = ROOT / "examples"

#: The one implementation, and the modules that define the notice and CENT.
HOME = {"units.py", "notice.py"}
#: Modules allowed their own number formatting for now (none: the report's were folded in).
PENDING: set[str] = set()

#: Hand-made number formatting in an f-string or str.format template.
HAND_FORMATTED = {
    "dollars": re.compile(r"\$\{"),  # f"${x:,.0f}"
    "percent spec": re.compile(r"\{[^{}]*:[^{}]*%\}"),  # f"{x:.1%}"
    "scaled percent": re.compile(r"\{[^{}]*\}%"),  # f"{100 * x:.1f}%"
    "thousands": re.compile(r":[+ ]?,(?:\.\d+)?[fd]?\}"),  # f"{x:,.0f}", f"{n:,}"
    "bp or points": re.compile(r"\{[^{}]*:[^{}]*\} ?(?:bp|pts)\b"),  # f"{x:.1f} bp"
}


def _sources() -> list[tuple[str, str]]:
    return [(p.relative_to(SRC).as_posix(), p.read_text()) for p in sorted(SRC.rglob("*.py"))]


def _hand_formatted(text: str) -> list[str]:
    return [k for k, rx in HAND_FORMATTED.items() if rx.search(text)]


@pytest.mark.parametrize(
    "line",
    [
        'f"${x:,.0f}"',
        'f"(${-x:,.2f})"',
        'f"{rate:.2%}"',
        'f"{100 * w:.1f}% of the household"',
        'f"{100 * y:.4g}%"',
        'f"limit of {high:,.0f} shares"',
        'f"{n:,} lots"',
        'f"{gain:.2f} bp/yr"',
        'f"{v:+.1f} pts"',
    ],
)
def test_the_scan_catches_hand_formatting(line: str) -> None:
    assert _hand_formatted(line), line


@pytest.mark.parametrize(
    "line",
    [
        'f"{usd(x, 2)} exceeds {MAX_COUPON:g}"',
        'f"{pct(rate, 1)} a year"',
        'f"weights sum to {total:.6g}"',
        'f"{t.price:.4f}"',  # a machine-readable order file, not a display
        '"rates are decimals: 0.24 for 24%"',
        'f"at 0% to {usd(zero, 0)}"',
    ],
)
def test_the_scan_leaves_the_formatters_alone(line: str) -> None:
    assert not _hand_formatted(line), line


def test_no_module_formats_numbers_by_hand() -> None:
    """Dollars, percents, bp and thousands go through assetloc.units (fmt re-exports it)."""
    found = [
        f"{rel}:{i}: {', '.join(kinds)}: {line.strip()}"
        for rel, text in _sources()
        if rel not in HOME | PENDING
        for i, line in enumerate(text.splitlines(), 1)
        if (kinds := _hand_formatted(line))
    ]
    assert not found, "\n".join(found)


def _top_level_names(text: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(text).body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_the_notice_and_cent_are_defined_once() -> None:
    defined = {
        (rel, name)
        for rel, text in _sources()
        if rel not in PENDING
        for name in _top_level_names(text) & {"NOTICE", "DISCLAIMER", "DEFAULT_NOTICE", "CENT"}
    }
    assert defined == {
        ("notice.py", "NOTICE"),
        ("notice.py", "DISCLAIMER"),
        ("units.py", "CENT"),
    }


#: ``assetloc --help``'s one-line tagline names the notice that every command prints.
TAGLINE = {"cli/app.py"}


def test_no_other_string_says_not_tax_advice() -> None:
    """Only the notice module words the warning (docstrings may mention it)."""
    found = []
    for rel, text in _sources():
        if rel in HOME | PENDING | TAGLINE:
            continue
        tree = ast.parse(text)
        docs = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        found += [
            f"{rel}:{n.lineno}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and "not tax advice" in n.value.lower()
            and id(n) not in docs
        ]
    assert not found


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = run_cli(capsys, *args, "--json")
    assert code == 0, err
    parsed: dict[str, object] = json.loads(out)
    return parsed


@pytest.mark.parametrize(
    "args",
    [
        ("optimize", "three_accounts.toml"),
        ("compare", "three_accounts.toml"),
        ("taxes", "three_accounts.toml"),
        ("tax-year", "retired_couple.toml"),
        ("rebalance", "rebalance.toml"),
    ],
)
def test_every_command_carries_the_one_notice(
    capsys: pytest.CaptureFixture[str], args: tuple[str, str]
) -> None:
    d = _json(capsys, args[0], str(EXAMPLES / args[1]))
    assert d["notice"] == NOTICE
    if args[0] == "tax-year":
        assert d["disclaimer"] == DISCLAIMER
        assert d["assumptions"][-1] == DISCLAIMER  # type: ignore[index]


def test_the_tax_models_assumptions_end_with_the_disclaimer() -> None:
    assert TaxProfile.from_rates(0.4, 0.2).assumptions[-1] == DISCLAIMER
    assert "not tax advice" in NOTICE and "not tax advice" in DISCLAIMER


def test_terminal_output_closes_with_the_notice(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ("optimize", str(EXAMPLES / "three_accounts.toml")),
        ("rebalance", str(EXAMPLES / "rebalance.toml")),
    ):
        code, out, err = run_cli(capsys, *args)
        assert code == 0, err
        assert " ".join(out.split()).endswith(NOTICE), args
