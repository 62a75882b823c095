"""After-tax values of accounts and the τ factors that scale return and risk.

DESIGN.md §1: an after-tax dollar is worth ``v`` per dollar of balance: 1 in taxable,
Roth and a tax-free HSA; 1 − t_ret in a traditional account (``after_tax`` basis) or 1
(``face`` basis); an HSA treated as tax-deferred is valued like a traditional account.
§2–3: in a taxable account a class keeps τ = 1 − t of its return and risk; elsewhere τ = 1.
"""

from __future__ import annotations

import numpy as np

from assetloc.assumptions import FloatArray
from assetloc.household import Investor, Options

TAX_FREE_TYPES = frozenset({"roth"})


def is_tax_deferred(account_type: str, options: Options) -> bool:
    """True for accounts whose withdrawals are taxed as ordinary income."""
    return account_type == "traditional" or (
        account_type == "hsa" and options.hsa_treatment == "tax_deferred"
    )


def is_tax_free(account_type: str, options: Options) -> bool:
    """True for Roth accounts and for an HSA treated as tax-free."""
    return account_type == "roth" or (account_type == "hsa" and options.hsa_treatment == "tax_free")


def account_value_factors(
    types: tuple[str, ...], investor: Investor, options: Options
) -> FloatArray:
    """After-tax dollars per dollar of balance for each account (decimal)."""
    v = np.ones(len(types))
    if options.tax_deferred_basis == "after_tax":
        for k, t in enumerate(types):
            if is_tax_deferred(t, options):
                v[k] = 1.0 - investor.withdrawal_rate
    return v


def tau_matrix(types: tuple[str, ...], taxable_rates: FloatArray) -> FloatArray:
    """τ[k, i]: share of class i's return (and risk) kept in account k, shape (K, n)."""
    tau = np.ones((len(types), len(taxable_rates)))
    for k, t in enumerate(types):
        if t == "taxable":
            tau[k] = 1.0 - taxable_rates
    return tau
