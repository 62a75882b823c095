/* assetloc.solve._ckernels: the solver's inner loops (_kernels.py) in C, the same numbers
 * to the bit.
 *
 * _kernels.py is the specification and the reference: every function here does the same
 * floating-point operations in the same order (sums left to right, as a plain loop adds;
 * numpy's maximum/minimum return their second argument on a tie, NaN first), so the results
 * are identical, not close. Inputs off the common path (other dtypes, shapes that numpy
 * would broadcast or refuse, non-finite expected returns) go to the Python reference, which
 * gives numpy's answer or error. tests/solve/test_ckernels.py checks the two against each
 * other on generated inputs, and the whole suite runs on this translation.
 *
 * Compiled with -ffp-contract=off (setup.py): no fused multiply-add, whatever the target.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_23_API_VERSION
#include <numpy/arrayobject.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the reference module (assetloc.solve._kernels' Python functions), set by configure() */
static PyObject *reference;

/* the reference function `name` called with the original arguments */
static PyObject *fallback_kw(const char *name, PyObject *args, PyObject *kwargs) {
    if (reference == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_ckernels.configure() was not called");
        return NULL;
    }
    PyObject *f = PyObject_GetAttrString(reference, name);
    if (f == NULL) return NULL;
    PyObject *out = PyObject_Call(f, args, kwargs);
    Py_DECREF(f);
    return out;
}

#define fallback(name, args) fallback_kw(name, args, NULL)

/* keyword arguments, or positional ones of another kind than the common path's (a float
 * where an int is parsed, ...): the reference decides, as it would alone */
#define PARSE(name, ...)                                                  \
    do {                                                                  \
        if ((kwargs && PyDict_GET_SIZE(kwargs)) || !PyArg_ParseTuple(__VA_ARGS__)) { \
            PyErr_Clear();                                                \
            return fallback_kw(name, args, kwargs);                       \
        }                                                                 \
    } while (0)

/* `obj` as an aligned, C-contiguous array of `type` with `ndim` dimensions, or NULL with
 * no exception when it is not one already (then the reference decides) */
static PyArrayObject *exact(PyObject *obj, int type, int ndim) {
    if (!PyArray_CheckExact(obj)) return NULL;
    PyArrayObject *a = (PyArrayObject *)obj;
    if (PyArray_TYPE(a) != type || PyArray_NDIM(a) != ndim || !PyArray_ISCARRAY_RO(a) ||
        !PyArray_ISNOTSWAPPED(a))
        return NULL;
    return a;
}

#define DBL(a) ((const double *)PyArray_DATA(a))
#define INT(a) ((const npy_int64 *)PyArray_DATA(a))
#define BOOL(a) ((const npy_bool *)PyArray_DATA(a))
#define DIM(a, i) ((Py_ssize_t)PyArray_DIM(a, i))

/* numpy's maximum and minimum: NaN propagates, a tie gives the second argument */
static inline double np_max(double a, double b) { return isnan(a) ? a : (a > b ? a : b); }
static inline double np_min(double a, double b) { return isnan(a) ? a : (a < b ? a : b); }

static PyObject *zeros(int ndim, npy_intp *dims, int type) {
    return PyArray_ZEROS(ndim, dims, type, 0);
}

/* ------------------------------------------------------------------ worst_violation */

/* the max of v[0..n), NaN if any is NaN (numpy's max); *has = n > 0 */
typedef struct { double value; int any; int nan; } runmax_t;

static inline void see(runmax_t *m, double v) {
    if (isnan(v)) m->nan = 1;
    if (!m->any || v > m->value) m->value = v;
    m->any = 1;
}

/* Python's max(0.0, *maxes): a NaN max never wins a > comparison; a gap of no elements
 * is left out */
static inline double fold(double result, const runmax_t *m) {
    if (!m->any) return result;
    double v = m->nan ? NAN : m->value;
    return v > result ? v : result;
}

