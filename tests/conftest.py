"""Shared fixtures: the bundled example households, a household-file writer, the CLI run
in-process; and the hypothesis profiles.

Importable helpers (household generators, samples, peers) live in ``tests/support`` and are
imported as ``support.<module>``; what needs pytest's machinery (``tmp_path``, ``capsys``)
is a fixture here.

Hypothesis: the ``ci`` profile (derandomized, so a CI run is reproducible; no deadline on a
shared 2-core machine) is loaded when ``CI`` is set or ``HYPOTHESIS_PROFILE=ci``; locally the
default profile explores new examples each run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from assetloc import Household, load_household

from support.cli_runner import run_cli
from support.files import write_file
from support.paths import EXAMPLES

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)

CliResult = tuple[int, str, str]


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The repository's examples/ folder."""
    return EXAMPLES


@pytest.fixture
def example_path() -> Callable[[str], str]:
    """``example_path("three_accounts")`` → the example file's path (a string, for the CLI)."""

    def path(name: str) -> str:
        file = EXAMPLES / f"{name}.toml"
        assert file.is_file(), f"no example {name}"
        return str(file)

    return path


@pytest.fixture
def example(example_path: Callable[[str], str]) -> Callable[[str], Household]:
    """``example("kaplan_net_worth")`` → that example household, freshly loaded."""
    return lambda name: load_household(example_path(name))


@pytest.fixture
def household_file(tmp_path: Path) -> Callable[..., str]:
    """``household_file(text, name="household.toml")`` → the path of a file in tmp_path."""
    return lambda text, name="household.toml": write_file(tmp_path, text, name)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """``cli("optimize", path)`` → (exit code, stdout, stderr) of ``assetloc ARGS``."""
    return lambda *args: run_cli(capsys, *args)


@pytest.fixture
def cli_json(cli: Callable[..., CliResult]) -> Callable[..., dict[str, Any]]:
    """``cli_json("taxes", path)`` → the JSON document of ``assetloc ARGS --json`` (exit 0,
    nothing on stderr)."""

    def run(*args: str) -> dict[str, Any]:
        code, out, err = cli(*args, "--json")
        assert code == 0 and err == "", err
        doc: dict[str, Any] = json.loads(out)
        return doc

    return run
