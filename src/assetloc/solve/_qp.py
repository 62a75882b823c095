"""One quadratic (or linear) program under linear constraints: DAQP first, HiGHS as arbiter.

DAQP (a dual active-set solver, called directly) is fast on these small dense problems but,
like every active-set method, can stall or misreport infeasibility on degenerate faces;
HiGHS's QP solver with presolve is slower but robust, so it has the last word on both the
solution and infeasibility. Units: the variables are shares of after-tax wealth F.
"""

from __future__ import annotations

from dataclasses import dataclass

import daqp
import numpy as np

from assetloc.errors import SolverError
from assetloc.types import FloatArray

INF = 1e30
PRIMAL_TOL = 1e-10  # constraint tolerance of the active-set solver, shares of F
ETA_PROX = 1e-14  # stop proximal-point iterations when steps are this small
LP_PROX = 0.1  # proximal weight of DAQP's LP iterations (any positive value is exact)
EQUALITY = 5  # DAQP's sense flag: an equality (immutable) constraint


class Infeasible(Exception):
    """The solver proved infeasibility; callers diagnose it (see :mod:`infeasibility`)."""


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


@dataclass(frozen=True)
class Duals:
    """DAQP's multipliers, of the variables' bounds then of the rows of A:
    H x + f + λ_bounds + A'λ_rows = 0; negative where a lower bound is active, positive where
    an upper one is, zero where inactive."""

    values: FloatArray


def qp(
    h: FloatArray, f: FloatArray, c: Constraints, what: str, eps_prox: float = 0.0
) -> FloatArray:
    """min ½x'Hx + f'x under ``c``: DAQP first (fast); HiGHS decides when DAQP fails."""
    return qp_duals(h, f, c, what, eps_prox)[0]


def qp_duals(
    h: FloatArray, f: FloatArray, c: Constraints, what: str, eps_prox: float = 0.0
) -> tuple[FloatArray, Duals | None]:
    """:func:`qp` with DAQP's multipliers (None when HiGHS had to decide)."""
    try:
        return daqp_qp(h, f, c, what, eps_prox)
    except (Infeasible, SolverError):
        return highs_qp(h, f, c, what), None


def lp(cost: FloatArray, c: Constraints, what: str) -> FloatArray:
    """min cost'x under ``c``: DAQP's proximal-point LP, HiGHS if that fails."""
    return qp(np.zeros((len(cost), len(cost))), cost, c, what, eps_prox=LP_PROX)


def daqp_qp(
    h: FloatArray, f: FloatArray, c: Constraints, what: str, eps_prox: float = 0.0
) -> tuple[FloatArray, Duals]:
    """min ½x'Hx + f'x under ``c`` by DAQP, with its multipliers; raises on failure.

    ``eps_prox`` > 0 turns on DAQP's proximal-point iterations (for a singular H); 0 lets
    DAQP regularize a singular H only as it needs. Rows with no variable left (a class no
    account can hold) must hold at zero, and leave the problem.
    """
    nv = len(f)
    a, lo, hi, m_eq = c.a, c.lo, c.hi, c.m_eq
    rows = np.asarray(a.any(axis=1))
    dropped = not rows.all()
    if dropped:
        if np.any(~rows & ((lo > PRIMAL_TOL) | (hi < -PRIMAL_TOL))):
            raise Infeasible()
        m_eq = int(rows[:m_eq].sum())
        a, lo, hi = a[rows], lo[rows], hi[rows]
    sense = np.zeros(nv + len(lo), dtype=np.int32)
    sense[nv : nv + m_eq] = EQUALITY
    sense[:nv][c.lb == c.ub] = EQUALITY  # variables fixed by their bounds
    x, _fval, flag, info = daqp.solve(
        np.ascontiguousarray(h),
        np.ascontiguousarray(f),
        np.ascontiguousarray(a),
        np.concatenate([c.ub, hi]),
        np.concatenate([c.lb, lo]),
        sense,
        primal_tol=PRIMAL_TOL,
        eps_prox=eps_prox if eps_prox > 0 else -1e-6,
        eta_prox=ETA_PROX,
    )
    if flag == -1:
        raise Infeasible()
    if flag < 1:
        raise SolverError(f"{what}: DAQP stopped with exit flag {flag}")
    lam = info["lam"]
    if dropped:
        lam = np.concatenate([lam[:nv], np.zeros(len(rows))])
        lam[nv:][rows] = info["lam"][nv:]
    return x, Duals(lam)


def highs_qp(h: FloatArray, f: FloatArray, c: Constraints, what: str) -> FloatArray:
    """min ½x'Hx + f'x under ``c`` by HiGHS (H positive semidefinite; H = 0 is an LP)."""
    import highspy  # the arbiter only: DAQP answers most problems without it
    import scipy.sparse as sp

    from assetloc.solve.highs import new_highs

    nv = len(f)
    model = highspy.HighsLp()
    model.num_col_ = nv
    model.num_row_ = len(c.lo)
    model.col_cost_ = f
    model.col_lower_ = c.lb
    model.col_upper_ = np.where(c.ub >= INF / 2, np.inf, c.ub)
    model.row_lower_ = np.where(c.lo <= -INF / 2, -np.inf, c.lo)
    model.row_upper_ = np.where(c.hi >= INF / 2, np.inf, c.hi)
    a = sp.csc_matrix(c.a)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = a.indptr
    model.a_matrix_.index_ = a.indices
    model.a_matrix_.value_ = a.data
    model.a_matrix_.num_col_ = nv
    model.a_matrix_.num_row_ = len(c.lo)
    solver = new_highs()
    solver.setOptionValue("primal_feasibility_tolerance", 1e-9)
    solver.setOptionValue("dual_feasibility_tolerance", 1e-9)
    solver.passModel(model)
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


