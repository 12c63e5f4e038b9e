#!/usr/bin/env python3
"""Record reference limits of expressions with erf, erfc and gelu for SymGrad's limit engine.

Each case is an expression in the SymGrad expression language (also valid sympy text with
the locals below) whose limit as ``t`` tends to +oo or -oo is an indeterminate form that
needs the error function's asymptotic (or Taylor) expansion. For each case the script

  1. computes ``sympy.limit`` (sympy 1.14 rewrites erf/erfc through its ``_erfs``),
  2. confirms it numerically with mpmath at |t| = 4, 8, 16, 32 (a slowly growing argument:
     t = 1e3, 1e10, 1e30, 1e60), with enough digits for the cancellation of `1 - erf(t)`
     (t**2/2 digits and 60 more): the distance to the limit must shrink from point to
     point and be below 1e-2 (relative) at the last one; +-oo limits must grow in the right
     direction. Where sympy's limit fails that check and the case gives its own closed form
     that passes it, the closed form is recorded (with sympy's answer in "sympy"): sympy
     1.14 gives oo for log(erfc(t)) + t**2 + log(t), whose limit is -log(pi)/2;
  3. writes the case in the schema of ``Tests/Fixtures/sympy/limits.json`` (the same test
     reads both files) to ``Tests/Fixtures/sympy/erf-limits.json``.

Run from the repository root: ``python3 Scripts/record_erf_limits.py`` (sympy, mpmath).
"""

import json
import os
import sys

import mpmath
import sympy

t = sympy.Symbol("t", real=True)
LOCALS = {
    "t": t,
    "erf": sympy.erf,
    "erfc": sympy.erfc,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "pi": sympy.pi,
    "gelu": lambda x: x * sympy.erfc(-x / sympy.sqrt(2)) / 2,
}

# (id, expression, direction[, options]); options: "slow" (an argument growing like log t),
# "far" (no cancellation, a slow 1/t approach: t = 10 ... 10**4 at 80 digits), "expected"
# (the closed form, where sympy's answer is wrong).
CASES = [
    ("erfc/scaled", "t*erfc(t)*exp(t**2)", "+inf"),
    ("erf/scaled", "t*(1 - erf(t))*exp(t**2)", "+inf"),
    ("erf/scaled-negative", "(erf(t) - 1)*exp(t**2)*t", "+inf"),
    ("erfc/second-term", "t**2*(sqrt(pi)*t*exp(t**2)*erfc(t) - 1)", "+inf"),
    ("erfc/third-term", "t**2*(t**2*(sqrt(pi)*t*exp(t**2)*erfc(t) - 1) + 1/2)", "+inf"),
    ("erfc/ratio", "erfc(t)/exp(-t**2)", "+inf", {"far": True}),
    ("erfc/sqrt-argument", "erfc(sqrt(t))*exp(t)*sqrt(t)", "+inf"),
    ("erfc/log", "log(erfc(t)) + t**2 + log(t)", "+inf", {"expected": "-log(pi)/2"}),
    ("erfc/negative-side", "t*erfc(-t)", "-inf"),
    ("erfc/two-minus", "(2 - erfc(t))*exp(t**2)*t", "-inf"),
    ("erf/odd-negative", "(erf(t) + 1)*exp(t**2)*t", "-inf"),
    ("erf/grows", "exp(t**2)*erf(t)", "+inf"),
    ("erf/taylor-zero", "erf(1/t)*t", "+inf"),
    ("erf/taylor-point", "(erf(2 + 1/t) - erf(2))*t", "+inf"),
    ("erfc/taylor-point-second", "((erfc(1 + 1/t) - erfc(1))*t + 2*exp(-1)/sqrt(pi))*t", "+inf"),
    ("erf/against-exp", "(1 - erf(t))*exp(t**2 - t)", "+inf"),
    ("erf/slow-argument", "(1 - erf(log(t)))*exp(log(t)**2)*log(t)", "+inf", {"slow": True}),
    ("gelu/times-t", "t*gelu(t)", "-inf"),
    ("gelu/ratio", "gelu(t)/t", "-inf"),
    ("gelu/tail", "(gelu(t) - t)*exp(t**2/2)", "+inf"),
    ("gelu/scaled-tail", "gelu(t)*exp(t**2/2)*t", "-inf"),
    ("gelu/derivative", "erfc(-t*sqrt(2)/2)/2 + t*exp(-t**2/2)/sqrt(2*pi)", "-inf"),
    ("gelu/derivative-scaled", "(erfc(-t*sqrt(2)/2)/2 + t*exp(-t**2/2)/sqrt(2*pi))*exp(t**2/2)*t**3", "-inf"),
]


