"""Tax-aware rebalancing across accounts, lot by lot (DESIGN.md §4; docs/rebalance.md).

Typical use::

    from assetloc import load_household
    from assetloc.rebalance import rebalance
    result = rebalance(load_household("examples/rebalance.toml"))
    result.to_frame()
"""

from assetloc.rebalance.engine import rebalance
from assetloc.rebalance.result import LotSale, RebalanceResult, Trade

__all__ = ["LotSale", "RebalanceResult", "Trade", "rebalance"]
