#!/usr/bin/env python3
"""Record reference LIMIT values with sympy for SymGrad's limit engine.

Purpose
-------
SymGrad's Gruntz-style limit engine computes limits of expressions as one
variable ``t`` tends to +oo or -oo (all other variables fixed).  This
development script produces reference answers for it: every case is an
expression written in the SymGrad expression language (Python/sympy syntax:
numbers -- ``1.5`` means the exact rational 3/2, ``3/2`` is exact -- symbols,
``+ - * / **``, parentheses, ``exp log sqrt abs sin cos tanh sigmoid softplus
log1p expm1 max min`` and the constants ``pi``, ``E``, ``inf``).

For each case the script
  1. parses the expression string with ``sympy.sympify`` (rational=True) and a
     small locals table (sigmoid(x)=1/(1+exp(-x)), softplus(x)=log(1+exp(x)),
     log1p(x)=log(1+x), expm1(x)=exp(x)-1, max=Max, min=Min, abs=Abs), so the
     string stored in the JSON is exactly the one that was checked;
  2. substitutes the fixed values as exact Rationals and calls
     ``sympy.limit(expr, t, oo)`` / ``(expr, t, -oo)`` under a 20 s
     ``signal.alarm`` timeout;
  3. prints the result back into the SymGrad language (oo->inf, Abs->abs,
     Max->max, Min->min) and checks that re-parsing that string gives a value
     equal to sympy's result;
  4. independently confirms the limit numerically with mpmath *interval*
     arithmetic (``mpmath.iv``; working precision starts at 60 digits and is
     raised -- 250, 1000, 4000, 12000, 48000 digits -- until the enclosure is
     tight, so catastrophic cancellation cannot fake a value) at t = s*10**k
     for k in 3, 4, 5, 6, 10, 30, 100, 300 (s = sign of the direction), plus
     k = 1000 and 10000, which only take part in the confirmation (they are
     not doubles and are not written; they catch slowly converging forms such
     as log(log(t))/log(t) being mistaken for a nearby constant).  The
     first point whose enclosure cannot be made tight (within 15 s) ends the
     list: e.g. exp(t)*(exp(1/t - exp(-t)) - exp(1/t)) needs ~434000 digits
     at t = 1e6, so such cases are checked at 1e3, 1e4, 1e5 only.  A case is KEPT only if the
     points t = s*1e3 and at least one further point are usable and
       * finite limit L: the rigorous error bounds |f(t) - L| never increase
         along the points, strictly decrease overall (unless already < 1e-40),
         and are <= 1e-2*max(1, |L|) at the farthest point;
       * +inf / -inf: f has the right sign at every point, |f| grows strictly
         and is >= 5 at the farthest point.
     Everything else is dropped and counted (reason printed in the summary).

How to run
----------
From the repository root::

    python3 Scripts/record_sympy_limits.py

(needs python3 with sympy 1.14 and mpmath).  The script re-executes itself
with PYTHONHASHSEED=0 so that the output is deterministic (sympy's internals
iterate over sets/dicts).  A full run takes about 25 minutes on one core
(mostly the 12000- and 48000-digit checks of the cancellation-heavy cases).

What it writes
--------------
``Tests/Fixtures/sympy/limits.json`` (relative to the repository root, found
from this file's location) with the schema::

    {"generator": "Scripts/record_sympy_limits.py", "sympy_version": "1.14.0",
     "cases": [{"id", "family", "expr", "variable": "t",
                "direction": "+inf" | "-inf",
                "fixed": {name: int | "p/q" | "decimal"},   # exact values
                "limit": "0" | "inf" | "-inf" | "<exact, SymGrad syntax>",
                "limit_value": float | "inf" | "-inf",
                "checks": [{"t": number, "value": float | "inf" | "-inf"}]}]}

Check values are the mpmath enclosures rounded to the nearest double (both
interval end points round to the same double); the t values are the exact
powers of ten s*10**k (written as JSON integers up to 1e15, as floats above).
A summary (kept cases per family and direction, dropped cases and why) is
printed to stdout.
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    env = dict(os.environ, PYTHONHASHSEED="0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import json
import signal
from collections import Counter, OrderedDict

import mpmath
import sympy
from mpmath import iv, mp
from sympy import (Abs, Add, E, Max, Min, Mul, Pow, Rational, Symbol, exp,
                   log, oo, sympify)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "sympy", "limits.json")

T = Symbol("t")
LIMIT_TIMEOUT = 20      # seconds per sympy.limit call
POINT_TIMEOUT = 15      # seconds per numerical check point
DPS_SCHEDULE = [60, 250, 1000, 4000, 12000, 48000]
EXPONENTS = [3, 4, 5, 6, 10, 30, 100, 300, 1000, 10000]
RECORD_MAX_EXP = 300   # t = 1e1000, 1e10000 confirm only (not doubles, not written)

# ---------------------------------------------------------------------------
# Parsing the SymGrad expression language
# ---------------------------------------------------------------------------

LOCALS = {
    "sigmoid": lambda x: 1 / (1 + exp(-x)),
    "softplus": lambda x: log(1 + exp(x)),
    "log1p": lambda x: log(1 + x),
    "expm1": lambda x: exp(x) - 1,
    "max": Max,
    "min": Min,
    "abs": Abs,
    "inf": oo,
    "E": E,
    "pi": sympy.pi,
    "t": T,
}


def parse(s):
    return sympify(s, locals=LOCALS, rational=True)


def to_symgrad(v):
    """Print an exact sympy number in the SymGrad expression language."""
    if v == oo:
        return "inf"
    if v == -oo:
        return "-inf"
    s = sympy.sstr(v)
    for a, b in (("Abs(", "abs("), ("Max(", "max("), ("Min(", "min(")):
        s = s.replace(a, b)
    return s


# ---------------------------------------------------------------------------
# Rigorous numerical evaluation (mpmath interval arithmetic)
# ---------------------------------------------------------------------------

class EvalError(Exception):
    pass


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, _alarm)


def ends(x):
    return mp.make_mpf(x._mpi_[0]), mp.make_mpf(x._mpi_[1])


def iv_max(x, y):
    xa, xb = ends(x)
    ya, yb = ends(y)
    return iv.mpf([max(xa, ya), max(xb, yb)])


def iv_min(x, y):
    xa, xb = ends(x)
    ya, yb = ends(y)
    return iv.mpf([min(xa, ya), min(xb, yb)])


def positive(x):
    return ends(x)[0] > 0


def ev(e, tv):
    """Interval enclosure of sympy expression e (only t free) at t in tv."""
    if e == T:
        return tv
    if e.is_Integer:
        return iv.mpf(int(e))
    if e.is_Rational:
        return iv.mpf(int(e.p)) / iv.mpf(int(e.q))
    if e is sympy.pi:
        return iv.pi
    if e is E:
        return iv.e
    if e.is_Add:
        r = ev(e.args[0], tv)
        for a in e.args[1:]:
            r = r + ev(a, tv)
        return r
    if e.is_Mul:
        r = ev(e.args[0], tv)
        for a in e.args[1:]:
            r = r * ev(a, tv)
        return r
    if e.is_Pow:
        b, x = e.args
        if x.is_Integer:
            n = int(x)
            if n >= 0:
                return ev(b, tv) ** n
            bv = ev(b, tv)
            lo, hi = ends(bv)
            if lo <= 0 <= hi:
                raise EvalError("division by an interval containing 0")
            return 1 / (bv ** (-n))
        bv = ev(b, tv)
        if x.is_Rational and x.q == 2:
            if ends(bv)[0] < 0:
                raise EvalError("sqrt of negative")
            r = iv.sqrt(bv) ** abs(int(x.p))
            return 1 / r if x.p < 0 else r
        if not positive(bv):
            raise EvalError("non-positive base with non-integer exponent")
        return iv.exp(ev(x, tv) * iv.log(bv))
    f = e.func
    if f is sympy.exp:
        return iv.exp(ev(e.args[0], tv))
    if f is sympy.log:
        a = ev(e.args[0], tv)
        if not positive(a):
            raise EvalError("log of non-positive interval")
        return iv.log(a)
    if f is Abs:
        return abs(ev(e.args[0], tv))
    if f is Max or f is Min:
        op = iv_max if f is Max else iv_min
        r = ev(e.args[0], tv)
        for a in e.args[1:]:
            r = op(r, ev(a, tv))
        return r
    if f is sympy.tanh:
        return 1 - 2 / (iv.exp(2 * ev(e.args[0], tv)) + 1)
    if f is sympy.sin:
        return iv.sin(ev(e.args[0], tv))
    if f is sympy.cos:
        return iv.cos(ev(e.args[0], tv))
    raise EvalError("unsupported node %s" % f)


DBL_MAX = mpmath.mpf(sys.float_info.max)


def tight(lo, hi):
    if lo > DBL_MAX or hi < -DBL_MAX:        # rounds to +-inf either way
        return True
    if max(abs(lo), abs(hi)) < mpmath.mpf("1e-330"):   # rounds to 0.0
        return True
    if lo > 0 or hi < 0:
        return (hi - lo) <= mpmath.mpf("1e-40") * min(abs(lo), abs(hi))
    return lo == hi


def to_double(x):
    return float(x)   # mpmath rounds to nearest; overflow -> inf, underflow -> 0


def enclose(expr, tval, start=0):
    """Return (lo, hi, level) of a tight (or double-determining) enclosure,
    level being the index in DPS_SCHEDULE that achieved it, or None."""
    last = None
    for level in range(start, len(DPS_SCHEDULE)):
        dps = DPS_SCHEDULE[level]
        iv.dps = dps
        mp.dps = max(60, dps)
        try:
            r = ev(expr, iv.mpf(tval))
            lo, hi = ends(r)
        except (EvalError, ZeroDivisionError, ValueError, ArithmeticError,
                mpmath.libmp.libmpf.ComplexResult):
            continue
        if mpmath.isnan(lo) or mpmath.isnan(hi):
            continue
        last = (lo, hi, level)
        if tight(lo, hi):
            return last
    if last is not None and to_double(last[0]) == to_double(last[1]):
        return last
    return None


def check_points(expr, sign):
    """Enclosures at t = sign*10**k for k in EXPONENTS.  Precision needs grow
    with |t| (exponentially small terms), so each point starts at the level
    that sufficed for the previous one, and the first point that cannot be
    enclosed tightly (or times out) ends the sequence."""
    pts = []
    start = 0
    for k in EXPONENTS:
        tval = sign * 10 ** k
        signal.alarm(POINT_TIMEOUT)
        try:
            enc = enclose(expr, tval, start)
        except Timeout:
            enc = None
        finally:
            signal.alarm(0)
        mp.dps = 60
        iv.dps = 60
        if enc is None:
            break
        lo, hi, start = enc
        pts.append((k, tval, (lo, hi)))
    return pts


def confirm(pts, limit):
    """Return None if the points confirm the limit, else a reason string."""
    mp.dps = 60
    if not pts or pts[0][0] != 3 or len(pts) < 2:
        return "numeric: t=1e3 or further points not evaluable"
    if limit == oo or limit == -oo:
        s = 1 if limit == oo else -1
        lows = [(lo if s > 0 else -hi) for _, _, (lo, hi) in pts]
        if any(v <= 0 for v in lows):
            return "numeric: wrong sign"
        if any(b <= a for a, b in zip(lows, lows[1:])):
            return "numeric: |f| not growing"
        if lows[-1] < 5:
            return "numeric: |f| not large"
        return None
    L = mpmath.mpf(sympy.N(limit, 70))
    scale = max(mpmath.mpf(1), abs(L))
    tiny = mpmath.mpf("1e-40") * scale
    errs = [max(abs(lo - L), abs(hi - L)) for _, _, (lo, hi) in pts]
    if any(b > max(a, tiny) for a, b in zip(errs, errs[1:])):
        return "numeric: error not decreasing"
    if not (errs[0] <= tiny or errs[-1] < errs[0]):
        return "numeric: error not decreasing"
    if errs[-1] > mpmath.mpf("1e-2") * scale:
        return "numeric: error not small"
    return None


def json_value(lo, hi):
    v = to_double((lo + hi) / 2) if to_double(lo) != to_double(hi) else to_double(lo)
    if v == float("inf"):
        return "inf"
    if v == float("-inf"):
        return "-inf"
    return v


def json_t(tval):
    return tval if abs(tval) <= 10 ** 15 else float(tval)


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

CASES = []
BOTH = ("+inf", "-inf")


def fmt(v):
    """Short text of a constant for ids."""
    return str(v).replace("/", "|")


def add(family, name, expr, directions, fixed=None):
    if isinstance(directions, str):
        directions = (directions,)
    for d in directions:
        cid = "%s/%s/%s" % (family, name, "pos" if d == "+inf" else "neg")
        CASES.append(OrderedDict(id=cid, family=family, expr=expr,
                                 direction=d, fixed=OrderedDict(fixed or {})))


def gen_gruntz():
    F = "gruntz"
    add(F, "exp_diff", "exp(t)*(exp(1/t - exp(-t)) - exp(1/t))", "+inf")
    add(F, "exp_sum_diff", "exp(t)*(exp(1/t + exp(-t)) - exp(1/t))", "+inf")
    add(F, "exp_sq_diff", "exp(t)*(exp(1/t - exp(-t**2)) - exp(1/t))", "+inf")
    add(F, "sin_exp_diff", "exp(t)*(sin(1/t + exp(-t)) - sin(1/t))", "+inf")
    add(F, "rational", "(t**2 + 1)/(2*t**2 - t)", BOTH)
    add(F, "tlogt_over_exp", "t*log(t)/exp(t)", "+inf")
    add(F, "exp_over_t100", "exp(t)/t**100", "+inf")
    add(F, "loglog_over_log", "log(log(t))/log(t)", "+inf")
    add(F, "t_pow_inv_t", "t**(1/t)", "+inf")
    add(F, "compound", "(1 + 1/t)**t", BOTH)
    add(F, "sqrt_diff", "sqrt(t**2 + t) - t", BOTH)
    add(F, "t_sqrt_diff", "t*(sqrt(t**2 + 1) - t)", BOTH)
    add(F, "pow_sum_root", "(3**t + 5**t)**(1/t)", "+inf")
    add(F, "log_ratio", "log(t**2 + 1)/log(t)", "+inf")
    add(F, "t_sin_inv", "t*sin(1/t)", BOTH)
    add(F, "t2_one_minus_cos", "t**2*(1 - cos(1/t))", BOTH)
    add(F, "t_expm_inv", "t*(exp(1/t) - 1)", BOTH)
    add(F, "t_pow_inv_log", "t**(1/log(t + 1))", "+inf")
    add(F, "log3_over_t", "log(t)**3/t", "+inf")
    add(F, "t_pow_log_over_exp", "t**log(t)/exp(t)", "+inf")
    add(F, "t10_exp", "t**10*exp(-t)", "+inf")
    add(F, "t_log_inv", "t*log(1 + 1/t)", BOTH)
    add(F, "xlogx_diff", "(t + 1)*log(t + 1) - t*log(t) - log(t)", "+inf")
    add(F, "log_exp_plus_t", "log(exp(t) + t)/t", "+inf")
    add(F, "exp_log_ratio", "exp(t)/exp(t - 1/t)", BOTH)


def gen_rational():
    F = "rational"
    for a, b, c in [(1, 2, 3), (2, -1, 1), (-3, "1/2", 2), ("1.5", 0, "-0.5")]:
        add(F, "quad_over_quad/%s,%s,%s" % (fmt(a), fmt(b), fmt(c)),
            "(a*t**2 + b*t + 1)/(c*t**2 - t + 2)", BOTH, {"a": a, "b": b, "c": c})
    for a, b in [(1, 0), (-2, 5), ("0.5", "-1/3")]:
        add(F, "lin_over_quad/%s,%s" % (fmt(a), fmt(b)),
            "(a*t + b)/(t**2 + 1)", BOTH, {"a": a, "b": b})
    for a, b in [(1, 2), (-4, "-0.5")]:
        add(F, "cubic_over_quad/%s,%s" % (fmt(a), fmt(b)),
            "(t**3 + a)/(b*t**2 + 1)", BOTH, {"a": a, "b": b})
    for a in [1, -2, "2.5"]:
        add(F, "quad_over_lin_minus_t/%s" % fmt(a), "t**2/(t + a) - t", BOTH, {"a": a})
    for a in [1, "-1/2"]:
        add(F, "binomial_diff/%s" % fmt(a), "((t + a)**3 - t**3)/t**2", BOTH, {"a": a})


def gen_exppoly():
    F = "exp_poly"
    for a, n in [(1, 1), ("1/2", 3), (2, 10), ("0.25", 2)]:
        add(F, "poly_exp_decay/%s,%d" % (fmt(a), n), "t**%d*exp(-a*t)" % n, "+inf", {"a": a})
        add(F, "exp_over_poly/%s,%d" % (fmt(a), n), "exp(a*t)/t**%d" % n, "+inf", {"a": a})
        add(F, "poly_exp/%s,%d" % (fmt(a), n), "t**%d*exp(a*t)" % n, "-inf", {"a": a})
        add(F, "exp_neg_over_poly/%s,%d" % (fmt(a), n), "exp(-a*t)/t**%d" % n, "-inf", {"a": a})
    for a in [1, "1.5"]:
        add(F, "exp_ratio/%s" % fmt(a), "(exp(a*t) + t)/(exp(a*t) - t)", BOTH, {"a": a})
    add(F, "exp_over_exp_plus_t3", "exp(t)/(exp(t) + t**3)", BOTH)


def gen_logpow():
    F = "log_pow"
    for a in ["1/2", 1, "1.5", 2]:
        add(F, "log_over_pow/%s" % fmt(a), "log(t)/t**a", "+inf", {"a": a})
        add(F, "pow_over_log/%s" % fmt(a), "t**a/log(t)", "+inf", {"a": a})
    for a, b in [(2, 1), ("0.5", -3)]:
        add(F, "log_lin_over_log/%s,%s" % (fmt(a), fmt(b)), "log(a*t + b)/log(t)", "+inf",
            {"a": a, "b": b})
    for n, a in [(2, 1), (3, "-1/2")]:
        add(F, "log_poly_over_log/%d,%s" % (n, fmt(a)), "log(t**%d + a)/log(t)" % n, "+inf", {"a": a})
    for a in [2, "1.5", "1/3"]:
        add(F, "log_scale_diff/%s" % fmt(a), "log(a*t) - log(t)", "+inf", {"a": a})
    for a in [1, "0.5"]:
        add(F, "log_sq_minus/%s" % fmt(a), "log(t**2 + a) - 2*log(abs(t))", BOTH, {"a": a})
    add(F, "log_abs", "log(abs(t))", "-inf")


def gen_sigmoid():
    F = "sigmoid"
    for a, b in [(1, 0), (2, "1.5"), (-1, -2), ("0.5", 1), ("-1/3", 0)]:
        add(F, "affine/%s,%s" % (fmt(a), fmt(b)), "sigmoid(a*t + b)", BOTH, {"a": a, "b": b})
    add(F, "tail_scaled", "exp(t)*(1 - sigmoid(t))", "+inf")
    add(F, "head_scaled", "exp(-t)*sigmoid(t)", "-inf")
    add(F, "derivative_scaled", "sigmoid(t)*(1 - sigmoid(t))*exp(abs(t))", BOTH)
    add(F, "t_times_tail", "t*sigmoid(-t)", "+inf")
    add(F, "t_times_head", "t*sigmoid(t)", "-inf")
    add(F, "log_sigmoid_minus_t", "log(sigmoid(t)) - t", "-inf")
    add(F, "log_sigmoid", "log(sigmoid(t))", BOTH)
    add(F, "log_sigmoid_over_t", "log(sigmoid(t))/t", "-inf")
    add(F, "log_one_minus_sigmoid_plus_t", "log(1 - sigmoid(t)) + t", "+inf")
    for a, b in [(1, 0), ("0.5", -1)]:
        add(F, "shift_diff_scaled/%s,%s" % (fmt(a), fmt(b)),
            "exp(t)*(sigmoid(t + a) - sigmoid(t + b))", "+inf", {"a": a, "b": b})


def gen_softplus():
    F = "softplus"
    add(F, "minus_t", "softplus(t) - t", "+inf")
    add(F, "plain", "softplus(t)", BOTH)
    add(F, "scaled_left", "softplus(t)*exp(-t)", "-inf")
    add(F, "gap_scaled", "exp(t)*(softplus(t) - t)", "+inf")
    for a, b in [(1, 0), (-2, 1), ("0.5", "-1.5")]:
        add(F, "affine_over_t/%s,%s" % (fmt(a), fmt(b)), "softplus(a*t + b)/t", BOTH,
            {"a": a, "b": b})
    for c in [1, "-0.5", 3]:
        add(F, "shift_minus_t/%s" % fmt(c), "softplus(t + c) - t", "+inf", {"c": c})
        add(F, "shift_diff/%s" % fmt(c), "softplus(t) - softplus(t - c)", BOTH, {"c": c})


def gen_log1p_expm1():
    F = "log1p_expm1"
    add(F, "log1p_exp_neg_scaled", "log1p(exp(-t))*exp(t)", "+inf")
    add(F, "log1p_neg_exp_scaled", "log1p(-exp(-t))*exp(t)", "+inf")
    for a in [1, -2, "0.5"]:
        add(F, "t_log1p/%s" % fmt(a), "t*log1p(a/t)", BOTH, {"a": a})
        add(F, "t_expm1/%s" % fmt(a), "t*expm1(a/t)", BOTH, {"a": a})
    for a in [1, "2.5"]:
        add(F, "expm1_neg/%s" % fmt(a), "expm1(-a*t)", "+inf", {"a": a})
    add(F, "expm1_over_exp", "expm1(t)/exp(t)", "+inf")
    add(F, "log1p_over_log", "log1p(t)/log(t)", "+inf")
    add(F, "log1p_exp_minus_t", "log1p(exp(t)) - t", "+inf")
    add(F, "log1p_exp_over_exp", "log1p(exp(t))/exp(t)", "-inf")
    add(F, "expm1_over_log1p", "expm1(1/t)/log1p(1/t)", BOTH)
    add(F, "expm1_plain", "expm1(t)", BOTH)


def gen_tanh():
    F = "tanh"
    for a, b in [(1, 0), (-2, 1), ("0.5", "-1.5")]:
        add(F, "affine/%s,%s" % (fmt(a), fmt(b)), "tanh(a*t + b)", BOTH, {"a": a, "b": b})
    add(F, "upper_gap_scaled", "(1 - tanh(t))*exp(2*t)", "+inf")
    add(F, "lower_gap_scaled", "(1 + tanh(t))*exp(-2*t)", "-inf")
    add(F, "t_times_gap", "t*(1 - tanh(t))", "+inf")
    add(F, "log_one_plus_tanh", "log(1 + tanh(t)) - 2*t", "-inf")
    add(F, "t_tanh", "t*tanh(t)", BOTH)
    add(F, "t_tanh_inv", "t*tanh(1/t)", BOTH)
    for a in [1, "0.5"]:
        add(F, "shift_diff_scaled/%s" % fmt(a), "(tanh(t + a) - tanh(t))*exp(2*t)", "+inf", {"a": a})


def gen_sqrt():
    F = "sqrt"
    for a in [1, 2, -3, "0.5"]:
        add(F, "sq_minus_t/%s" % fmt(a), "sqrt(t**2 + a*t) - t", "+inf", {"a": a})
        add(F, "sq_plus_t/%s" % fmt(a), "sqrt(t**2 + a*t) + t", "-inf", {"a": a})
    for a, b in [(2, 1), (4, -3), ("0.25", "1/2")]:
        add(F, "scaled_over_t/%s,%s" % (fmt(a), fmt(b)), "sqrt(a*t**2 + b)/t", BOTH, {"a": a, "b": b})
    for a in [1, "1.5"]:
        add(F, "root_diff/%s" % fmt(a), "sqrt(t + a) - sqrt(t)", "+inf", {"a": a})
        add(F, "root_diff_scaled/%s" % fmt(a), "sqrt(t)*(sqrt(t + a) - sqrt(t))", "+inf", {"a": a})
    add(F, "sqrt_abs_over_t", "sqrt(abs(t))/t", BOTH)


def gen_abs():
    F = "abs"
    for a in [1, "-2.5"]:
        add(F, "shift_diff/%s" % fmt(a), "abs(t + a) - abs(t)", BOTH, {"a": a})
    for a, b in [(2, 1), ("-1/2", 3)]:
        add(F, "affine_over_t/%s,%s" % (fmt(a), fmt(b)), "abs(a*t + b)/t", BOTH, {"a": a, "b": b})
    add(F, "over_sqrt", "abs(t)/sqrt(t**2 + a)", BOTH, {"a": 3})
    add(F, "minus_t", "abs(t) - t", BOTH)
    add(F, "times_exp_neg", "abs(t)*exp(-abs(t))", BOTH)


def gen_maxmin():
    F = "maxmin"
    for a in [2, "-1.5"]:
        add(F, "max_minus_t/%s" % fmt(a), "max(t, a) - t", "+inf", {"a": a})
        add(F, "max_left/%s" % fmt(a), "max(t, a)", "-inf", {"a": a})
        add(F, "min_right/%s" % fmt(a), "min(t, a)", "+inf", {"a": a})
        add(F, "min_minus_t/%s" % fmt(a), "min(t, a) - t", "-inf", {"a": a})
    add(F, "relu_over_t", "max(t, 0)/t", "+inf")
    add(F, "relu", "max(t, 0)", BOTH)
    add(F, "min0_over_t", "min(t, 0)/t", "-inf")
    for a, b, c, d in [(1, 0, 2, -1), ("-0.5", 1, 3, "1/2")]:
        add(F, "max_affine_over_t/%s,%s,%s,%s" % tuple(map(fmt, (a, b, c, d))),
            "max(a*t + b, c*t + d)/t", BOTH, {"a": a, "b": b, "c": c, "d": d})
    add(F, "max_exp_neg", "max(exp(-t), a)", "+inf", {"a": "1/2"})
    add(F, "min_sigmoid", "min(sigmoid(t), a)", BOTH, {"a": "0.75"})
    add(F, "relu_shift_diff", "max(t - a, 0) - max(t - b, 0)", BOTH, {"a": 1, "b": "2.5"})


def gen_lse():
    F = "logsumexp"
    for a in [0, 2, "-1.5"]:
        add(F, "pair_minus_t/%s" % fmt(a), "log(exp(t) + exp(a)) - t", "+inf", {"a": a})
        add(F, "pair_left/%s" % fmt(a), "log(exp(t) + exp(a))", "-inf", {"a": a})
    for a, b in [(1, 2), ("-0.5", 3)]:
        add(F, "rates_over_t/%s,%s" % (fmt(a), fmt(b)), "log(exp(a*t) + exp(b*t))/t", BOTH,
            {"a": a, "b": b})
    add(F, "shifted_pair_minus_t", "log(exp(t + a) + exp(t + b)) - t", "+inf", {"a": 1, "b": "-1/2"})
    add(F, "gap_scaled", "exp(t)*(log(exp(t) + exp(a)) - t)", "+inf", {"a": "0.5"})
    fx = {"x0": 1, "x1": 2, "x2": "-0.5"}
    add(F, "three_up_minus_t", "log(exp(x0 + t) + exp(x1) + exp(x2)) - t", BOTH, fx)
    add(F, "three_two_up_minus_t", "log(exp(x0 + t) + exp(x1 + t) + exp(x2)) - t", "+inf", fx)
    add(F, "three_masked", "log(exp(x0 - t) + exp(x1) + exp(x2))", BOTH, fx)


CONST_SETS = [
    OrderedDict([("x0", 1), ("x1", 2), ("x2", "1/2"), ("x3", -1)]),
    OrderedDict([("x0", 0), ("x1", "-0.5"), ("x2", 3), ("x3", "1.5")]),
    OrderedDict([("x0", -2), ("x1", 1), ("x2", 0), ("x3", "2/3")]),
]


def logits(n, shifts):
    out = []
    for i in range(n):
        s = shifts.get(i)
        out.append("x%d" % i if s is None else "x%d %s t" % (i, s))
    return out


def sum_exp(z):
    return " + ".join("exp(%s)" % v for v in z)


def fixed_for(n, k):
    cs = CONST_SETS[k % len(CONST_SETS)]
    return OrderedDict((("x%d" % i), cs["x%d" % i]) for i in range(n))


def shift_name(shifts):
    return "".join("%d%s" % (i, "up" if s == "+" else "dn") for i, s in sorted(shifts.items()))


def gen_softmax():
    F = "softmax"
    patterns = [
        (2, {0: "+"}, 0), (3, {0: "+"}, 0), (3, {0: "-"}, 1), (3, {0: "+", 1: "+"}, 2),
        (3, {0: "-", 1: "-"}, 0), (3, {0: "+", 2: "-"}, 1), (4, {1: "+"}, 2),
        (4, {0: "-", 2: "-"}, 0), (4, {0: "+", 1: "+", 3: "+"}, 1),
    ]
    for n, shifts, k in patterns:
        z = logits(n, shifts)
        den = sum_exp(z)
        for i in range(n):
            expr = "exp(%s)/(%s)" % (z[i], den)
            add(F, "%d/%s/%d" % (n, shift_name(shifts), i), expr, BOTH, fixed_for(n, k))


def gen_xent():
    F = "xent_grad"
    # softmax(z)_i - onehot(target)_i with masked logits x_j - t (t -> +inf)
    # or growing logits x_j + t.
    specs = [
        (3, {2: "-"}, 0, 0), (3, {1: "-", 2: "-"}, 0, 1), (3, {0: "-"}, 0, 2),
        (4, {3: "-"}, 1, 0), (4, {0: "+"}, 0, 1), (4, {2: "+"}, 0, 2),
    ]
    for n, shifts, target, k in specs:
        z = logits(n, shifts)
        den = sum_exp(z)
        for i in range(n):
            expr = "exp(%s)/(%s)" % (z[i], den)
            if i == target:
                expr += " - 1"
            add(F, "%d/%s/target%d/%d" % (n, shift_name(shifts), target, i), expr, "+inf",
                fixed_for(n, k))


def gen_logsoftmax():
    F = "log_softmax"
    for n, shifts, k in [(3, {0: "+"}, 0), (3, {0: "-"}, 1), (3, {0: "+", 1: "+"}, 2)]:
        z = logits(n, shifts)
        den = sum_exp(z)
        for i in range(n):
            expr = "%s - log(%s)" % (z[i], den)
            add(F, "%d/%s/%d" % (n, shift_name(shifts), i), expr, BOTH, fixed_for(n, k))


def gen_bce():
    F = "bce_logits"
    for y in [0, 1, "1/2", "0.25", "0.9"]:
        fx = {"y": y}
        add(F, "naive/%s" % fmt(y), "(1 - y)*t + log(1 + exp(-t))", BOTH, fx)
        add(F, "stable/%s" % fmt(y), "max(t, 0) - t*y + log(1 + exp(-abs(t)))", BOTH, fx)
        add(F, "grad/%s" % fmt(y), "sigmoid(t) - y", BOTH, fx)
    for y in ["1/2", "0.9"]:
        add(F, "naive_over_t/%s" % fmt(y), "((1 - y)*t + log(1 + exp(-t)))/t", BOTH, {"y": y})


def gen_focal():
    F = "focal"
    for g in ["1/2", 1, 2, "1.5", 3]:
        fx = {"g": g}
        add(F, "pos/%s" % fmt(g), "-(1 - sigmoid(t))**g*log(sigmoid(t))", BOTH, fx)
        add(F, "neg/%s" % fmt(g), "-sigmoid(t)**g*log(1 - sigmoid(t))", BOTH, fx)
        add(F, "pos_scaled/%s" % fmt(g), "-(1 - sigmoid(t))**g*log(sigmoid(t))*exp((g + 1)*t)",
            "+inf", fx)
    add(F, "alpha_pos_scaled", "-a*(1 - sigmoid(t))**g*log(sigmoid(t))*exp((g + 1)*t)", "+inf",
        {"a": "0.25", "g": 2})


def gen_trig():
    F = "trig"
    for a in [1, -3, "0.5"]:
        add(F, "t_sin/%s" % fmt(a), "t*sin(a/t)", BOTH, {"a": a})
        add(F, "t2_cos/%s" % fmt(a), "t**2*(1 - cos(a/t))", BOTH, {"a": a})
    add(F, "exp_neg_sin", "exp(-t)*sin(t)", "+inf")
    add(F, "cos_over_t", "cos(t)/t", BOTH)


for gen in (gen_gruntz, gen_rational, gen_exppoly, gen_logpow, gen_sigmoid, gen_softplus,
            gen_log1p_expm1, gen_tanh, gen_sqrt, gen_abs, gen_maxmin, gen_lse, gen_softmax,
            gen_xent, gen_logsoftmax, gen_bce, gen_focal, gen_trig):
    gen()


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def exact(v):
    return Rational(str(v))


def run_case(case):
    """Return (record, None) when kept or (None, reason) when dropped."""
    expr = parse(case["expr"])
    names = sorted(str(s) for s in expr.free_symbols)
    if set(names) != set(case["fixed"]) | {"t"}:
        return None, "bad case: free symbols %s" % names
    sub = expr.subs({Symbol(k): exact(v) for k, v in case["fixed"].items()})
    target = oo if case["direction"] == "+inf" else -oo
    signal.alarm(LIMIT_TIMEOUT)
    try:
        L = sympy.limit(sub, T, target)
    except Timeout:
        return None, "sympy: timeout"
    except Exception as exc:   # sympy raised (NotImplementedError, ...)
        return None, "sympy: %s" % type(exc).__name__
    finally:
        signal.alarm(0)
    if isinstance(L, sympy.Limit) or L.has(sympy.Limit):
        return None, "sympy: unevaluated"
    if L.has(sympy.AccumBounds) or L is sympy.nan or L == sympy.zoo or L.free_symbols:
        return None, "sympy: no limit / not a number"
    if L not in (oo, -oo):
        if not L.is_extended_real or not L.is_finite:
            return None, "sympy: not a real number"
    text = to_symgrad(L)
    back = parse(text)
    if not (back == L or sympy.simplify(back - L) == 0):
        return None, "printing: re-parse mismatch"
    sign = 1 if target == oo else -1
    pts = check_points(sub, sign)
    reason = confirm(pts, L)
    if reason:
        return None, reason
    mp.dps = 60
    if L == oo:
        lv = "inf"
    elif L == -oo:
        lv = "-inf"
    else:
        lv = float(mpmath.mpf(sympy.N(L, 40)))
    fixed = OrderedDict((k, v if isinstance(v, int) else str(v)) for k, v in case["fixed"].items())
    rec = OrderedDict([
        ("id", case["id"]), ("family", case["family"]), ("expr", case["expr"]),
        ("variable", "t"), ("direction", case["direction"]), ("fixed", fixed),
        ("limit", text), ("limit_value", lv),
        ("checks", [OrderedDict([("t", json_t(tv)), ("value", json_value(lo, hi))])
                    for k, tv, (lo, hi) in pts if k <= RECORD_MAX_EXP]),
    ])
    return rec, None


def main():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    only = sys.argv[1:]  # optional id prefixes for debugging
    kept, dropped = [], []
    for n, case in enumerate(CASES):
        if only and not any(case["id"].startswith(p) for p in only):
            continue
        rec, reason = run_case(case)
        if rec is None:
            dropped.append((case["id"], reason))
            print("DROP %-55s %s" % (case["id"], reason), flush=True)
        else:
            kept.append(rec)
            pts = [c["t"] for c in rec["checks"]]
            miss6 = "" if any(abs(p) == 10 ** 6 for p in pts) else "  (no 1e6 point)"
            print("keep %-55s -> %s%s" % (case["id"], rec["limit"], miss6), flush=True)
    out = OrderedDict([
        ("generator", "Scripts/record_sympy_limits.py"),
        ("sympy_version", sympy.__version__),
        ("cases", kept),
    ])
    if not only:
        os.makedirs(os.path.dirname(OUT), exist_ok=True)
        with open(OUT, "w") as fh:
            json.dump(out, fh, indent=1)
            fh.write("\n")
    # summary
    print("\n=== summary ===")
    print("generated %d, kept %d, dropped %d" % (len(kept) + len(dropped), len(kept), len(dropped)))
    fam = Counter((r["family"], r["direction"]) for r in kept)
    for f in sorted({f for f, _ in fam}):
        print("  %-14s +inf %3d   -inf %3d" % (f, fam[(f, "+inf")], fam[(f, "-inf")]))
    kinds = Counter("finite" if r["limit"] not in ("inf", "-inf") else r["limit"] for r in kept)
    print("  limits: %s" % dict(kinds))
    for reason, k in Counter(r for _, r in dropped).most_common():
        print("  dropped %3d: %s" % (k, reason))
    if not only:
        print("wrote %s" % os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
