#!/usr/bin/env python3
"""Record, with sympy and mpmath, the values SymGrad must give where PyTorch gives NaN.

Purpose
-------
The PyTorch fixtures (Tests/Fixtures/pytorch/*.json, written by Scripts/record_pytorch.py)
hold NaN wherever IEEE arithmetic meets an indeterminate form: softmax of an all -inf row,
a +inf logit, 0 * log 0, 0 ** (gamma - 1) * 0, a mean over zero rows ...  SymGrad's
documented semantics (README "Semantics"; Sources/SymGrad/Limits/Limit.swift) give a value
there instead:

  * inputs at +inf / -inf tend to infinity TOGETHER, AT THE SAME RATE: each x_i = +-t,
    t -> +oo, with the finite inputs fixed at their exact decimal values; the constants
    -inf written into the call (attention masks; False entries of a boolean attn_mask,
    which PyTorch fills with -inf) are inputs too and tend to -oo at the same rate;
  * when every input is finite: the exact value if defined; if exact substitution meets an
    indeterminate form, the limit as the inputs approach their values from above
    (x_i = c_i + 1/t) -- from inside the real domain when above leaves it (BCE at x = 1);
  * a function undefined at every input (a mean over zero rows: 0/0) is "undefined".

This script computes those values INDEPENDENTLY of SymGrad: it rebuilds every function
from the record's structured `call` object (PyTorch's function name and explicit keyword
arguments, see the header of Scripts/record_pytorch.py) with PyTorch's documented formulas
written in sympy (it never reads the record's `expr` text, which is SymGrad's language),
differentiates with sympy, substitutes the point, and takes the limit t -> oo with sympy's
Gruntz algorithm (`sympy.gruntz`).
Each limit is then confirmed numerically with mpmath (sympy's `evalf` at 50 digits, which
raises its working precision on cancellation) at t = 10**k, k = 2, 3, 4, 6, 9, 50, 100: a
finite limit L needs |f(t) - L| non-increasing from t = 1e9 on (up to 1e-45 relative, the
rounding of 50 digits; BCE's clamp at -100 acts only from t = e**100, so earlier points
may move away) and below 1e-30 * max(1, |L|) at t = 1e50 and 1e100 (every case here
converges like exp(-t) or is eventually constant in t); +-inf needs the right sign and |f|
growing strictly past 1e8.  Exact values at finite points are evaluated at 40 digits.
A case failing its confirmation stops the script.

What it records
---------------
Every output and Jacobian entry that PyTorch recorded as NaN, in every fixture file
(kind "pytorch_nan"), and every output and Jacobian entry of the records listed in
DIVERGENCES below (kind "divergence": PyTorch's value there is not the derivative of the
function, or not the limit; README "Divergences from PyTorch").  DIVERGENCES mirrors the
table `PyTorchFixtureTests.divergences` (plus every record whose id has "all_ignored" and
"mean"), and the test checks that every divergence record has its entries here.

How to run
----------
From the repository root:  python3 Scripts/record_nan_limits.py   (sympy 1.14, mpmath;
about a minute).  It re-executes itself with PYTHONHASHSEED=0 so the output is
deterministic.  No test runs Python: the tests read the JSON written here.

What it writes
--------------
Tests/Fixtures/pytorch/nan_limits.json (a file without "cases", so the record loader
skips it):

  {"generator": "Scripts/record_nan_limits.py", "sympy_version": "1.14.0",
   "semantics": "...",
   "entries": [{"id": record id,
                "kind": "pytorch_nan" | "divergence",
                "entry": "output" | "jacobian",
                "index": [i] | [i, j]          (output index; Jacobian row, column),
                "pytorch": PyTorch's recorded value (number or "nan"/"inf"/"-inf"),
                "expected": "0.2222222222222222" | "inf" | "-inf" | "undefined"
                            (finite values: the double nearest the exact value, shortest
                            repr),
                "exact": the exact value in sympy syntax (absent when undefined, or when
                         longer than 160 characters: attention's exponents),
                "how": "limit t->oo" | "exact" | "limit from above" | "limit from below",
                "reason": why (always for "undefined"; otherwise a short note)}]}
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    env = dict(os.environ, PYTHONHASHSEED="0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import glob
import json
import signal

import sympy
from sympy import (Heaviside, Integer, Max, Rational, S, Symbol, exp, log, nan, oo, sqrt,
                   zoo)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "pytorch")
OUT = os.path.join(FIXTURES, "nan_limits.json")

T = Symbol("t", positive=True)
LIMIT_TIMEOUT = 60
EXACT_MAX = 160         # longer exact forms (attention's 30-digit exponents) are not written
CHECK_POINTS = [2, 3, 4, 6, 9, 50, 100]

# Records whose PyTorch value is not the derivative (or the limit) of the function, as in
# PyTorchFixtureTests.divergences; every "all_ignored" mean record is one too.
DIVERGENCES = [
    "edge/binary_cross_entropy/x0_y1/sum/1",
    "edge/binary_cross_entropy/x0_y0/sum/1",
    "edge/binary_cross_entropy/x1_y1/sum/1",
    "edge/binary_cross_entropy/x1_y0/sum/1",
    "edge/binary_cross_entropy/x0_y0.5/sum/1",
    "edge/binary_cross_entropy/boundaries/weight/none/2x2",
    "edge/binary_cross_entropy/tiny_x/sum/1",
    "edge/sigmoid_focal_loss/saturated/x40_y1/gamma0.5/none/1",
    "edge/sigmoid_focal_loss/saturated/x-40_y0/gamma0.5/none/1",
    "attention/sdpa/fully_masked_row/float/L2S3E2/0",
    "attention/sdpa/fully_masked_row/bool/L3S3E2/0",
    "attention/sdpa/row_masked_finfo_min/L2S3E2/0",
]


def is_divergence(rid):
    return rid in DIVERGENCES or ("all_ignored" in rid and "mean" in rid)


# ---------------------------------------------------------------------------
# Numbers of the JSON files
# ---------------------------------------------------------------------------

def exact_number(v, infinity=None):
    """A JSON number as an exact sympy number: the decimal as written (shortest repr of
    the double).  "inf"/"-inf" become +-infinity (t, the same-rate variable, when given),
    "nan" is undefined."""
    if isinstance(v, bool):
        raise TypeError("boolean where a number was expected")
    if isinstance(v, int):
        return Integer(v)
    if isinstance(v, float):
        return Rational(repr(v))
    if v == "inf":
        return infinity if infinity is not None else oo
    if v == "-inf":
        return -infinity if infinity is not None else -oo
    if v == "nan":
        return nan
    raise ValueError(v)


def tree(v, infinity=None):
    """Nested JSON lists of numbers as nested lists of exact sympy numbers."""
    if isinstance(v, list):
        return [tree(x, infinity) for x in v]
    return exact_number(v, infinity)


def shape_of(x):
    return [len(x)] + shape_of(x[0]) if isinstance(x, list) else []


def flat(x):
    return [y for e in x for y in flat(e)] if isinstance(x, list) else [x]


def nest(values, shape):
    if not shape:
        return values[0]
    step = len(values) // shape[0]
    return [nest(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def rows(x):
    """A tensor as (list of last-dimension rows, rebuild function)."""
    shape = shape_of(x)
    if len(shape) == 1:
        return [x], lambda r: r[0]
    if len(shape) == 2:
        return x, lambda r: r
    raise NotImplementedError("tensors of rank %d" % len(shape))


# ---------------------------------------------------------------------------
# PyTorch's functions, from their documented formulas
# ---------------------------------------------------------------------------

def last_dim(dim, x):
    rank = len(shape_of(x))
    if dim not in (-1, rank - 1):
        raise NotImplementedError("softmax along dim %d of a rank-%d tensor" % (dim, rank))


def softmax_row(z):
    s = sum(exp(v) for v in z)
    return [exp(v) / s for v in z]


def log_softmax_row(z):
    lse = log(sum(exp(v) for v in z))
    return [v - lse for v in z]


def f_softmax(x, a, log_=False):
    last_dim(a.get("dim", -1), x)
    rs, back = rows(x)
    return back([(log_softmax_row if log_ else softmax_row)(r) for r in rs])


def reduce(losses, reduction, denominator=None):
    """PyTorch's reduction of a flat list of per-element losses."""
    if reduction == "none":
        return losses
    total = sum(losses, S.Zero)
    if reduction == "sum":
        return total
    if reduction == "mean":
        return total / (len(losses) if denominator is None else denominator)
    raise ValueError(reduction)


