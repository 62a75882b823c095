"""Solve the joint allocation-and-location problem.

Stage 1 finds the optimal after-tax exposure e* (unique: Σ is positive definite on the
classes' exposures). Many holdings x give the same e* — a dollar of bonds in a traditional
IRA and one in a Roth IRA are the same after-tax dollar — so stage 2
(:mod:`assetloc.solve._tie_break`) picks one x by a stated rule, never by solver accident, keeping
e* fixed: tax-free accounts take the highest expected returns first, the rest is split pro
rata.

Quadratic programs are solved by DAQP (a dual active-set QP solver, called directly), with
HiGHS as the arbiter whenever DAQP stalls or reports infeasibility on a degenerate face
(:mod:`assetloc.solve._qp`); target volatility (a second-order cone) by Clarabel. Infeasible
problems are diagnosed by a deletion filter over named constraint groups
(:mod:`assetloc.solve._infeasibility`).
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel
import numpy as np

from assetloc.errors import InfeasibleError, SolverError
from assetloc.model.problem import Problem, View
from assetloc.model.utility import crra_utility
from assetloc.solve._constraints import constraints, exposure_map, holdings, variables
from assetloc.solve._infeasibility import diagnose
from assetloc.solve._kernels import worst_violation
from assetloc.solve._merge import merged, partition, spread
from assetloc.solve._qp import INF, Constraints, Duals, Infeasible, lp, qp, qp_duals, with_row
from assetloc.solve._tie_break import split, tie_break, unique_optimum
from assetloc.steps import Steps, run
from assetloc.types import FloatArray, ObjectiveKind
from assetloc.types import View as ViewName

__all__ = [
    "Constraints",
    "Infeasible",
    "Solution",
    "max_return",
    "min_variance",
    "solve",
    "solve_stage1",
    "solve_steps",
    "violation",
]

QP_PROX = 1e-4  # proximal weight (Hessian scaled to max diagonal 1); outer iterations: exact
FEAS_TOL = 1e-7  # a solution violating the stated constraints by more is no solution
GAP_TOL = 1e-12  # return targets this close to the greatest return are met as it
DUST = 1e-6  # an interior-point holding below this share of F is the solver's, not the plan's
DUST_RETURN = 1e-9  # expected return (decimal a year) that dropping the dust may cost


def return_row(p: Problem, m: FloatArray, view: View) -> tuple[FloatArray, float]:
    """(row, constant) with E_view = row'x + constant (decimal per year)."""
    return view.scale * (p.mu @ m), float(p.mu @ view.offset)


def _stage1_qp(
    p: Problem, m: FloatArray, c: Constraints, view: View
) -> tuple[FloatArray, Duals | None]:
    """Mean-variance (and fixed mix) or, for ``target_return``, least variance."""
    if p.kind == ObjectiveKind.TARGET_RETURN:
        target = p.required_target()
        row, const = return_row(p, m, view)
        best = float(row @ max_return(p, m, c, view)) + const
        if target > best + GAP_TOL:
            raise InfeasibleError(
                [
                    f"target return {target:.6g} ({view.name} view, after tax) exceeds "
                    f"the greatest return the other constraints allow, {best:.6g}"
                ]
            )
        return _least_variance(p, m, c, view, min(target, best))
    s, c0 = view.scale, view.offset
    a = p.risk_aversion
    h = (a * s * s) * (m.T @ p.cov @ m)
    grad = p.mu if view.name == ViewName.FINANCIAL else s * p.mu - a * s * (p.cov @ c0)
    return _scaled_qp(h, -(grad @ m), c, "stage 1")


def _scaled_qp(
    h: FloatArray, f: FloatArray, c: Constraints, what: str
) -> tuple[FloatArray, Duals | None]:
    scale = float(h.diagonal().max(initial=0.0)) or 1.0  # H is PSD; the optimum ignores scale
    return qp_duals(h / scale, f / scale, c, what, eps_prox=QP_PROX)


def _least_variance(
    p: Problem, m: FloatArray, c: Constraints, view: View, target: float | None
) -> tuple[FloatArray, Duals | None]:
    """Least V_view subject to ``c`` and, if ``target`` is given, E_view >= target."""
    s, c0 = view.scale, view.offset
    h = s * s * (m.T @ p.cov @ m)
    f = s * (m.T @ (p.cov @ c0))
    if target is not None:
        row, const = return_row(p, m, view)
        c = with_row(c, row, target - const)
    return _scaled_qp(h, f, c, "least variance")


def min_variance(
    p: Problem, m: FloatArray, c: Constraints, view: View, target: float | None
) -> FloatArray:
    """Least V_view subject to ``c`` and, if ``target`` is given, E_view >= target."""
    return _least_variance(p, m, c, view, target)[0]


