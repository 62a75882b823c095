"""Every tax concept of the project: the one-year return and what is derived from it."""

from assetloc.tax.engine import NOT_MODELLED
from assetloc.tax.income import INCOME_KEYS, Filer, Income
from assetloc.tax.law import STATUSES, supported_years, year_law
from assetloc.tax.year_return import (
    MARGINAL_KINDS,
    MarginalRate,
    TaxReturn,
    batch_returns,
    tax_return,
    total_tax,
)

__all__ = [
    "INCOME_KEYS",
    "MARGINAL_KINDS",
    "NOT_MODELLED",
    "STATUSES",
    "Filer",
    "Income",
    "MarginalRate",
    "TaxReturn",
    "batch_returns",
    "supported_years",
    "tax_return",
    "total_tax",
    "year_law",
]