def f_nll_loss(x, a, log_probs=None):
    """nll_loss(input, target, weight, ignore_index, reduction): -w[y_n] input[n, y_n];
    the mean divides by the total weight of the rows not ignored."""
    rs, _ = rows(x)
    target = a["target"] if isinstance(a["target"], list) else [a["target"]]
    C = len(rs[0])
    w = tree(a["weight"]) if a.get("weight") is not None else [S.One] * C
    ignore = a.get("ignore_index", -100)
    losses, wsum = [], S.Zero
    for n, y in enumerate(target):
        if y == ignore:
            losses.append(S.Zero)
            continue
        losses.append(-w[y] * rs[n][y])
        wsum += w[y]
    out = reduce(losses, a["reduction"], wsum)
    return out if a["reduction"] != "none" or isinstance(a["target"], list) else out[0]


def f_cross_entropy(x, a):
    """cross_entropy: log_softmax over the classes (the last dimension of a 2-D input, the
    only one of a 1-D input), then
      class indices: (1 - e) nll + e/C * smooth, smooth_n = -sum_c w_c logp_nc (0 when
        ignored); mean divides both by the total weight of the rows not ignored
        (aten/src/ATen/native/LossNLL.cpp, cross_entropy_loss_label_smoothing);
      probabilities: target (1 - e) p + e/C, loss_n = -sum_c w_c p_nc logp_nc; mean
        divides by N."""
    rs, _ = rows(x)
    C = len(rs[0])
    logp = [log_softmax_row(r) for r in rs]
    w = tree(a["weight"]) if a.get("weight") is not None else [S.One] * C
    e = exact_number(a.get("label_smoothing", 0.0))
    target = a["target"]
    if isinstance(target, list) and shape_of(target) == shape_of(x):
        p, _ = rows(tree(target))
        losses = []
        for n in range(len(rs)):
            q = [(1 - e) * p[n][c] + e / C for c in range(C)]
            losses.append(-sum((w[c] * q[c] * logp[n][c] for c in range(C)), S.Zero))
        out = reduce(losses, a["reduction"])
        return out[0] if a["reduction"] == "none" and len(shape_of(x)) == 1 else out
    indices = target if isinstance(target, list) else [target]
    ignore = a.get("ignore_index", -100)
    nll, smooth, wsum = [], [], S.Zero
    for n, y in enumerate(indices):
        if y == ignore:
            nll.append(S.Zero)
            smooth.append(S.Zero)
            continue
        nll.append(-w[y] * logp[n][y])
        smooth.append(-sum((w[c] * logp[n][c] for c in range(C)), S.Zero))
        wsum += w[y]
    if a["reduction"] == "none":
        out = [(1 - e) * l + e / C * s for l, s in zip(nll, smooth)]
        return out if isinstance(target, list) else out[0]
    return (1 - e) * reduce(nll, a["reduction"], wsum) + e / C * reduce(smooth, a["reduction"], wsum)


