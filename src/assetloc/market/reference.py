"""What a household can buy and what the market holds: per preset, the classes investable
through public index funds or ETFs, each class's broad region, and the weights of the
global market reference portfolio (``data/market_reference.toml``, SSGA Global Market
Portfolio 2025, split into the preset's classes as that file documents).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from assetloc.market.assumptions import muni_yields

REFERENCE_FILE = "market_reference.toml"
REGIONS = ("us_stocks", "non_us_stocks", "bonds")  # the broad regions a note asks about


@dataclass(frozen=True)
class PresetReference:
    """One preset's reference data.

    Attributes
    ----------
    weights : class id → market value in USD billions (classes absent have no weight).
    not_investable : class id → why a household cannot hold it through public funds.
    region : class id → ``us_stocks`` | ``non_us_stocks`` | ``bonds`` | ``cash`` |
        ``real_estate``.
    derived : class id → (base class id, ratio): the class's equilibrium return is ratio ×
        the base's (municipal bonds: the AAA muni / Treasury yield ratio × the Treasury
        share of the core bond's yield, ``data/muni_yields.toml``, as the preset prices the
        class itself).
    source, date : where the market values come from.
    """

    derived: Mapping[str, tuple[str, float]]
    weights: Mapping[str, float]
    not_investable: Mapping[str, str]
    region: Mapping[str, str]
    source: str
    date: str


def _share(split: Mapping[str, float], key: str) -> float:
    if key == "all":
        return 1.0
    if key.startswith("1-"):
        return 1.0 - float(split[key[2:]])
    return float(split[key])


def _weight(
    terms: list[list[Any]], totals: Mapping[str, float], split: Mapping[str, float]
) -> float:
    """Σ total × share (× an optional factor) over the class's terms, USD billions."""
    out = 0.0
    for term in terms:
        factor = float(term[2]) if len(term) > 2 else 1.0
        out += float(totals[term[0]]) * _share(split, str(term[1])) * factor
    return out


@cache
def _data() -> dict[str, Any]:
    text = resources.files("assetloc.data").joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def preset_reference(name: str) -> PresetReference | None:
    """The reference data of preset ``name`` (None for a preset without any)."""
    data = _data()
    spec = data["presets"].get(name)
    if spec is None:
        return None
    totals, split = data["gmp_2025"], data["split"]
    weights = {cid: _weight(terms, totals, split) for cid, terms in spec["weights"].items()}
    ratio = muni_yields().core_multiplier
    derived = {cid: (str(base), ratio) for cid, base in spec.get("muni_from", {}).items()}
    return PresetReference(
        derived=derived,
        weights=weights,
        not_investable=dict(spec.get("not_investable", {})),
        region=dict(spec.get("region", {})),
        source=str(data["source"]),
        date=str(data["date"]),
    )
