/* assetloc.present._fastclean: jsonout.clean in C, the same numbers to the bit.
 *
 * jsonout.py is the specification and the reference: this walks the same document
 * and rounds every float by the same rule (the unit read from its key and its parent
 * map), and hands back to jsonout's Python for anything off the common path (numpy
 * scalars and other types, non-finite floats, whose error message Python raises, and
 * holdings maps with very large values). tests/present/test_fastclean.py checks the two
 * against each other, bit for bit, on every command's documents and on generated ones.
 *
 * Units: 0 decimal (13 significant digits, 0 below 1e-12), 1 dollars (cents),
 * 2 shares (1e-6), 3 price (1e-6).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { DECIMAL = 0, DOLLARS = 1, SHARES = 2, PRICE = 3 };
static const int DIGITS[4] = {13, 2, 6, 6};
static const double SCALE[4] = {0.0, 100.0, 1e6, 1e6};

/* the key tables of jsonout (frozensets) and its Python fallbacks, set by configure() */
static PyObject *dollar_keys, *dollar_maps, *dollar_stats, *share_keys, *share_maps,
    *decimal_maps, *price_keys;
static PyObject *py_round_map, *py_clean_other, *py_decimal, *py_round, *py_fsum;

/* 2**52: a dollar map whose values times 100 reach this goes to Python (exactness of
 * the int64 arithmetic below is only claimed under it) */
static const double EXACT = 4503599627370496.0;

static PyObject *clean(PyObject *obj, PyObject *key, PyObject *parent);

static int in(PyObject *set, PyObject *key) {
    if (key == Py_None) return 0;
    return PySet_Contains(set, key);
}

/* jsonout.unit_of(key, parent), or -1 with an exception set */
static int unit_rule(PyObject *key, PyObject *parent);

/* unit_rule memoized by the identity of (key, parent), both held by the table (so an
 * address cannot be reused by another object while it is there): a document's keys are
 * the same interned strings household after household */
#define UNITS 1024
static struct { PyObject *key, *parent; int unit; } units_memo[UNITS];

static int unit_of(PyObject *key, PyObject *parent) {
    size_t slot = (((size_t)key >> 4) ^ ((size_t)parent >> 6)) & (UNITS - 1);
    if (units_memo[slot].key == key && units_memo[slot].parent == parent)
        return units_memo[slot].unit;
    /* Python hashes (key, parent) first: an unhashable one is its TypeError */
    if (PyObject_Hash(key) == -1 || PyObject_Hash(parent) == -1) return -1;
    int unit = unit_rule(key, parent);
    if (unit < 0) return unit;
    PyObject *old_key = units_memo[slot].key, *old_parent = units_memo[slot].parent;
    units_memo[slot].key = Py_NewRef(key);  /* the whole slot first, then the old let go */
    units_memo[slot].parent = Py_NewRef(parent);
    units_memo[slot].unit = unit;
    Py_XDECREF(old_key);
    Py_XDECREF(old_parent);
    return unit;
}

static int unit_rule(PyObject *key, PyObject *parent) {
    int r;
    if ((r = in(dollar_maps, parent)) != 0 || (r = in(dollar_stats, parent)) != 0)
        return r < 0 ? -1 : DOLLARS;
    if ((r = in(share_maps, parent)) != 0) return r < 0 ? -1 : SHARES;
    if ((r = in(decimal_maps, parent)) != 0) return r < 0 ? -1 : DECIMAL;
    if ((r = in(dollar_keys, key)) != 0) return r < 0 ? -1 : DOLLARS;
    if ((r = in(share_keys, key)) != 0) return r < 0 ? -1 : SHARES;
    if ((r = in(price_keys, key)) != 0) return r < 0 ? -1 : PRICE;
    return DECIMAL;
}

/* the double that the decimal string of x in `format` with `precision` reads back as
 * (Python's float("%.13g" % x), and round(x, n) by float("%.nf" % x): both correctly
 * rounded by the same dtoa) */
