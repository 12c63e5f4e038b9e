#!/usr/bin/env python3
"""Records torch.where with comparisons and literal conditions (development only; issue 9,
item 4, "where with comparisons"), and torch.max/min(input, dim) (values and indices, ties).

Writes Tests/Fixtures/pytorch/selection.json in the format of Scripts/record_pytorch.py:
each case is torch.where(condition, input, other) with a comparison of the inputs (or a
literal bool tensor) as condition, at seeded random points (multiples of 1/8, so that ties
occur and every number is exact) and at the ties themselves, where the relation decides the
branch (x > y false, x >= y true at x == y). The unselected branch is often undefined there
(log, sqrt, division of the other side): PyTorch's forward drops it; its backward multiplies
the branch's derivative by a zero mask, which stays 0 where that derivative is finite (the
points avoid where it is infinite or NaN, log's pole and sqrt of negatives, where PyTorch's
gradient is 0 * inf = NaN and SymGrad's 0: README "Divergences from PyTorch").
float64 and float32 (PyTorch's float32 kernels at float32 inputs). The Jacobian comes from
torch.autograd. PyTorchFixtureTests compares SymGrad's derivatives and, for literal
conditions, the autograd oracle with every case.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_selection.py
"""
import json
import os

import torch

from pytorch_fixtures import flat_case, vec

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch", "selection.json")
torch.set_num_threads(1)
cases = []


def record(cid, source, text, n, fn, point, dtype):
    cases.append(flat_case(cid, source, text, n, fn, point, dtype))


def pair(f):
    """A function of the two halves of the flat input."""
    def g(x):
        h = x.numel() // 2
        return f(x[:h], x[h:])
    return g


def halves(names):
    h = len(names) // 2
    return vec(names[:h]), vec(names[h:])


mask = [True, False, True, True, False, False]
functions = [
    # (id, number of symbols, text, function, (lo, hi) of the random points in eighths, ties)
    ("log_or_zero", 6, lambda v: f"where({vec(v)} > 0, log({vec(v)}), 0)",
     lambda x: torch.where(x > 0, torch.log(x), torch.zeros_like(x)), (-24, 25), [0.5, -0.5, 1.0, 2.0, -3.0, 0.125]),
    ("square_at_or_above_one", 6, lambda v: f"where({vec(v)} >= 1, {vec(v)}**2, -{vec(v)})",
     lambda x: torch.where(x >= 1, x ** 2, -x), (-8, 24), [1.0, 1.0, 0.875, 1.125, -1.0, 0.0]),
    ("sqrt_or_linear", 6, lambda v: f"where({vec(v)} <= 1, 2*{vec(v)}, sqrt({vec(v)}))",
     lambda x: torch.where(x <= 1, 2 * x, torch.sqrt(x)), (1, 33), [1.0, 0.875, 1.125, 4.0, 0.25, 1.0]),
    ("product_below", 6, lambda v: "where({0} < {1}, {0}*{1}, {0} - {1})".format(*halves(v)),
     pair(lambda a, b: torch.where(a < b, a * b, a - b)), (-16, 17), [1.0, 0.5, -2.0, 1.0, 0.75, -2.0]),
    ("equal_pick", 6, lambda v: "where({0} == {1}, exp({0}), {0}*{1})".format(*halves(v)),
     pair(lambda a, b: torch.where(a == b, torch.exp(a), a * b)), (-4, 5), [0.5, 0.25, -1.0, 0.5, 0.5, -1.0]),
    ("ratio_where_different", 6, lambda v: "where({0} != {1}, {0}/{1}, 0)".format(*halves(v)),
     pair(lambda a, b: torch.where(a != b, a / b, torch.zeros_like(a))), (1, 17), [2.0, 1.0, 0.5, 2.0, 3.0, 0.5]),
    ("literal_mask", 12, lambda v: "where({0}, {1}, {2})".format(
        "[" + ", ".join("True" if m else "False" for m in mask) + "]", *halves(v)),
     pair(lambda a, b: torch.where(torch.tensor(mask), a, b)), (-16, 17), None),
    ("masked_softmax", 6, lambda v: "softmax(where({0}, {1}, -inf), dim=0)".format(
        "[" + ", ".join("True" if m else "False" for m in mask) + "]", vec(v)),
     lambda x: torch.softmax(torch.where(torch.tensor(mask), x, torch.tensor(float("-inf"), dtype=x.dtype)), dim=0),
     (-16, 17), None),
    ("broadcast_column", 3, lambda v: f"where({vec(v)} > 0, {vec(v)}, [[1.0], [-2.0]])",
     lambda x: torch.where(x > 0, x, torch.tensor([[1.0], [-2.0]], dtype=x.dtype)), (-16, 17), None),
]

