"""A replacement for a security sold at a loss: same asset class, another wash-sale group.

A fund of the same asset class (its largest class in the securities table, bundled or the
household's) in a different substantially identical group keeps the allocation without
washing the loss (IRC §1091 looks at substantially identical securities: the group).
Preference: one the household already holds, then one its ``[[securities]]`` lists, then
a bundled one; ties by symbol. Whether two funds tracking different indexes are
"substantially identical" is not settled law: the groups of the securities table decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from assetloc.inputs.household import Household
from assetloc.inputs.securities import SecurityInfo, SecurityTable, normalize
from assetloc.rebalance.book import normalize_group


@dataclass(frozen=True)
class Replacement:
    """The security suggested to buy instead, and why it qualifies."""

    symbol: str
    asset_class: str
    group: str
    held: bool
    source: str  # "held", "household" or "bundled"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "symbol": self.symbol,
            "asset_class": self.asset_class,
            "group": self.group,
            "held": self.held,
            "source": self.source,
        }


def main_class(info: SecurityInfo) -> str:
    """The class with the largest weight in the security (ties: the first by name)."""
    split = info.security.split
    return min(split, key=lambda c: (-split[c], c))


def held_symbols(h: Household) -> set[str]:
    """Symbols held anywhere in the household (shares > 0)."""
    return {normalize(p.symbol) for a in h.accounts for p in a.positions if p.shares > 0}


def pick_replacement(
    symbol: str, table: SecurityTable, held: set[str]
) -> tuple[Replacement | None, str]:
    """The replacement for ``symbol`` (module doc), or None and the reason there is none."""
    info = table.get(symbol)
    if info is None:
        return None, f"{symbol} is not in the securities table: its asset class is unknown"
    cls, group = main_class(info), normalize_group(info)
    options: list[tuple[int, str, Replacement]] = []
    for sym in table:
        other = table.get(sym)
        if other is None or normalize_group(other) == group or main_class(other) != cls:
            continue
        if sym in held:
            rank, source = 0, "held"
        elif other.source == "household":
            rank, source = 1, "household"
        else:
            rank, source = 2, "bundled"
        options.append(
            (rank, sym, Replacement(sym, cls, normalize_group(other), rank == 0, source))
        )
    if not options:
        return None, (
            f"no other security of class {cls} outside wash-sale group {group!r} in the "
            "securities table: add one ([[securities]] with asset_class and group)"
        )
    return min(options, key=lambda x: (x[0], x[1]))[2], ""
