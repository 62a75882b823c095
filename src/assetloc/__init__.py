"""assetloc: tax-aware allocation and location across a household's accounts.

Estimates, not tax advice. Typical use::

    import assetloc
    household = assetloc.load_household("examples/three_accounts.toml")
    plan = assetloc.optimize(household)
    plan.mix, plan.holdings, plan.summary()
    plan.plot_allocation()

Every command is one function here: optimize, validate, compare, frontiers, rebalance,
import_holdings, tax_summary (``taxes``), tax_year, analyze_bond and the bond functions,
report, household_schema (``schema``), preset_names / load_preset (``presets``).
"""

from assetloc._version import __version__
from assetloc.analysis.compare import Comparison, compare
from assetloc.analysis.frontier import Frontier, Frontiers, frontiers
from assetloc.analysis.optimize import optimize
from assetloc.analysis.plan import Metrics, Plan
from assetloc.analysis.tax_summary import TaxSummary, tax_summary
from assetloc.bonds import (
    BondTaxRates,
    after_tax_yields,
    make_bond,
    price_from_yield,
    yield_from_price,
)
from assetloc.bonds import analyze as analyze_bond
from assetloc.bonds import measures as bond_measures
from assetloc.errors import AssetlocError, InfeasibleError, InputError, SolverError
from assetloc.inputs.household import Household, household_schema, load_household, parse_household
from assetloc.market.assumptions import MarketAssumptions, load_preset, preset_names
from assetloc.model.problem import Problem, build_problem
from assetloc.present.html import report
from assetloc.present.report_data import ReportData, report_data
from assetloc.rebalance.csv_import import import_holdings
from assetloc.rebalance.engine import rebalance
from assetloc.rebalance.result import RebalanceResult
from assetloc.tax.household_return import TaxYear, tax_year
from assetloc.validation import validate

__all__ = [
    "AssetlocError",
    "BondTaxRates",
    "Comparison",
    "Frontier",
    "Frontiers",
    "Household",
    "InfeasibleError",
    "InputError",
    "MarketAssumptions",
    "Metrics",
    "Plan",
    "Problem",
    "RebalanceResult",
    "ReportData",
    "SolverError",
    "TaxSummary",
    "TaxYear",
    "__version__",
    "after_tax_yields",
    "analyze_bond",
    "bond_measures",
    "build_problem",
    "compare",
    "frontiers",
    "household_schema",
    "import_holdings",
    "load_household",
    "load_preset",
    "make_bond",
    "optimize",
    "parse_household",
    "preset_names",
    "price_from_yield",
    "rebalance",
    "report",
    "report_data",
    "tax_summary",
    "tax_year",
    "validate",
    "yield_from_price",
]
