"""The ``--json`` documents of the commands, built in one place for the CLI and the batch.

Each takes a loaded household (:class:`~assetloc.ledger.context.WithLedger`) and returns
the dict that ``assetloc TASK FILE --json`` prints through :func:`jsonout.dumps`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assetloc.steps import Steps, run

if TYPE_CHECKING:
    from assetloc.ledger.context import WithLedger
    from assetloc.rebalance.result import RebalanceResult
    from assetloc.simulate.run import Progress
    from assetloc.types import RebalanceMode

#: the tasks whose household is loaded with the ledger's recent trades too
#: (``history=True``: the commands that apply the wash-sale rule)
HISTORY_TASKS = frozenset({"rebalance", "harvest"})


def optimize_document(loaded: WithLedger) -> dict[str, Any]:
    """``optimize --json``: the plan's dict (dollars, decimals per year)."""
    return run(optimize_document_steps(loaded))


def optimize_document_steps(loaded: WithLedger) -> Steps[dict[str, Any]]:
    """:func:`optimize_document` in stages (:mod:`assetloc.steps`)."""
    from assetloc.analysis.optimize import optimize_steps

    plan = yield from optimize_steps(loaded.household)
    yield
    return plan.to_dict()


def frontier_document(loaded: WithLedger, points: int = 50) -> dict[str, Any]:
    """``frontier --json``: the frontier of the optimized view (``points`` return targets)
    with the plan seen on it, then both views in full."""
    from assetloc.analysis.frontier import frontiers
    from assetloc.analysis.optimize import method_summary, optimize
    from assetloc.notice import NOTICE

    plan = optimize(loaded.household)
    fr = frontiers(loaded.household, points, plan.x)
    context = plan.problem.context
    main = fr[context].to_dict()
    return {
        "context": context,
        "points": main["points"],
        "optimum": main["optimum"],
        "indifference": main["indifference"],
        "chosen": main["chosen"],
        "views": {name: f.to_dict() for name, f in fr.items()},
        **method_summary(plan.problem.market),
        "notice": NOTICE,
    }


def compare_document(loaded: WithLedger) -> dict[str, Any]:
    """``compare --json``: every method in both views, the market used and the notice."""
    from assetloc.analysis.compare import compare
    from assetloc.analysis.optimize import method_summary
    from assetloc.notice import NOTICE

    cmp = compare(loaded.household)
    d = cmp.to_dict()
    d.update(method_summary(cmp.problem.market))
    d["notice"] = NOTICE
    return d


def presets_document() -> list[dict[str, Any]]:
    """``presets --json``: every bundled market with its classes (decimals per year)."""
    from assetloc.market.assumptions import load_preset, preset_names

    return [
        {
            "name": m.name,
            "source": m.source,
            "date": m.date,
            "cash_rate": m.cash_rate,
            "classes": [
                {
                    "id": c,
                    "label": lab,
                    "expected_return": float(r),
                    "volatility": float(v),
                    "effective_tax_rate_at_40pct": float(t),
                }
                for c, lab, r, v, t in zip(
                    m.ids, m.labels, m.expected_return, m.volatility, m.tax_rate, strict=True
                )
            ],
            "notes": list(m.notes),
        }
        for m in (load_preset(n) for n in preset_names())
    ]


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


def rebalance_result(
    loaded: WithLedger,
    *,
    mode: RebalanceMode | None = None,
    as_of: dt.date | None = None,
    tax_budget: float | None = None,
    gain_budget: float | None = None,
) -> RebalanceResult:
    """``rebalance``'s result (trades, tax in dollars) with the ledger's wash-sale history;
    the options (budgets in dollars) override the file's ``[rebalance]``."""
    from assetloc.rebalance import rebalance

    return rebalance(
        loaded.household,
        mode=mode,
        as_of=as_of,
        tax_budget=tax_budget,
        gain_budget=gain_budget,
        ledger=loaded.ledger,
        ledger_notes=loaded.notes,
    )


def rebalance_document(loaded: WithLedger) -> dict[str, Any]:
    """``rebalance --json`` with the file's ``[rebalance]`` settings: trades, lots, tax."""
    return rebalance_result(loaded).to_dict()


def harvest_document(
    loaded: WithLedger,
    *,
    as_of: dt.date | None = None,
    min_loss: float | None = None,
    min_loss_pct: float | None = None,
    discount_rate: float | None = None,
) -> dict[str, Any]:
    """``harvest --json``: loss lots worth selling; ``min_loss`` dollars, ``min_loss_pct``
    and ``discount_rate`` decimals (None: the command's defaults)."""
    from assetloc.harvest import harvest
    from assetloc.harvest.run import MIN_LOSS, MIN_LOSS_PCT

    return harvest(
        loaded.household,
        as_of=as_of,
        min_loss=MIN_LOSS if min_loss is None else min_loss,
        min_loss_pct=MIN_LOSS_PCT if min_loss_pct is None else min_loss_pct,
        discount_rate=discount_rate,
        ledger=loaded.ledger,
        ledger_notes=loaded.notes,
    ).to_dict()


def simulate_document(
    loaded: WithLedger,
    *,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    returns: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """``simulate --json``: strategies year by year; the options override ``[plan]``;
    ``elapsed_s`` is the run's wall time in seconds. No ``progress``: no bar."""
    from assetloc.simulate.run import simulate

    return simulate(
        loaded.household, paths=paths, years=years, seed=seed, returns=returns, progress=progress
    ).to_dict()


#: the task name (as the CLI spells the command) → its document builder
DOCUMENTS: dict[str, Callable[[WithLedger], dict[str, Any]]] = {
    "optimize": optimize_document,
    "taxes": taxes_document,
    "tax-year": tax_year_document,
    "rebalance": rebalance_document,
    "harvest": harvest_document,
    "simulate": simulate_document,
}
#: the tasks whose document is built in stages (a batch runs a chunk's in lockstep)
DOCUMENT_STEPS: dict[str, Callable[[WithLedger], Steps[dict[str, Any]]]] = {
    "optimize": optimize_document_steps,
}


def document_steps(task: str, loaded: WithLedger) -> Steps[dict[str, Any]]:
    """The document of ``task`` for ``loaded`` in stages: :data:`DOCUMENT_STEPS`, else
    :data:`DOCUMENTS`' builder as one stage."""
    staged = DOCUMENT_STEPS.get(task)
    if staged is not None:
        return (yield from staged(loaded))
    return DOCUMENTS[task](loaded)
