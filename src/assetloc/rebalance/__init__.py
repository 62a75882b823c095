"""Tax-aware rebalancing across accounts, lot by lot (DESIGN.md §4; docs/rebalance.md).

Typical use::

    import assetloc
    result = assetloc.rebalance(assetloc.load_household("examples/rebalance.toml"))
    result.to_frame()

``assetloc.rebalance`` is both this package and the function: once the package is imported,
Python binds the name ``rebalance`` on ``assetloc`` to the package itself, so the package is
made callable (calling it calls :func:`assetloc.rebalance.engine.rebalance`) and
``assetloc.rebalance(household)`` works however the package was first imported.
"""

import sys
from types import ModuleType
from typing import Any

from assetloc.rebalance.engine import rebalance
from assetloc.rebalance.result import LotSale, RebalanceResult, Trade

__all__ = ["LotSale", "RebalanceResult", "Trade", "rebalance"]


class _CallablePackage(ModuleType):
    """This package, callable as :func:`~assetloc.rebalance.engine.rebalance`."""

    def __call__(self, *args: Any, **kwargs: Any) -> RebalanceResult:
        """Rebalance: the same arguments and result as :func:`rebalance`."""
        return rebalance(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