static int reread(double x, char format, int precision, double *out) {
    char *text = PyOS_double_to_string(x, format, precision, 0, NULL);
    if (text == NULL) return -1;
    double r = PyOS_string_to_double(text, NULL, NULL);
    PyMem_Free(text);
    if (r == -1.0 && PyErr_Occurred()) return -1;
    *out = r;
    return 0;
}

/* round(x, digits) with scale = 10**digits, as Python's round gives it: x·scale computed in
 * doubles is within half an ulp of the exact product; when that is plainly off a tie
 * (for |x·scale| < 2**40, half an ulp < 1.2e-4), the nearest integer n of the exact product
 * is that of the computed one, and n / scale (one correctly rounded division of exact
 * doubles) is the double nearest the decimal n·10**-digits, which is what round() returns.
 * Near a tie, or large: the decimal string, as round() itself does. */
static int round_digits(double x, int digits, double scale, double *out) {
    double y = x * scale;
    if (fabs(y) < 1099511627776.0) {
        double off = fabs(y - floor(y) - 0.5);
        if (off > 1e-3) {
            *out = nearbyint(y) / scale;
            return 0;
        }
    }
    return reread(x, 'f', digits, out);
}

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* float("%.13g" % x) without the decimal string, when that is exact: with p = 12 − (the
 * decimal exponent of x) and 10**|p| an exact double (|p| ≤ 22), y = x·10**p in doubles is
 * within half an ulp (< 0.002 for |y| < 10**13) of the exact product; when y is inside
 * (10**12, 10**13) by more than 1 and plainly off a tie, its nearest integer n is the
 * 13 digits "%.13g" prints, and n / 10**p is one correctly rounded division of exact
 * doubles: the double nearest the decimal, which float() reads back.
 * Returns -1 (no exception) when the decimal string must decide. */
static int fast_significant(double x, double *out) {
    double a = fabs(x);
    int e = (int)floor(log10(a));
    int p = 12 - e;
    if (p < 0 || p > 22) return -1;  /* |x| ≥ 10**13, or 10**p not exact: the string */
    double y = a * POW10[p];
    if (!(y > 1e12 + 1.0 && y < 1e13 - 1.0)) return -1;
    if (fabs(y - floor(y) - 0.5) <= 0.01) return -1;
    double n = nearbyint(y);
    double r = n / POW10[p];
    *out = x < 0 ? -r : r;
    return 0;
}

/* memo of the 13-significant-digit rounding, by the bits of the double (an advisor's
 * households repeat the preset's returns and rates): a direct-mapped table */
#define MEMO 4096
static struct { unsigned long long bits; double value; int full; } memo[MEMO];

static int significant(double x, double *out) {
    unsigned long long bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned long long slot = (bits ^ (bits >> 29) ^ (bits >> 47)) & (MEMO - 1);
    if (memo[slot].full && memo[slot].bits == bits) {
        *out = memo[slot].value;
        return 0;
    }
    double r;
    if (fast_significant(x, &r) < 0 && reread(x, 'g', DIGITS[DECIMAL], &r) < 0) return -1;
    r += 0.0;
    memo[slot].bits = bits;
    memo[slot].value = r;
    memo[slot].full = 1;
    *out = r;
    return 0;
}

/* jsonout._decimal / jsonout._round of the float object f */
static PyObject *round_float(PyObject *f, int unit) {
    double x = PyFloat_AS_DOUBLE(f), r;
    if (!isfinite(x))  /* Python raises the error */
        return PyObject_CallFunction(unit == DECIMAL ? py_decimal : py_round, unit == DECIMAL ? "O" : "Oi", f, DIGITS[unit]);
    if (unit == DECIMAL) {
        if (fabs(x) < 1e-12) return PyFloat_FromDouble(0.0);
        if (significant(x, &r) < 0) return NULL;
        return PyFloat_FromDouble(r);
    }
    if (round_digits(x, DIGITS[unit], SCALE[unit], &r) < 0) return NULL;
    return PyFloat_FromDouble(r != 0.0 ? r + 0.0 : 0.0);
}

