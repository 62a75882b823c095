"""Tax-loss harvesting: candidate lots, their replacement, tax value and wash-sale conflicts.

``harvest(h)`` (:mod:`assetloc.harvest.run`) → :class:`~assetloc.harvest.result.HarvestResult`.
"""

from __future__ import annotations

from assetloc.harvest.result import Candidate, HarvestResult
from assetloc.harvest.run import harvest

__all__ = ["Candidate", "HarvestResult", "harvest"]
