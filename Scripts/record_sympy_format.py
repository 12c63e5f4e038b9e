#!/usr/bin/env python3
"""Record what sympy makes of SymGrad's `--format sympy` text (development only).

For each case (an expression in SymGrad's language and a point), the script
  1. runs `symgrad eval --format sympy --json EXPR` (the binary given by --symgrad,
     default .build/debug/symgrad) and takes the printed expression ("expression":
     a string, or nested lists of strings for list values);
  2. loads each string with `sympy.sympify` -- nothing else: no locals table, so every
     name must mean to sympy what SymGrad meant (that is what the format promises);
  3. substitutes the point (exact Rationals; +-inf as +-oo) and evaluates with
     `evalf(40)`, recording the value as a decimal string ("inf", "-inf", "nan" for
     sympy's oo, -oo, nan/zoo).
The output (Tests/Fixtures/sympy/format.json) holds the text sympy loaded and its value;
the Swift test `SympyFormatTests` checks that SymGrad prints exactly that text and that
its certified value agrees. No test runs Python.

Usage: python3 Scripts/record_sympy_format.py [--symgrad PATH] [--out FILE]
"""
import argparse
import json
import subprocess
import sys

import sympy

CASES = [
    # (expression, point)
    ("sigmoid(x)*softplus(y) + log1p(z) - expm1(a)", {"x": 0.5, "y": -1.25, "z": 0.75, "a": 2}),
    ("abs(b)*max(c, d) - min(c, 2*d) + sign(b)", {"b": -1.5, "c": 0.25, "d": 3}),
    ("tanh(x) + sin(x)*cos(y) + sqrt(x + 3) + x**(1/3)", {"x": 0.5, "y": 2}),
    ("exp(1) + pi*x + 3/4 - 2**(-3)*y", {"x": 1.5, "y": 8}),
    ("log(exp(a) + exp(b)) - a", {"a": 1, "b": -2}),
    ("cross_entropy([[x[0], x[1], x[2]]], [1])", {"x[0]": 0.5, "x[1]": -1, "x[2]": 2}),
    ("grad(cross_entropy([[a, b, c]], [2], label_smoothing=0.1), [a, b, c])", {"a": 0.5, "b": -1, "c": 2}),
    ("binary_cross_entropy([p], [1.0])", {"p": 0.25}),
    ("binary_cross_entropy_with_logits([z], [0.5], pos_weight=[2.0])", {"z": -0.75}),
    ("sigmoid_focal_loss([[z]], [[1.0]], alpha=0.25, gamma=2)", {"z": 1.5}),
    ("softmax([a, b - inf, c])", {"a": 0.5, "b": 1, "c": -2}),
    ("gamma*beta + lambda_1 + E*N0 + S1*Q2 - I3 + O4*C5", {"gamma": 2, "beta": 3, "lambda_1": 0.5, "N0": 1, "S1": 2, "Q2": 3, "I3": 4, "O4": 5, "C5": 6}),
    ("W[1][0]*logits - 1/(w_01 + 2)", {"W[1][0]": 1.5, "logits": -2, "w_01": 0.5}),
    ("x - inf", {"x": 1}),
    ("inf*exp(x)", {"x": 0}),
    ("log(0*x)", {"x": 1}),
    ("hessian(log(exp(a) + exp(b)), [a, b])", {"a": 0, "b": 1}),
]


def load(text):
    return sympy.sympify(text)


def value(expr, point):
    subs = {}
    for name, v in point.items():
        s = sympy.Symbol(name)
        if v == float("inf"):
            subs[s] = sympy.oo
        elif v == float("-inf"):
            subs[s] = -sympy.oo
        else:
            subs[s] = sympy.Rational(repr(v)) if isinstance(v, float) else sympy.Integer(v)
    r = expr.subs(subs)
    if r in (sympy.oo,):
        return "inf"
    if r in (-sympy.oo,):
        return "-inf"
    if r is sympy.nan or r is sympy.zoo or r.has(sympy.nan) or r.has(sympy.zoo):
        return "nan"
    n = sympy.N(r, 40)
    if not n.is_real:
        raise SystemExit(f"non-real value {n} for {expr}")
    return str(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--symgrad", default=".build/debug/symgrad")
    ap.add_argument("--out", default="Tests/Fixtures/sympy/format.json")
    args = ap.parse_args()
    cases = []
    for expr, point in CASES:
        out = subprocess.run([args.symgrad, "eval", "--format", "sympy", "--json", "--", expr],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"symgrad failed on {expr}: {out.stderr}")
        text = json.loads(out.stdout)["expression"]
        # A list value prints as one Python list: sympify gives a list of expressions.
        parsed = load(text)
        values = [value(p, point) for p in flatten(parsed)] if isinstance(parsed, (list, tuple)) else value(parsed, point)
        cases.append({"expr": expr, "at": {k: repr(v) for k, v in point.items()}, "sympy_text": text, "sympy_value": values})
        print(f"{expr!r:70.70} -> {values}", file=sys.stderr)
    doc = {"generator": "Scripts/record_sympy_format.py", "sympy_version": sympy.__version__, "cases": cases}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for y in x:
            out.extend(flatten(y))
        return out
    return [x]


if __name__ == "__main__":
    main()
