"""The securities table: symbol → asset classes (a split) and substantially identical group.

Two sources, merged by symbol:

* the bundled default map ``data/securities.toml`` (60 broad index funds and ETFs mapped to
  the horizon-2025 classes; the file documents how the splits and groups were chosen);
* the household's own ``[[securities]]`` entries, which override the bundled ones. An entry
  with no ``asset_class`` or ``classes`` (for example only ``symbol`` and ``price``) adds to
  the bundled entry of its symbol: the bundled classes and group, its own price and group.

Symbols are matched case-insensitively (stored upper-case). A symbol in neither source is
unknown: :func:`SecurityTable.require` raises :class:`~assetloc.errors.InputError` naming
the field that used it, so the user can add a ``[[securities]]`` entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import ValidationError

from assetloc.errors import InputError
from assetloc.inputs.holdings import Security

BUNDLED_FILE = "securities.toml"
Source = Literal["household", "bundled"]


@dataclass(frozen=True)
class SecurityInfo:
    """One row of the table: the security and documentation of where it came from."""

    security: Security
    source: Source
    name: str = ""
    index: str = ""


def normalize(symbol: str) -> str:
    """The lookup key of a ticker: stripped and upper-case."""
    return symbol.strip().upper()


@lru_cache(maxsize=1)
def bundled_securities() -> dict[str, SecurityInfo]:
    """The bundled default map, by normalized symbol (read once)."""
    text = resources.files("assetloc.data").joinpath(BUNDLED_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    out: dict[str, SecurityInfo] = {}
    for j, entry in enumerate(data.get("securities", [])):
        row: dict[str, Any] = dict(entry)
        name = str(row.pop("name", ""))
        index = str(row.pop("index", ""))
        try:
            sec = Security.model_validate(row)
        except ValidationError as err:  # a packaging bug, not a user error
            raise RuntimeError(f"{BUNDLED_FILE}: securities[{j}]: {err}") from None
        out[normalize(sec.symbol)] = SecurityInfo(sec, "bundled", name, index)
    return out


@dataclass(frozen=True)
class SecurityTable:
    """Symbol → :class:`SecurityInfo`; the household's entries override the bundled map."""

    entries: Mapping[str, SecurityInfo]

    def __contains__(self, symbol: object) -> bool:
        return isinstance(symbol, str) and normalize(symbol) in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, symbol: str) -> SecurityInfo | None:
        """The entry for ``symbol`` or None."""
        return self.entries.get(normalize(symbol))

    def require(self, symbol: str, field: str) -> SecurityInfo:
        """The entry for ``symbol``; an :class:`InputError` on ``field`` when unknown."""
        info = self.get(symbol)
        if info is None:
            raise InputError(
                field,
                f"unknown security {symbol!r}: add a [[securities]] entry with its "
                "asset_class (or classes) and group",
            )
        return info

    def household_symbols(self) -> list[str]:
        """Symbols listed in the household file, in table order."""
        return [s for s, info in self.entries.items() if info.source == "household"]


def classes_held(securities: Iterable[Security]) -> set[str]:
    """Classes with a positive weight in any of ``securities`` (price-only entries, not yet
    merged with their bundled entry, hold none)."""
    out: set[str] = set()
    for sec in securities:
        if sec.asset_class is not None or sec.classes is not None:
            out.update(c for c, w in sec.split.items() if w > 0)
    return out


def security_table(securities: list[Security], *, bundled: bool = True) -> SecurityTable:
    """Merge the household's ``[[securities]]`` over the bundled map.

    An entry without ``asset_class`` or ``classes`` completes the bundled entry of its
    symbol (see the module docstring). Raises :class:`InputError` on a symbol listed twice in
    the household file, or on an entry with no class whose symbol is not bundled.
    """
    base = bundled_securities()
    entries: dict[str, SecurityInfo] = dict(base) if bundled else {}
    seen: set[str] = set()
    for j, sec in enumerate(securities):
        key = normalize(sec.symbol)
        if key in seen:
            raise InputError(f"securities[{j}].symbol", f"{sec.symbol!r} is listed twice")
        seen.add(key)
        if sec.asset_class is None and sec.classes is None:
            entries[key] = _completed(sec, base.get(key) if bundled else None, j)
        else:
            entries[key] = SecurityInfo(sec, "household")
    return SecurityTable(entries)


def _completed(sec: Security, found: SecurityInfo | None, j: int) -> SecurityInfo:
    """A household entry with no class, merged with the bundled entry of its symbol."""
    if found is None:
        raise InputError(
            f"securities[{j}].asset_class",
            f"{sec.symbol!r} is not a bundled symbol: give its asset_class (or classes)",
        )
    merged = found.security.model_copy(
        update={
            "symbol": sec.symbol,
            "price": sec.price if sec.price is not None else found.security.price,
            "group": sec.group if sec.group is not None else found.security.group,
        }
    )
    return SecurityInfo(merged, "household", found.name, found.index)
