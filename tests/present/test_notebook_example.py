"""examples/notebook.py, the README's notebook walk-through, runs end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mimage

ROOT = Path(__file__).resolve().parents[2]


def test_notebook_runs_end_to_end(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    res = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "notebook.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    for name in ("allocation", "mix", "comparison", "frontier", "drift", "marginal_rates"):
        img = mimage.imread(tmp_path / f"{name}.png")
        assert img.shape[0] > 200 and float(img.std()) > 0.02, name  # drawn, not blank
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Estimates, not tax advice" in page
    assert {p.name for p in (tmp_path / "charts").iterdir()} == {
        f"{n}.{ext}"
        for n in ("frontier", "allocation", "mix", "comparison")
        for ext in ("png", "svg")
    }
    out = res.stdout
    assert "<Plan joint, mean_variance in the net_worth view: 2 accounts" in out
    assert "gain vs duplicate: U +" in out and "taxable-equivalent" in out