def to_language(e):
    text = sympy.sstr(e)
    return text.replace("oo", "inf")


def numeric(expr, x, digits):
    f = sympy.lambdify(t, expr, modules="mpmath")
    with mpmath.workdps(digits):
        return f(mpmath.mpf(x))


def confirmed(lim, values):
    """Whether the values at the points approach `lim` as described above."""
    if lim in (sympy.oo, -sympy.oo):
        sign = 1 if lim == sympy.oo else -1
        return all(sign * v > 0 for v in values) and all(
            abs(values[i + 1]) > abs(values[i]) for i in range(len(values) - 1))
    L = mpmath.mpf(sympy.N(lim, 60))
    errors = [abs(v - L) for v in values]
    return all(errors[i + 1] <= errors[i] for i in range(len(errors) - 1)) and errors[-1] <= 1e-2 * max(1, abs(L))


def main():
    out = []
    for cid, text, direction, *rest in CASES:
        options = rest[0] if rest else {}
        expr = sympy.sympify(text, locals=LOCALS, rational=True)
        point = sympy.oo if direction == "+inf" else -sympy.oo
        lim = sympy.limit(expr, t, point)
        s = 1 if direction == "+inf" else -1
        if options.get("slow"):
            points = [10**3, 10**10, 10**30, 10**60]
            digits = [60 + int(mpmath.log(p) ** 2 / 2) for p in points]
        elif options.get("far"):
            points = [10, 100, 1000, 10000]
            digits = [80] * 4
        else:
            points = [4, 8, 16, 32]
            digits = [60 + p * p // 2 for p in points]
        values = [numeric(expr, s * p, d) for p, d in zip(points, digits)]
        sympy_says = None
        if not confirmed(lim, values) and "expected" in options:
            sympy_says = lim
            lim = sympy.sympify(options["expected"], locals=LOCALS, rational=True)
        if not confirmed(lim, values):
            print(f"DROPPED {cid}: sympy {lim}, values {[mpmath.nstr(v, 8) for v in values]}", file=sys.stderr)
            continue
        value = ("inf" if lim == sympy.oo else "-inf") if lim in (sympy.oo, -sympy.oo) else float(sympy.N(lim, 30))
        checks = []
        for p, v in zip(points, values):
            fv = float(v)
            if mpmath.isfinite(v) and abs(fv) < 1e300:
                checks.append({"t": s * p, "value": fv})
        record = {
            "id": "erf/" + cid, "family": "erf", "expr": text, "variable": "t", "direction": direction,
            "fixed": {}, "limit": to_language(lim), "limit_value": value, "checks": checks,
        }
        if sympy_says is not None:
            record["sympy"] = to_language(sympy_says)
        out.append(record)
        print(f"{cid}: {lim}" + ("" if sympy_says is None else f" (sympy: {sympy_says})"))
    # erfcx(x) = exp(x**2) erfc(x) (the limit engine's internal function) and its
    # derivative, at 80 digits, for the evaluators' tests.
    erfcx = []
    with mpmath.workdps(80):
        for x in ["-3", "-0.5", "0", "0.5", "1", "5", "24.5", "25", "25.5", "30", "100", "1000", "100000",
                  "10000000000"]:
            v = mpmath.erfc(mpmath.mpf(x)) * mpmath.exp(mpmath.mpf(x) ** 2)
            d = mpmath.diff(lambda y: mpmath.erfc(y) * mpmath.exp(y ** 2), mpmath.mpf(x))
            erfcx.append({"x": x, "value": mpmath.nstr(v, 30), "derivative": mpmath.nstr(d, 30)})
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "Tests", "Fixtures", "sympy", "erf-limits.json")
    with open(path, "w") as f:
        json.dump({"generator": "Scripts/record_erf_limits.py", "sympy_version": sympy.__version__,
                   "mpmath_version": mpmath.__version__, "cases": out, "erfcx": erfcx}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} of {len(CASES)} cases to {path}")


if __name__ == "__main__":
    main()
