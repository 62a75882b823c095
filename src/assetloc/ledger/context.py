"""The household as the ledger completes it: positions, recent trades and the year's gains.

:func:`apply_ledger` is the one place a household file meets its ledger (every command
that reads a household calls it through the CLI's loader): with a ``[ledger]`` table (or
a ``--db`` URL) it reads the transactions (:func:`assetloc.ledger.source.ledger_inputs`),
derives the lots and sales as of the trade date, and

* ``positions = true``: replaces every account's positions and lots by the ledger's
  (:func:`assetloc.ledger.positions.household_from_lots`);
* adds the ledger's purchases and taxable loss sales of the 30 days ending on the trade
  date to ``[[recent_trades]]`` (the wash-sale guard's window;
  :func:`assetloc.ledger.positions.recent_trades`);
* ``gains_to_income = true``: puts the year's recognized gains into ``[income]``
  (:mod:`assetloc.ledger.gains_feed`).

The result keeps the transactions and the derived history for the commands that apply the
ledger's wash-sale rule themselves (``harvest``, ``rebalance``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assetloc.inputs.holdings import LedgerSpec
from assetloc.inputs.household import Household
from assetloc.inputs.securities import security_table
from assetloc.ledger.gains_feed import gains_note, household_with_gains, year_totals
from assetloc.ledger.positions import household_from_lots, lot_ids, recent_trades

if TYPE_CHECKING:
    from assetloc.ledger.engine import LedgerResult
    from assetloc.ledger.source import LedgerInputs


@dataclass(frozen=True)
class LedgerContext:
    """The ledger behind a household: its inputs, the trade date and what was derived.

    ``lot_ids``: field path of each taxable lot of the household → the ledger lot id
    (empty unless the positions came from the ledger).
    """

    inputs: LedgerInputs
    as_of: dt.date
    result: LedgerResult
    positions: bool
    lot_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WithLedger:
    """A household completed from its ledger, the ledger (None without one) and notes
    saying what came from it (for the outputs' assumptions)."""

    household: Household
    ledger: LedgerContext | None = None
    notes: tuple[str, ...] = ()


def trade_day(h: Household, as_of: dt.date | None) -> dt.date:
    """The date the ledger is read at: ``as_of``, else ``rebalance.as_of``, else today."""
    return as_of or h.rebalance.as_of or dt.date.today()


def apply_ledger(
    h: Household,
    household_path: Path | str | None,
    *,
    db: str | None = None,
    as_of: dt.date | None = None,
    history: bool = False,
) -> WithLedger:
    """``h`` completed from its ledger (module doc); unchanged without ``[ledger]`` or
    ``db``, and unless the ledger gives the positions or the gains or ``history`` is asked
    for (the commands that apply the wash-sale rule: ``rebalance``, ``harvest``,
    ``validate``), so that ``optimize`` does not open a database it does not use.
    Raises :class:`~assetloc.errors.InputError` on a bad ledger or a conflict between the
    file and the ledger (one line naming the field)."""
    if h.ledger is None and db is None:
        return WithLedger(h)
    spec = h.ledger or LedgerSpec()
    if not (spec.positions or spec.gains_to_income or history or db is not None):
        return WithLedger(h)
    from assetloc.ledger.source import ledger_inputs

    where = None if household_path is None else Path(household_path)  # made only when used
    return complete(h, ledger_inputs(h, where, db), as_of)


def complete(h: Household, inputs: LedgerInputs, as_of: dt.date | None = None) -> WithLedger:
    """``h`` completed from the ledger's ``inputs`` on ``as_of`` (else ``rebalance.as_of``,
    else today): :func:`apply_ledger` once the transactions are read."""
    from assetloc.ledger.engine import derive

    spec = h.ledger or LedgerSpec()
    day = trade_day(h, as_of)
    result = derive(
        inputs.transactions,
        inputs.accounts,
        inputs.groups,
        as_of=day,
        include_spouse=inputs.include_spouse,
    )
    notes: list[str] = []
    ids: dict[str, str] = {}
    if spec.positions:
        h = household_from_lots(h, result.lots)
        ids = lot_ids(h, result.lots)
        notes.append(
            f"positions and lots from the ledger ([ledger] positions) as of {day}: "
            f"{len(result.lots)} open lots; prices from [[securities]]"
        )
    table = security_table(h.securities)
    recent = [
        t
        for t in recent_trades(
            inputs.transactions,
            result.sales,
            inputs.accounts,
            day,
            held_lots=result.lots if spec.positions else (),
        )
        if t.symbol in table and t.account in {a.id for a in h.accounts}
    ]
    if recent:
        h = h.model_copy(update={"recent_trades": [*h.recent_trades, *recent]})
        notes.append(
            f"{len(recent)} purchases and loss sales of the 30 days to {day} from the ledger "
            "added to the wash-sale guard's recent trades"
        )
    if spec.gains_to_income:
        year = h.investor.tax_year
        st, lt = year_totals(result.sales, year)
        h = household_with_gains(h, st, lt)
        notes.append(gains_note(year, st, lt, day.isoformat()))
    context = LedgerContext(inputs, day, result, spec.positions, ids)
    return WithLedger(h, context, tuple(notes))