static PyObject *worst_violation(PyObject *self, PyObject *args, PyObject *kwargs) {
    PyObject *o[8];
    PARSE("worst_violation", args, "OOOOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6],
                          &o[7]);
    PyArrayObject *x = exact(o[0], NPY_DOUBLE, 2), *lower = exact(o[1], NPY_DOUBLE, 2),
                  *upper = exact(o[2], NPY_DOUBLE, 2), *budgets = exact(o[3], NPY_DOUBLE, 1),
                  *cl = exact(o[4], NPY_DOUBLE, 1), *cu = exact(o[5], NPY_DOUBLE, 1),
                  *mix = exact(o[6], NPY_DOUBLE, 1), *w = exact(o[7], NPY_DOUBLE, 1);
    if (!x || !lower || !upper || !budgets || !cl || !cu || !mix || !w)
        return fallback("worst_violation", args);
    Py_ssize_t k = DIM(x, 0), n = DIM(x, 1);
    if (DIM(lower, 0) != k || DIM(lower, 1) != n || DIM(upper, 0) != k || DIM(upper, 1) != n ||
        DIM(budgets, 0) != k || DIM(cl, 0) != n || DIM(cu, 0) != n ||
        (DIM(mix, 0) != 0 && (DIM(mix, 0) != n || DIM(w, 0) != k)))
        return fallback("worst_violation", args);
    const double *X = DBL(x), *L = DBL(lower), *U = DBL(upper), *BU = DBL(budgets), *CL = DBL(cl),
                 *CU = DBL(cu), *MX = DBL(mix), *W = DBL(w);
    runmax_t g[6] = {{0}};
    for (Py_ssize_t i = 0; i < k * n; i++) see(&g[0], L[i] - X[i]);
    for (Py_ssize_t i = 0; i < k * n; i++) see(&g[1], X[i] - U[i]);
    for (Py_ssize_t r = 0; r < k; r++) {
        if (n == 0) { see(&g[2], fabs(0.0 - BU[r])); continue; }
        double s = X[r * n];
        for (Py_ssize_t i = 1; i < n; i++) s += X[r * n + i];
        see(&g[2], fabs(s - BU[r]));
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        double held = 0.0;
        if (k > 0) {
            held = X[i];
            for (Py_ssize_t r = 1; r < k; r++) held += X[r * n + i];
        }
        see(&g[3], CL[i] - held);
        see(&g[4], held - CU[i]);
        if (DIM(mix, 0)) {
            double s = 0.0;
            if (k > 0) {
                s = W[0] * X[i];
                for (Py_ssize_t r = 1; r < k; r++) s += W[r] * X[r * n + i];
            }
            see(&g[5], fabs(s - MX[i]));
        }
    }
    double result = 0.0;
    for (int j = 0; j < 6; j++) result = fold(result, &g[j]);
    return PyFloat_FromDouble(result);
}

/* ------------------------------------------------------------------ face_matrix */

static PyObject *face_matrix(PyObject *self, PyObject *args, PyObject *kwargs) {
    PyObject *o[6];
    Py_ssize_t m_eq;
    double strict_tol;
    PARSE("face_matrix", args, "OOOOnOd", &o[0], &o[1], &o[2], &o[3], &m_eq, &o[4],
                          &strict_tol);
    PyArrayObject *lam = exact(o[0], NPY_DOUBLE, 1), *lb = exact(o[1], NPY_DOUBLE, 1),
                  *ub = exact(o[2], NPY_DOUBLE, 1), *a = exact(o[3], NPY_DOUBLE, 2),
                  *m = exact(o[4], NPY_DOUBLE, 2);
    if (!lam || !lb || !ub || !a || !m) return fallback("face_matrix", args);
    Py_ssize_t nv = DIM(lb, 0), nr = DIM(a, 0), nl = DIM(lam, 0), p = DIM(m, 0);
    if (DIM(ub, 0) != nv || nl < nv + nr || DIM(a, 1) != nv || DIM(m, 1) != nv)
        return fallback("face_matrix", args);
    const double *LAM = DBL(lam), *LB = DBL(lb), *UB = DBL(ub), *A = DBL(a), *M = DBL(m);
    double top = 1.0;
    if (nl) {
        runmax_t big = {0};
        for (Py_ssize_t i = 0; i < nl; i++) see(&big, fabs(LAM[i]));
        top = fold(1.0, &big);  /* max(1.0, |lam|.max()) */
    }
    double tol = strict_tol * top;
    Py_ssize_t *cols = PyMem_New(Py_ssize_t, nv + 1), *rows = PyMem_New(Py_ssize_t, nr + 1);
    if (!cols || !rows) {
        PyMem_Free(cols);
        PyMem_Free(rows);
        return PyErr_NoMemory();
    }
    Py_ssize_t nc = 0, nrow = 0;
    for (Py_ssize_t j = 0; j < nv; j++)
        if (fabs(LAM[j]) <= tol && LB[j] < UB[j]) cols[nc++] = j;
    for (Py_ssize_t r = 0; r < nr; r++)
        if (r < m_eq || fabs(LAM[nv + r]) > tol) rows[nrow++] = r;
    PyObject *out;
    if (nc == 0) {
        npy_intp dims[2] = {0, 0};
        out = zeros(2, dims, NPY_DOUBLE);
    } else {
        npy_intp dims[2] = {nrow + p, nc};
        out = PyArray_EMPTY(2, dims, NPY_DOUBLE, 0);
        if (out) {
            double *O = (double *)PyArray_DATA((PyArrayObject *)out);
            for (Py_ssize_t r = 0; r < nrow; r++)
                for (Py_ssize_t j = 0; j < nc; j++) O[r * nc + j] = A[rows[r] * nv + cols[j]];
            for (Py_ssize_t r = 0; r < p; r++)
                for (Py_ssize_t j = 0; j < nc; j++) O[(nrow + r) * nc + j] = M[r * nv + cols[j]];
        }
    }
    PyMem_Free(cols);
    PyMem_Free(rows);
    return out;
}

