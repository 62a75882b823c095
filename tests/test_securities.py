"""The securities table: the bundled map and the household's overrides."""

from __future__ import annotations

import pytest

from assetloc import InputError, load_preset
from assetloc.holdings import Security
from assetloc.securities import bundled_securities, security_table

ASKED_FOR = (
    "VTI ITOT SCHB VOO IVV SPY VXUS IXUS VEA IEFA VWO IEMG BND AGG SCHZ VNQ SCHH VTEB MUB "
    "VGSH SHV BIL TIP SCHP HYG JNK BNDX VTIAX VTSAX FXAIX FZROX"
).split()


def test_bundled_map_covers_the_common_funds_with_valid_splits() -> None:
    table = bundled_securities()
    assert len(table) >= 30
    assert set(ASKED_FOR) <= set(table)
    classes = set(load_preset("horizon-2025").ids)
    for sym, info in table.items():
        split = info.security.split
        assert sum(split.values()) == pytest.approx(1.0), sym
        assert set(split) <= classes, sym
        assert info.name and info.index and info.security.group, sym


@pytest.mark.parametrize(
    "same",
    [
        ("VOO", "IVV", "SPY", "FXAIX"),  # S&P 500
        ("VTI", "VTSAX"),  # CRSP US Total Market
        ("VXUS", "VTIAX"),  # FTSE Global All Cap ex US
        ("IXUS", "FTIHX"),  # MSCI ACWI ex USA IMI, across fund families
        ("AGG", "SCHZ"),  # Bloomberg US Aggregate
    ],
)
def test_funds_tracking_one_index_share_a_group(same: tuple[str, ...]) -> None:
    table = bundled_securities()
    groups = {table[s].security.identical_group for s in same}
    assert len(groups) == 1


def test_different_indexes_are_different_groups() -> None:
    table = bundled_securities()
    for a, b in (("VTI", "ITOT"), ("VTI", "VOO"), ("VEA", "IEFA"), ("VWO", "IEMG"), ("BND", "AGG")):
        assert table[a].security.identical_group != table[b].security.identical_group


def test_total_market_funds_split_large_and_small_mid() -> None:
    split = bundled_securities()["VTI"].security.split
    assert split == {"us_equity_large_cap": 0.82, "us_equity_small_mid_cap": 0.18}
    assert bundled_securities()["VXUS"].security.split["non_us_equity_emerging"] == 0.25


def test_the_household_overrides_the_bundled_map_case_insensitively() -> None:
    mine = Security(symbol="vti", asset_class="us_equity_large_cap", group="us-total-market")
    table = security_table([mine])
    info = table.get("VTI")
    assert info is not None and info.source == "household"
    assert info.security.split == {"us_equity_large_cap": 1.0}
    assert "Vti" in table and table.get("voo") is not None
    assert table.household_symbols() == ["VTI"]


def test_unknown_and_duplicate_symbols_are_input_errors() -> None:
    table = security_table([])
    with pytest.raises(InputError, match=r"^accounts\[0\]\.positions\[0\]\.symbol: unknown"):
        table.require("NOPE", "accounts[0].positions[0].symbol")
    dup = [Security(symbol="X", asset_class="tips"), Security(symbol="x", asset_class="tips")]
    with pytest.raises(InputError, match=r"^securities\[1\]\.symbol: 'x' is listed twice"):
        security_table(dup)
