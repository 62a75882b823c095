"""assetloc: tax-aware allocation and location across a household's accounts.

Estimates, not tax advice. Typical use::

    import assetloc
    household = assetloc.load_household("examples/three_accounts.toml")
    plan = assetloc.optimize(household)
    plan.to_frame()

The names below are loaded on first use (PEP 562): ``import assetloc`` itself imports
nothing heavy (not even numpy or the package metadata), so the command line starts fast.
To export a name, add it to ``_EXPORTS`` (name → module), ``__all__`` and the
``TYPE_CHECKING`` imports (for mypy and IDEs); ``tests/test_package.py`` checks they agree.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assetloc._version import __version__
    from assetloc.analysis.optimize import optimize
    from assetloc.analysis.plan import Metrics, Plan
    from assetloc.errors import AssetlocError, InfeasibleError, InputError, SolverError
    from assetloc.inputs.household import (
        Household,
        household_schema,
        load_household,
        parse_household,
    )
    from assetloc.market.assumptions import MarketAssumptions, load_preset, preset_names
    from assetloc.model.problem import Problem, build_problem

#: public name → the module that defines it (imported when the name is first read)
_EXPORTS: dict[str, str] = {
    "__version__": "assetloc._version",
    "AssetlocError": "assetloc.errors",
    "InfeasibleError": "assetloc.errors",
    "InputError": "assetloc.errors",
    "SolverError": "assetloc.errors",
    "Household": "assetloc.inputs.household",
    "household_schema": "assetloc.inputs.household",
    "load_household": "assetloc.inputs.household",
    "parse_household": "assetloc.inputs.household",
    "MarketAssumptions": "assetloc.market.assumptions",
    "load_preset": "assetloc.market.assumptions",
    "preset_names": "assetloc.market.assumptions",
    "Problem": "assetloc.model.problem",
    "build_problem": "assetloc.model.problem",
    "Metrics": "assetloc.analysis.plan",
    "Plan": "assetloc.analysis.plan",
    "optimize": "assetloc.analysis.optimize",
}

__all__ = [
    "AssetlocError",
    "Household",
    "InfeasibleError",
    "InputError",
    "MarketAssumptions",
    "Metrics",
    "Plan",
    "Problem",
    "SolverError",
    "__version__",
    "build_problem",
    "household_schema",
    "load_household",
    "load_preset",
    "optimize",
    "parse_household",
    "preset_names",
]


def __getattr__(name: str) -> Any:
    """Import the module behind a public name on first access and cache the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assetloc' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names with the module's own, for ``dir()`` and tab completion."""
    return sorted({*globals(), *__all__})