/* ------------------------------------------------------------------ split_groups */

/* 0.0 + v[idx[0]] + v[idx[1]] + ... */
static double loop_sum(const double *v, const Py_ssize_t *idx, Py_ssize_t n) {
    double total = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) total += v[idx[i]];
    return total;
}

static int ascending(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : (a > b ? 1 : 0);
}

/* _kernels.tie_share: r (b,) into out for z (b,), total, c; scratch of 2b + 2b doubles */
static void tie_share(const double *z, Py_ssize_t b, double total, double c, double *out,
                      double *scratch) {
    double *knots = scratch, *sums = scratch + 2 * b;
    for (Py_ssize_t i = 0; i < b; i++) {
        knots[i] = -c * z[i];
        knots[b + i] = (1.0 - c) * z[i];
    }
    qsort(knots, 2 * b, sizeof(double), ascending);  /* no NaN here: equal values are equal */
    for (Py_ssize_t j = 0; j < 2 * b; j++) {
        double s = np_min(np_max(c * z[0] + knots[j], 0.0), z[0]);
        for (Py_ssize_t i = 1; i < b; i++) s += np_min(np_max(c * z[i] + knots[j], 0.0), z[i]);
        sums[j] = s;
    }
    double lam = knots[2 * b - 1];
    for (Py_ssize_t j = 1; j < 2 * b; j++) {
        if (sums[j] >= total) {
            double lo = knots[j - 1], hi = knots[j], s_lo = sums[j - 1], s_hi = sums[j];
            lam = s_hi > s_lo ? lo + (total - s_lo) * (hi - lo) / (s_hi - s_lo) : lo;
            break;
        }
    }
    for (Py_ssize_t i = 0; i < b; i++) out[i] = np_min(np_max(c * z[i] + lam, 0.0), z[i]);
}

