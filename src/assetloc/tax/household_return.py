"""The household file's return for the year (``assetloc tax-year``), dollars.

The household's ``[income]`` table (or, failing that, its stated ordinary taxable income)
through the one-year engine, with the sentences every output of it carries.
"""

from __future__ import annotations

from typing import Any

from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.notice import DISCLAIMER, NOTICE
from assetloc.tax.engine import NOT_MODELLED
from assetloc.tax.situation import tax_situation
from assetloc.tax.year_return import TaxReturn


def household_return(h: Household) -> TaxReturn:
    """The year's return of the household (needs ``filing_status``)."""
    ret = None
    if h.investor.filing_status is not None:
        ret = tax_situation(h.investor, h.income).tax_return
    if ret is None:
        raise InputError(
            "investor.filing_status",
            "tax-year needs filing_status with an [income] table (or taxable_income); stated "
            "marginal rates have no return",
        )
    return ret


def return_document(h: Household) -> dict[str, Any]:
    """The return as JSON-ready data with its assumptions (dollars; rates decimal)."""
    ret = household_return(h)
    prof = tax_situation(h.investor, h.income).profile
    basis = (
        "the household's [income] table"
        if h.income is not None
        else "investor.taxable_income as wages (no [income] table): ordinary income only"
    )
    return {
        **ret.to_dict(),
        "income_source": basis,
        "assumptions": [*prof.assumptions],
        "not_modelled": list(NOT_MODELLED),
        "notice": NOTICE,
        "disclaimer": DISCLAIMER,
    }
