"""assetloc: tax-aware allocation and location across a household's accounts.

Estimates, not tax advice. Typical use::

    import assetloc
    household = assetloc.load_household("examples/three_accounts.toml")
    plan = assetloc.optimize(household)
    plan.to_frame()
    plan.mix, plan.holdings, plan.summary()
    plan.plot_allocation()

Every command is one function here: optimize, validate, compare, frontiers, rebalance,
harvest, import_holdings, tax_summary (``taxes``), tax_year, analyze_bond and the bond
functions, report, household_schema (``schema``), preset_names / load_preset (``presets``),
and the ledger's import_file (``ledger import``), open_lots (``ledger lots``), realized
(``ledger realized``) and ledger_inputs (the household's ledger read for the engine).

The names below are loaded on first use (PEP 562): ``import assetloc`` itself imports
nothing heavy (not even numpy or the package metadata), so the command line starts fast.
To export a name, add it to ``_EXPORTS`` (name → module; ``_ALIASES`` when it is renamed),
``__all__`` and the ``TYPE_CHECKING`` imports (for mypy and IDEs); ``tests/test_package.py``
checks they agree.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from assetloc.harvest.result import HarvestResult
    from assetloc.harvest.run import harvest
    from assetloc.inputs.household import (
        Household,
        household_schema,
        load_household,
        parse_household,
    )
    from assetloc.ledger.api import import_file, open_lots, realized
    from assetloc.ledger.source import ledger_inputs
    from assetloc.market.assumptions import MarketAssumptions, load_preset, preset_names
    from assetloc.model.problem import Problem, build_problem
    from assetloc.present.html import report
    from assetloc.present.report_data import ReportData, report_data
    from assetloc.rebalance.csv_import import import_holdings
    from assetloc.rebalance.engine import rebalance
    from assetloc.rebalance.result import RebalanceResult
    from assetloc.tax.household_return import TaxYear, tax_year
    from assetloc.validation import validate

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
    "import_file": "assetloc.ledger.api",
    "open_lots": "assetloc.ledger.api",
    "realized": "assetloc.ledger.api",
    "ledger_inputs": "assetloc.ledger.source",
    "MarketAssumptions": "assetloc.market.assumptions",
    "load_preset": "assetloc.market.assumptions",
    "preset_names": "assetloc.market.assumptions",
    "Problem": "assetloc.model.problem",
    "build_problem": "assetloc.model.problem",
    "Metrics": "assetloc.analysis.plan",
    "Plan": "assetloc.analysis.plan",
    "optimize": "assetloc.analysis.optimize",
    "Comparison": "assetloc.analysis.compare",
    "compare": "assetloc.analysis.compare",
    "Frontier": "assetloc.analysis.frontier",
    "Frontiers": "assetloc.analysis.frontier",
    "frontiers": "assetloc.analysis.frontier",
    "TaxSummary": "assetloc.analysis.tax_summary",
    "tax_summary": "assetloc.analysis.tax_summary",
    "BondTaxRates": "assetloc.bonds",
    "after_tax_yields": "assetloc.bonds",
    "make_bond": "assetloc.bonds",
    "price_from_yield": "assetloc.bonds",
    "yield_from_price": "assetloc.bonds",
    "report": "assetloc.present.html",
    "ReportData": "assetloc.present.report_data",
    "report_data": "assetloc.present.report_data",
    "harvest": "assetloc.harvest.run",
    "HarvestResult": "assetloc.harvest.result",
    "import_holdings": "assetloc.rebalance.csv_import",
    "rebalance": "assetloc.rebalance.engine",
    "RebalanceResult": "assetloc.rebalance.result",
    "TaxYear": "assetloc.tax.household_return",
    "tax_year": "assetloc.tax.household_return",
    "validate": "assetloc.validation",
}

#: public name → (module, attribute) where the public name differs from the definition
_ALIASES: dict[str, tuple[str, str]] = {
    "analyze_bond": ("assetloc.bonds", "analyze"),
    "bond_measures": ("assetloc.bonds", "measures"),
}

__all__ = [
    "AssetlocError",
    "BondTaxRates",
    "Comparison",
    "Frontier",
    "Frontiers",
    "HarvestResult",
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
    "harvest",
    "household_schema",
    "import_file",
    "import_holdings",
    "ledger_inputs",
    "load_household",
    "load_preset",
    "make_bond",
    "open_lots",
    "optimize",
    "parse_household",
    "preset_names",
    "price_from_yield",
    "realized",
    "rebalance",
    "report",
    "report_data",
    "tax_summary",
    "tax_year",
    "validate",
    "yield_from_price",
]


def __getattr__(name: str) -> Any:
    """Import the module behind a public name on first access and cache the name here."""
    if name in _ALIASES:
        module, attr = _ALIASES[name]
    elif name in _EXPORTS:
        module, attr = _EXPORTS[name], name
    else:
        raise AttributeError(f"module 'assetloc' has no attribute {name!r}")
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names with the module's own, for ``dir()`` and tab completion."""
    return sorted({*globals(), *__all__})
