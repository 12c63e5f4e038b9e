#!/usr/bin/env python3
"""Records PyTorch's activation functions (development only; issue 9, item 4, by family).

Writes Tests/Fixtures/pytorch/activations.json in the format of Scripts/record_pytorch.py
(id, source, dtype, expr, wrt, at, output_shape, output, jacobian; "inf"/"-inf"/"nan" as
strings): relu, relu6, leaky_relu, hardtanh, elu, selu, celu, silu, gelu(approximate="tanh"),
softsign, mish, logsigmoid, hardswish and hardsigmoid, gelu (exact), and torch.erf / torch.erfc with their keyword options, float64 and
float32 (PyTorch's float32 kernels at float32 inputs), at seeded random points and at the kinks (0 for the relu family, the hardtanh bounds, -3 and 3 for
hardswish), where PyTorch's backward picks a side. Inputs are the symbols x0, x1, ...; the
Jacobian comes from torch.autograd (one backward pass per output element).
PyTorchFixtureTests compares SymGrad's derivatives and the autograd oracle with every case.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_activations.py
"""
import json
import os

import torch

from pytorch_fixtures import number

F = torch.nn.functional
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch", "activations.json")
torch.set_num_threads(1)
cases = []


def record(cid, source, name, x, kwargs, text_kwargs, dtype="float64"):
    names = [f"x{i}" for i in range(x.numel())]
    x = x.to(torch.float32 if dtype == "float32" else torch.float64)
    xx = x.clone().requires_grad_(True)
    out = (getattr(F, name, None) or getattr(torch, name))(xx, **kwargs)
    flat = out.reshape(-1)
    jac = []
    for k in range(flat.numel()):
        g, = torch.autograd.grad(flat[k], xx, retain_graph=True)
        jac.append([number(v) for v in g.reshape(-1).tolist()])
    cases.append({
        "id": cid, "source": source, "dtype": dtype,
        "expr": f"{name}([{', '.join(names)}]{text_kwargs})", "wrt": names,
        "at": {n: number(v) for n, v in zip(names, x.reshape(-1).tolist())},
        "output_shape": list(out.shape), "output": [number(v) for v in flat.tolist()], "jacobian": jac,
    })


functions = [
    ("relu", [({}, "")]),
    ("relu6", [({}, "")]),
    ("leaky_relu", [({}, ""), ({"negative_slope": 0.2}, ", negative_slope=0.2")]),
    ("hardtanh", [({}, ""), ({"min_val": -0.5, "max_val": 2.0}, ", min_val=-0.5, max_val=2.0")]),
    ("elu", [({}, ""), ({"alpha": 0.5}, ", alpha=0.5")]),
    ("selu", [({}, "")]),
    ("celu", [({}, ""), ({"alpha": 2.0}, ", alpha=2.0")]),
    ("silu", [({}, "")]),
    ("gelu", [({"approximate": "tanh"}, ', approximate="tanh"'), ({}, "")]),
    ("softsign", [({}, "")]),
    ("mish", [({}, "")]),
    ("logsigmoid", [({}, "")]),
    ("hardswish", [({}, "")]),
    ("hardsigmoid", [({}, "")]),
    ("erf", [({}, "")]),
    ("erfc", [({}, "")]),
    ("softplus", [({"beta": 2.0, "threshold": 20.0}, ", beta=2.0, threshold=20.0"), ({"threshold": 20.0}, ", threshold=20.0"),
                  ({"beta": 0.5, "threshold": 1.0}, ", beta=0.5, threshold=1.0")]),
    ("clamp", [({"min": -1.0, "max": 2.0}, ", min=-1.0, max=2.0"), ({"min": 0.0}, ", min=0.0"),
               ({"max": -0.5}, ", max=-0.5"), ({"min": 3.0, "max": 1.0}, ", min=3.0, max=1.0")]),
]
g = torch.Generator().manual_seed(20261205)
kinks = torch.tensor([0.0, -3.0, 3.0, -1.0, 1.0, 6.0, -0.5, 2.0], dtype=torch.float64)
for name, options in functions:
    for k, (kw, kt) in enumerate(options):
        for i in range(2):
            x = torch.randn(6, generator=g, dtype=torch.float64) * 4
            record(f"{name}/{k}/random/{i}", "random", name, x, kw, kt)
        record(f"{name}/{k}/kinks", "edge", name, kinks, kw, kt)
        record(f"{name}/{k}/large", "edge", name, torch.tensor([-40.0, 40.0, -700.0, 700.0], dtype=torch.float64),
               kw, kt)

# float32: PyTorch's float32 kernels at float32 inputs (the "at" values are those floats,
# exact as doubles), one random point, the kinks and the large values per option. Its own
# generator, so that the float64 cases above stay as they were recorded.
g32 = torch.Generator().manual_seed(20261206)
for name, options in functions:
    for k, (kw, kt) in enumerate(options):
        x = torch.randn(6, generator=g32, dtype=torch.float64) * 4
        record(f"{name}/{k}/random/float32", "random", name, x, kw, kt, "float32")
        record(f"{name}/{k}/kinks/float32", "edge", name, kinks, kw, kt, "float32")
        record(f"{name}/{k}/large/float32", "edge", name, torch.tensor([-40.0, 40.0, -100.0, 100.0]), kw, kt,
               "float32")

# The elementary functions (torch.abs, sign, sin, cos, tanh, sigmoid, exp, expm1, log, log1p,
# sqrt), float64 and float32, at random points of their domains and at their edges (abs and
# sign at 0, where PyTorch's derivative is 0; log1p near -1; sin and cos at large arguments).
# A generator of its own, after every case above.
ge = torch.Generator().manual_seed(20261209)
elementary = [
    # (name, map from a standard normal draw into the domain, edge points)
    ("abs", lambda z: z * 4, [0.0, -0.0, 1e-300, -1e-300, 2.5, -2.5]),
    ("sign", lambda z: z * 4, [0.0, -0.0, 1e-300, -1e-300, 2.5, -2.5]),
    ("sin", lambda z: z * 4, [0.0, 3.140625, 100.0, -1000.0]),
    ("cos", lambda z: z * 4, [0.0, 1.5703125, 100.0, -1000.0]),
    ("tanh", lambda z: z * 4, [0.0, 20.0, -20.0, 0.5]),
    ("sigmoid", lambda z: z * 4, [0.0, 30.0, -30.0, 0.5]),
    ("exp", lambda z: z * 4, [0.0, -50.0, 50.0, 1e-8]),
    ("expm1", lambda z: z * 4, [0.0, 1e-8, -1e-8, -30.0]),
    ("log", lambda z: z.abs() * 4 + 0.125, [1.0, 1e-30, 1e30, 0.5]),
    ("log1p", lambda z: z.abs() * 4 - 0.875, [0.0, -0.875, 1e-8, -1e-8]),
    ("sqrt", lambda z: z.abs() * 4 + 0.125, [1.0, 1e-30, 1e30, 0.25]),
]
for dtype in ["float64", "float32"]:
    suffix = "" if dtype == "float64" else "/float32"
    for name, into, edges in elementary:
        x = into(torch.randn(6, generator=ge, dtype=torch.float64))
        record(f"{name}/0/random/0{suffix}", "random", name, x, {}, "", dtype)
        record(f"{name}/0/edges{suffix}", "edge", name, torch.tensor(edges, dtype=torch.float64), {}, "", dtype)

with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_activations.py", "torch_version": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases ->", os.path.relpath(OUT))