def max_return(p: Problem, m: FloatArray, c: Constraints, view: View) -> FloatArray:
    """Greatest E_view subject to ``c`` (an LP)."""
    row, _ = return_row(p, m, view)
    return lp(-row, c, "greatest return")


def _stage1_target_volatility(
    p: Problem, m: FloatArray, c: Constraints, view: View, clean: bool = True
) -> FloatArray:
    """max E_view s.t. ‖R z‖ ≤ σ (R'R = Σ, z = s·Mx + c0) and ``c``, by Clarabel; ``clean``:
    then without the interior point's dust (:func:`_without_dust`)."""
    import scipy.sparse as sp  # a volatility target only: slow to import

    target = p.required_target()
    nv = m.shape[1]
    lam, vec = np.linalg.eigh(p.cov)
    r_root = (vec * np.sqrt(np.clip(lam, 0.0, None))).T  # (n, n): ‖R z‖² = z'Σz
    root = view.scale * (r_root @ m)
    soc_offset = r_root @ view.offset
    eq = c.a[: c.m_eq]
    ineq = c.a[c.m_eq :]
    blocks = [eq]
    rhs = [c.lo[: c.m_eq]]
    finite_hi = c.hi[c.m_eq :] < INF / 2
    finite_lo = c.lo[c.m_eq :] > -INF / 2
    finite_ub = c.ub < INF / 2
    eye = np.eye(nv)
    nonneg = [ineq[finite_hi], -ineq[finite_lo], eye[finite_ub], -eye]
    nonneg_rhs = [c.hi[c.m_eq :][finite_hi], -c.lo[c.m_eq :][finite_lo], c.ub[finite_ub], -c.lb]
    soc = np.vstack([np.zeros((1, nv)), -root])
    a = np.vstack(blocks + nonneg + [soc])
    b = np.concatenate(rhs + nonneg_rhs + [np.array([target]), soc_offset])
    n_nonneg = sum(x.shape[0] for x in nonneg)
    cones = [
        clarabel.ZeroConeT(eq.shape[0]),
        clarabel.NonnegativeConeT(n_nonneg),
        clarabel.SecondOrderConeT(root.shape[0] + 1),
    ]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = 1e-10
    settings.tol_feas = 1e-10
    solver = clarabel.DefaultSolver(
        sp.csc_matrix((nv, nv)),
        -return_row(p, m, view)[0],
        sp.csc_matrix(a),
        b,
        cones,
        settings,
    )
    sol = solver.solve()
    status = str(sol.status)
    if "Infeasible" in status:
        raise Infeasible()
    if status not in ("Solved", "AlmostSolved"):
        raise SolverError(f"target volatility: Clarabel stopped with status {status}")
    # Interior-point answers sit within ~1e-10 of the constraints: project onto them exactly
    # (a strictly convex QP) so that stage 2 can hold e* fixed.
    x = np.asarray(sol.x, dtype=float)
    polished = qp(np.eye(nv), -x, c, "target volatility polish")
    return _without_dust(p, m, c, view, polished) if clean else polished


def _without_dust(
    p: Problem, m: FloatArray, c: Constraints, view: View, x: FloatArray
) -> FloatArray:
    """The target-volatility optimum ``x`` re-solved with the interior point's dust (holdings
    below :data:`DUST`, shares of F, at a zero lower bound) held at zero, when that costs at
    most :data:`DUST_RETURN` of expected return; else ``x`` (a class the optimum does not
    hold should print as 0, not 1.6e-07)."""
    dust = (x > 0) & (x < DUST) & (c.lb <= 0)
    if not dust.any():
        return x
    ub = c.ub.copy()
    ub[dust] = 0.0
    try:
        clean = _stage1_target_volatility(
            p, m, Constraints(c.lb, ub, c.a, c.lo, c.hi, c.m_eq), view, clean=False
        )
    except (Infeasible, SolverError, InfeasibleError):
        return x
    row, _ = return_row(p, m, view)
    return clean if float(row @ clean) >= float(row @ x) - DUST_RETURN else x


def _stage1_crra(p: Problem, m: FloatArray, c: Constraints, view: View) -> FloatArray:
    """The frontier point with the greatest CRRA (Levy–Markowitz) utility.

    Utility along the frontier is a function of the return target r in [E_min, E_max];
    it is maximized by a bounded scalar search (Brent) on r, each step a least-variance QP.
    """
    theta = p.required_risk_tolerance()
    row, const = return_row(p, m, view)
    x_min = min_variance(p, m, c, view, None)
    x_max = max_return(p, m, c, view)
    lo, hi = float(row @ x_min) + const, float(row @ x_max) + const
    cache: dict[float, FloatArray] = {}

    def point(r: float) -> FloatArray:
        if r not in cache:
            cache[r] = x_min if r <= lo else min_variance(p, m, c, view, r)
        return cache[r]

    def neg_u(r: float) -> float:
        x = point(r)
        z = view.portfolio(m @ x)
        return -crra_utility(float(p.mu @ z), float(z @ p.cov @ z), theta)

    if hi - lo <= 1e-12:
        return x_min
    from scipy.optimize import minimize_scalar  # CRRA only: scipy.optimize is slow to import

    res = minimize_scalar(
        neg_u, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * max(1.0, abs(hi))}
    )
    best = min([lo, float(res.x), hi], key=neg_u)
    # At the top, the least-variance portfolio with the greatest return (the LP vertex
    # x_max may carry needless risk when several portfolios reach it).
    return point(best) if best < hi else min_variance(p, m, c, view, hi - GAP_TOL)


