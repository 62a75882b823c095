"""The ``--json`` documents of the commands, built in one place for the CLI and the batch.

Each takes a loaded household (:class:`~assetloc.ledger.context.WithLedger`) and returns
the dict that ``assetloc TASK FILE --json`` prints through :func:`jsonout.dumps`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assetloc.ledger.context import WithLedger


def optimize_document(loaded: WithLedger) -> dict[str, Any]:
    """``optimize --json``: the plan's dict (dollars, decimals per year)."""
    from assetloc.analysis.optimize import optimize

    return optimize(loaded.household).to_dict()


def taxes_document(loaded: WithLedger) -> dict[str, Any]:
    """``taxes --json``: effective rates per class, the ledger's notes first."""
    from assetloc.analysis.tax_summary import tax_summary

    d = tax_summary(loaded.household).to_dict()
    d["assumptions"] = [*loaded.notes, *d["assumptions"]]
    return d


def tax_year_document(loaded: WithLedger) -> dict[str, Any]:
    """``tax-year --json``: the year's return; where the gains came from (the ledger)."""
    from assetloc.tax.household_return import return_document

    d = return_document(loaded.household)
    if loaded.notes:
        d["assumptions"] = [*loaded.notes, *d["assumptions"]]
        d["income_source"] = "; ".join([d["income_source"], *loaded.notes])
    return d


#: the task name (as the CLI spells the command) → its document builder
DOCUMENTS: dict[str, Callable[[WithLedger], dict[str, Any]]] = {
    "optimize": optimize_document,
    "taxes": taxes_document,
    "tax-year": tax_year_document,
}
