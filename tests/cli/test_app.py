"""The command-line shell: ``assetloc --help`` lists every command without importing the
library or the heavy libraries behind it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import typer.main

from assetloc.cli.app import _register_commands, app

ROOT = Path(__file__).resolve().parents[2]

#: every command, in the order ``--help`` lists them
COMMANDS = (
    "optimize",
    "validate",
    "schema",
    "presets",
    "frontier",
    "compare",
    "simulate",
    "report",
    "taxes",
    "tax-year",
    "bond",
    "rebalance",
    "harvest",
    "import-holdings",
    "batch",
    "serve",
    "ledger",
)


def run_help() -> tuple[str, set[str]]:
    """(stdout, modules loaded) of ``assetloc --help`` in a fresh interpreter."""
    script = (
        "import json, sys\n"
        "from assetloc.cli.app import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout, set(json.loads(done.stderr.splitlines()[-1]))


def test_help_lists_every_command_without_the_library() -> None:
    out, loaded = run_help()
    commands = out[out.index("Commands") :]
    listed = [m.group(1) for m in re.finditer(r"^\W+ ([a-z][a-z-]*)  ", commands, re.MULTILINE)]
    assert listed == list(COMMANDS)
    for heavy in ("pandas", "matplotlib", "numpy", "scipy", "numba", "pydantic", "cvxpy"):
        assert heavy not in loaded, heavy
    library = {m for m in loaded if m.startswith("assetloc.") and not m.startswith("assetloc.cli")}
    assert library <= {"assetloc._version", "assetloc.errors"}


def test_registered_commands_are_the_listed_ones() -> None:
    _register_commands()
    group = typer.main.get_command(app)
    assert sorted(group.commands) == sorted(COMMANDS)  # type: ignore[attr-defined]


def test_report_default_points_is_the_libraries() -> None:
    from assetloc.cli.report import DEFAULT_POINTS
    from assetloc.present import report_data

    assert DEFAULT_POINTS == report_data.DEFAULT_POINTS


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    """SIGINT during a long command: exit 130 and one line on stderr, never exit 0 (typer
    returns the code of the Exit it made of the KeyboardInterrupt; main must use it)."""
    import signal
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assetloc",
            "simulate",
            str(ROOT / "examples" / "lifecycle.toml"),
            "--paths",
            "20000",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    import psutil

    watched = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    while watched.cpu_times().user < 2.5 and time.monotonic() < deadline:
        time.sleep(0.1)  # past start-up, inside the simulation (20,000 paths: many seconds)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, err)
    assert out == ""
    assert err.strip().splitlines() == [
        "error: interrupted (Ctrl-C): output written so far is kept"
    ]
