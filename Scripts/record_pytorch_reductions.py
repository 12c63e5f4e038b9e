#!/usr/bin/env python3
"""Records PyTorch's reductions along dimensions and its elementwise extrema (development only;
issue 9, item 4): sum, mean, amax, amin (ties split the gradient evenly), softmin, and
maximum/minimum (a tie gives each side half), in float64 and float32.

Writes Tests/Fixtures/pytorch/reductions.json in the format of Scripts/record_pytorch.py. The
inputs are the symbols x0, x1, ... (one flat tensor, reshaped in the expression), at seeded
random points in quarters (so ties occur and every number is exact in float32) and at points
with ties set deliberately; amax/amin also with -inf entries (the lane's extremum finite, or
every entry -inf: a tie of -inf, whose gradient PyTorch splits evenly too). The Jacobian comes
from torch.autograd. PyTorchFixtureTests compares SymGrad's values and derivatives, and the
autograd oracle, with every case.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_reductions.py
"""
import json
import math
import os

import torch

from pytorch_fixtures import flat_case, vec

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch", "reductions.json")
torch.set_num_threads(1)
cases = []


def size(shape):
    return math.prod(shape)


def record(cid, source, text, n, fn, point, dtype):
    cases.append(flat_case(cid, source, text, n, fn, point, dtype))


def along(name, shape, dim, keepdim):
    """`name(reshape(x, shape), dim=..., keepdim=...)` and the torch function."""
    dim_text = "" if dim is None else f", dim={dim}"
    keep_text = ", keepdim=True" if keepdim else ""

    def text(v):
        return f"{name}(reshape({vec(v)}, {list(shape)}){dim_text}{keep_text})"

    def fn(x):
        f = getattr(torch, name)
        y = x.reshape(shape)
        if dim is None:
            return f(y)
        return f(y, dim=dim, keepdim=keepdim)
    return text, fn


def softmin(shape, dim):
    def text(v):
        return f"softmin(reshape({vec(v)}, {list(shape)}), dim={dim})"
    return text, lambda x: torch.nn.functional.softmin(x.reshape(shape), dim=dim)


def elementwise(name, shape_a, shape_b):
    na = size(shape_a)

    def text(v):
        return f"{name}(reshape({vec(v[:na])}, {list(shape_a)}), reshape({vec(v[na:])}, {list(shape_b)}))"

    def fn(x):
        return getattr(torch, name)(x[:na].reshape(shape_a), x[na:].reshape(shape_b))
    return text, fn, na + size(shape_b)


NEG = float("-inf")
# (id, text and function, number of symbols, ties point or None)
families = []
for name in ["sum", "mean"]:
    for shape, dim, keep in [((3, 4), None, False), ((3, 4), 1, False), ((3, 4), [0, 1], False),
                             ((2, 3, 2), [0, 2], True), ((2, 3, 2), -1, False)]:
        families.append((f"{name}/{'x'.join(map(str, shape))}/dim{dim}{'/keepdim' if keep else ''}".replace(" ", ""),
                         along(name, shape, dim, keep), size(shape), None))
for name in ["amax", "amin"]:
    big = 2.0 if name == "amax" else -2.0
    for shape, dim, keep, ties in [
        ((3, 4), 1, False, [1.0, big, big, 0.0, 0.5, 0.5, 0.5, 0.5, -1.0, 0.25, big, -0.5]),
        ((3, 4), None, False, [big, 0.0, 1.0, big, 0.5, big, -1.0, 0.0, 0.25, 0.5, 0.0, 1.0]),
        ((3, 4), 0, True, [1.0, 0.0, big, 0.5, 1.0, 0.0, big, 0.5, -1.0, 0.0, big, 0.25]),
        ((2, 3, 2), [0, 2], False, [0.5, 0.5, 1.0, 0.0, -1.0, 0.25, 0.5, 0.0, 1.0, 1.0, 0.25, -1.0]),
    ]:
        families.append((f"{name}/{'x'.join(map(str, shape))}/dim{dim}{'/keepdim' if keep else ''}".replace(" ", ""),
                         along(name, shape, dim, keep), size(shape), ties))
for shape, dim in [((3, 4), 0), ((3, 4), 1), ((2, 3, 2), -1), ((2, 3, 2), 1)]:
    families.append((f"softmin/{'x'.join(map(str, shape))}/dim{dim}", softmin(shape, dim), size(shape), None))
for name in ["maximum", "minimum"]:
    for sa, sb, ties in [((2, 3), (2, 3), [1.0, 0.5, -1.0, 0.0, 2.0, 0.25, 1.0, 0.0, -1.0, 0.5, 2.0, -0.25]),
                         ((2, 1), (3,), [0.5, -1.0, 0.5, 0.0, -1.0])]:
        text, fn, n = elementwise(name, sa, sb)
        families.append((f"{name}/{'x'.join(map(str, sa))}_{'x'.join(map(str, sb))}", (text, fn), n, ties))

g = torch.Generator().manual_seed(20261206)
for dtype in ["float64", "float32"]:
    for cid, (text, fn), n, ties in families:
        point = (torch.randint(-8, 9, (n,), generator=g).double() / 4).tolist()
        record(f"{cid}/random/0", "random", text, n, fn, point, dtype)
        if ties is not None:
            record(f"{cid}/ties", "edge", text, n, fn, ties, dtype)

# -inf entries (masked scores): amax/amin of a lane with a finite extremum and -inf elsewhere,
# and of a lane of only -inf (a tie: PyTorch splits the gradient evenly there too).
for dtype in ["float64", "float32"]:
    for name in ["amax", "amin"]:
        text, fn = along(name, (2, 3), 1, False)
        record(f"{name}/2x3/dim1/minus_inf", "edge", text, 6, fn, [NEG, 0.5, NEG, NEG, NEG, NEG], dtype)

with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_reductions.py", "torch_version": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases ->", os.path.relpath(OUT))