/* _kernels.fill: the tax-free holdings r (n,) of a group holding z (n,) */
static void fill(const double *mu, const double *z, Py_ssize_t n, double a_free, double a_other,
                 double held_tol, double *r, Py_ssize_t *order, double *block_z, double *tie,
                 double *scratch) {
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        r[i] = 0.0;
        if (z[i] > held_tol) order[count++] = i;
    }
    /* stable by −μ, high to low (insertion: a few dozen classes); ties keep class order */
    for (Py_ssize_t i = 1; i < count; i++) {
        Py_ssize_t v = order[i], j = i;
        while (j > 0 && -mu[order[j - 1]] > -mu[v]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    double left = a_free;
    Py_ssize_t j = 0;
    while (j < count && left > 0.0) {
        Py_ssize_t end = j + 1;
        while (end < count && mu[order[end]] == mu[order[j]]) end++;
        double room = loop_sum(z, order + j, end - j);
        if (left >= room) {
            for (Py_ssize_t q = j; q < end; q++) r[order[q]] = z[order[q]];
        } else if (end - j == 1) {
            r[order[j]] = left;
        } else {
            for (Py_ssize_t q = j; q < end; q++) block_z[q - j] = z[order[q]];
            tie_share(block_z, end - j, left, a_free / (a_free + a_other), tie, scratch);
            for (Py_ssize_t q = j; q < end; q++) r[order[q]] = tie[q - j];
        }
        left -= room;
        j = end;
    }
}

static PyObject *split_groups(PyObject *self, PyObject *args, PyObject *kwargs) {
    PyObject *o[5];
    double held_tol;
    PARSE("split_groups", args, "OOOOOd", &o[0], &o[1], &o[2], &o[3], &o[4], &held_tol);
    PyArrayObject *y = exact(o[0], NPY_DOUBLE, 2), *group_of = exact(o[1], NPY_INT64, 1),
                  *is_free = exact(o[2], NPY_BOOL, 1), *budgets = exact(o[3], NPY_DOUBLE, 1),
                  *mu = exact(o[4], NPY_DOUBLE, 1);
    if (!y || !group_of || !is_free || !budgets || !mu) return fallback("split_groups", args);
    Py_ssize_t G = DIM(y, 0), n = DIM(y, 1), k = DIM(group_of, 0);
    if (DIM(is_free, 0) != k || DIM(budgets, 0) != k || DIM(mu, 0) != n)
        return fallback("split_groups", args);
    const double *Y = DBL(y), *BU = DBL(budgets), *MU = DBL(mu);
    const npy_int64 *GO = INT(group_of);
    const npy_bool *FREE = BOOL(is_free);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!isfinite(MU[i])) return fallback("split_groups", args);
    for (Py_ssize_t i = 0; i < G * n; i++)  /* inf holdings: NaN knots, numpy's sort order */
        if (!isfinite(Y[i])) return fallback("split_groups", args);
    for (Py_ssize_t q = 0; q < k; q++)
        if (!isfinite(BU[q])) return fallback("split_groups", args);
    npy_intp dims[2] = {k, n};
    PyObject *out = zeros(2, dims, NPY_DOUBLE);
    if (out == NULL) return NULL;
    double *X = (double *)PyArray_DATA((PyArrayObject *)out);
    /* scratch: members, free, other (k); r, block_z, tie (n); order (n); knots+sums (4n) */
    Py_ssize_t *idx = PyMem_New(Py_ssize_t, 3 * k + n + 1);
    double *work = PyMem_New(double, 7 * n + 1);
    if (!idx || !work) {
        PyMem_Free(idx);
        PyMem_Free(work);
        Py_DECREF(out);
        return PyErr_NoMemory();
    }
    Py_ssize_t *members = idx, *free_ = idx + k, *other = idx + 2 * k, *order = idx + 3 * k;
    double *r = work, *block_z = work + n, *tie = work + 2 * n, *scratch = work + 3 * n;
    for (Py_ssize_t g = 0; g < G; g++) {
        Py_ssize_t nm = 0, nf = 0, no = 0;
        for (Py_ssize_t q = 0; q < k; q++) {
            if (GO[q] != g) continue;
            members[nm++] = q;
            if (FREE[q]) free_[nf++] = q; else other[no++] = q;
        }
        const double *yg = Y + g * n;
        double a_free = loop_sum(BU, free_, nf), a_other = loop_sum(BU, other, no);
        if (a_free > 0.0 && a_other > 0.0) {
            fill(MU, yg, n, a_free, a_other, held_tol, r, order, block_z, tie, scratch);
            for (Py_ssize_t q = 0; q < nf; q++) {
                double share = BU[free_[q]] / a_free;
                for (Py_ssize_t i = 0; i < n; i++) X[free_[q] * n + i] = r[i] * share;
            }
            for (Py_ssize_t q = 0; q < no; q++) {
                double share = BU[other[q]] / a_other;
                for (Py_ssize_t i = 0; i < n; i++) X[other[q] * n + i] = (yg[i] - r[i]) * share;
            }
        } else {
            double total = a_free + a_other;
            for (Py_ssize_t q = 0; q < nm; q++) {
                double share = total > 0.0 ? BU[members[q]] / total : 0.0;
                for (Py_ssize_t i = 0; i < n; i++) X[members[q] * n + i] = yg[i] * share;
            }
        }
    }
    PyMem_Free(idx);
    PyMem_Free(work);
    return out;
}

