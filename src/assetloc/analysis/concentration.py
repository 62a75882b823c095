"""Plain-words notes on a concentrated household mix (shares of after-tax wealth F)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from assetloc.market.reference import REGIONS, preset_reference
from assetloc.types import FloatArray
from assetloc.units import pct

MAX_CLASS_SHARE = 0.40  # a class above this share of the household gets a note
ABSENT = 0.005  # a region below this share of the household counts as absent

_REGION_WORDS = {"us_stocks": "US stocks", "non_us_stocks": "non-US stocks", "bonds": "bonds"}


def concentration_notes(
    preset: str, ids: Sequence[str], labels: Sequence[str], mix: FloatArray
) -> list[str]:
    """Notes when a class exceeds 40% of the household or a broad region (US stocks, non-US
    stocks, bonds) is absent (under 0.5%). Regions come from the preset's reference data;
    inline classes get only the class note."""
    # plain floats: the same sums, without numpy's per-element cost
    shares = np.asarray(mix, dtype=float).tolist()
    notes = [
        f"{label} is {pct(w, 1)} of the household (more than {pct(MAX_CLASS_SHARE, 0)}): "
        "a concentrated position; check that this is intended."
        for label, w in zip(labels, shares, strict=True)
        if w > MAX_CLASS_SHARE + 1e-9  # a mix of exactly 40% is not "more than 40%"
    ]
    ref = preset_reference(preset)
    if ref is None:
        return notes
    for region, members in _region_members(preset, tuple(ids)):
        total = 0.0  # added left to right (sum() of floats compensates from Python 3.12)
        for i in members:
            total += shares[i]
        share = max(total, 0.0)
        if share < ABSENT:
            why = (
                "no class of it is in the universe"
                if not members
                else f"the optimum holds {pct(share, 1)}"
            )
            notes.append(
                f"The household holds no {_REGION_WORDS[region]} ({why}): the plan is not "
                "diversified across the broad regions."
            )
    return notes


@functools.lru_cache(maxsize=256)
def _region_members(preset: str, ids: tuple[str, ...]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Each region of ``preset``'s reference data with the indices of its classes in
    ``ids`` (a preset with reference data only; memoized: a book shares its universe)."""
    ref = preset_reference(preset)
    if ref is None:
        return ()
    return tuple(
        (region, tuple(i for i, c in enumerate(ids) if ref.region.get(c) == region))
        for region in REGIONS
    )
