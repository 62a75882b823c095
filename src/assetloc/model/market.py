"""Resolve a household's ``[assumptions]`` into :class:`MarketAssumptions`.

A preset may be refined by inline ``[[assumptions.classes]]`` entries that override a
class's expected return, volatility or effective tax rate; without a preset, the inline
classes and the correlation matrix define everything. The universe is then restricted to
``universe`` (if given) or, for a fixed mix, to the classes the mix names.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np

from assetloc.errors import InputError
from assetloc.inputs.household import AssumptionsSpec, ClassSpec, Household
from assetloc.inputs.securities import bundled_securities, classes_held, security_table
from assetloc.market.assumptions import (
    MarketAssumptions,
    load_preset,
    read_only,
    validate_correlation,
)
from assetloc.market.reference import preset_reference
from assetloc.market.robust import VIEW_CONFIDENCE, black_litterman
from assetloc.market.traits import TRAIT_FIELDS, TaxTraits, traits_from_mapping


def _traits(c: ClassSpec, j: int, base: TaxTraits | None) -> TaxTraits | None:
    """The class's tax traits: ``base`` with the entry's overrides, validated."""
    over = c.trait_overrides()
    if not over:
        return base
    if base is None and "income_yield" not in over:
        raise InputError(
            f"assumptions.classes[{j}].income_yield", "is required when giving tax traits"
        )
    merged = {} if base is None else {k: getattr(base, k) for k in TRAIT_FIELDS}
    if merged.get("income_yield", 0) is None:
        merged["income_yield"] = "all"
    merged.update(over)
    try:
        return traits_from_mapping({c.id: merged})[c.id]
    except InputError as err:
        field = err.field.split(".")[-1]
        raise InputError(f"assumptions.classes[{j}].{field}", err.problem) from None


def _inline(spec: AssumptionsSpec) -> MarketAssumptions:
    n = len(spec.classes)
    for j, c in enumerate(spec.classes):
        for fld in ("expected_return", "volatility"):
            if getattr(c, fld) is None:
                raise InputError(f"assumptions.classes[{j}].{fld}", "is required without a preset")
    if spec.correlation is None:
        raise InputError("assumptions.correlation", "is required without a preset")
    if len(spec.correlation) != n or any(len(r) != n for r in spec.correlation):
        raise InputError("assumptions.correlation", f"must be {n}x{n}, one row per class")
    corr = np.array(spec.correlation, dtype=float)
    validate_correlation(corr, "assumptions.correlation")
    if spec.cash_rate is None:
        raise InputError("assumptions.cash_rate", "is required without a preset")
    return MarketAssumptions(
        ids=tuple(c.id for c in spec.classes),
        labels=tuple(c.label or c.id for c in spec.classes),
        expected_return=np.array([c.expected_return for c in spec.classes], dtype=float),
        volatility=np.array([c.volatility for c in spec.classes], dtype=float),
        correlation=corr,
        tax_rate=np.array([c.effective_tax_rate or 0.0 for c in spec.classes], dtype=float),
        tax_rate_is_reference=tuple(c.effective_tax_rate is None for c in spec.classes),
        traits=tuple(_traits(c, j, None) for j, c in enumerate(spec.classes)),
        cash_rate=spec.cash_rate,
        name="inline",
        source="household file",
        date="",
        notes=("Classes given inline in the household file.",),
    )


def _override(market: MarketAssumptions, classes: list[ClassSpec]) -> MarketAssumptions:
    mu = market.expected_return.copy()
    vol = market.volatility.copy()
    tax = market.tax_rate.copy()
    is_ref = list(market.tax_rate_is_reference or (True,) * len(market.ids))
    traits = list(market.traits or (None,) * len(market.ids))
    notes = list(market.notes)
    for j, c in enumerate(classes):
        if c.id not in market.ids:
            raise InputError(
                f"assumptions.classes[{j}].id",
                f"unknown class {c.id!r} in preset {market.name!r}",
            )
        i = market.index(c.id)
        if c.expected_return is not None:
            mu[i] = c.expected_return
        if c.volatility is not None:
            vol[i] = c.volatility
        if c.effective_tax_rate is not None:
            tax[i] = c.effective_tax_rate  # the investor's own rate: not scaled
            is_ref[i] = False
        traits[i] = _traits(c, j, traits[i])
        notes.append(f"{c.id}: overridden in the household file.")
    return replace(
        market,
        expected_return=mu,
        volatility=vol,
        tax_rate=tax,
        tax_rate_is_reference=tuple(is_ref),
        traits=tuple(traits),
        notes=tuple(notes),
    )


def _check_known(ids: tuple[str, ...], names: list[str], field: str) -> None:
    for name in names:
        if name not in ids:
            raise InputError(field, f"unknown asset class {name!r}")


def resolve_market(h: Household) -> MarketAssumptions:
    """The assumptions that ``h`` uses, restricted to its universe."""
    spec = h.assumptions
    preset = spec.preset_name
    if spec.preset is not None and not spec.preset.strip():
        raise InputError("assumptions.preset", "is empty; name a preset or leave it out")
    market = load_preset(preset) if preset else _inline(spec)
    if preset:
        if spec.correlation is not None:
            raise InputError("assumptions.correlation", "cannot be combined with a preset")
        if spec.classes:
            market = _override(market, spec.classes)
        if spec.cash_rate is not None:
            market = replace(market, cash_rate=spec.cash_rate)
    ids = market.ids
    if spec.universe is not None:
        _check_known(ids, spec.universe, "assumptions.universe")
    if h.objective.mix is not None:
        _check_known(ids, list(h.objective.mix), "objective.mix")
    for k, acc in enumerate(h.accounts):
        _check_known(ids, acc.menu or [], f"accounts[{k}].menu")
        _check_known(ids, list(acc.bounds), f"accounts[{k}].bounds")
    _check_known(ids, list(h.bounds), "bounds")
    worth_items = [("human_capital", h.human_capital)] if h.human_capital else []
    worth_items += [(f"liabilities[{j}]", item) for j, item in enumerate(h.liabilities)]
    for name, item in worth_items:
        _check_known(ids, list(item.mix), f"{name}.mix")

    excluded: list[tuple[str, str]] = []
    if spec.universe is not None:
        keep = list(spec.universe)
        rule = "the classes named in assumptions.universe"
    elif h.objective.mix is not None:
        keep = [c for c in ids if c in h.objective.mix]
        rule = "the classes of the fixed mix"
    else:
        keep, excluded = default_universe(market, h)
        rule = UNIVERSE_RULE
    held = list(keep)
    for name, item in worth_items:  # H and L need their classes' returns and risks
        for c in item.mix:
            if c not in keep:
                if spec.universe is not None:
                    raise InputError("assumptions.universe", f"excludes {c!r} of {name}.mix")
                keep.append(c)
    # A minimum on a class outside the universe cannot hold; a maximum on it holds trivially.
    where = "the universe" if spec.universe is not None else "the fixed mix's classes"
    for name, b in h.bounds.items():
        if name not in keep and b.min > 0:
            raise InputError(f"bounds.{name}", f"asks for a minimum of a class outside {where}")
    for k, acc in enumerate(h.accounts):
        for name, b in acc.bounds.items():
            if name not in keep and b.min > 0:
                raise InputError(
                    f"accounts[{k}].bounds.{name}",
                    f"asks for a minimum of a class outside {where}",
                )
    if h.objective.mix is not None:
        missing = [c for c, w in h.objective.mix.items() if w > 0 and c not in keep]
        if missing:
            raise InputError("assumptions.universe", f"excludes mix class {missing[0]!r}")
    for k, acc in enumerate(h.accounts):
        if acc.menu is not None and acc.market_value > 0 and not set(acc.menu) & set(held):
            raise InputError(
                f"accounts[{k}].menu",
                f"holds none of the classes in the universe ({', '.join(held)}); "
                "name its classes in assumptions.universe",
            )
    key = _memo_key(h, keep, held, excluded, rule)
    hit = _RESOLVED.get(key) if key else None
    if hit is not None:
        return hit
    out = with_returns(
        replace(
            market.subset(keep),
            holdable=tuple(c in held for c in keep),
            excluded=tuple(excluded),
            excluded_labels=tuple((c, market.labels[market.index(c)]) for c, _ in excluded),
            universe_rule=rule,
        ),
        h,
    )
    if key:
        if len(_RESOLVED) >= _MEMO_SIZE:
            _RESOLVED.clear()
        _RESOLVED[key] = read_only(out)
    return out


#: resolved markets of households with a preset and no overrides (read-only arrays), by
#: everything the result depends on: an advisor's book shares a few; cleared when full
_RESOLVED: dict[tuple[object, ...], MarketAssumptions] = {}
_MEMO_SIZE = 256


def _memo_key(
    h: Household, keep: list[str], held: list[str], excluded: list[tuple[str, str]], rule: str
) -> tuple[object, ...]:
    """The memo key of ``h``'s market, or ``()`` when it is not memoized (inline classes or
    overrides in the file)."""
    spec, obj = h.assumptions, h.objective
    if not spec.preset_name or spec.classes or spec.correlation is not None:
        return ()
    return (
        spec.preset_name,
        spec.cash_rate,
        tuple(keep),
        tuple(held),
        tuple(excluded),
        rule,
        obj.returns,
        obj.kind == "fixed_mix",
        obj.view_confidence,
    )


UNIVERSE_RULE = (
    "default: the preset's classes a household can hold through public index funds or ETFs "
    "(with a bundled or household security); name others in assumptions.universe to use them"
)


@cache
def _bundled_classes() -> frozenset[str]:
    return frozenset(classes_held(info.security for info in bundled_securities().values()))


def _security_classes(h: Household) -> set[str]:
    """Classes some bundled or household security holds (a household entry for a bundled
    symbol replaces it, so those symbols are read from the merged table)."""
    if not h.securities:
        return set(_bundled_classes())
    table = security_table(h.securities)
    return classes_held(info.security for info in table.entries.values())


def default_universe(
    market: MarketAssumptions, h: Household
) -> tuple[list[str], list[tuple[str, str]]]:
    """The classes a household can hold through public index funds or ETFs, and the others
    with the reason they are left out (name them in ``assumptions.universe`` to use them).

    A preset's reference data lists the classes that are not investable; for a preset whose
    classes the securities table maps (horizon-2025), a class with no bundled or household
    security is left out too. Inline classes are all kept.
    """
    ref = preset_reference(market.name)
    if ref is None:
        return list(market.ids), []
    with_security = _security_classes(h)
    mapped = bool(with_security & set(market.ids))
    keep: list[str] = []
    excluded: list[tuple[str, str]] = []
    for cid in market.ids:
        if cid in ref.not_investable:
            excluded.append((cid, ref.not_investable[cid]))
        elif mapped and cid not in with_security:
            excluded.append((cid, "no bundled or household security holds this class"))
        else:
            keep.append(cid)
    return keep, excluded


def with_returns(market: MarketAssumptions, h: Household) -> MarketAssumptions:
    """Apply ``objective.returns``: robust (Black–Litterman, the default) or as given.

    A fixed mix keeps the stated returns (the allocation is given; only the location is
    optimized), and so do inline classes without a market reference (an error when the
    file asks for ``robust`` itself).
    """
    asked = h.objective.returns
    if asked == "as_given":
        return market
    if h.objective.kind == "fixed_mix":
        if asked == "robust":
            raise InputError(
                "objective.returns", "robust returns choose a mix; a fixed mix is given"
            )
        return replace(
            market, returns_reason="a fixed mix: the allocation is given, returns as stated"
        )
    ref = preset_reference(market.name)
    weights = np.array([ref.weights.get(c, 0.0) if ref else 0.0 for c in market.ids])
    if market.holdable is not None:
        weights = np.where(np.array(market.holdable), weights, 0.0)
    if ref is None or weights.sum() <= 0:
        if asked == "robust":
            raise InputError(
                "objective.returns",
                "robust needs a preset's market reference portfolio covering the universe",
            )
        return replace(
            market,
            returns_reason="no market reference portfolio for these classes: returns as stated",
        )
    ids = market.ids
    derived = {
        ids.index(c): (ids.index(base), ratio)
        for c, (base, ratio) in ref.derived.items()
        if c in ids and base in ids
    }
    confidence = h.objective.view_confidence or VIEW_CONFIDENCE
    bl = black_litterman(
        market.expected_return,
        market.covariance,
        weights,
        market.cash_rate,
        confidence=confidence,
        derived=derived,
    )
    return replace(
        market,
        stated_return=market.expected_return,
        expected_return=bl.posterior,
        robust=bl,
        returns_method="robust",
    )
