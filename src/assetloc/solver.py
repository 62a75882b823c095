"""Solve the joint allocation-and-location problem.

Stage 1 finds the optimal after-tax exposure e* (unique: Σ is positive definite on the
classes' exposures). Many holdings x give the same e* — a dollar of bonds in a traditional
IRA and one in a Roth IRA are the same after-tax dollar — so stage 2 picks one x by a stated
rule, never by solver accident, keeping e* fixed:

* 2a (tax-free first): maximize the expected return held in tax-free accounts (Roth, a
  tax-free HSA): the classes with the highest expected return go there first (the guide).
* 2b (pro rata): among those, minimize Σ x[k,i]²/a[k], whose unique minimizer splits a
  class across interchangeable accounts in proportion to their after-tax balances.

Quadratic programs are solved by DAQP (a dual active-set QP solver, called directly), with
HiGHS as the arbiter whenever DAQP stalls or reports infeasibility on a degenerate face;
target volatility (a second-order cone) by Clarabel. Infeasible problems are diagnosed by
a deletion filter over named constraint groups (LPs solved by HiGHS through SciPy).
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel
import daqp
import highspy
import numpy as np
import scipy.sparse as sp
from scipy.linalg import qr
from scipy.optimize import minimize_scalar

from assetloc.assumptions import FloatArray
from assetloc.errors import InfeasibleError, SolverError
from assetloc.infeasibility import diagnose
from assetloc.merge import groups, merged, spread
from assetloc.problem import Problem, View
from assetloc.utility import crra_utility

INF = 1e30
PRIMAL_TOL = 1e-10  # constraint tolerance of the active-set solver, shares of F
ETA_PROX = 1e-14  # stop proximal-point iterations when steps are this small
QP_PROX = 1e-3  # proximal weight (Hessian scaled to max diagonal 1); outer iterations: exact
FEAS_TOL = 1e-7  # a solution violating the stated constraints by more is no solution
GAP_TOL = 1e-12  # return targets this close to the greatest return are met as it
TIE_SLACK = 1e-9  # relative slack on stage 2a's optimum when the exact face is too thin
LP_PROX = 0.1  # proximal weight of DAQP's LP iterations (any positive value is exact)


@dataclass(frozen=True)
class Constraints:
    """Linear constraints in x (flattened K·n): lb ≤ x ≤ ub, lo ≤ A x ≤ hi, first m_eq rows
    equalities (lo = hi)."""

    lb: FloatArray
    ub: FloatArray
    a: FloatArray
    lo: FloatArray
    hi: FloatArray
    m_eq: int


def exposure_map(p: Problem) -> FloatArray:
    """M with e = M x for x flattened row-major from (K, n), shape (n, K·n)."""
    n, k = p.n, p.k
    m = np.zeros((n, k * n))
    for kk in range(k):
        m[np.arange(n), kk * n + np.arange(n)] = p.tau[kk]
    return m


def constraints(p: Problem, m: FloatArray) -> Constraints:
    """Budgets, mix and household bounds as rows; menus and account bounds as bounds.

    Objective constraints (a return target) are added by :func:`with_row`.
    """
    n, k = p.n, p.k
    budgets = p.budgets
    active = np.flatnonzero(budgets > 0)
    blocks = [np.kron(np.eye(k)[active], np.ones(n))]  # Σ_i x[k, i] = a[k]
    eq_rhs = [budgets[active]]
    if p.mix is not None:  # Σ_k w[k]·x[k, i] = mix[i]
        blocks.append(np.kron(p.mix_weights[None, :], np.eye(n)))
        eq_rhs.append(p.mix)
    eq = np.vstack(blocks)
    bounded = np.flatnonzero((p.class_lower > 0) | (p.class_upper < 1))
    in_rows = list(np.kron(np.ones((1, k)), np.eye(n)[bounded])) if bounded.size else []
    in_lo = p.class_lower[bounded].tolist()
    in_hi = p.class_upper[bounded].tolist()
    fixed = p.lower.ravel() == p.upper.ravel()
    keep = _independent_rows(eq, fixed)  # e.g. the mix rows and the budgets share one
    rows = [*eq[keep], *in_rows]
    rhs = np.concatenate(eq_rhs)[keep].tolist()
    # x[k, i] <= a[k] is implied by the budget and x >= 0; stating it again makes every
    # single-class account a degenerate vertex, which active-set solvers handle badly.
    implied = p.upper >= p.budgets[:, None]
    ub = np.where(implied & (p.budgets[:, None] > 0), INF, p.upper).ravel()
    return Constraints(
        lb=p.lower.ravel().copy(),
        ub=ub,
        a=np.array(rows) if rows else np.zeros((0, k * n)),
        lo=np.array(rhs + in_lo),
        hi=np.array(rhs + in_hi),
        m_eq=len(keep),
    )


def _qp(
    h: FloatArray, f: FloatArray, c: Constraints, what: str, eps_prox: float = 0.0
) -> FloatArray:
    """min ½x'Hx + f'x under ``c``: DAQP first (fast); HiGHS decides when DAQP fails.

    An active-set method can stall or misreport infeasibility on degenerate faces (many
    ties, as here); HiGHS's QP solver with presolve is slower but robust, so it has the last
    word on both the solution and infeasibility.
    """
    try:
        return _daqp(h, f, c, what, eps_prox)
    except (Infeasible, SolverError):
        return _highs_qp(h, f, c, what)


def _highs_qp(h: FloatArray, f: FloatArray, c: Constraints, what: str) -> FloatArray:
    """min ½x'Hx + f'x under ``c`` by HiGHS (H positive semidefinite; H = 0 is an LP)."""
    nv = len(f)
    lp = highspy.HighsLp()
    lp.num_col_ = nv
    lp.num_row_ = len(c.lo)
    lp.col_cost_ = f
    lp.col_lower_ = c.lb
    lp.col_upper_ = np.where(c.ub >= INF / 2, np.inf, c.ub)
    lp.row_lower_ = np.where(c.lo <= -INF / 2, -np.inf, c.lo)
    lp.row_upper_ = np.where(c.hi >= INF / 2, np.inf, c.hi)
    a = sp.csc_matrix(c.a)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_ = nv
    lp.a_matrix_.num_row_ = len(c.lo)
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("primal_feasibility_tolerance", 1e-9)
    solver.setOptionValue("dual_feasibility_tolerance", 1e-9)
    solver.passModel(lp)
    if np.any(h):
        hu = sp.csc_matrix(np.tril(h))  # HiGHS reads the lower triangle, column-wise
        hess = highspy.HighsHessian()
        hess.dim_ = nv
        hess.format_ = highspy.HessianFormat.kTriangular
        hess.start_ = hu.indptr
        hess.index_ = hu.indices
        hess.value_ = hu.data
        solver.passHessian(hess)
    solver.run()
    status = solver.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise Infeasible()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"{what}: HiGHS stopped with {solver.modelStatusToString(status)}")
    return np.asarray(solver.getSolution().col_value, dtype=float)


def with_row(c: Constraints, row: FloatArray, lo: float, hi: float = INF) -> Constraints:
    """``c`` plus the inequality lo <= row'x <= hi."""
    return Constraints(
        c.lb,
        c.ub,
        np.vstack([c.a, row[None, :]]),
        np.append(c.lo, lo),
        np.append(c.hi, hi),
        c.m_eq,
    )


