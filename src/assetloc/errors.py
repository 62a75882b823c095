"""Errors with documented exit codes.

Exit codes (also in the README):

* 0 — success
* 2 — bad input: a file, field or option is malformed (:class:`InputError`), or a write
  conflicts with what is stored (:class:`ConflictError`)
* 3 — infeasible: the constraints cannot all hold (:class:`InfeasibleError`)
* 4 — the solver failed for a numerical reason (:class:`SolverError`)
* 5 — ``assetloc batch`` ran, but some households failed (each has an error row)
* 6 — ``assetloc batch`` stopped part way (:class:`BatchStopped`): OUTPUT keeps its whole
  chunks, ``--resume`` goes on
"""

from __future__ import annotations


class AssetlocError(Exception):
    """Base of every error assetloc reports to a user as one line."""

    exit_code: int = 1


class FieldError(AssetlocError):
    """An error about one named field or option. Message: ``<field>: <problem>`` (just the
    problem when ``field`` is empty)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)


class InputError(FieldError, ValueError):
    """A file, field or option is malformed."""

    exit_code = 2


class ConflictError(FieldError):
    """A write that conflicts with what is stored (a saved household's name taken, a stale
    revision)."""

    exit_code = 2


class InfeasibleError(AssetlocError):
    """The constraints cannot all hold; ``conflicts`` names a minimal conflicting set."""

    exit_code = 3

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__("infeasible: these constraints conflict: " + "; ".join(conflicts))


class SolverError(AssetlocError):
    """The solver did not reach an optimum for a numerical reason."""

    exit_code = 4


class BatchStopped(FieldError):
    """A batch could not go on (its Dask scheduler lost, its OUTPUT no longer written): the
    whole chunks written are kept for ``--resume``."""

    exit_code = 6
