"""Start-up time of the command line: wall clock of fresh processes, beside ``python -c pass``.

Each command runs ``RUNS`` times as a subprocess (the runs of the commands interleaved, so a
shared machine's slow phases hit all of them alike); printed: the median (s), the ratio to
and the difference from ``python -c pass`` (the interpreter's own start-up), and the target
of issue 12 on the project's 2-core machine:

* ``import assetloc``                                        ≤ 0.25 s
* ``assetloc --help``                                        ≤ 0.3 s
* ``assetloc optimize examples/three_accounts.toml --json``  ≤ 0.6 s
* the same ``optimize``, first run after a fresh install      ≤ 1.0 s

The commands run this checkout's ``src`` (``python -m assetloc`` with ``PYTHONPATH``) in the
interpreter running this script. The first run after a fresh install: the package is
copied without any ``__pycache__`` to a temporary folder and installed there, as
``make demo`` does (``pip install -e .``, runtime dependencies only), into a new virtual
environment that reuses this interpreter's packages' wheels from pip's cache or the local
index; each of the ``RUNS`` runs starts with the copy's bytecode deleted, so each is a first
run. ``--no-fresh`` skips that part (it takes a minute or two); ``--src DIR`` times another
checkout's ``src`` instead (e.g. ``git archive main src | tar -x -C /tmp/main`` to compare
with main, interleaved in the same rounds). Run by hand: ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "three_accounts.toml"
RUNS = 10

#: name → (arguments after the interpreter, target in seconds or None)
COMMANDS: dict[str, tuple[list[str], float | None]] = {
    "python -c pass": (["-c", "pass"], None),
    "import assetloc": (["-c", "import assetloc"], 0.25),
    "assetloc --help": (["-m", "assetloc", "--help"], 0.3),
    "assetloc optimize three_accounts.toml --json": (
        ["-m", "assetloc", "optimize", str(EXAMPLE), "--json"],
        0.6,
    ),
}


def wall(cmd: list[str], env: dict[str, str], before: Callable[[], None] | None = None) -> float:
    """Seconds of one run of ``cmd`` (its output discarded); fails loudly if it fails."""
    if before is not None:
        before()
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def source_env(python_path: Path) -> dict[str, str]:
    """The environment with ``python_path`` first on ``PYTHONPATH``, colours off."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(python_path)
    env["NO_COLOR"] = "1"
    return env


def warm(python: str, sources: dict[str, Path]) -> dict[str, dict[str, list[float]]]:
    """Seconds of each of ``COMMANDS`` per source tree (label → ``src``), ``RUNS``
    interleaved rounds after one warm-up."""
    envs = {label: source_env(src) for label, src in sources.items()}
    times = {label: {name: [] for name in COMMANDS} for label in sources}
    for env in envs.values():
        for args, _ in COMMANDS.values():
            wall([python, *args], env)  # bytecode written, files in the page cache
    for _ in range(RUNS):
        for name, (args, _) in COMMANDS.items():
            for label, env in envs.items():
                times[label][name].append(wall([python, *args], env))
    return times


def fresh_install(python: str) -> tuple[list[float], list[float]]:
    """Seconds of ``python -c pass`` and of a first ``optimize --json`` in a new virtual
    environment with the package freshly installed (runtime dependencies only)."""
    with tempfile.TemporaryDirectory(prefix="assetloc-fresh-") as tmp:
        tree = Path(tmp) / "assetloc"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
        shutil.copytree(ROOT / "src", tree / "src", ignore=ignore)
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, tree / name)
        venv = Path(tmp) / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        vpython = str(venv / "bin" / "python")
        print(f"installing runtime dependencies into {venv} (pip install -e .) ...", flush=True)
        subprocess.run(
            [vpython, "-m", "pip", "install", "--quiet", "-e", str(tree)],
            check=True,
            cwd=tree,
        )
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["NO_COLOR"] = "1"
        cmd = [str(venv / "bin" / "assetloc"), "optimize", str(EXAMPLE), "--json"]

        def no_bytecode() -> None:
            for cache in (tree / "src").rglob("__pycache__"):
                shutil.rmtree(cache)

        base, first = [], []
        for _ in range(RUNS):
            base.append(wall([vpython, "-c", "pass"], env))
            first.append(wall(cmd, env, before=no_bytecode))
        return base, first


def line(name: str, times: list[float], base: float, target: float | None) -> str:
    """One row: median, ratio and difference to the baseline, the target and a verdict."""
    med = statistics.median(times)
    goal = ""
    if target is not None:
        goal = f"  target {target:.2f} s: {'ok' if med <= target else 'MISSED'}"
    return (
        f"{name:<46} {med:7.3f} s  {med / base:5.1f}x  {med - base:+7.3f} s"
        f"  (min {min(times):.3f}, max {max(times):.3f}){goal}"
    )


def load() -> str:
    """The machine's load averages, for the reader to judge the noise."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-fresh", action="store_true", help="skip the fresh-install run")
    parser.add_argument("--src", type=Path, help="also time this checkout's src (e.g. main's)")
    opts = parser.parse_args()
    python = sys.executable
    sources = {"this checkout": ROOT / "src"}
    if opts.src is not None:
        sources[str(opts.src)] = opts.src.resolve()
    print(f"start-up, median of {RUNS} runs ({python}); {load()}")
    for label, times in warm(python, sources).items():
        print(f"\n{label}:")
        print(f"{'command':<46} {'median':>9}  {'ratio':>6}  {'minus pass':>9}")
        base = statistics.median(times["python -c pass"])
        for name, (_, target) in COMMANDS.items():
            print(line(name, times[name], base, target))
    if not opts.no_fresh:
        fresh_base, first = fresh_install(python)
        b = statistics.median(fresh_base)
        print()
        print(line("python -c pass (fresh venv)", fresh_base, b, None))
        print(line("first optimize --json after a fresh install", first, b, 1.0))
    print(load())


if __name__ == "__main__":
    main()