def return_row(p: Problem, m: FloatArray, view: View) -> tuple[FloatArray, float]:
    """(row, constant) with E_view = row'x + constant (decimal per year)."""
    return view.scale * (p.mu @ m), float(p.mu @ view.offset)


def _daqp(
    h: FloatArray, f: FloatArray, c: Constraints, what: str, eps_prox: float = 0.0
) -> FloatArray:
    """min ½x'Hx + f'x under ``c`` by DAQP; raises on infeasibility or failure.

    ``eps_prox`` > 0 turns on DAQP's proximal-point iterations (for an LP, H = 0); 0 lets
    DAQP regularize a singular H only as it needs.
    """
    # Variables fixed at zero (menus, empty accounts) leave the problem; rows left empty
    # must hold at zero or the problem is infeasible.
    live = ~((c.lb == 0.0) & (c.ub == 0.0))
    a = c.a[:, live]
    nonempty = np.abs(a).max(axis=1, initial=0.0) > 0
    if np.any(~nonempty & ((c.lo > PRIMAL_TOL) | (c.hi < -PRIMAL_TOL))):
        raise Infeasible()
    m_eq = int(nonempty[: c.m_eq].sum())
    a, lo, hi = a[nonempty], c.lo[nonempty], c.hi[nonempty]
    nv = int(live.sum())
    sense = np.zeros(nv + len(lo), dtype=np.int32)
    sense[nv : nv + m_eq] = 5  # equality rows
    sense[:nv][c.lb[live] == c.ub[live]] = 5  # variables fixed by their bounds
    x, _fval, flag, _info = daqp.solve(
        np.ascontiguousarray(h[np.ix_(live, live)]),
        np.ascontiguousarray(f[live]),
        np.ascontiguousarray(a),
        np.concatenate([c.ub[live], hi]),
        np.concatenate([c.lb[live], lo]),
        sense,
        primal_tol=PRIMAL_TOL,
        eps_prox=eps_prox if eps_prox > 0 else -1e-6,
        eta_prox=ETA_PROX,
    )
    if flag == -1:
        raise Infeasible()
    if flag < 1:
        raise SolverError(f"{what}: DAQP stopped with exit flag {flag}")
    out = np.zeros(len(f))
    out[live] = x
    return out


