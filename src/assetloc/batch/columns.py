"""The headline numbers of a task's result as flat columns (used for Parquet OUTPUT only).

Each task lists its columns declaratively: a name template and a path into the ``--json``
document. In a path, ``*`` stands for every key of an object and ``[id]`` for every item
of a list of objects, named by its ``id`` field (``[class]``: by its ``class`` field); each
stands in for one ``{}`` of the name, in order. A last step ``#`` counts a list's items.
``Col("holdings.{}.{}", "accounts.[id].holdings.*")`` gives one column per account and
class, e.g. ``holdings.brokerage.us_equity_large_cap`` (dollars). Units are those of the
document: dollars, decimals per year, bp."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

#: a column's Arrow type: ``float`` → float64, ``int`` → int64, ``str`` → string
Kind = Literal["float", "int", "str"]
#: one flattened value: a JSON scalar
Value = float | int | str | None


@dataclass(frozen=True)
class Col:
    """A family of columns: ``name`` with one ``{}`` per wildcard of ``path``."""

    name: str
    path: str
    kind: Kind = "float"

    def values(self, doc: Any) -> list[tuple[str, Value]]:
        """``(column name, value)`` for every leaf of ``doc`` the path reaches (missing: none)."""
        parts = self.name.split("{}")  # the name between its wildcards
        frontier: list[tuple[str, Any]] = [(parts[0], doc)]  # (name so far, node)
        j = 0
        for step in self.path.split("."):
            if step == "*":
                j += 1
                tail = parts[j]
                frontier = [
                    (name + k + tail, v)
                    for name, node in frontier
                    if isinstance(node, dict)
                    for k, v in node.items()
                ]
            elif step.startswith("["):
                j += 1
                tail, key = parts[j], step[1:-1]
                frontier = [
                    (name + str(v[key]) + tail, v)
                    for name, node in frontier
                    if isinstance(node, list)
                    for v in node
                    if isinstance(v, dict) and key in v
                ]
            elif step == "#":
                frontier = [(name, len(node)) for name, node in frontier if isinstance(node, list)]
            else:
                frontier = [
                    (name, node[step])
                    for name, node in frontier
                    if isinstance(node, dict) and step in node
                ]
        # only values of the column's kind (a bool is not a number here): anything else,
        # e.g. an object where a leaf should be, is not this path's shape and is left null
        ok = _KINDS[self.kind]
        return [(n, v) for n, v in frontier if _fits(v, ok)]


#: the Python types a column of each kind takes
_KINDS: dict[Kind, tuple[type, ...]] = {"float": (float, int), "int": (int,), "str": (str,)}


def _fits(value: Any, types: tuple[type, ...]) -> bool:
    """Whether ``value`` is one of ``types`` (never a bool)."""
    return isinstance(value, types) and not isinstance(value, bool)


#: the headline columns of each task, in column order (families; their members in order
#: of first appearance over the rows)
COLUMNS: dict[str, tuple[Col, ...]] = {
    "optimize": (
        Col("balance", "household.balance"),
        Col("after_tax_wealth", "household.after_tax_wealth"),
        Col("mix.{}", "household.mix.*"),
        Col("mix_pre_tax.{}", "household.mix_pre_tax.*"),
        Col("holdings.{}.{}", "accounts.[id].holdings.*"),
        Col("metrics.{}", "metrics.*"),
        Col("improvement_bp.{}.{}", "improvement_bp.*.*"),
    ),
    "taxes": (
        Col("rates.{}", "rates.*"),
        Col("effective_tax_rate.{}", "classes.[id].effective_tax_rate"),
        Col("tax_cost_ratio.{}", "classes.[id].tax_cost_ratio"),
        Col("after_tax_return.{}.{}", "classes.[id].after_tax_return.*"),
    ),
    "tax-year": (
        Col("year", "year", "int"),
        Col("filing_status", "filing_status", "str"),
        Col("federal.agi", "federal.agi"),
        Col("federal.taxable_income", "federal.taxable_income"),
        Col("federal.niit", "federal.niit"),
        Col("federal.total", "federal.total"),
        Col("state.tax", "state.tax"),
        Col("total_tax", "total_tax"),
        Col("average_rate", "average_rate"),
        Col("marginal_rates.{}", "marginal_rates.*"),
    ),
    "rebalance": (
        Col("action", "action", "str"),
        Col("trades", "trades.#", "int"),
        Col("tax.estimated_tax", "tax.estimated_tax"),
        Col("tax.short_term_gain", "tax.short_term_gain"),
        Col("tax.long_term_gain", "tax.long_term_gain"),
        Col("tax.disallowed_loss", "tax.disallowed_loss"),
        Col("trading_costs", "trading_costs"),
        Col("cost_benefit.utility_gain_bp", "cost_benefit.utility_gain_bp"),
        Col("cost_benefit.net_benefit", "cost_benefit.net_benefit"),
        Col("cost_benefit.break_even_years", "cost_benefit.break_even_years"),
        Col("distance_from_target", "cost_benefit.distance_from_target.dollars"),
        Col("mix_after.{}", "allocation.household.[class].after"),
        Col("holdings_after.{}.{}", "allocation.accounts.[id].after.*"),
    ),
    "harvest": (
        Col("as_of", "as_of", "str"),
        Col("candidates", "candidates.#", "int"),
    ),
    "simulate": (
        Col("paths", "paths", "int"),
        Col("years", "years", "int"),
        Col("terminal_wealth.{}.{}", "strategies.*.terminal_wealth.*"),
        Col("spending.{}.{}", "strategies.*.spending.*"),
        Col("lifetime_tax.{}.{}", "strategies.*.lifetime_tax.*"),
        Col("location_value_bp.{}.{}", "location_value_bp.*.*"),
    ),
}


def columns_of(task: str) -> tuple[Col, ...]:
    """The headline column families of ``task`` (none for a task not listed: ``result`` only)."""
    return COLUMNS.get(task, ())


def flatten(task: str, doc: Any) -> list[tuple[int, str, Value]]:
    """``(family index, column name, value)`` of ``doc`` (a task's result; None: nothing)."""
    if doc is None:
        return []
    return [(k, name, v) for k, col in enumerate(columns_of(task)) for name, v in col.values(doc)]