def broadcast(v, shape):
    """A weight of shape [C] or [N, C] (or None) broadcast to a flat list over `shape`."""
    if v is None:
        return [S.One] * (len(flat_shape_list(shape)))
    t = tree(v)
    if shape_of(t) == shape:
        return flat(t)
    if len(shape_of(t)) == 1 and shape and shape_of(t)[0] == shape[-1]:
        return [t[k % shape[-1]] for k in range(len(flat_shape_list(shape)))]
    raise NotImplementedError("broadcast %s to %s" % (shape_of(t), shape))


def flat_shape_list(shape):
    n = 1
    for s in shape:
        n *= s
    return list(range(n))


def clamped_log(v):
    """PyTorch's BCE clamps each log at -100 (binary_cross_entropy's docs)."""
    return Max(log(v), -100)


def f_bce(x, a):
    """binary_cross_entropy: -w [y log x + (1 - y) log(1 - x)], each log clamped >= -100."""
    shape = shape_of(x)
    xs, ys = flat(x), flat(tree(a["target"]))
    w = broadcast(a.get("weight"), shape)
    losses = []
    for xi, yi, wi in zip(xs, ys, w):
        term = S.Zero
        if yi != 0:
            term += yi * clamped_log(xi)
        if yi != 1:
            term += (1 - yi) * clamped_log(1 - xi)
        losses.append(-wi * term)
    out = reduce(losses, a["reduction"])
    return nest(out, shape) if a["reduction"] == "none" else out


