"""``assetloc batch --task rebalance|harvest|simulate``: every row equals what
``assetloc TASK FILE --json`` prints for that household in a fresh process (its run time
fields aside), bad households included; workers print nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from assetloc.batch import run_batch

from support.batch_households import household_folder
from support.paths import ROOT
from support.web import untimed

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
#: the run's wall time, different on every run: (path of keys) per task


def assetloc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``assetloc ARGS`` in a fresh interpreter (stdout, stderr, exit code)."""
    cmd = [sys.executable, "-m", "assetloc", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False, cwd=cwd)


@pytest.mark.parametrize("task", ["rebalance", "harvest", "simulate"])
def test_rows_equal_the_single_household_cli(tmp_path: Path, task: str) -> None:
    folder = household_folder(task, tmp_path / "in", ENV)
    out = tmp_path / "out.jsonl"
    run = assetloc("batch", str(folder), "--out", str(out), "--task", task, "--workers", "2")
    assert run.returncode == 5 and run.stdout == ""
    # stderr: the summary alone (no progress bar, banner or warning from a worker)
    assert run.stderr.startswith("batch: ")
    assert all(line.startswith("failed: ") for line in run.stderr.splitlines()[1:])
    got = [json.loads(line) for line in out.read_text().splitlines()]
    files = sorted(folder.glob("*.toml"))
    assert [r["id"] for r in got] == [f.stem for f in files]
    ok = failed = 0
    for f, r in zip(files, got, strict=True):
        one = assetloc(task, str(f), "--json", cwd=tmp_path)
        if one.returncode == 0:
            ok += 1
            assert (r["status"], r["exit_code"], r["error"]) == ("ok", 0, None), f.stem
            assert untimed(task, r["result"]) == untimed(task, json.loads(one.stdout)), f.stem
        else:
            failed += 1
            assert (r["status"], r["result"]) == ("error", None), f.stem
            assert r["exit_code"] == one.returncode, f.stem
            assert one.stderr == f"error: {r['error']}\n"
    assert ok >= 3 and failed >= 3  # both kinds really ran
    assert run.stderr.startswith(f"batch: {ok} ok, {failed} failed")


def test_a_ledger_history_household_reads_its_recent_trades(tmp_path: Path) -> None:
    """The ledger's purchases of the 30 days before wash the VTI loss (history loaded)."""
    folder = household_folder("harvest", tmp_path / "in", ENV)
    for f in folder.glob("*.toml"):
        if f.stem != "ledger_history":
            f.unlink()
    out = tmp_path / "out.jsonl"
    summary = run_batch(folder, out, task="harvest", workers=1)
    assert summary.ok == 1
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    (vti,) = [c for c in row["result"]["candidates"] if c["symbol"] == "VTI"]
    made = {(c["account"], c["date"]) for c in vti["conflicts"] if c["washes"]}
    assert {("roth", "2026-04-20"), ("brokerage", "2026-05-01")} <= made  # the ledger's
    # 100 shares at a $40 loss each; bought in the window: 60 (the spouse's Roth, lost for
    # good) and 20 (brokerage) by the ledger, 2 by the Roth's $500 monthly buy on 2026-05-15
    assert vti["disallowed_if_sold_today"] == (60 + 20 + 2) * 40.0
    assert vti["permanently_disallowed_if_sold_today"] == (60 + 2) * 40.0


def test_json_lines_input_equals_the_folder(tmp_path: Path) -> None:
    """The same households as JSON Lines (the ledger found beside ``INPUT``) give the same
    rows as the folder of files."""
    folder = household_folder("harvest", tmp_path, ENV)
    keep = ("ledger_history", "rebalance", "bad_lot")
    for f in folder.glob("*.toml"):
        if f.stem not in keep:
            f.unlink()
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": hid, "household": jsonable(tomllib.loads(f.read_text()))}) + "\n"
            for hid in keep
            for f in [folder / f"{hid}.toml"]
        )
    )
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_batch(folder, a, task="harvest", workers=1)
    summary = run_batch(src, b, task="harvest", workers=1)
    by_id = {r["id"]: r for r in map(json.loads, a.read_text().splitlines())}
    got = [json.loads(line) for line in b.read_text().splitlines()]
    assert [r["id"] for r in got] == list(keep) and summary.ok == 2
    assert all(r == by_id[r["id"]] for r in got)


def jsonable(x: Any) -> Any:
    """TOML values as JSON would carry them (dates as ISO strings)."""
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [jsonable(v) for v in x]
    return x.isoformat() if hasattr(x, "isoformat") else x


def test_an_error_row_holds_a_lone_surrogate_as_its_escape() -> None:
    """A message quoting a lone surrogate (UTF-8 cannot hold it: the row's write failed)
    reads as the CLI's stderr shows it, ``\\ud800``; other text is unchanged."""
    from assetloc.batch.inputs import Item
    from assetloc.batch.tasks import error_rows

    (line,) = error_rows([Item("h", "h.toml")], "bad \ud800 in café\nsecond line", 2)
    line.encode("utf-8")  # raises if a surrogate were left
    assert json.loads(line)["error"] == "bad \\ud800 in café second line"
