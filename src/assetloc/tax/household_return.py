"""The household file's return for the year (``assetloc tax-year``), dollars.

The household's ``[income]`` table (or, failing that, its stated ordinary taxable income)
through the one-year engine, with the sentences every output of it carries.
:func:`tax_year` gives a :class:`TaxYear`: the return, where its income came from, its
assumptions, ``to_dict()`` (the JSON of ``assetloc tax-year``), labelled pandas views,
``summary()`` and ``plot()`` (the marginal rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.notice import DISCLAIMER, NOTICE
from assetloc.tax.engine import NOT_MODELLED
from assetloc.tax.situation import tax_situation
from assetloc.tax.year_return import TaxReturn
from assetloc.units import pct, usd

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

#: The federal lines of the return shown by ``to_frame()`` and ``summary()``: (key, label).
FEDERAL_LINES: tuple[tuple[str, str], ...] = (
    ("capital_gain_or_loss", "capital gain or (loss), after the loss limit"),
    ("taxable_social_security", "taxable Social Security"),
    ("agi", "adjusted gross income"),
    ("deduction", "deduction"),
    ("senior_deduction", "senior deduction (65+)"),
    ("taxable_income", "taxable income"),
    ("ordinary_tax", "tax on ordinary income"),
    ("capital_gains_tax", "tax on qualified dividends and gains"),
    ("niit", "net investment income tax"),
    ("total", "federal total"),
)


@dataclass(frozen=True)
class TaxYear:
    """The household's return for the year (dollars; rates decimal) and its provenance."""

    tax_return: TaxReturn
    income_source: str
    assumptions: tuple[str, ...]

    @property
    def year(self) -> int:
        """The tax year."""
        return int(self.tax_return.filer.year)

    @property
    def filing_status(self) -> str:
        """The filing status, e.g. ``married_filing_jointly``."""
        return str(self.tax_return.filer.filing_status)

    @property
    def total_tax(self) -> float:
        """Federal plus state tax, dollars."""
        return float(self.tax_return.total_tax)

    def to_dict(self) -> dict[str, Any]:
        """The return as JSON-ready data with its assumptions (dollars; rates decimal)."""
        return {
            **self.tax_return.to_dict(),
            "income_source": self.income_source,
            "assumptions": list(self.assumptions),
            "not_modelled": list(NOT_MODELLED),
            "notice": NOTICE,
            "disclaimer": DISCLAIMER,
        }

    def to_frame(self) -> pd.DataFrame:
        """The return's federal lines, state tax and total, indexed by line (dollars)."""
        import pandas as pd

        d = self.to_dict()
        rows = {label: float(d["federal"][key]) for key, label in FEDERAL_LINES}
        rows["state tax"] = float(d["state"]["tax"])
        rows["total tax"] = float(d["total_tax"])
        return pd.DataFrame({"dollars": pd.Series(rows)}).rename_axis("line")

    def marginal_rates(self) -> pd.DataFrame:
        """Tax of one more dollar of each kind of income: federal (incl. NIIT), NIIT, state,
        total (decimals), indexed by kind."""
        import pandas as pd

        rows = {
            kind: {"federal": m.federal, "niit": m.niit, "state": m.state, "total": m.total}
            for kind, m in self.tax_return.marginal.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("income")

    def __repr__(self) -> str:
        """One line: year, filing status, total tax and average rate."""
        ret = self.tax_return
        return (
            f"<TaxYear {self.year} {self.filing_status}: total tax {usd(ret.total_tax, 0)}, "
            f"average rate {pct(ret.average_rate, 1)} of AGI>"
        )

    def summary(self) -> str:
        """The return line by line (dollars) and the marginal rates (percent)."""
        lines = [repr(self)]
        for line, v in self.to_frame()["dollars"].items():
            lines.append(f"  {line:<46} {usd(v, 0):>13}")
        lines.append("marginal rates (federal incl. NIIT + state):")
        for kind, m in self.tax_return.marginal.items():
            lines.append(f"  {kind.replace('_', ' '):<46} {pct(m.total, 1):>12}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The return's lines as a small table for notebooks."""
        style = self.to_frame().style.format(lambda v: usd(v, 0))
        return str(style.set_caption(repr(self)).to_html())

    def plot(self, ax: Axes | None = None) -> Axes:
        """Marginal rates by kind of income, federal / NIIT / state stacked (a new figure
        without ``ax``)."""
        from assetloc.present import charts

        return charts.plot_marginal_rates(self, ax)


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


def tax_year(h: Household) -> TaxYear:
    """The household's return for the year (``assetloc tax-year``; needs ``filing_status``)."""
    ret = household_return(h)
    prof = tax_situation(h.investor, h.income).profile
    basis = (
        "the household's [income] table"
        if h.income is not None
        else "investor.taxable_income as wages (no [income] table): ordinary income only"
    )
    return TaxYear(tax_return=ret, income_source=basis, assumptions=tuple(prof.assumptions))


def return_document(h: Household) -> dict[str, Any]:
    """The return as JSON-ready data with its assumptions (dollars; rates decimal)."""
    return tax_year(h).to_dict()