/* one numeric value of a dollar map, for the largest-remainder sort */
typedef struct {
    Py_ssize_t at;   /* its place in the map's numeric values */
    double num;      /* the value, dollars */
    double frac;     /* value·scale − floor(value·scale) */
    PyObject *key;   /* borrowed: an exact str of the map, which no user code can drop */
} share_t;

/* descending by (frac, num, key): jsonout's sorted(..., reverse=True); keys exact str */
static int descending(const share_t *a, const share_t *b) {
    if (a->frac != b->frac) return a->frac > b->frac ? -1 : 1;
    if (a->num != b->num) return a->num > b->num ? -1 : 1;
    int c = PyUnicode_Compare(a->key, b->key);  /* str order, as Python's <; no error */
    return c > 0 ? -1 : (c < 0 ? 1 : 0);
}

/* the error of a dict comprehension over a dict that `clean` of one of its values (user
 * code: a __float__, a Mapping) changed */
static int changed(PyObject *values, Py_ssize_t size) {
    if (PyDict_GET_SIZE(values) == size) return 0;
    PyErr_SetString(PyExc_RuntimeError, "dictionary changed size during iteration");
    return -1;
}

/* out[k] = clean(v, k, parent) for the item (k, v) of a map (both held while user code
 * may run), or -1 */
static int put_clean(PyObject *out, PyObject *k, PyObject *v, PyObject *parent) {
    Py_INCREF(k);
    Py_INCREF(v);
    PyObject *c = clean(v, k, parent);
    int r = c == NULL ? -1 : PyDict_SetItem(out, k, c);
    Py_XDECREF(c);
    Py_DECREF(k);
    Py_DECREF(v);
    return r;
}

