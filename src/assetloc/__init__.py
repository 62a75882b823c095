"""assetloc: tax-aware allocation and location across a household's accounts.

Estimates, not tax advice. Typical use::

    import assetloc
    household = assetloc.load_household("examples/three_accounts.toml")
    plan = assetloc.optimize(household)
    plan.to_frame()
"""

from assetloc._version import __version__
from assetloc.analysis.optimize import optimize
from assetloc.analysis.plan import Metrics, Plan
from assetloc.errors import AssetlocError, InfeasibleError, InputError, SolverError
from assetloc.inputs.household import Household, household_schema, load_household, parse_household
from assetloc.market.assumptions import MarketAssumptions, load_preset, preset_names
from assetloc.model.problem import Problem, build_problem

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