/* ------------------------------------------------------------------ merging accounts */

static PyObject *must_stand_alone(PyObject *self, PyObject *args, PyObject *kwargs) {
    PyObject *o[3];
    PARSE("must_stand_alone", args, "OOO", &o[0], &o[1], &o[2]);
    PyArrayObject *lower = exact(o[0], NPY_DOUBLE, 2), *upper = exact(o[1], NPY_DOUBLE, 2),
                  *budgets = exact(o[2], NPY_DOUBLE, 1);
    if (!lower || !upper || !budgets) return fallback("must_stand_alone", args);
    Py_ssize_t k = DIM(lower, 0), n = DIM(lower, 1);
    if (DIM(upper, 0) != k || DIM(upper, 1) != n || DIM(budgets, 0) != k)
        return fallback("must_stand_alone", args);
    const double *L = DBL(lower), *U = DBL(upper), *BU = DBL(budgets);
    npy_intp dims[1] = {k};
    PyObject *out = zeros(1, dims, NPY_BOOL);
    if (out == NULL) return NULL;
    npy_bool *O = (npy_bool *)PyArray_DATA((PyArrayObject *)out);
    for (Py_ssize_t r = 0; r < k; r++) {
        int alone = BU[r] <= 0.0;
        for (Py_ssize_t i = 0; i < n && !alone; i++) {
            double lo = L[r * n + i], up = U[r * n + i];
            alone = lo > 0.0 || (up > 0.0 && up < BU[r]);
        }
        O[r] = (npy_bool)alone;
    }
    return out;
}

/* rows `first` of the (K, n) array `a`, copied (a[first]) */
static PyObject *take_rows(const double *a, Py_ssize_t n, const npy_int64 *first, Py_ssize_t g) {
    npy_intp dims[2] = {g, n};
    PyObject *out = PyArray_EMPTY(2, dims, NPY_DOUBLE, 0);
    if (out == NULL) return NULL;
    double *O = (double *)PyArray_DATA((PyArrayObject *)out);
    for (Py_ssize_t j = 0; j < g; j++)
        if (n) memcpy(O + j * n, a + first[j] * n, sizeof(double) * n);
    return out;
}