def log_sigmoid(z):
    return -log(1 + exp(-z))


def bce_logits_terms(xs, ys, w, pw):
    """-w [pw y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))] (binary_cross_entropy_with_logits
    docs); log(1 - sigmoid(z)) = log sigmoid(-z)."""
    out = []
    for z, y, wi, p in zip(xs, ys, w, pw):
        out.append(-wi * (p * y * log_sigmoid(z) + (1 - y) * log_sigmoid(-z)))
    return out


def f_bce_logits(x, a):
    shape = shape_of(x)
    xs, ys = flat(x), flat(tree(a["target"]))
    w = broadcast(a.get("weight"), shape)
    pw = broadcast(a.get("pos_weight"), shape)
    out = reduce(bce_logits_terms(xs, ys, w, pw), a["reduction"])
    return nest(out, shape) if a["reduction"] == "none" else out


def f_focal(x, a):
    """torchvision.ops.sigmoid_focal_loss: p = sigmoid(z), ce = BCE-with-logits,
    p_t = p y + (1 - p)(1 - y), loss = ce (1 - p_t)**gamma, times alpha_t = alpha y +
    (1 - alpha)(1 - y) when alpha >= 0."""
    shape = shape_of(x)
    xs, ys = flat(x), flat(tree(a["target"]))
    alpha, gamma = exact_number(a["alpha"]), exact_number(a["gamma"])
    ones = [S.One] * len(xs)
    ce = bce_logits_terms(xs, ys, ones, ones)
    losses = []
    for z, y, c in zip(xs, ys, ce):
        p = 1 / (1 + exp(-z))
        p_t = p * y + (1 - p) * (1 - y)
        loss = c * (1 - p_t) ** gamma
        if alpha >= 0:
            loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
        losses.append(loss)
    out = reduce(losses, a["reduction"])
    return nest(out, shape) if a["reduction"] == "none" else out


def f_sdpa(q, a):
    """scaled_dot_product_attention: softmax(q k^T * scale + bias) v, scale 1/sqrt(E) by
    default; a boolean attn_mask adds -inf where False (True = attend), a float one is
    added; is_causal adds -inf above the diagonal.  -inf is the same-rate -t."""
    k, v = tree(a["key"]), tree(a["value"])
    L, E = shape_of(q)
    Sk = len(k)
    scale = exact_number(a["scale"]) if a.get("scale") is not None else 1 / sqrt(E)
    bias = [[S.Zero] * Sk for _ in range(L)]
    m = a.get("attn_mask")
    if m is not None:
        for i in range(L):
            for j in range(Sk):
                if isinstance(m[i][j], bool):
                    bias[i][j] = S.Zero if m[i][j] else -T
                else:
                    bias[i][j] = exact_number(m[i][j], infinity=T)
    if a.get("is_causal"):
        for i in range(L):
            for j in range(i + 1, Sk):
                bias[i][j] += -T
    out = []
    for i in range(L):
        scores = [sum((q[i][e] * k[j][e] for e in range(E)), S.Zero) * scale + bias[i][j] for j in range(Sk)]
        wts = softmax_row(scores)
        out.append([sum((wts[j] * v[j][c] for j in range(Sk)), S.Zero) for c in range(len(v[0]))])
    return out