g = torch.Generator().manual_seed(20261207)
for dtype in ["float64", "float32"]:
    for name, n, text, fn, (lo, hi), ties in functions:
        for i in range(2 if dtype == "float64" else 1):
            point = (torch.randint(lo, hi, (n,), generator=g).double() / 8).tolist()
            if name == "log_or_zero":
                # Not the pole: PyTorch's backward is 0 * (1/0) = NaN there (the divergence).
                point = [v if v != 0 else 0.25 for v in point]
            record(f"where/{name}/random/{i}", "random", text, n, fn, point, dtype)
        if ties is not None:
            record(f"where/{name}/ties", "edge", text, n, fn, ties, dtype)

# Combined conditions (&, |, ~ of comparisons), from a generator of their own so that the
# cases above stay as recorded: where((x > -1) & (x < 1), x**2, 0) and
# where(~(x > 0) | (x > 2), exp(x), log(x)) (log undefined where unselected, below 0).
gc = torch.Generator().manual_seed(20261210)
combined = [
    ("inside_interval", 6, lambda v: f"where(({vec(v)} > -1) & ({vec(v)} < 1), {vec(v)}**2, 0)",
     lambda x: torch.where((x > -1) & (x < 1), x ** 2, torch.zeros_like(x)), (-16, 17),
     [1.0, -1.0, 0.5, -0.5, 2.0, 0.0]),
    ("outside_or", 6, lambda v: f"where(~({vec(v)} > 0) | ({vec(v)} > 2), exp({vec(v)}), log({vec(v)}))",
     lambda x: torch.where(~(x > 0) | (x > 2), torch.exp(x), torch.log(x)), (-16, 33), [-0.5, 2.0, 0.5, -1.0, 2.5, 1.0]),
]
for dtype in ["float64", "float32"]:
    for name, n, text, fn, (lo, hi), ties in combined:
        point = (torch.randint(lo, hi, (n,), generator=gc).double() / 8).tolist()
        # Not log's pole at 0 (PyTorch's 0 * inf = NaN there, the divergence).
        point = [v if v != 0 else 0.25 for v in point]
        record(f"where/{name}/random/0", "random", text, n, fn, point, dtype)
        record(f"where/{name}/ties", "edge", text, n, fn, ties, dtype)

# torch.max/min(input, dim, keepdim): values and indices, recorded together as
# stack([values, indices]) (SymGrad's [values, indices]); the first extremal entry of a lane
# takes the whole gradient, so ties are drawn often (eighths in a narrow range) and set
# deliberately (a lane of equal entries, a tie after a smaller entry). A generator of its own.
gm = torch.Generator().manual_seed(20261205)


def values_and_indices(f, shape, dim, keepdim):
    def g(x):
        v, i = f(x.reshape(shape), dim=dim, keepdim=keepdim)
        return torch.stack([v, i.to(x.dtype)])
    return g


extrema = [
    # (id, shape, dim, keepdim, ties)
    ("rows", (3, 4), 1, False, [0.5, 1.0, 1.0, -1.0, 2.0, 2.0, 2.0, 2.0, -0.5, 0.25, -0.5, 0.25]),
    ("columns_keepdim", (3, 4), 0, True, [1.0, 0.5, -2.0, 0.0, 1.0, 0.75, -2.0, 0.0, -1.0, 0.75, -3.0, 0.0]),
    ("last_of_3d", (2, 2, 3), -1, False, [0.0, 0.0, 0.0, 1.0, 2.0, 2.0, -1.0, -1.0, -2.0, 3.0, 1.0, 3.0]),
]
for dtype in ["float64", "float32"]:
    for f, fname in [(torch.max, "max"), (torch.min, "min")]:
        for name, shape, dim, keepdim, ties in extrema:
            n = 1
            for d in shape:
                n *= d
            keep = ", keepdim=True" if keepdim else ""
            text = (lambda v, shape=shape, dim=dim, keep=keep, fname=fname:
                    f"{fname}(reshape({vec(v)}, {list(shape)}), dim={dim}{keep})")
            fn = values_and_indices(f, shape, dim, keepdim)
            point = (torch.randint(-3, 4, (n,), generator=gm).double() / 4).tolist()
            record(f"{fname}_dim/{name}/random/0", "random", text, n, fn, point, dtype)
            record(f"{fname}_dim/{name}/ties", "edge", text, n, fn, ties, dtype)

with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_selection.py", "torch_version": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases ->", os.path.relpath(OUT))
