"""simulate: the household year by year — returns, saving, spending, taxes, strategies.

Nothing is imported here at import time: ``from assetloc.simulate import simulate`` loads
``simulate.run`` on first use (PEP 562), so importing the package costs nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: public name → the module of this package that defines it
_EXPORTS: dict[str, str] = {
    "PlanSettings": "settings",
    "Timeline": "settings",
    "plan_settings": "settings",
    "timeline": "settings",
    "Scenarios": "returns",
    "scenarios": "returns",
    "Lifecycle": "lifecycle",
    "simulate": "run",
    "SimulationResult": "result",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
