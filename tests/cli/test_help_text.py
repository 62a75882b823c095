"""Every command's ``--help`` shows its text whole: rich reads ``[word]`` as markup and
drops it, so a literal bracket in a help string must be escaped (``\\[plan]``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer

from assetloc.cli.app import _register_commands, app

from support.cli_runner import run_cli

#: an opening bracket rich would take for markup: not escaped, followed by a name or "["
UNESCAPED = re.compile(r"(?<!\\)\[(?=[A-Za-z_\[/])")


def commands(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under ``cmd`` (a click command; typer may bring its own click) with its
    path of names."""
    yield path, cmd
    for name, sub in (getattr(cmd, "commands", None) or {}).items():
        yield from commands(sub, (*path, name))


def texts(cmd: Any) -> Iterator[str]:
    """The help strings of a command and of its parameters."""
    for text in (cmd.help, cmd.short_help, getattr(cmd, "epilog", None)):
        if text:
            yield text
    for param in cmd.params:
        help_text = getattr(param, "help", None)
        if help_text:
            yield help_text


_register_commands()  # as main() does before it parses
ROOT_COMMAND = typer.main.get_command(app)
ALL = list(commands(ROOT_COMMAND))


def test_every_bracket_in_help_text_is_escaped() -> None:
    assert len(ALL) > 20  # every command and subcommand was walked
    bad = [
        (" ".join(path) or "assetloc", text)
        for path, cmd in ALL
        for text in texts(cmd)
        if UNESCAPED.search(text)
    ]
    assert not bad, f"help text rich would eat (escape '[' as '\\['): {bad}"


def test_the_escaped_brackets_are_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The help of ``rebalance`` and ``import-holdings`` as a user reads it."""
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_cli(capsys, "rebalance", "--help")
    assert code == 0 and "default: [ledger] url" in out
    code, out, _ = run_cli(capsys, "import-holdings", "--help")
    assert code == 0 and "print [[accounts]] tables" in out
