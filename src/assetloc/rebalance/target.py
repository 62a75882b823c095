"""The target of a rebalance: the optimizer's plan on the money the household will have.

Cash flows change what each account holds, so the target is computed on the balances
AFTER them: each account's balance becomes its market value today (cash plus positions at
today's prices) plus its contribution minus its withdrawal — the net flow is added to its
cash — and :func:`assetloc.analysis.optimize` is run on that household. Scaling today's plan per
account would not be exact: the optimizer's location depends on the accounts' relative
sizes, not linearly on each.

The plan's ``holdings`` are dollars per account and class in each account's own (face-value)
dollars; the rebalance works in those dollars throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetloc.analysis.optimize import optimize
from assetloc.analysis.plan import Plan
from assetloc.errors import InputError
from assetloc.inputs.household import Account, Household
from assetloc.types import FloatArray
from assetloc.units import usd


def post_flow_balances(h: Household) -> FloatArray:
    """(K,) dollars: market value + contribution − withdrawal of each account."""
    return np.array([a.market_value + a.contribution - a.withdrawal for a in h.accounts])


def post_flow_household(h: Household) -> Household:
    """A copy of ``h`` whose accounts hold the money they will have after the cash flows.

    Holdings are kept (the optimizer may value a taxable account by its lots); the net
    flow is added to the account's cash (which may turn negative here: that only means
    sales will raise the withdrawal), or to its ``balance`` when it has no holdings.
    Raises :class:`InputError` when a withdrawal exceeds what the account will hold or when
    nothing is left to allocate.
    """
    balances = post_flow_balances(h)
    accounts: list[Account] = []
    for k, (acc, b) in enumerate(zip(h.accounts, balances, strict=True)):
        if b < -1e-9:
            raise InputError(
                f"accounts[{k}].withdrawal",
                f"{usd(acc.withdrawal, 2)} exceeds the account's value plus contribution "
                f"({usd(acc.market_value + acc.contribution, 2)})",
            )
        net = acc.contribution - acc.withdrawal
        update: dict[str, object] = {"contribution": 0.0, "withdrawal": 0.0}
        if acc.balance is not None:
            update["balance"] = max(acc.balance + net, 0.0)
        else:
            update["cash"] = (acc.cash or 0.0) + net
        accounts.append(acc.model_copy(update=update))
    if balances.sum() <= 0:
        raise InputError("accounts", "nothing left to allocate after the withdrawals")
    return h.model_copy(update={"accounts": accounts})


@dataclass(frozen=True)
class Target:
    """Target dollars per account and class after the cash flows.

    Attributes
    ----------
    plan : the optimizer's plan on the post-flow household.
    classes : class ids of ``dollars`` columns (the plan's classes, then any extra class
        of a held or listed security, whose target is zero).
    dollars : (K, C) target dollars in each account's own dollars.
    """

    plan: Plan
    classes: tuple[str, ...]
    dollars: FloatArray

    @property
    def household(self) -> FloatArray:
        """(C,) target dollars per class, household."""
        per_class: FloatArray = self.dollars.sum(axis=0)
        return per_class

    @property
    def total(self) -> float:
        """Household dollars after the cash flows."""
        return float(self.dollars.sum())

    @property
    def shares(self) -> FloatArray:
        """(C,) target share of each class in the household (face-value dollars)."""
        tot = self.total
        return self.household / tot if tot > 0 else np.zeros(len(self.classes))


def plan_after_flows(h: Household) -> Plan:
    """The optimizer's plan on the post-cash-flow household."""
    return optimize(post_flow_household(h))


def target_for(plan: Plan, classes: tuple[str, ...]) -> Target:
    """Lay the plan's holdings out on ``classes`` (zero for classes the plan lacks)."""
    ids = plan.problem.market.ids
    dollars = np.zeros((plan.problem.k, len(classes)))
    hold = plan.dollars
    for i, cid in enumerate(ids):
        dollars[:, classes.index(cid)] = hold[:, i]
    dollars = np.maximum(dollars, 0.0)
    return Target(plan=plan, classes=classes, dollars=dollars)


@dataclass(frozen=True)
class Investable:
    """The post-flow household restricted to what the accounts can buy.

    Attributes
    ----------
    household : the household handed to the optimizer (menus and universe restricted).
    dropped : classes of the universe no security anywhere can buy (left out of the target).
    menus : per account, the classes it can buy (a security of the class is buyable there).
    notes : plain-words remarks (dropped classes, accounts that can buy nothing).
    """

    household: Household
    dropped: tuple[str, ...]
    menus: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]


def reachable(buyable: np.ndarray, split: FloatArray) -> np.ndarray:
    """(K, C) True where account k can buy a security with a positive weight in class c."""
    can_buy: np.ndarray = (buyable.astype(float) @ (split > 0).astype(float)) > 0
    return can_buy


def investable(
    h_post: Household,
    ids: tuple[str, ...],
    classes: tuple[str, ...],
    buyable: np.ndarray,
    split: FloatArray,
) -> Investable:
    """Restrict ``h_post`` (the post-flow household) to the classes its accounts can buy.

    ``ids`` are the optimizer's classes; ``classes``, ``buyable`` (K, S) and ``split`` (S, C)
    the book's. A class of ``ids`` no account can buy is dropped from the universe (and from
    a fixed mix, renormalized); each account's menu becomes the classes it can buy (within
    its own menu). An account that can buy nothing keeps its holdings' classes (its cash
    then stays cash; the output says so).
    """
    reach = reachable(buyable, split)
    col = {c: j for j, c in enumerate(classes)}
    can = {c: bool(reach[:, col[c]].any()) if c in col else False for c in ids}
    dropped = tuple(c for c in ids if not can[c])
    keep = [c for c in ids if can[c]]
    notes: list[str] = []
    if not keep:  # nothing can be bought: the target stays the plan's, the cash stays cash
        note = (
            "no security any account can buy maps to a class of the target: cash stays uninvested"
        )
        return Investable(h_post, (), tuple(() for _ in h_post.accounts), (note,))
    if dropped:
        notes.append(
            "left out of the target (no security any account can buy maps to them; add one "
            f"to [[securities]] with a price to use them): {', '.join(dropped)}"
        )
    accounts: list[Account] = []
    menus: list[tuple[str, ...]] = []
    for k, acc in enumerate(h_post.accounts):
        menu = [c for c in keep if reach[k, col[c]]]
        if acc.menu is not None:
            menu = [c for c in menu if c in acc.menu]
        if not menu:
            notes.append(
                f"{acc.id}: can buy no security of the target's classes; its cash stays uninvested"
            )
            accounts.append(acc)
            menus.append(())
            continue
        menus.append(tuple(menu))
        accounts.append(acc.model_copy(update={"menu": menu}))
    update: dict[str, object] = {"accounts": accounts}
    if dropped:
        update["assumptions"] = h_post.assumptions.model_copy(update={"universe": keep})
        obj = h_post.objective
        if obj.kind == "fixed_mix" and obj.mix is not None:
            mix = {c: w for c, w in obj.mix.items() if c not in dropped}
            total = sum(mix.values())
            if total <= 0:
                raise InputError(
                    "objective.mix", f"no class of the mix can be bought: {', '.join(obj.mix)}"
                )
            if len(mix) < len(obj.mix):
                notes.append("the fixed mix is renormalized over the classes that can be bought")
            update["objective"] = obj.model_copy(
                update={"mix": {c: w / total for c, w in mix.items()}}
            )
    return Investable(h_post.model_copy(update=update), dropped, tuple(menus), tuple(notes))