class Infeasible(Exception):
    """The solver proved infeasibility; callers diagnose it (see :mod:`infeasibility`)."""


def _stage1_qp(p: Problem, m: FloatArray, c: Constraints, view: View) -> FloatArray:
    """Mean-variance (and fixed mix) or, for ``target_return``, least variance."""
    if p.kind == "target_return":
        assert p.target is not None
        row, const = return_row(p, m, view)
        best = float(row @ max_return(p, m, c, view)) + const
        if p.target > best + GAP_TOL:
            raise InfeasibleError(
                [
                    f"target return {p.target:.6g} ({view.name} view, after tax) exceeds "
                    f"the greatest return the other constraints allow, {best:.6g}"
                ]
            )
        return min_variance(p, m, c, view, min(p.target, best))
    s, c0 = view.scale, view.offset
    a = p.risk_aversion
    h = a * s * s * (m.T @ p.cov @ m)
    f = -(m.T @ (s * p.mu - a * s * (p.cov @ c0)))
    return _scaled_qp(h, f, c, "stage 1")


def _scaled_qp(h: FloatArray, f: FloatArray, c: Constraints, what: str) -> FloatArray:
    scale = float(np.abs(np.diag(h)).max(initial=0.0)) or 1.0  # the optimum ignores scale
    return _qp(h / scale, f / scale, c, what, eps_prox=QP_PROX)


def min_variance(
    p: Problem, m: FloatArray, c: Constraints, view: View, target: float | None
) -> FloatArray:
    """Least V_view subject to ``c`` and, if ``target`` is given, E_view >= target."""
    s, c0 = view.scale, view.offset
    h = s * s * (m.T @ p.cov @ m)
    f = s * (m.T @ (p.cov @ c0))
    if target is not None:
        row, const = return_row(p, m, view)
        c = with_row(c, row, target - const)
    return _scaled_qp(h, f, c, "least variance")


def max_return(p: Problem, m: FloatArray, c: Constraints, view: View) -> FloatArray:
    """Greatest E_view subject to ``c`` (an LP)."""
    row, _ = return_row(p, m, view)
    return _lp(-row, c, "greatest return")


def _stage1_target_volatility(p: Problem, m: FloatArray, c: Constraints, view: View) -> FloatArray:
    """max E_view s.t. ‖R z‖ ≤ σ (R'R = Σ, z = s·Mx + c0) and ``c``, by Clarabel."""
    assert p.target is not None
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
    b = np.concatenate(rhs + nonneg_rhs + [np.array([p.target]), soc_offset])
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
    return _qp(np.eye(nv), -x, c, "target volatility polish")


