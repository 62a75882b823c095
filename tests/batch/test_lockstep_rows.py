"""A chunk's rows in lockstep (assetloc.steps) equal each household's row run alone, and the
plain public path (parse -> optimize -> its --json document), byte for byte."""

from __future__ import annotations

import copy
from typing import Any

from assetloc import optimize, parse_household
from assetloc.batch.inputs import Item
from assetloc.batch.tasks import row, run_chunk
from assetloc.present import jsonout

from support.householdgen import KINDS, random_household


def chunk() -> list[Item]:
    """Random households of every objective kind, with bad input and infeasible ones among
    them (errors stop a household at different stages)."""
    raw: list[Any] = []
    for seed in range(24):
        raw.append(random_household(seed, KINDS[seed % len(KINDS)]))
    bad_rate = copy.deepcopy(raw[0])
    bad_rate["investor"]["ordinary_rate"] = 1.7  # InputError while loading (exit 2)
    infeasible = copy.deepcopy(raw[1])
    ids = [c["id"] for c in infeasible["assumptions"]["classes"]][:2]
    infeasible["bounds"] = {c: {"min": 0.6} for c in ids}  # Σ min > 1: exit 3
    raw[5:5] = [bad_rate, "not a table", infeasible]
    return [Item(f"h{k}", f"/tmp/h{k}.toml", h, False) for k, h in enumerate(raw)]


def test_lockstep_rows_equal_rows_alone() -> None:
    items = chunk()
    rows = run_chunk(items, "optimize")
    assert rows == [row(i, "optimize") for i in items]
    assert [r.split('"status":"')[1][:2] for r in rows[5:8]] == ["er", "er", "er"]
    assert '"exit_code":3' in rows[7] and '"exit_code":2' in rows[5]


def test_lockstep_rows_hold_the_plain_optimize_document() -> None:
    items = [i for i in chunk() if isinstance(i.raw, dict)]
    rows = run_chunk(items, "optimize")
    for item, r in zip(items, rows, strict=True):
        if '"status":"ok"' in r:
            plain = jsonout.line(optimize(parse_household(item.raw)).to_dict())
            assert r.endswith(f',"result":{plain}}}')
