"""The web API under test: an in-process client, and the CLI's ``--json`` in a fresh
interpreter to compare it with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from support.paths import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
#: the run's wall time, different on every run: (path of keys) per task
TIMING = {"rebalance": ("solver", "seconds"), "simulate": ("elapsed_s",)}


def assetloc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``assetloc ARGS`` in a fresh interpreter (stdout, stderr, exit code)."""
    cmd = [sys.executable, "-m", "assetloc", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False, cwd=cwd)


def untimed(task: str, doc: Any) -> Any:
    """``doc`` without its wall-time field, if the task has one."""
    keys = TIMING.get(task)
    if keys is None or not isinstance(doc, dict):
        return doc
    inner = doc
    for key in keys[:-1]:
        inner = inner[key]
    assert isinstance(inner.pop(keys[-1]), float)
    return doc


def cli_error(run: subprocess.CompletedProcess[str]) -> tuple[str, int]:
    """(the one-line message without ``error: ``, exit code) of a failed CLI run."""
    assert run.returncode != 0 and run.stdout == ""
    line = run.stderr.strip()
    assert line.startswith("error: ") and "\n" not in line, run.stderr
    return line[len("error: ") :], run.returncode


def parsed(text: str) -> Any:
    """A JSON document."""
    return json.loads(text)