def rank(a: FloatArray, tol: float = 1e-10) -> int:
    """Numerical rank of ``a``: how many columns QR with column pivoting keeps (below)."""
    return len(_pivots(a, tol)) if a.size else 0


def _pivots(a: FloatArray, tol: float) -> np.ndarray:
    """Columns of ``a`` that dgeqp3 picks, in order, up to its numerical rank (0-based)."""
    from scipy.linalg.lapack import dgeqp3

    qr, jpvt, _tau, _work, info = dgeqp3(a)
    if info != 0:
        raise SolverError(f"rank of a constraint matrix: LAPACK dgeqp3 info {info}")
    diag = np.abs(np.diag(qr))
    top = max(1.0, float(diag[0])) if diag.size else 1.0
    keep: np.ndarray = jpvt[: int((diag > tol * top).sum())] - 1
    return keep


def independent_rows(
    a: FloatArray, fixed: np.ndarray | None = None, tol: float = 1e-10
) -> np.ndarray:
    """Indices of a maximal set of rows of ``a`` independent on the non-``fixed`` columns.

    Variables fixed by their bounds act as constants; rows that differ only there are
    dependent for the solver (which treats fixed variables as equality constraints).
    """
    if a.shape[0] == 0:
        return np.zeros(0, dtype=int)
    if fixed is not None and fixed.any():
        a = a[:, ~fixed]
    if a.shape[1] == 0:
        return np.zeros(0, dtype=int)
    return np.sort(_pivots(a.T, tol))


class WarmRowQP:
    """min ½x'Hx + f'x under ``c`` and lo ≤ row'x, re-solved for many ``lo`` (a sweep).

    The QP is set up once in one DAQP workspace; each :meth:`solve` changes only the last
    row's lower bound and starts from the previous point's active set (DAQP's warm start),
    so neighbouring targets cost a few active-set changes instead of a solve from scratch.
    When DAQP fails (a stall, or a reported infeasibility it cannot prove), that point is
    solved cold by :func:`qp` (HiGHS has the last word), and the workspace is set up anew.
    """

    def __init__(
        self,
        h: FloatArray,
        f: FloatArray,
        c: Constraints,
        row: FloatArray,
        what: str,
        eps_prox: float = 0.0,
    ) -> None:
        self.h, self.f, self.what, self.eps_prox = h, f, what, eps_prox
        self.c = with_row(c, row, -INF)
        self.model: daqp.Model | None = None
        self.dropped = False
        a = self.c.a
        keep = np.asarray(a.any(axis=1))
        if not keep[-1]:  # the target row touches no variable: no warm start to gain
            return
        lo, hi, m_eq = self.c.lo, self.c.hi, self.c.m_eq
        if not keep.all():  # rows with no variable must hold at zero (as in daqp_qp)
            if np.any(~keep & ((lo > PRIMAL_TOL) | (hi < -PRIMAL_TOL))):
                return
            m_eq = int(keep[:m_eq].sum())
            a, lo, hi = a[keep], lo[keep], hi[keep]
        nv = len(f)
        sense = np.zeros(nv + len(lo), dtype=np.int32)
        sense[nv : nv + m_eq] = EQUALITY
        sense[:nv][c.lb == c.ub] = EQUALITY
        self.upper = np.concatenate([c.ub, hi])
        self.lower = np.concatenate([c.lb, lo])
        self.sense = sense
        self.a = np.ascontiguousarray(a)
        self.model = self._setup(self.lower)

    def _setup(self, lower: FloatArray) -> daqp.Model | None:
        model = daqp.Model()
        model.settings = {
            "primal_tol": PRIMAL_TOL,
            "eps_prox": self.eps_prox if self.eps_prox > 0 else -1e-6,
            "eta_prox": ETA_PROX,
        }
        flag, _ = model.setup(
            np.ascontiguousarray(self.h),
            np.ascontiguousarray(self.f),
            self.a,
            self.upper,
            np.ascontiguousarray(lower),
            self.sense,
        )
        return model if flag >= 0 else None

    def solve(self, lo: float) -> FloatArray:
        """The solution with lo ≤ row'x (raises :class:`Infeasible` when there is none)."""
        if self.model is not None:
            lower = self.lower.copy()
            lower[-1] = lo
            if self.model.update(blower=lower) >= 0:
                x, _fval, flag, _info = self.model.solve()
                if flag >= 1:
                    return np.asarray(x, dtype=float)
            self.model = self._setup(self.lower)  # a fresh workspace for the next point
        c = self.c
        cold = Constraints(c.lb, c.ub, c.a, np.append(c.lo[:-1], lo), c.hi, c.m_eq)
        return qp(self.h, self.f, cold, self.what, self.eps_prox)