def stage1(
    p: Problem, m: FloatArray, c: Constraints, view: View
) -> tuple[FloatArray, Duals | None]:
    """Optimal x for ``p``'s objective in ``view``, with the multipliers of the QP that gave
    it when one did (mean-variance, fixed mix, target return)."""
    if p.kind == ObjectiveKind.TARGET_VOLATILITY:
        return _stage1_target_volatility(p, m, c, view), None
    if p.kind == ObjectiveKind.CRRA:
        return _stage1_crra(p, m, c, view), None
    return _stage1_qp(p, m, c, view)


def solve_stage1(p: Problem, m: FloatArray, c: Constraints, view: View) -> FloatArray:
    """Optimal x for ``p``'s objective in ``view`` (any x with the optimal exposure)."""
    return stage1(p, m, c, view)[0]


@dataclass(frozen=True)
class Solution:
    """Optimal shares of F, shape (K, n), with the optimal exposure e* (every optimal x has it).

    ``tie_break_applied`` is False in the rare case where the tie-break rule could not be
    applied numerically and the holdings are the stage-1 optimum (same exposure, same
    utility, but not split by the rule).
    """

    x: FloatArray
    exposure: FloatArray
    tie_break_applied: bool = True


_NO_MIX = np.zeros(0)


def violation(p: Problem, x: FloatArray) -> float:
    """Largest violation of ``p``'s stated constraints by x (K, n), in shares of F."""
    mix = _NO_MIX if p.mix is None else p.mix
    return float(
        worst_violation(
            np.ascontiguousarray(x, dtype=float),
            p.lower,
            p.upper,
            p.budgets,
            p.class_lower,
            p.class_upper,
            mix,
            p.mix_weights,
        )
    )


def solve(p: Problem, tax_free: np.ndarray | None = None) -> Solution:
    """Solve ``p``; ``tax_free`` marks the accounts that get the highest returns first.

    Interchangeable accounts are merged first (:mod:`assetloc.solve._merge`; exact). Raises
    :class:`InfeasibleError` naming the constraints that conflict (also when a solver returns
    a point that does not meet them: no answer is better than a wrong one).
    """
    return run(solve_steps(p, tax_free))


def solve_steps(p: Problem, tax_free: np.ndarray | None = None) -> Steps[Solution]:
    """:func:`solve` in stages (:mod:`assetloc.steps`: a batch runs a chunk's in lockstep)."""
    tf = np.zeros(p.k, dtype=bool) if tax_free is None else np.asarray(tax_free, dtype=bool)
    parts1, parts2 = partition(p, tf)
    p1 = merged(p, parts1)
    cols1 = variables(p1)
    m1 = exposure_map(p1, cols1)
    c1 = constraints(p1, cols1)
    yield
    try:
        y1, duals = stage1(p1, m1, c1, p1.view())
    except Infeasible:
        raise InfeasibleError(diagnose(p)) from None
    yield
    y_groups = holdings(p1, cols1, y1)
    e_star = m1 @ y1
    if len(parts2) == 1:  # one group: its pro-rata split is the only answer
        x = spread(p, parts1, y_groups)
        if violation(p, x) > FEAS_TOL:
            raise InfeasibleError(diagnose(p))
        return Solution(x=x, exposure=e_star)
    if duals is not None and unique_optimum(c1, m1, duals):
        yield
        # Every x with exposure e* has these group holdings: the rule splits each group.
        x = split(p, parts1, y_groups, tf)
        yield
        if violation(p, x) <= FEAS_TOL:
            return Solution(x=x, exposure=e_star)
    else:
        yield  # the tie-break's stages in step with the split's
    applied = True
    try:
        y2 = tie_break(merged(p, parts2), e_star, tf[[g[0] for g in parts2]])
        yield
        x = spread(p, parts2, y2)
        if violation(p, x) > FEAS_TOL:
            raise SolverError("stage 2 left the constraints")
    except (Infeasible, SolverError):
        # The rule could not be applied numerically; the optimum itself stands, flagged.
        applied = False
        x = spread(p, parts1, y_groups)
        if violation(p, x) > FEAS_TOL:
            raise InfeasibleError(diagnose(p)) from None
    return Solution(x=x, exposure=e_star, tie_break_applied=applied)