static PyObject *pooled_accounts(PyObject *self, PyObject *args, PyObject *kwargs) {
    PyObject *o[7];
    PARSE("pooled_accounts", args, "OOOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6]);
    PyArrayObject *group_of = exact(o[0], NPY_INT64, 1), *first = exact(o[1], NPY_INT64, 1),
                  *budgets = exact(o[2], NPY_DOUBLE, 1), *tau = exact(o[3], NPY_DOUBLE, 2),
                  *lower = exact(o[4], NPY_DOUBLE, 2), *upper = exact(o[5], NPY_DOUBLE, 2),
                  *weights = exact(o[6], NPY_DOUBLE, 1);
    if (!group_of || !first || !budgets || !tau || !lower || !upper || !weights)
        return fallback("pooled_accounts", args);
    Py_ssize_t k = DIM(group_of, 0), G = DIM(first, 0), n = DIM(tau, 1);
    if (DIM(budgets, 0) != k || DIM(tau, 0) != k || DIM(lower, 0) != k || DIM(upper, 0) != k ||
        DIM(weights, 0) != k || DIM(lower, 1) != n || DIM(upper, 1) != n)
        return fallback("pooled_accounts", args);
    const npy_int64 *GO = INT(group_of), *F = INT(first);
    for (Py_ssize_t q = 0; q < k; q++)
        if (GO[q] < 0 || GO[q] >= G) return fallback("pooled_accounts", args);
    for (Py_ssize_t j = 0; j < G; j++)
        if (F[j] < 0 || F[j] >= k) return fallback("pooled_accounts", args);
    const double *BU = DBL(budgets), *W = DBL(weights);
    npy_intp gdim[1] = {G};
    PyObject *budget_g = zeros(1, gdim, NPY_DOUBLE), *weights_g = PyArray_EMPTY(1, gdim, NPY_DOUBLE, 0);
    PyObject *tau_g = take_rows(DBL(tau), n, F, G), *lower_g = take_rows(DBL(lower), n, F, G),
             *upper_g = take_rows(DBL(upper), n, F, G);
    Py_ssize_t *size = PyMem_New(Py_ssize_t, G + 1);
    if (!budget_g || !weights_g || !tau_g || !lower_g || !upper_g || !size) {
        Py_XDECREF(budget_g);
        Py_XDECREF(weights_g);
        Py_XDECREF(tau_g);
        Py_XDECREF(lower_g);
        Py_XDECREF(upper_g);
        if (size == NULL) return PyErr_NoMemory();
        PyMem_Free(size);
        return NULL;
    }
    double *BG = (double *)PyArray_DATA((PyArrayObject *)budget_g);
    double *WG = (double *)PyArray_DATA((PyArrayObject *)weights_g);
    double *UG = (double *)PyArray_DATA((PyArrayObject *)upper_g);
    for (Py_ssize_t j = 0; j < G; j++) size[j] = 0;
    for (Py_ssize_t q = 0; q < k; q++) {  /* bincount: 0.0 + the members, in account order */
        BG[GO[q]] += BU[q];
        size[GO[q]]++;
    }
    for (Py_ssize_t j = 0; j < G; j++) {
        WG[j] = W[F[j]];
        if (size[j] > 1)
            for (Py_ssize_t i = 0; i < n; i++) UG[j * n + i] = UG[j * n + i] > 0.0 ? BG[j] : 0.0;
    }
    PyMem_Free(size);
    return Py_BuildValue("NNNNN", budget_g, tau_g, lower_g, upper_g, weights_g);
}

/* ------------------------------------------------------------------ holding_bounds */

static PyObject *holding_bounds(PyObject *self, PyObject *args, PyObject *kwargs) {
    PyObject *o[4];
    double inf;
    PARSE("holding_bounds", args, "OOOOd", &o[0], &o[1], &o[2], &o[3], &inf);
    PyArrayObject *cols = exact(o[0], NPY_INT64, 1), *lower = exact(o[1], NPY_DOUBLE, 2),
                  *upper = exact(o[2], NPY_DOUBLE, 2), *budgets = exact(o[3], NPY_DOUBLE, 1);
    if (!cols || !lower || !upper || !budgets) return fallback("holding_bounds", args);
    Py_ssize_t k = DIM(upper, 0), n = DIM(upper, 1), m = DIM(cols, 0);
    if (DIM(lower, 0) != k || DIM(lower, 1) != n || DIM(budgets, 0) != k || n == 0)
        return fallback("holding_bounds", args);
    const npy_int64 *C = INT(cols);
    for (Py_ssize_t j = 0; j < m; j++)
        if (C[j] < 0 || C[j] >= k * n) return fallback("holding_bounds", args);
    const double *L = DBL(lower), *U = DBL(upper), *BU = DBL(budgets);
    npy_intp vdim[1] = {m}, rdim[2] = {k, m}, kdim[1] = {k};
    PyObject *lb = PyArray_EMPTY(1, vdim, NPY_DOUBLE, 0), *ub = PyArray_EMPTY(1, vdim, NPY_DOUBLE, 0),
             *rows = zeros(2, rdim, NPY_DOUBLE), *binds = zeros(1, kdim, NPY_BOOL);
    if (!lb || !ub || !rows || !binds) {
        Py_XDECREF(lb);
        Py_XDECREF(ub);
        Py_XDECREF(rows);
        Py_XDECREF(binds);
        return NULL;
    }
    double *LB = (double *)PyArray_DATA((PyArrayObject *)lb);
    double *UB = (double *)PyArray_DATA((PyArrayObject *)ub);
    double *R = (double *)PyArray_DATA((PyArrayObject *)rows);
    npy_bool *BI = (npy_bool *)PyArray_DATA((PyArrayObject *)binds);
    for (Py_ssize_t j = 0; j < m; j++) {
        Py_ssize_t acc = (Py_ssize_t)(C[j] / n);
        double lo = L[C[j]], stated = U[C[j]];
        int funded = BU[acc] > 0.0;
        LB[j] = lo;
        UB[j] = funded && stated >= BU[acc] ? inf : stated;
        R[acc * m + j] = 1.0;
        if (funded && lo != stated) BI[acc] = 1;
    }
    return Py_BuildValue("NNNN", lb, ub, rows, binds);
}

/* ------------------------------------------------------------------ portfolio_moments */

/* _kernels.portfolio_moments: (E, V), every sum left to right as np.cumsum adds (the
 * first term, then the rest; 0.0 for none); z on the stack (n ≤ 4096 classes) */
static PyObject *portfolio_moments(PyObject *self, PyObject *args, PyObject *kwargs) {
    PyObject *o[5];
    double scale;
    PARSE("portfolio_moments", args, "OOdOOO", &o[0], &o[1], &scale, &o[2], &o[3], &o[4]);
    PyArrayObject *tau = exact(o[0], NPY_DOUBLE, 2), *x = exact(o[1], NPY_DOUBLE, 2),
                  *offset = exact(o[2], NPY_DOUBLE, 1), *mu = exact(o[3], NPY_DOUBLE, 1),
                  *cov = exact(o[4], NPY_DOUBLE, 2);
    if (!tau || !x || !offset || !mu || !cov) return fallback("portfolio_moments", args);
    Py_ssize_t k = DIM(x, 0), n = DIM(x, 1);
    if (DIM(tau, 0) != k || DIM(tau, 1) != n || DIM(offset, 0) != n || DIM(mu, 0) != n ||
        DIM(cov, 0) != n || DIM(cov, 1) != n || n > 4096)
        return fallback("portfolio_moments", args);
    const double *T = DBL(tau), *X = DBL(x), *OF = DBL(offset), *MU = DBL(mu), *C = DBL(cov);
    double z[4096];
    for (Py_ssize_t i = 0; i < n; i++) {
        double e = 0.0;
        if (k > 0) {
            e = T[i] * X[i];
            for (Py_ssize_t r = 1; r < k; r++) e += T[r * n + i] * X[r * n + i];
        }
        z[i] = scale * e + OF[i];
    }
    double er = 0.0, var = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double cz = C[i * n] * z[0];
        for (Py_ssize_t j = 1; j < n; j++) cz += C[i * n + j] * z[j];
        double term = z[i] * cz, gain = MU[i] * z[i];
        er = i ? er + gain : gain;
        var = i ? var + term : term;
    }
    return Py_BuildValue("dd", er, var);
}

