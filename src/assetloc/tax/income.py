"""A household's income for one tax year, and who files (dollars per year).

:class:`Income` holds exactly the keys of the household file's ``[income]`` table; every
amount is in dollars, >= 0 except the two net gains, which may be negative (a net loss).
:class:`Filer` says who files: status, year, ages and the flat state rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from assetloc.errors import InputError
from assetloc.inputs.limits import MAX_DOLLARS
from assetloc.units import usd

#: The ``[income]`` keys, in the order of the return.
INCOME_KEYS: tuple[str, ...] = (
    "wages",
    "taxable_interest",
    "treasury_interest",
    "tax_exempt_interest",
    "ordinary_dividends",
    "qualified_dividends",
    "short_term_gains",
    "long_term_gains",
    "short_term_carryforward",
    "long_term_carryforward",
    "ira_distributions",
    "roth_conversions",
    "social_security",
    "itemized_deductions",
)
#: Keys that may be negative (a net loss of the year, before carryforwards).
SIGNED_KEYS: frozenset[str] = frozenset({"short_term_gains", "long_term_gains"})


@dataclass(frozen=True)
class Income:
    """One year's income, dollars (see the README's ``[income]`` table).

    ``ordinary_dividends`` include ``qualified_dividends``; ``treasury_interest`` is
    federally taxable interest exempt from state tax; ``tax_exempt_interest`` is municipal
    interest (federally exempt; state-taxed unless of the filer's state); the two gains are
    the year's net short- and long-term gains (negative for a net loss); the carryforwards
    are losses carried in from earlier years (positive numbers); ``roth_conversions`` are
    taxed as ordinary income like IRA distributions; ``social_security`` is gross benefits.
    """

    wages: float = 0.0
    taxable_interest: float = 0.0
    treasury_interest: float = 0.0
    tax_exempt_interest: float = 0.0
    ordinary_dividends: float = 0.0
    qualified_dividends: float = 0.0
    short_term_gains: float = 0.0
    long_term_gains: float = 0.0
    short_term_carryforward: float = 0.0
    long_term_carryforward: float = 0.0
    ira_distributions: float = 0.0
    roth_conversions: float = 0.0
    social_security: float = 0.0
    itemized_deductions: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"income.{f.name}", f"must be a number of dollars, got {value!r}")
            if not math.isfinite(value) or abs(value) > MAX_DOLLARS:
                raise InputError(f"income.{f.name}", f"must be a finite amount, got {value!r}")
            if value < 0 and f.name not in SIGNED_KEYS:
                raise InputError(
                    f"income.{f.name}",
                    f"must be >= 0 dollars, got {value!r}"
                    + (" (a carryforward is a positive number)" if "carry" in f.name else ""),
                )
            object.__setattr__(self, f.name, float(value))
        if self.qualified_dividends > self.ordinary_dividends:
            raise InputError(
                "income.qualified_dividends",
                f"{usd(self.qualified_dividends, 2)} exceeds ordinary_dividends "
                f"{usd(self.ordinary_dividends, 2)}, which include them",
            )

    def plus(self, **extra: float) -> Income:
        """This income with amounts added to some keys (dollars)."""
        return replace(self, **{k: getattr(self, k) + v for k, v in extra.items()})

    def as_dict(self) -> dict[str, float]:
        """Every key, dollars."""
        return {k: getattr(self, k) for k in INCOME_KEYS}


@dataclass(frozen=True)
class Filer:
    """Who files: status, tax year, ages (years; ``None`` = under 65), state tax.

    ``state_rate`` is a flat decimal rate on state taxable income; ``muni_in_state`` says
    the municipal interest is of the filer's state (state-exempt).
    """

    filing_status: str
    year: int
    age: int | None = None
    spouse_age: int | None = None
    state_rate: float = 0.0
    muni_in_state: bool = False

    @property
    def joint(self) -> bool:
        """A joint return (two people's ages count)."""
        return self.filing_status == "married_filing_jointly"

    @property
    def people_65(self) -> int:
        """Persons on the return aged 65 or older at the end of the year."""
        head = int(self.age is not None and self.age >= 65)
        spouse = int(self.joint and self.spouse_age is not None and self.spouse_age >= 65)
        return head + spouse