FUNCTIONS = {
    "softmax": lambda x, a: f_softmax(x, a),
    "log_softmax": lambda x, a: f_softmax(x, a, log_=True),
    "nll_loss": f_nll_loss,
    "cross_entropy": f_cross_entropy,
    "binary_cross_entropy": f_bce,
    "binary_cross_entropy_with_logits": f_bce_logits,
    "sigmoid_focal_loss": f_focal,
    "scaled_dot_product_attention": f_sdpa,
}


def build(call, symbols):
    """The call's result (nested lists of sympy expressions) on the symbol tensor."""
    if "input" in call:
        x = build(call["input"], symbols)
    else:
        shape = call["input_shape"]
        assert len(flat_shape_list(shape)) == len(symbols), (call, symbols)
        x = nest(symbols, shape) if shape else symbols[0]
    fn = FUNCTIONS.get(call["function"])
    if fn is None:
        raise NotImplementedError(call["function"])
    return fn(x, call["args"])


# ---------------------------------------------------------------------------
# Values under the documented semantics
# ---------------------------------------------------------------------------

class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def undefined(v):
    return v.has(nan) or v.has(zoo) or v.has(S.ComplexInfinity) or not (v.is_real or v.is_infinite)


def eventual(f, where):
    """Max(a, b) and Heaviside(u) (from BCE's clamp and its derivative) decided for large t:
    Gruntz has no series for them, but when lim (a - b) or lim u is nonzero they are
    eventually one branch, which has the same limit."""
    def decide(u):
        L = sympy.gruntz(u, T, oo)
        if L == 0 or undefined(L):
            raise SystemExit("%s: cannot decide the branch of %s (limit %s)" % (where, u, L))
        return L > 0
    f = f.replace(lambda e: isinstance(e, Heaviside) and e.has(T),
                  lambda e: S.One if decide(e.args[0]) else S.Zero)
    return f.replace(lambda e: isinstance(e, Max) and e.has(T) and len(e.args) == 2,
                     lambda e: e.args[0] if decide(e.args[0] - e.args[1]) else e.args[1])


def limit(f, where):
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(LIMIT_TIMEOUT)
    try:
        f = eventual(f, where)
        # gruntz directly: sympy.limit's preprocessing is slow on the 30-digit rationals
        # of the attention scores; the numeric confirmation below guards the result.
        return sympy.gruntz(f, T, oo)
    except Timeout:
        raise SystemExit("sympy.limit timed out %s: %s" % (where, f))
    finally:
        signal.alarm(0)


def confirm(f, L, where):
    """mpmath (through evalf at 50 digits) at t = 10**k: see the header."""
    values = []
    for k in CHECK_POINTS:
        v = f.subs(T, Integer(10) ** k).evalf(50)
        if not v.is_real:
            raise SystemExit("%s: not real at t = 1e%d: %s" % (where, k, v))
        values.append(v)
    if L in (oo, -oo):
        sign = 1 if L == oo else -1
        ok = all(sign * v > 0 for v in values) and all(
            abs(b) > abs(a) for a, b in zip(values, values[1:])) and abs(values[-1]) > 1e8
    else:
        Lf = sympy.N(L, 60)
        noise = 1e-45 * max(1, abs(Lf))   # 50-digit rounding of the values
        errors = [abs(v - Lf) for v in values]
        late = errors[CHECK_POINTS.index(9):]   # before the clamp acts the error may grow
        ok = all(b <= a + noise for a, b in zip(late, late[1:])) and \
            all(e <= 1e-30 * max(1, abs(Lf)) for e in errors[-2:])
    if not ok:
        raise SystemExit("%s: limit %s not confirmed numerically: %s" % (where, L, values))


def text(v):
    return {oo: "inf", -oo: "-inf"}.get(v) or repr(float(sympy.N(v, 40)))


