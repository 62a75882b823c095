"""Type stub of the C translation of :func:`assetloc.present.jsonout.reference_clean`."""

from collections.abc import Callable
from typing import Any

def clean(obj: Any, key: Any = None, parent: Any = None) -> Any: ...
def configure(
    dollar_keys: frozenset[str],
    dollar_maps: frozenset[str],
    dollar_stats: frozenset[str],
    share_keys: frozenset[str],
    share_maps: frozenset[str],
    decimal_maps: frozenset[str],
    price_keys: frozenset[str],
    round_map: Callable[..., Any],
    clean_other: Callable[..., Any],
    decimal: Callable[[float], float],
    round: Callable[[float, int], float],
    fsum: Callable[..., float],
) -> None: ...