def _lp(cost: FloatArray, c: Constraints, what: str) -> FloatArray:
    """min cost'x under ``c``: DAQP's proximal-point LP, HiGHS if that fails."""
    return _qp(np.zeros((len(cost), len(cost))), cost, c, what, eps_prox=LP_PROX)


def _independent_rows(
    a: FloatArray, fixed: np.ndarray | None = None, tol: float = 1e-10
) -> FloatArray:
    """Indices of a maximal set of rows of ``a`` independent on the non-``fixed`` columns.

    Variables fixed by their bounds act as constants; rows that differ only there are
    dependent for the solver (which treats fixed variables as equality constraints).
    """
    if a.shape[0] == 0:
        return np.zeros(0, dtype=int)
    if fixed is not None:
        a = a[:, ~fixed]
        if a.shape[1] == 0:
            return np.zeros(0, dtype=int)
    _q, r, piv = qr(a.T, mode="economic", pivoting=True, check_finite=False)
    diag = np.abs(np.diag(r))
    rank = int((diag > tol * max(1.0, diag[0] if diag.size else 1.0)).sum())
    return np.sort(piv[:rank])


def _stacked(
    c: Constraints,
    eq: FloatArray,
    eq_rhs: FloatArray,
    ineq: FloatArray,
    ineq_lo: FloatArray,
    ineq_hi: FloatArray,
) -> Constraints:
    """``c``'s bounds with equality rows ``eq`` and inequality rows ``ineq``."""
    return Constraints(
        c.lb,
        c.ub,
        np.vstack([eq, ineq]),
        np.concatenate([eq_rhs, ineq_lo]),
        np.concatenate([eq_rhs, ineq_hi]),
        len(eq),
    )


def _tie_break(
    p: Problem, m: FloatArray, c: Constraints, x1: FloatArray, tax_free: np.ndarray
) -> FloatArray:
    """Stage 2: keep e* = M x1 and pick x by the tax-free-first, then pro-rata rule."""
    e_star = m @ x1
    nv = len(x1)
    eq = np.vstack([c.a[: c.m_eq], m])
    eq_rhs = np.concatenate([c.lo[: c.m_eq], e_star])
    keep = _independent_rows(eq, c.lb == c.ub)
    eq, eq_rhs = eq[keep], eq_rhs[keep]
    ineq, ineq_lo, ineq_hi = c.a[c.m_eq :], c.lo[c.m_eq :], c.hi[c.m_eq :]
    budgets = np.repeat(p.budgets, p.n)
    weight = np.where(budgets > 0, 1.0 / np.where(budgets > 0, budgets, 1.0), 1.0)

    tf_mask = np.repeat(tax_free, p.n)
    if tf_mask.any() and (~tf_mask & (budgets > 0)).any():
        ret = np.where(tf_mask, np.tile(p.mu, p.k), 0.0)
        c2a = _stacked(c, eq, eq_rhs, ineq, ineq_lo, ineq_hi)
        best = float(ret @ _lp(-ret, c2a, "stage 2a"))
        # Keep 2a's optimum as an equality (rows re-reduced): exact, and better conditioned
        # than an inequality with a tiny slack — which is the fallback.
        eq2 = np.vstack([eq, ret[None, :]])
        eq2_rhs = np.append(eq_rhs, best)
        keep2 = _independent_rows(eq2, c.lb == c.ub)
        try:
            c2b = _stacked(c, eq2[keep2], eq2_rhs[keep2], ineq, ineq_lo, ineq_hi)
            return _qp(np.diag(weight), np.zeros(nv), c2b, "stage 2b")
        except (Infeasible, SolverError):
            ineq = np.vstack([ineq, ret[None, :]])
            ineq_lo = np.append(ineq_lo, best - TIE_SLACK * (1.0 + abs(best)))
            ineq_hi = np.append(ineq_hi, INF)
    c2b = _stacked(c, eq, eq_rhs, ineq, ineq_lo, ineq_hi)
    return _qp(np.diag(weight), np.zeros(nv), c2b, "stage 2b")


