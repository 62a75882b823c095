"""Who taxes a bond's interest: the one state-exemption rule (decimals).

Municipal interest is free of federal tax (IRC §103) and of state tax when the bond is of
the holder's state; US Treasury interest is free of state tax (31 U.S.C. §3124); other
interest pays both.
"""

from __future__ import annotations


def interest_tax(
    federal: float,
    state: float,
    *,
    muni: bool = False,
    in_state: bool = False,
    treasury: bool = False,
) -> tuple[float, float]:
    """(federal, state) rate on a dollar of the bond's interest, given the holder's rates."""
    if muni:
        return 0.0, (0.0 if in_state else state)
    if treasury:
        return federal, 0.0
    return federal, state
