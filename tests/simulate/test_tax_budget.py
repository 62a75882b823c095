"""plan.tax_budget: rebalancing sales in taxable accounts capped by the tax they cost."""

from __future__ import annotations

import numpy as np
import pytest

from assetloc.inputs.household import load_household
from assetloc.simulate.run import simulate

from support.paths import EXAMPLES

KW = {"paths": 60, "years": 25, "seed": 4, "strategies": ("joint", "duplicate")}


def _with_budget(budget: float | None):  # type: ignore[no-untyped-def]
    h = load_household(EXAMPLES / "lifecycle.toml")
    assert h.plan is not None
    return h.model_copy(update={"plan": h.plan.model_copy(update={"tax_budget": budget})})


@pytest.fixture(scope="module")
def runs() -> dict[str, object]:
    return {
        "none": simulate(_with_budget(None), **KW),
        "zero": simulate(_with_budget(0.0), **KW),
        "small": simulate(_with_budget(500.0), **KW),
        "huge": simulate(_with_budget(1e9), **KW),
    }


def test_a_budget_no_sale_reaches_is_no_budget(runs: dict) -> None:  # type: ignore[type-arg]
    for name in ("joint", "duplicate"):
        a, b = runs["none"].outcomes[name], runs["huge"].outcomes[name]
        np.testing.assert_allclose(a.wealth, b.wealth, rtol=1e-9)
        np.testing.assert_allclose(a.tax, b.tax, rtol=1e-9, atol=1e-6)


def test_a_tighter_budget_costs_less_rebalancing_tax(runs: dict) -> None:  # type: ignore[type-arg]
    for name in ("joint", "duplicate"):
        tax = {k: float(r.outcomes[name].taxable_sale_tax.sum()) for k, r in runs.items()}
        assert tax["zero"] <= tax["small"] + 1e-6 <= tax["none"] + 2e-6
        assert tax["zero"] < 0.2 * tax["none"]  # joint realizes ~$100k unbudgeted
    # the budget only holds trades back: no dollar disappears (cash still balances). The
    # mix differs on each path, so wealth differs path by path, but not systematically: a
    # leak of the year's cash would cost a third of terminal wealth (it did, once)
    for name in ("joint", "duplicate"):
        zero = runs["zero"].outcomes[name].wealth[:, -1]
        none = runs["none"].outcomes[name].wealth[:, -1]
        assert abs(float(np.median(zero / none)) - 1.0) < 0.02


def test_the_budget_is_stated(runs: dict) -> None:  # type: ignore[type-arg]
    assert "plan.tax_budget" in runs["small"].assumptions["tax_budget"]
    assert runs["none"].assumptions["tax_budget"].startswith("none")


def test_a_negative_budget_is_one_line_and_exit_2(tmp_path: object) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from support.paths import ROOT

    lines = (EXAMPLES / "lifecycle.toml").read_text().splitlines()
    at = lines.index("[plan]") + 1
    lines[at:at] = ["tax_budget = -1"]
    bad = Path(str(tmp_path)) / "budget.toml"
    bad.write_text("\n".join(lines) + "\n")
    res = subprocess.run(
        [sys.executable, "-m", "assetloc", "validate", str(bad)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert res.returncode == 2
    out = res.stderr.strip().splitlines()
    assert len(out) == 1 and "plan.tax_budget" in out[0] and "Traceback" not in res.stderr
