"""The securities table: the bundled map and the household's overrides."""

from __future__ import annotations

import pytest

from assetloc import InputError, load_preset
from assetloc.inputs.holdings import Security
from assetloc.inputs.securities import bundled_securities, security_table

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


def test_a_price_only_entry_completes_the_bundled_entry() -> None:
    table = security_table([Security(symbol="schp", price=26.5)])
    info = table.get("SCHP")
    bundled = bundled_securities()["SCHP"]
    assert info is not None and info.source == "household"
    assert info.security.split == bundled.security.split == {"tips": 1.0}
    assert info.security.identical_group == bundled.security.identical_group
    assert info.security.price == 26.5 and info.name == bundled.name
    own_group = security_table([Security(symbol="SCHP", price=26.5, group="mine")])
    assert own_group.entries["SCHP"].security.identical_group == "mine"


def test_a_price_only_entry_for_an_unknown_symbol_names_the_missing_class() -> None:
    with pytest.raises(InputError, match=r"^securities\[0\]\.asset_class: 'ZZZZ' is not a bundled"):
        security_table([Security(symbol="ZZZZ", price=10.0)])
    with pytest.raises(ValueError, match="exactly one"):
        Security(symbol="X", asset_class="tips", classes={"tips": 1.0})


def test_price_only_entries_rebalance_like_the_full_entries() -> None:
    """examples/rebalance.toml restates three bundled entries in full; price alone is enough."""
    import re
    import tomllib
    from pathlib import Path

    from assetloc import parse_household
    from assetloc.rebalance import rebalance

    text = (Path(__file__).resolve().parents[2] / "examples" / "rebalance.toml").read_text()
    short = text
    for sym, price in (("SCHP", "26.5"), ("IEFA", "84.0"), ("IEMG", "62.0")):
        full = re.search(rf'\[\[securities\]\]\nsymbol = "{sym}"\n(?:[a-z_]+ = .*\n)+', short)
        assert full is not None, sym
        short = short.replace(full.group(0), f'[[securities]]\nsymbol = "{sym}"\nprice = {price}\n')
    assert short != text and "msci-eafe-imi" not in short
    a = rebalance(parse_household(tomllib.loads(text)))
    b = rebalance(parse_household(tomllib.loads(short)))
    assert [t.to_dict() for t in a.trades] == [t.to_dict() for t in b.trades]
    assert any(t.symbol in ("SCHP", "IEFA") and t.side == "buy" for t in b.trades)
