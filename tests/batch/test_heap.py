"""The collector settings of worker processes (:mod:`assetloc.heap`): set in every batch
pool process, never in the caller's, and cyclic garbage is still collected."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from assetloc.batch.pool import HOT_PATH, run_chunks
from assetloc.heap import MIDDLE, OLD, YOUNG

from support import batch_runners


def test_every_pool_worker_settles_its_heap_and_the_caller_keeps_its_own() -> None:
    before = gc.get_threshold(), gc.get_freeze_count()
    from assetloc.batch.inputs import Item

    chunks = [[Item(f"h{i}", "x.toml", {}, False)] for i in range(6)]
    rows = [
        json.loads(r)
        for _, lines in run_chunks(chunks, "optimize", 2, batch_runners.heap_state)
        for r in lines
    ]
    assert len(rows) == 6
    for r in rows:
        assert tuple(r["threshold"]) == (YOUNG, MIDDLE, OLD)
        # settled with the household's path loaded: numpy, the solver and pydantic frozen too
        assert {"numpy", "daqp", "pydantic", *HOT_PATH} <= set(r["settled_with"])
        assert r["frozen"] > 1000
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_cycles_made_after_settling_are_still_collected(tmp_path: Path) -> None:
    script = tmp_path / "cycles.py"
    script.write_text(
        "import gc, weakref\n"
        "from assetloc.heap import settle\n"
        "settle()\n"
        "class Node: pass\n"
        "alive = []\n"
        "for _ in range(200_000):\n"
        "    a, b = Node(), Node()\n"
        "    a.b, b.a = b, a\n"
        "    alive.append(weakref.ref(a))\n"
        "    del a, b\n"
        "left = sum(r() is not None for r in alive)\n"
        "print(left)\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    # 200,000 cycles made; without collections all would be alive; with the young
    # generation collected every YOUNG allocations, at most a few collections' worth are
    assert int(out.stdout) < 3 * YOUNG


def test_a_serve_worker_settles_with_the_households_path_loaded() -> None:
    """``app_from_environment`` (what each ``assetloc serve`` worker runs) settles the heap
    after loading the app and the household's path; its caller's own process is a fresh
    interpreter here."""
    code = (
        "import gc, json\n"
        "from assetloc import heap\n"
        "from assetloc.web.app import app_from_environment\n"
        "app_from_environment()\n"
        "print(json.dumps({'threshold': gc.get_threshold(), 'with': sorted(heap.settled_with)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert tuple(got["threshold"]) == (YOUNG, MIDDLE, OLD)
    assert {"numpy", "fastapi", "assetloc.web.app", *HOT_PATH} <= set(got["with"])
