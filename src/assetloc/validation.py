"""`assetloc validate`: every input check ``optimize`` and ``rebalance`` run, without solving.

A file that validates does not fail later on input (exit 2): the same functions that those
commands call raise the same :class:`~assetloc.errors.InputError`.

* ``optimize`` (and ``frontier``, ``compare``, ``report``, ``taxes``): the fields, then the
  problem is built: the market resolved (preset, overrides, universe, correlation), the
  effective tax rates computed, menus and bounds matched to classes
  (:func:`assetloc.model.problem.build_problem`).
* ``rebalance``, when the file gives today's holdings (cash, positions): the cash flows
  applied (a withdrawal larger than the account; nothing left to allocate), the problem
  built on the post-flow balances the target is optimized on, the holdings laid out as the
  book (symbols, classes, duplicates, lots, dates after the trade date, recent trades:
  :func:`assetloc.rebalance.book.build_book`) and the wash-sale scan
  (:func:`assetloc.rebalance.washsale.build_guard`). With ``--holdings`` the CSV is read
  and applied first, as ``rebalance --holdings`` does.

* ``simulate``'s ``[plan]``: a ``fill_bracket`` order's rate is a federal bracket rate
  (:func:`assetloc.simulate.run.check_fill_bracket`; the other ``[plan]`` fields are checked
  with the fields).

The one check not run is the solve itself: infeasible constraints (exit 3) and a solver
failure (exit 4) are found by solving. A file where some accounts give holdings and others
only a ``balance`` is valid for ``optimize``; ``rebalance`` needs holdings in every account,
and :attr:`Validation.rebalance_note` says which account lacks them (every other rebalance
check still runs, with such a balance counted as cash, up to a fund on a plan's list with
no price: only ``rebalance`` needs one, so it is added to the note rather than failing the
file, and the checks after it, the wash-sale scan's, are not run).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assetloc.inputs.household import Household
from assetloc.model.problem import Problem, build_problem
from assetloc.rebalance.book import UnpricedFund, build_book, trade_date
from assetloc.rebalance.target import post_flow_household
from assetloc.rebalance.washsale import build_guard
from assetloc.simulate.run import check_fill_bracket


@dataclass(frozen=True)
class Validation:
    """What was checked.

    Attributes
    ----------
    problem : the optimization problem built from the file.
    rebalance_checked : the rebalance checks ran (the file gives holdings).
    trade_date : the trade date the holdings were checked against (None when not run).
    positions, lots : held positions and taxable lots checked.
    rebalance_note : why ``rebalance`` would still refuse the file, or "".
    """

    problem: Problem
    rebalance_checked: bool = False
    trade_date: dt.date | None = None
    positions: int = 0
    lots: int = 0
    rebalance_note: str = ""


def gives_holdings(h: Household) -> bool:
    """True when some account states today's holdings (cash or positions)."""
    return any(a.balance is None for a in h.accounts)


def with_trade_date(h: Household, as_of: dt.date | None) -> Household:
    """``h`` with ``rebalance.as_of`` replaced when ``as_of`` is given."""
    if as_of is None:
        return h
    return h.model_copy(update={"rebalance": h.rebalance.model_copy(update={"as_of": as_of})})


def _balances_as_cash(h: Household) -> tuple[Household, str]:
    """``h`` with balance-only accounts holding their balance as cash (for checking the
    rest of the holdings only), and the note naming the first such account."""
    accounts = list(h.accounts)
    note = ""
    for k, acc in enumerate(accounts):
        if acc.balance is not None:
            if not note:
                note = (
                    f"accounts[{k}].balance: rebalance needs today's holdings (cash and "
                    "positions) in every account, not a balance"
                )
            accounts[k] = acc.model_copy(update={"balance": None, "cash": acc.balance})
    return h.model_copy(update={"accounts": accounts}), note


def validate(h: Household) -> Validation:
    """Run every input check of ``optimize`` and ``rebalance`` on ``h`` (see module doc).

    Raises :class:`~assetloc.errors.InputError` on the first problem, as those commands do.
    """
    problem = build_problem(h)
    check_fill_bracket(h)
    if not gives_holdings(h):
        return Validation(problem)
    checked, note = _balances_as_cash(h)
    try:
        post = post_flow_household(checked)
        target_problem = build_problem(post)
        book = build_book(checked, target_problem.market.ids)
        build_guard(checked, book)
    except UnpricedFund as err:
        if not note:  # a file for rebalance (holdings in every account): an error
            raise
        # a file for optimize (some accounts give a balance only): a price rebalance would
        # need is one more thing the note says, not an error (optimize needs no price)
        return Validation(problem, rebalance_note=f"{note}; and {err}")
    return Validation(
        problem,
        rebalance_checked=True,
        trade_date=trade_date(checked),
        positions=sum(len(a.positions) for a in h.accounts),
        lots=book.n_lots,
        rebalance_note=note,
    )