def _stage1_crra(p: Problem, m: FloatArray, c: Constraints, view: View) -> FloatArray:
    """The frontier point with the greatest CRRA (Levy–Markowitz) utility.

    Utility along the frontier is a function of the return target r in [E_min, E_max];
    it is maximized by a bounded scalar search (Brent) on r, each step a least-variance QP.
    """
    assert p.risk_tolerance is not None
    theta = p.risk_tolerance
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
    res = minimize_scalar(
        neg_u, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * max(1.0, abs(hi))}
    )
    best = min([lo, float(res.x), hi], key=neg_u)
    # At the top, the least-variance portfolio with the greatest return (the LP vertex
    # x_max may carry needless risk when several portfolios reach it).
    return point(best) if best < hi else min_variance(p, m, c, view, hi - GAP_TOL)


def solve_stage1(p: Problem, m: FloatArray, c: Constraints, view: View) -> FloatArray:
    """Optimal x for ``p``'s objective in ``view`` (any x with the optimal exposure)."""
    if p.kind == "target_volatility":
        return _stage1_target_volatility(p, m, c, view)
    if p.kind == "crra":
        return _stage1_crra(p, m, c, view)
    return _stage1_qp(p, m, c, view)


@dataclass(frozen=True)
class Solution:
    """Optimal shares of F, shape (K, n), with the exposure it gives.

    ``tie_break_applied`` is False in the rare case where the tie-break rule could not be
    applied numerically and the holdings are the stage-1 optimum (same exposure, same
    utility, but not split by the rule).
    """

    x: FloatArray
    exposure: FloatArray
    tie_break_applied: bool = True


def violation(p: Problem, x: FloatArray) -> float:
    """Largest violation of ``p``'s stated constraints by x (K, n), in shares of F."""
    worst = max(
        float(np.max(p.lower - x, initial=0.0)),
        float(np.max(x - p.upper, initial=0.0)),
        float(np.max(np.abs(x.sum(axis=1) - p.budgets), initial=0.0)),
        float(np.max(p.class_lower - x.sum(axis=0), initial=0.0)),
        float(np.max(x.sum(axis=0) - p.class_upper, initial=0.0)),
    )
    if p.mix is not None:
        worst = max(worst, float(np.max(np.abs(p.mix_weights @ x - p.mix), initial=0.0)))
    return worst


def solve(p: Problem, tax_free: np.ndarray | None = None) -> Solution:
    """Solve ``p``; ``tax_free`` marks the accounts that get the highest returns first.

    Interchangeable accounts are merged first (:mod:`assetloc.merge`; exact). Raises
    :class:`InfeasibleError` naming the constraints that conflict (also when a solver returns
    a point that does not meet them: no answer is better than a wrong one).
    """
    tf = np.zeros(p.k, dtype=bool) if tax_free is None else tax_free
    parts1 = groups(p)
    p1 = merged(p, parts1)
    m1 = exposure_map(p1)
    try:
        y1 = solve_stage1(p1, m1, constraints(p1, m1), p1.view())
    except Infeasible:
        raise InfeasibleError(diagnose(p)) from None
    x1 = spread(p, parts1, y1.reshape(len(parts1), p.n))
    if violation(p, x1) > FEAS_TOL:
        raise InfeasibleError(diagnose(p))
    parts2 = groups(p, tf)
    p2 = merged(p, parts2)
    m2 = exposure_map(p2)
    c2 = constraints(p2, m2)
    y2 = np.array([x1[g].sum(axis=0) for g in parts2])
    tf2 = np.array([bool(tf[g[0]]) for g in parts2])
    applied = True
    try:
        y = np.clip(_tie_break(p2, m2, c2, y2.ravel(), tf2), c2.lb, c2.ub)
        x = spread(p, parts2, y.reshape(len(parts2), p.n))
        if violation(p, x) > FEAS_TOL:
            raise SolverError("stage 2 left the constraints")
    except (Infeasible, SolverError):
        # The rule could not be applied numerically; the optimum itself stands, flagged.
        applied = False
        x = x1
    return Solution(x=x, exposure=p.exposure(x), tie_break_applied=applied)
