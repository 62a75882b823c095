"""Tax-loss harvesting: candidate lots, their replacement, tax value and wash-sale conflicts.

Typical use::

    import assetloc
    result = assetloc.harvest(assetloc.load_household("household.toml"))
    result.to_dict()

``assetloc.harvest`` is both this package and the function (as ``assetloc.rebalance`` is):
the package is callable, and calling it calls :func:`assetloc.harvest.run.harvest`.
"""

import sys
from types import ModuleType
from typing import Any

from assetloc.harvest.result import Candidate, HarvestResult
from assetloc.harvest.run import harvest

__all__ = ["Candidate", "HarvestResult", "harvest"]


class _CallablePackage(ModuleType):
    """This package, callable as :func:`~assetloc.harvest.run.harvest`."""

    def __call__(self, *args: Any, **kwargs: Any) -> HarvestResult:
        """Harvest: the same arguments and result as :func:`harvest`."""
        return harvest(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
