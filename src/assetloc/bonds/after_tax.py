"""After-tax yields of a bond's interest: federal, state, and the taxable equivalent.

Decimals per year. State tax is assumed not deductible against federal tax (SALT cap).
"""

from __future__ import annotations

from dataclasses import dataclass

from assetloc.bonds.schedule import check_finite
from assetloc.errors import InputError
from assetloc.inputs.limits import decimal_hint
from assetloc.tax.interest import interest_tax

# --------------------------------------------------------------------------- after tax


@dataclass(frozen=True)
class BondTaxRates:
    """Marginal income-tax rates and the bond's tax status.

    Attributes
    ----------
    federal : float
        Federal ordinary-income rate, decimal, 0 <= t < 1.
    state : float
        State (and local) income rate, decimal, 0 <= t < 1.
    muni : bool
        Municipal bond: interest free of federal tax.
    in_state : bool
        Muni issued in the holder's state: interest also free of state tax.
    treasury : bool
        US Treasury: interest free of state tax.
    """

    federal: float = 0.0
    state: float = 0.0
    muni: bool = False
    in_state: bool = False
    treasury: bool = False

    def __post_init__(self) -> None:
        for name in ("federal", "state"):
            rate = check_finite(f"{name}_rate", getattr(self, name))
            if not (0.0 <= rate < 1.0):
                raise InputError(
                    f"{name}_rate",
                    f"must be in [0, 1), got {rate}" + decimal_hint("rate", rate, 1.0),
                )
        if self.federal + self.state >= 1.0:
            raise InputError(
                "state_rate",
                f"federal + state rate must be below 1, got {self.federal + self.state}",
            )
        if self.muni and self.treasury:
            raise InputError("treasury", "a bond cannot be both a muni and a Treasury")
        if self.in_state and not self.muni:
            raise InputError("in_state", "applies only to a municipal bond (muni)")

    @property
    def combined(self) -> float:
        """Rate on fully taxable interest, ``federal + state`` (state not deductible)."""
        return self.federal + self.state

    @property
    def rate_on_this_bond(self) -> float:
        """Rate that applies to this bond's interest."""
        fed, state = interest_tax(
            self.federal, self.state, muni=self.muni, in_state=self.in_state, treasury=self.treasury
        )
        return fed + state


@dataclass(frozen=True)
class AfterTaxYield:
    """After-tax and taxable-equivalent yields, decimal.

    Attributes
    ----------
    pre_tax : float
        The bond's yield.
    tax_rate : float
        Rate applied to this bond's interest.
    after_tax : float
        ``pre_tax (1 - tax_rate)``.
    taxable_equivalent : float
        Yield a fully taxable bond (federal + state) needs to give the same after-tax
        yield, ``after_tax / (1 - federal - state)``.
    combined_rate : float
        ``federal + state``.
    """

    pre_tax: float
    tax_rate: float
    after_tax: float
    taxable_equivalent: float
    combined_rate: float

    def to_dict(self) -> dict[str, float]:
        """Plain dict with ``after_tax_yield`` and ``taxable_equivalent_yield`` keys."""
        return {
            "pre_tax_yield": self.pre_tax,
            "tax_rate_on_interest": self.tax_rate,
            "after_tax_yield": self.after_tax,
            "taxable_equivalent_yield": self.taxable_equivalent,
            "combined_tax_rate": self.combined_rate,
        }


def after_tax_yields(y: float, rates: BondTaxRates) -> AfterTaxYield:
    """After-tax and taxable-equivalent yield of a bond yielding ``y`` (decimal).

    State tax is assumed not deductible against federal tax (SALT cap), so with
    ``t_f`` federal and ``t_s`` state rate, the combined rate is ``t_c = t_f + t_s`` and

    * taxable (corporate) bond: ``after = y (1 - t_f - t_s)``;
    * Treasury (state-exempt):   ``after = y (1 - t_f)``;
    * muni, in-state:            ``after = y``;
    * muni, out-of-state:        ``after = y (1 - t_s)``;
    * taxable-equivalent yield:  ``TEY = after / (1 - t_c)`` for every kind (for a
      corporate ``TEY = y``).

    Simplifications: the whole yield is treated as interest taxed each year at the
    ordinary rate (no capital-gain, market-discount, de minimis or AMT treatment).
    """
    y = check_finite("yield", y)
    rate = rates.rate_on_this_bond
    after = y * (1.0 - rate)
    return AfterTaxYield(
        pre_tax=y,
        tax_rate=rate,
        after_tax=after,
        taxable_equivalent=after / (1.0 - rates.combined),
        combined_rate=rates.combined,
    )