def value(f, point, where):
    """(expected, exact, how, reason) of one entry at `point` (symbol -> exact or +-t)."""
    if f.has(nan):
        return ("undefined", None, "exact",
                "0/0 at every input: the mean over the rows not ignored divides by their "
                "total weight, which is 0 (no row counts); so is its derivative")
    try:
        g = f.subs(point)
    except ValueError:  # Max(log(0), -100): sympy refuses to compare zoo
        g = nan
    if g.has(T):
        L = limit(g, where)
        if undefined(L) or isinstance(L, sympy.AccumBounds):
            raise SystemExit("%s: no limit (%s); record it by hand with a reason" % (where, L))
        confirm(g, L, where)
        return text(L), sympy.sstr(L), "limit t->oo", "inputs at +-inf (and -inf masks) as +-t, t -> oo"
    if not undefined(g):
        return text(g), sympy.sstr(sympy.nsimplify(g) if g.is_Rational else g), "exact", "exact value at the finite point"
    # An indeterminate form at a finite point: approach from above, or from below when
    # above leaves the real domain (x > 1 in BCE's log(1 - x)).
    for how, step in (("limit from above", 1), ("limit from below", -1)):
        shifted = {s: c + step / T for s, c in point.items()}
        try:
            h = f.subs(shifted)
        except ValueError:  # Max(log(-1/t), -100): outside the real domain
            continue
        probe = h.subs(T, Integer(10) ** 6).evalf(30)
        if not probe.is_real:
            continue
        L = limit(h, where)
        if undefined(L):
            raise SystemExit("%s: undefined %s" % (where, how))
        confirm(h, L, where)
        return text(L), sympy.sstr(L), how, (
            "indeterminate at the exact point; " + how +
            (" (above leaves the domain [0, 1])" if step < 0 else ""))
    raise SystemExit("%s: no value from either side" % where)


def main():
    entries = []
    records = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.json"))):
        with open(path) as fh:
            top = json.load(fh)
        records += top.get("cases", [])
    for r in records:
        rid = r["id"]
        nan_entries = [("output", [i]) for i, v in enumerate(r["output"]) if v == "nan"]
        nan_entries += [("jacobian", [i, j]) for i, row in enumerate(r.get("jacobian", []))
                        for j, v in enumerate(row) if v == "nan"]
        divergent = is_divergence(rid)
        if not nan_entries and not divergent:
            continue
        wanted = nan_entries
        if divergent:
            wanted = [("output", [i]) for i in range(len(r["output"]))]
            wanted += [("jacobian", [i, j]) for i, row in enumerate(r["jacobian"]) for j in range(len(row))]
        symbols = [Symbol(n, real=True) for n in r["wrt"]]
        outputs = flat(build(r["call"], symbols))
        assert len(outputs) == len(r["output"]), rid
        point = {s: exact_number(r["at"][s.name], infinity=T) for s in symbols}
        for entry, index in wanted:
            if entry == "output":
                f, recorded = outputs[index[0]], r["output"][index[0]]
            else:
                # The derivative of a function undefined at every input (0/0) is undefined,
                # not sympy's diff(nan) = 0.
                out = outputs[index[0]]
                f = out if out.has(nan) else sympy.diff(out, symbols[index[1]])
                recorded = r["jacobian"][index[0]][index[1]]
            where = "%s %s%s" % (rid, entry, index)
            expected, exact, how, reason = value(f, point, where)
            e = {"id": rid, "kind": "pytorch_nan" if recorded == "nan" else "divergence",
                 "entry": entry, "index": index, "pytorch": recorded, "expected": expected}
            if exact is not None and len(exact) <= EXACT_MAX:
                e["exact"] = exact
            e["how"] = how
            e["reason"] = reason
            entries.append(e)
            print("%-75s %-10s %s" % (where, recorded if isinstance(recorded, str) else "%.6g" % recorded, expected))
    out = {"generator": "Scripts/record_nan_limits.py", "sympy_version": sympy.__version__,
           "semantics": "inputs at +-inf and -inf mask constants tend to infinity together at the same "
                        "rate (x_i = +-t, t -> oo); finite inputs exact; at a finite indeterminate "
                        "point the limit from above (from below when above leaves the domain)",
           "entries": entries}
    with open(OUT, "w") as fh:  # one entry per line
        head = json.dumps({k: v for k, v in out.items() if k != "entries"}, indent=1)[:-2]
        fh.write(head + ',\n "entries": [\n')
        fh.write(",\n".join("  " + json.dumps(e) for e in entries))
        fh.write("\n ]\n}\n")
    kinds = {}
    for e in entries:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    print("wrote %d entries %s to %s" % (len(entries), kinds, os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
