"""The ``[plan]`` table: defaults, resolution from the investor's age, and bad values.

Bad input: one line naming ``plan.<field>``; ``assetloc validate`` exits 2 on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assetloc.errors import InputError
from assetloc.inputs.household import household_schema, parse_household
from assetloc.simulate.settings import PlanSettings, plan_settings, timeline

from support.paths import EXAMPLES, ROOT

THREE = (EXAMPLES / "three_accounts.toml").read_text(encoding="utf-8")
COUPLE = (EXAMPLES / "retired_couple.toml").read_text(encoding="utf-8")

RATES: dict[str, Any] = {
    "investor": {"ordinary_rate": 0.32, "capital_gains_rate": 0.15},
    "objective": {"kind": "mean_variance"},
    "accounts": [
        {"id": "brokerage", "type": "taxable", "balance": 100000},
        {"id": "ira", "type": "traditional", "balance": 100000},
    ],
}


def household(plan: dict[str, Any] | None = None, age: int | None = None) -> Any:
    data = {k: v for k, v in RATES.items()}
    if age is not None:
        data["investor"] = {"filing_status": "single", "taxable_income": 90000, "age": age}
    if plan is not None:
        data["plan"] = plan
    return parse_household(data)


def test_defaults_without_age() -> None:
    p = plan_settings(household())
    assert (p.years, p.retire_in) == (30, 30)  # never retires within the horizon
    assert p.withdrawal_order == "taxable_first" and p.returns == "montecarlo"
    assert (p.paths, p.seed, p.inflation, p.reoptimize_every) == (1000, 0, 0.025, 5)
    assert (p.eis, p.time_preference, p.bootstrap_block, p.history) == (
        0.5,
        0.02,
        5,
        "damodaran",
    )


@pytest.mark.parametrize(("age", "years", "retire_in"), [(40, 55, 25), (70, 25, 0), (99, 1, 0)])
def test_defaults_from_age(age: int, years: int, retire_in: int) -> None:
    p = plan_settings(household(age=age))
    assert (p.years, p.retire_in) == (years, retire_in)


def test_given_values_win_and_retirement_is_capped() -> None:
    p = plan_settings(household({"years": 10, "retire_in": 4}, age=40))
    assert (p.years, p.retire_in) == (10, 4)
    p = plan_settings(household({"years": 10}, age=30))  # 65 is 35 years away
    assert (p.years, p.retire_in) == (10, 10)


def test_timeline_ages_and_rmd_start() -> None:
    # born 2026 - 60 = 1966: RMDs at 75, i.e. 15 years from now; Social Security at 67
    t = timeline(household({"social_security": 30000}, age=60))
    assert (t.years, t.retire_in, t.social_security_in, t.rmd_in) == (35, 5, 7, 15)
    ages = t.ages()
    assert ages is not None and ages[0] == 60 and ages[-1] == 94
    # born 1956: 73
    assert timeline(household(age=70)).rmd_in == 3
    # unknown age: benefits from retirement, no RMDs
    t = timeline(household({"retire_in": 12, "years": 20}))
    assert (t.social_security_in, t.rmd_in, t.ages()) == (12, None, None)


def test_joint_timeline_uses_both_ages() -> None:
    t = timeline(parse_household(_toml(COUPLE)))
    # he is 67 (born 1959: 73), she 63 (born 1963: 75)
    assert (t.rmd_in, t.spouse_rmd_in) == (6, 12)
    spouse = t.ages(spouse=True)
    assert spouse is not None and spouse[0] == 63


def _toml(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


@pytest.mark.parametrize(
    ("plan", "field", "words"),
    [
        ({"years": 0}, "plan.years", "greater than or equal to 1"),
        ({"years": 30.5}, "plan.years", "whole number"),
        ({"paths": "many"}, "plan.paths", "number"),
        ({"returns": "historical"}, "plan.returns", "'historical'"),
        ({"withdrawal_order": "roth_first"}, "plan.withdrawal_order", "'roth_first'"),
        ({"history": "shiller"}, "plan.history", "'shiller'"),
        ({"inflation": 2.5}, "plan.inflation", "2.5"),
        ({"spending": -1.0}, "plan.spending", "greater than or equal to 0"),
        ({"social_security_age": 75}, "plan.social_security_age", "less than or equal to 70"),
        ({"eis": 0}, "plan.eis", "greater than 0"),
        ({"contributions": {"401k": 5000}}, "plan.contributions.401k", "unknown account"),
        ({"contributions": {"ira": -5}}, "plan.contributions.ira", "greater than or equal to 0"),
        ({"fill_bracket_rate": 0.22}, "plan.fill_bracket_rate", "fill_bracket"),
        ({"years": 10, "retire_in": 20}, "plan.retire_in", "beyond"),
        ({"pathz": 10}, "plan.pathz", "did you mean 'paths'"),
    ],
)
def test_bad_values_name_the_field(plan: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        household(plan)
    assert err.value.field == field, err.value
    assert words in err.value.problem, err.value
    assert "\n" not in str(err.value)


def test_fill_bracket_rate_with_its_order() -> None:
    p = plan_settings(household({"withdrawal_order": "fill_bracket", "fill_bracket_rate": 0.22}))
    assert p.fill_bracket_rate == 0.22


def test_validate_exits_2_on_a_bad_plan(
    household_file: Callable[..., str], cli: Callable[..., tuple[int, str, str]]
) -> None:
    path = household_file(THREE + '\n[plan]\nreturns = "historical"\n')
    code, out, err = cli("validate", path)
    assert code == 2 and out == ""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "plan.returns" in lines[0] and "Traceback" not in err
    good = household_file(THREE + '\n[plan]\nreturns = "bootstrap"\nhistory = "simba"\n', "ok.toml")
    assert cli("validate", good)[0] == 0


def test_schema_includes_the_plan() -> None:
    schema = household_schema()
    assert "plan" in schema["properties"]
    props = schema["$defs"]["PlanSettings"]["properties"]
    fields = set(PlanSettings.model_fields)
    assert fields == set(props)
    assert all(props[f].get("description") for f in fields), "every [plan] key is documented"


def test_the_owl_example_household_is_valid() -> None:
    """examples/owl_compare.py's household (both withdrawal orders) validates; the script
    itself needs owlplanner and is run by hand."""
    import importlib.util
    import sys
    import tomllib

    spec = importlib.util.spec_from_file_location("owl_compare", EXAMPLES / "owl_compare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["owl_compare"] = module  # its dataclass looks its module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["owl_compare"]
    for order in ("taxable_first", "fill_bracket"):
        h = parse_household(tomllib.loads(module.household_toml(order)))
        p = plan_settings(h)
        assert (p.years, p.retire_in, p.withdrawal_order) == (31, 0, order)
        t = timeline(h)
        assert (t.rmd_in, t.spouse_rmd_in, t.social_security_in) == (
            10,
            10,
            2,
        )  # born 1961: RMDs at 75


def test_schema_command_lists_the_plan(cli: Callable[..., tuple[int, str, str]]) -> None:
    import json

    code, out, _ = cli("schema")
    assert code == 0
    schema = json.loads(out)
    assert "plan" in schema["properties"] and "PlanSettings" in schema["$defs"]


def test_package_exports_resolve_lazily() -> None:
    import os
    import subprocess
    import sys

    import assetloc.simulate as sim

    for name in sim.__all__:
        assert getattr(sim, name) is not None, name
    with pytest.raises(AttributeError):
        _ = sim.no_such_name
    code = "import sys, assetloc.simulate; print('numpy' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env_out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert env_out.stdout.strip() == "False", env_out.stderr  # importing it loads nothing