/* ------------------------------------------------------------------ module */

static PyObject *configure(PyObject *self, PyObject *module) {
    Py_XSETREF(reference, Py_NewRef(module));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"worst_violation", (PyCFunction)(void (*)(void))worst_violation, METH_VARARGS | METH_KEYWORDS, "_kernels.worst_violation, in C."},
    {"face_matrix", (PyCFunction)(void (*)(void))face_matrix, METH_VARARGS | METH_KEYWORDS, "_kernels.face_matrix, in C."},
    {"split_groups", (PyCFunction)(void (*)(void))split_groups, METH_VARARGS | METH_KEYWORDS, "_kernels.split_groups, in C."},
    {"must_stand_alone", (PyCFunction)(void (*)(void))must_stand_alone, METH_VARARGS | METH_KEYWORDS, "_kernels.must_stand_alone, in C."},
    {"pooled_accounts", (PyCFunction)(void (*)(void))pooled_accounts, METH_VARARGS | METH_KEYWORDS, "_kernels.pooled_accounts, in C."},
    {"holding_bounds", (PyCFunction)(void (*)(void))holding_bounds, METH_VARARGS | METH_KEYWORDS, "_kernels.holding_bounds, in C."},
    {"portfolio_moments", (PyCFunction)(void (*)(void))portfolio_moments, METH_VARARGS | METH_KEYWORDS, "_kernels.portfolio_moments, in C."},
    {"configure", configure, METH_O, "configure(reference): the module of the Python kernels."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_ckernels",
    .m_doc = "The solver's inner loops in C: the same numbers to the bit (_kernels.py is the "
             "reference).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__ckernels(void) {
    import_array();
    return PyModule_Create(&module);
}