/* {k: clean(v, k) for k, v in values.items()}: the children of a map with no parent */
static PyObject *clean_children(PyObject *values, PyObject *parent) {
    PyObject *out = PyDict_New(), *k, *v;
    Py_ssize_t pos = 0, size = PyDict_GET_SIZE(values);
    if (out == NULL) return NULL;
    while (PyDict_Next(values, &pos, &k, &v)) {
        if (put_clean(out, k, v, parent) < 0 || changed(values, size) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/* jsonout._round_map(values, 2): the numbers rounded to cents so that they sum to their
 * rounded total (largest remainder); Python's for anything but exact floats and ints */
static PyObject *round_map(PyObject *values) {
    const int digits = DIGITS[DOLLARS];
    const double scale = SCALE[DOLLARS];
    Py_ssize_t size = PyDict_GET_SIZE(values), n = 0, pos = 0;
    PyObject *k, *v, *out = NULL, *floats = NULL;
    share_t *shares = PyMem_New(share_t, size > 0 ? size : 1);
    long long *units = PyMem_New(long long, size > 0 ? size : 1);
    if (shares == NULL || units == NULL) { PyErr_NoMemory(); goto done; }
    floats = PyList_New(0);
    if (floats == NULL) goto done;
    while (PyDict_Next(values, &pos, &k, &v)) {
        double x;
        if (!PyUnicode_CheckExact(k)) goto python;  /* keys other than str: Python's sort */
        if (PyFloat_CheckExact(v)) {
            x = PyFloat_AS_DOUBLE(v);
        } else if (PyLong_CheckExact(v)) {
            x = PyLong_AsDouble(v);
            if (x == -1.0 && PyErr_Occurred()) { PyErr_Clear(); goto python; }
        } else if (PyBool_Check(v) || !(PyFloat_Check(v) || PyLong_Check(v))) {
            continue;  /* not a number of the map: cleaned by its own key below */
        } else {
            goto python;  /* subclasses of int and float (numpy float64, enums) */
        }
        if (!isfinite(x) || fabs(x * scale) >= EXACT) goto python;
        PyObject *f = PyFloat_FromDouble(x);
        if (f == NULL || PyList_Append(floats, f) < 0) { Py_XDECREF(f); goto done; }
        Py_DECREF(f);
        shares[n].at = n;
        shares[n].num = x;
        shares[n].key = k;
        n++;
    }
    if (n == 0) {
        out = clean_children(values, Py_None);
        goto done;
    }
    PyObject *sum = PyObject_CallOneArg(py_fsum, floats);
    if (sum == NULL) goto done;
    double total_f = PyFloat_AsDouble(sum) * scale;
    Py_DECREF(sum);
    if (!(fabs(total_f) < EXACT)) goto python;
    long long total = (long long)nearbyint(total_f), floors = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double scaled = shares[i].num * scale, f = floor(scaled);
        units[i] = (long long)f;
        shares[i].frac = scaled - f;
        floors += units[i];
    }
    long long shortfall = total - floors;
    out = PyDict_Copy(values);
    if (out == NULL) goto done;
    if (0 <= shortfall && shortfall <= n) {
        if (shortfall > 0) {
            share_t *order = PyMem_New(share_t, n);
            if (order == NULL) { PyErr_NoMemory(); Py_CLEAR(out); goto done; }
            memcpy(order, shares, sizeof(share_t) * n);
            for (Py_ssize_t i = 1; i < n; i++) {  /* insertion: a map has a few dozen */
                share_t v = order[i];
                Py_ssize_t j = i;
                while (j > 0 && descending(&order[j - 1], &v) > 0) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = v;
            }
            for (long long j = 0; j < shortfall; j++) units[order[j].at] += 1;
            PyMem_Free(order);
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *f = PyFloat_FromDouble((double)units[i] / scale);
            if (f == NULL || PyDict_SetItem(out, shares[i].key, f) < 0) {
                Py_XDECREF(f);
                Py_CLEAR(out);
                goto done;
            }
            Py_DECREF(f);
        }
    } else {  /* cannot happen for finite sums: one by one */
        for (Py_ssize_t i = 0; i < n; i++) {
            double r;
            if (round_digits(shares[i].num, digits, scale, &r) < 0) { Py_CLEAR(out); goto done; }
            PyObject *f = PyFloat_FromDouble(r != 0.0 ? r + 0.0 : 0.0);
            if (f == NULL || PyDict_SetItem(out, shares[i].key, f) < 0) {
                Py_XDECREF(f);
                Py_CLEAR(out);
                goto done;
            }
            Py_DECREF(f);
        }
    }
    if (n < size) {  /* the map's other values, by their own keys */
        pos = 0;
        while (PyDict_Next(values, &pos, &k, &v)) {
            if (PyFloat_CheckExact(v) || (PyLong_CheckExact(v))) continue;
            if (put_clean(out, k, v, Py_None) < 0 || changed(values, size) < 0) {
                Py_CLEAR(out);
                goto done;
            }
        }
    }
    goto done;
python:
    Py_CLEAR(out);
    out = PyObject_CallFunction(py_round_map, "Oi", values, digits);
done:
    Py_XDECREF(floats);
    PyMem_Free(shares);
    PyMem_Free(units);
    return out;
}

/* [clean(v, key) for v in seq]: a list's length read at every step (user code run by
 * clean may change it), each item held while it is cleaned */
static PyObject *clean_list(PyObject *seq, PyObject *key) {
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *item = Py_NewRef(PySequence_Fast_GET_ITEM(seq, i));
        PyObject *c = clean(item, key, Py_None);
        Py_DECREF(item);
        if (c == NULL || PyList_Append(out, c) < 0) {
            Py_XDECREF(c);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(c);
    }
    return out;
}

/* jsonout.clean(obj, key, parent) */
static PyObject *clean(PyObject *obj, PyObject *key, PyObject *parent) {
    if (PyFloat_CheckExact(obj)) {
        int unit = unit_of(key, parent);
        return unit < 0 ? NULL : round_float(obj, unit);
    }
    if (PyUnicode_CheckExact(obj) || PyLong_CheckExact(obj) || obj == Py_None || PyBool_Check(obj))
        return Py_NewRef(obj);
    if (PyUnicode_Check(obj)) return Py_NewRef(obj);  /* str enums: _clean_other's "str" */
    PyObject *out = NULL;
    if (Py_EnterRecursiveCall(" in jsonout.clean")) return NULL;
    if (PyDict_CheckExact(obj)) {
        int r = in(dollar_maps, key);
        if (r > 0) {
            out = round_map(obj);
        } else if (r == 0) {
            int named = 0;
            if ((named = in(share_maps, key)) == 0 && (named = in(decimal_maps, key)) == 0)
                named = in(dollar_stats, key);
            if (named >= 0) out = clean_children(obj, named ? key : Py_None);
        }
    } else if (PyList_CheckExact(obj) || PyTuple_CheckExact(obj)) {
        out = clean_list(obj, key);
    } else {
        out = PyObject_CallFunctionObjArgs(py_clean_other, obj, key, parent, NULL);
    }
    Py_LeaveRecursiveCall();
    return out;
}

static PyObject *fast_clean(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames) {
    static const char *const names[] = {"obj", "key", "parent"};
    PyObject *given[3] = {NULL, Py_None, Py_None};
    if (py_clean_other == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_fastclean.configure() was not called");
        return NULL;
    }
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs > 3) goto usage;
    for (Py_ssize_t i = 0; i < nargs; i++) given[i] = args[i];
    for (Py_ssize_t j = 0; j < nkw; j++) {  /* key=, parent= (obj= too), each once */
        PyObject *name = PyTuple_GET_ITEM(kwnames, j);
        int slot = -1;
        for (int q = 0; q < 3; q++)
            if (PyUnicode_CompareWithASCIIString(name, names[q]) == 0) slot = q;
        if (slot < nargs || (slot == 0 && given[0] != NULL)) goto usage;
        given[slot] = args[nargs + j];
    }
    if (given[0] == NULL) goto usage;
    return clean(given[0], given[1], given[2]);
usage:
    PyErr_SetString(PyExc_TypeError, "clean(obj, key=None, parent=None)");
    return NULL;
}

static PyObject *configure(PyObject *self, PyObject *args) {
    PyObject *t[12];
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOO", &t[0], &t[1], &t[2], &t[3], &t[4], &t[5],
                          &t[6], &t[7], &t[8], &t[9], &t[10], &t[11]))
        return NULL;
    for (int i = 0; i < 7; i++)
        if (!PyFrozenSet_CheckExact(t[i])) {
            PyErr_SetString(PyExc_TypeError, "configure: the key tables must be frozensets");
            return NULL;
        }
    PyObject **slots[12] = {&dollar_keys, &dollar_maps, &dollar_stats, &share_keys,
                            &share_maps, &decimal_maps, &price_keys, &py_round_map,
                            &py_clean_other, &py_decimal, &py_round, &py_fsum};
    for (int i = 0; i < 12; i++) Py_XSETREF(*slots[i], Py_NewRef(t[i]));
    for (int i = 0; i < UNITS; i++) {  /* new tables: units found by the old ones go */
        Py_CLEAR(units_memo[i].key);
        Py_CLEAR(units_memo[i].parent);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"clean", (PyCFunction)(void (*)(void))fast_clean, METH_FASTCALL | METH_KEYWORDS,
     "clean(obj, key=None, parent=None): jsonout.clean, in C."},
    {"configure", configure, METH_VARARGS,
     "configure(dollar_keys, dollar_maps, dollar_stats, share_keys, share_maps, "
     "decimal_maps, price_keys, round_map, clean_other, decimal, round, fsum)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_fastclean",
    .m_doc = "jsonout.clean in C: the same numbers to the bit (jsonout.py is the reference).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__fastclean(void) { return PyModule_Create(&module); }
