"""The notice every output carries: estimates, not tax advice.

:data:`NOTICE` closes every result (plan, comparison, frontier, rebalance, tax year, report)
and is its ``"notice"`` in JSON. :data:`DISCLAIMER` is the same warning as the last sentence
of a tax model's list of assumptions (``TaxProfile.assumptions``; ``"disclaimer"`` in the tax
year's JSON), where the full notice would repeat the one printed after the list.
"""

from __future__ import annotations

__all__ = ["DISCLAIMER", "NOTICE"]

NOTICE = (
    "Estimates, not tax advice: expected returns, risks, tax rates and tax law are "
    "assumptions; check current law and any decision with a qualified professional."
)

DISCLAIMER = "Estimates of tax, not tax advice."
