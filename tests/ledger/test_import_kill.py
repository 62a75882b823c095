"""A process killed (SIGKILL) in the middle of an import loses nothing committed before and
leaves nothing of the interrupted file: the import is one database transaction. Then the
same file imports in full. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetloc.inputs.household import load_household
from assetloc.ledger.api import import_file
from assetloc.ledger.source import ledger_inputs

from support.ledger_db import BACKENDS, database_url
from support.ledger_files import LEDGER, household, write

ROOT = Path(__file__).resolve().parents[2]
N_B = 20_000

# imports FILE B in batches of 1,000 and says "inserting" once two batches are in: the
# parent then kills it, mid-transaction
CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{src!r}, {tests!r}]
    from assetloc.ledger import store
    original = store._batches
    def slow(items, n):
        for k, batch in enumerate(original(items, 1000)):
            yield batch
            if k == 2:
                print("inserting", flush=True)
            time.sleep(0.05)
    store._batches = slow
    from pathlib import Path
    from assetloc.inputs.household import load_household
    from assetloc.ledger.api import import_file
    path = Path({household!r})
    import_file(load_household(path), path, {file!r})
    print("finished", flush=True)
    """
)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


def big_file(tmp_path: Path) -> Path:
    lines = ["date,account,symbol,action,shares,price"]
    lines += [
        f"2025-{1 + k % 12:02d}-{1 + k % 28:02d},ira,S{k % 50},buy,1,{10 + k}" for k in range(N_B)
    ]
    return write(tmp_path, "b.csv", "\n".join(lines) + "\n")


def test_sigkill_mid_import_keeps_a_and_none_of_b(tmp_path: Path, db_url: str) -> None:
    path = household(tmp_path, db_url)
    h = load_household(path)
    a = import_file(h, path, write(tmp_path, "a.csv", LEDGER))
    assert a.added == 4
    b = big_file(tmp_path)
    script = CHILD.format(
        src=str(ROOT / "src"), tests=str(ROOT / "tests"), household=str(path), file=str(b)
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "inserting", child.stderr.read() if child.stderr else line
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    got = ledger_inputs(h, path, None).transactions
    assert len(got) == 4  # A's rows all there
    assert {t.account for t in got} == {"brokerage", "ira"}
    assert not [t for t in got if t.symbol.startswith("S")]  # none of B's
    again = import_file(h, path, b)
    assert (again.added, again.skipped) == (N_B, 0)
    assert len(ledger_inputs(h, path, None).transactions) == 4 + N_B
