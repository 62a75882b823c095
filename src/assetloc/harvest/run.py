"""``harvest(h)``: the taxable lots worth selling at a loss today, with a replacement, the
tax they save now and in the long run, when the original may be bought back, and every
purchase that would wash the loss (IRC §1091; Rev. Rul. 2008-5). Estimates, not tax advice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from assetloc.errors import InputError
from assetloc.harvest.conflicts import (
    AccountMap,
    Conflict,
    engine_matched,
    find_conflicts,
    ledger_disallowed,
    matched_disallowed,
)
from assetloc.harvest.lots import HeldLot, held_lots
from assetloc.harvest.replacement import held_symbols, pick_replacement
from assetloc.harvest.result import Candidate, HarvestResult
from assetloc.harvest.value import Valuer, valuer
from assetloc.inputs.household import Household
from assetloc.inputs.securities import SecurityTable, normalize, security_table
from assetloc.ledger.context import LedgerContext
from assetloc.ledger.planned import future_purchases
from assetloc.rebalance.book import normalize_group
from assetloc.units import pct, usd

MIN_LOSS = 100.0  # dollars: smaller losses are not worth the trades
MIN_LOSS_PCT = 0.05  # of the lot's basis
BUY_BACK_DAYS = 31  # the original may be bought back on the 31st day after the sale
WINDOW_DAYS = 30


def _check(min_loss: float, min_loss_pct: float, discount_rate: float | None) -> None:
    if not (math.isfinite(min_loss) and min_loss >= 0):
        raise InputError("min_loss", f"must be dollars >= 0 (got {min_loss!r})")
    if not (math.isfinite(min_loss_pct) and 0 <= min_loss_pct < 1):
        raise InputError("min_loss_pct", f"must be a decimal in [0, 1) (got {min_loss_pct!r})")
    if discount_rate is not None and not (math.isfinite(discount_rate) and -1 < discount_rate < 1):
        raise InputError("discount_rate", f"must be a decimal in (-1, 1) (got {discount_rate!r})")


def is_candidate(lot: HeldLot, min_loss: float, min_loss_pct: float) -> bool:
    """The lot's unrealized loss is at least ``min_loss`` dollars and ``min_loss_pct`` of
    its basis (and positive)."""
    loss = lot.basis - lot.value
    return loss > 0 and loss >= min_loss and loss >= min_loss_pct * lot.basis


def harvest(
    h: Household,
    *,
    as_of: dt.date | None = None,
    min_loss: float = MIN_LOSS,
    min_loss_pct: float = MIN_LOSS_PCT,
    discount_rate: float | None = None,
    ledger: LedgerContext | None = None,
    ledger_notes: Sequence[str] = (),
) -> HarvestResult:
    """Tax-loss harvesting candidates of ``h`` on ``as_of`` (default: the ledger's date,
    ``rebalance.as_of``, today), largest loss first (module doc and
    :mod:`assetloc.harvest.value`, :mod:`assetloc.harvest.conflicts`).

    ``ledger``: the household's ledger (:func:`assetloc.ledger.context.apply_ledger`,
    which also completed ``h``). ``discount_rate``: decimal per year for the deferral
    value (default: the after-tax bond rate). Raises :class:`InputError` on bad input.
    """
    _check(min_loss, min_loss_pct, discount_rate)
    day = as_of or (ledger.as_of if ledger is not None else None) or h.rebalance.as_of
    day = day or dt.date.today()
    table = security_table(h.securities)

    def group_of(symbol: str) -> str:
        info = table.get(symbol)
        return normalize_group(info) if info is not None else normalize(symbol).lower()

    prices: dict[str, float] = {}
    for a in h.accounts:
        for p in a.positions:
            prices.setdefault(normalize(p.symbol), p.price)

    def price_of(symbol: str) -> float | None:
        if symbol in prices:
            return prices[symbol]
        info = table.get(symbol)
        return None if info is None else info.security.price

    # without a ledger, the file's planned and recurring purchases of the 30 days before
    # are presumed made (with one, the ledger has them)
    first = day if ledger is not None else day - dt.timedelta(days=WINDOW_DAYS)
    future = future_purchases(h, first, day + dt.timedelta(days=WINDOW_DAYS), price_of)
    val = valuer(h, discount_rate)
    accounts = AccountMap.of(h)
    held = held_symbols(h)
    recent = [
        (t.account, normalize(t.symbol), t.date, t.shares)
        for t in h.recent_trades
        if t.side == "buy"
    ]
    exact = ledger is not None and ledger.positions
    out: list[Candidate] = []
    for lot in held_lots(h, ledger):
        if lot.acquired > day or not is_candidate(lot, min_loss, min_loss_pct):
            continue
        conflicts = find_conflicts(lot, day, group_of, accounts, future, ledger, recent)
        if exact and ledger is not None and lot.ledger_id:
            dis, perm, used = ledger_disallowed(lot, day, ledger, future, group_of)
            conflicts = engine_matched(conflicts, used)
        else:
            dis, perm = matched_disallowed(lot, conflicts)
        out.append(_candidate(lot, day, val, dis, perm, conflicts, table, held))
    out.sort(key=lambda c: (-c.loss, c.account, c.symbol, c.acquired))
    return HarvestResult(
        day, tuple(out), min_loss, min_loss_pct, _assumptions(h, val, exact, ledger_notes)
    )


def _candidate(
    lot: HeldLot,
    day: dt.date,
    val: Valuer,
    dis: float,
    perm: float,
    conflicts: list[Conflict],
    table: SecurityTable,
    held: set[str],
) -> Candidate:
    loss = lot.basis - lot.value
    allowed = max(loss - dis, 0.0)
    term = lot.term(day)
    now, carry = val.tax_value_now(allowed, term) if allowed > 0 else (0.0, 0.0)
    replacement, reason = pick_replacement(lot.symbol, table, held)
    return Candidate(
        account=lot.account,
        symbol=lot.symbol,
        lot=lot.lot,
        acquired=lot.acquired,
        shares=lot.shares,
        price=lot.price,
        basis=lot.basis,
        loss=loss,
        term=term,
        replacement=replacement,
        replacement_reason=reason,
        tax_value_now=now,
        carryforward=carry,
        deferral_value=now - val.extra_tax_pv(allowed),
        blocked_until=day + dt.timedelta(days=BUY_BACK_DAYS),
        disallowed=dis,
        permanent=perm,
        conflicts=tuple(conflicts),
    )


def _assumptions(h: Household, val: Valuer, exact: bool, notes: Sequence[str]) -> dict[str, str]:
    if val.source == "engine":
        tax = (
            f"the {h.investor.tax_year} return's tax with the loss added to the "
            "year's short- or long-term gains minus the tax without it (Schedule D netting, "
            "the $3,000 ordinary offset and the carryforward by the tax engine)"
        )
    else:
        tax = (
            "no [income] table or filing status, so at the stated marginal "
            f"rates (short-term {pct(val.gain_tax.short_term_rate, 1)}, long-term "
            f"{pct(val.gain_tax.long_term_rate, 1)}) with Schedule D netting and the $3,000 "
            "limit on a net loss against ordinary income; the rest carries forward"
        )
    tax += (
        "; each candidate valued alone, as the only loss harvested this year, on the loss "
        "the wash-sale rule still allows; the carryforward is valued at nothing here"
    )
    if val.extra_tax_paid:
        deferral = (
            "deferral_value = tax_value_now - loss x long-term rate "
            f"({pct(val.long_term_rate, 1)}) / (1 + {pct(val.discount_rate, 2)})^"
            f"{val.horizon_years}: the replacement's basis is lower by the loss, so the sale "
            f"at the horizon (investor.horizon_years = {val.horizon_years}) realizes that "
            "much more gain; discounted at the after-tax bond rate (the cash rate after the "
            "ordinary rate on interest) unless a discount rate is given"
        )
    else:
        deferral = (
            f"deferral_value = tax_value_now: with liquidation = "
            f"{str(h.investor.liquidation)!r} the lower basis is never taxed (step-up at "
            "death or a donation)"
        )
    out = {
        "thresholds": (
            f"a taxable lot is a candidate when its unrealized loss (basis - price x shares) "
            f"is at least the minimum in dollars and that share of its basis (defaults "
            f"{usd(MIN_LOSS, 0)} and {pct(MIN_LOSS_PCT, 0)})"
        ),
        "lots": "from the ledger (lot = its id)"
        if exact
        else "typed in the household file (lot = its acquired date)",
        "tax_value_now": tax,
        "deferral_value": deferral,
        "blocked_until": (
            "the first day the original (or anything in its wash-sale group) may be bought "
            "again in any account: the sale date + 31 days"
        ),
        "conflicts": (
            "purchases of the same wash-sale group in any account in the 30 days before "
            "(already washing), planned and recurring purchases in the 30 days after, and "
            "reinvested dividends of the last year (likely to recur); permanent = an IRA, "
            "Roth or HSA purchase (Rev. Rul. 2008-5). disallowed_if_sold_today: "
            + (
                "by the ledger engine over the history, the sale and the future purchases"
                if exact
                else "the lot's shares matched with the washing purchases in date order"
            )
        ),
        "replacement": (
            "a security of the same asset class (largest class) in a different wash-sale "
            "group, preferring one the household holds, then its [[securities]], then the "
            "bundled table; whether two funds are substantially identical is the securities "
            "table's grouping, not settled law"
        ),
        "prices": "today's prices of the household's positions (else [[securities]] price)",
    }
    if notes:
        out["ledger"] = "; ".join(notes)
    return out
