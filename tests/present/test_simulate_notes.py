"""The simulation's warnings, from its JSON document: a baseline that holds another mix
than joint (so its wealth gap is partly allocation), and joint ending poorer than
duplicate on most paths (the one-period plan does not see the withdrawal order)."""

from __future__ import annotations

from typing import Any

from assetloc.present.simulate_tables import (
    MIX_GAP_NOTE,
    allocation_note,
    joint_behind_note,
    mix_table,
)


def doc(
    gap: float,
    e_bp: float,
    returns: str = "montecarlo",
    joint_mean: float = 5.0,
    negative: float = 0.3,
) -> dict[str, Any]:
    return {
        "returns": returns,
        "assumptions": {"withdrawal_order": "taxable_first"},
        "location_value_bp": {"joint": {"mean": joint_mean, "share_negative": negative}},
        "household_mix": {
            "joint": {
                "start_expected_return": 0.07,
                "start_volatility": 0.11,
                "start_gap_vs_joint": 0.0,
                "held_expected_return": 0.069,
                "held_gap_vs_joint": 0.0,
                "held_expected_return_vs_joint_bp": 0.0,
            },
            "duplicate": {
                "start_expected_return": 0.0705,
                "start_volatility": 0.115,
                "start_gap_vs_joint": gap / 2,
                "held_expected_return": 0.07,
                "held_gap_vs_joint": gap,
                "held_expected_return_vs_joint_bp": e_bp,
            },
        },
    }


def test_no_note_when_the_mixes_agree() -> None:
    assert allocation_note(doc(MIX_GAP_NOTE / 2, 1.0)) is None
    assert joint_behind_note(doc(0.0, 0.0)) is None


def test_a_baseline_on_another_mix_is_named_with_its_gap() -> None:
    note = allocation_note(doc(0.129, 22.3))
    assert note is not None
    assert "duplicate holds up to 12.9% of wealth otherwise than joint" in note
    assert "from the start (6.5%: a menu or a bound" in note  # the start gap is above 1%
    assert "+22.3 bp a year pre-tax" in note and "deterministic" not in note
    deterministic = allocation_note(doc(0.129, 22.3, returns="deterministic"))
    assert deterministic is not None and "no risk" in deterministic


def test_a_gap_that_opens_over_the_run_is_put_down_to_drift() -> None:
    """Start mixes equal (no menu binds), held mixes apart: no menu is blamed."""
    d = doc(0.04, 5.0)
    d["household_mix"]["duplicate"]["start_gap_vs_joint"] = 0.0
    note = allocation_note(d)
    assert note is not None
    assert "drift apart between re-solves" in note and "menu" not in note


def test_joint_behind_on_most_paths_is_said() -> None:
    assert joint_behind_note(doc(0.0, 0.0, joint_mean=-1.0, negative=0.4)) is None  # a minority
    assert joint_behind_note(doc(0.0, 0.0, joint_mean=-1.1, negative=0.51)) is None  # noise
    assert joint_behind_note(doc(0.0, 0.0, joint_mean=2.0, negative=0.6)) is None  # mean ahead
    note = joint_behind_note(doc(0.0, 0.0, joint_mean=-65.1, negative=0.877))
    assert note is not None
    assert "88% of the paths (mean -65.1 bp a year)" in note and "taxable_first" in note


def test_the_mix_table_shows_every_strategy() -> None:
    table = mix_table(doc(0.129, 22.3))
    assert table is not None
    rows = {r[0]: r for r in table.rows}
    assert rows["duplicate"][1:] == ("7.05%", "11.50%", "6.5%", "7.00%", "12.9%", "+22.3 bp")
    assert mix_table({"household_mix": {}}) is None
