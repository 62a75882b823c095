"""One way to make a HiGHS solver: silent from its first call.

``highspy.Highs()`` prints the HiGHS banner ("Running HiGHS 1.x ...") to stdout on its
first logging call unless ``output_flag`` is already false, and its own constructor makes
such a call (``setCallback`` in ``enableCallbacks``). The HiGHS maintainers' rule is to set
``output_flag`` false before any other method (ERGO-Code/HiGHS#1702); :class:`QuietHighs`
does so inside the constructor, before the callbacks are attached, so no HiGHS object made
by :func:`new_highs` ever writes to stdout or stderr.
"""

from __future__ import annotations

import highspy

__all__ = ["QuietHighs", "new_highs"]


class QuietHighs(highspy.Highs):
    """``highspy.Highs`` with ``output_flag`` and ``log_to_console`` off before any logging."""

    def enableCallbacks(self) -> None:
        """Silence the solver, then attach highspy's callbacks (called by ``__init__``)."""
        _silence(self)
        super().enableCallbacks()  # type: ignore[no-untyped-call]  # highspy: untyped


def _silence(solver: highspy.Highs) -> None:
    # setting an option is the one HiGHS call that never writes the banner
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("log_to_console", False)


def new_highs() -> highspy.Highs:
    """A fresh HiGHS solver that prints nothing (no banner, no log, no summary)."""
    solver = QuietHighs()  # type: ignore[no-untyped-call]  # highspy: untyped __init__
    _silence(solver)  # in case a future highspy no longer calls enableCallbacks
    return solver
