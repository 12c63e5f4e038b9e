#!/usr/bin/env python3
"""Records PyTorch's activation functions (development only; issue 9, item 4, by family).

Writes Tests/Fixtures/pytorch/activations.json in the format of Scripts/record_pytorch.py
(id, source, dtype, expr, wrt, at, output_shape, output, jacobian; "inf"/"-inf"/"nan" as
strings): relu, relu6, leaky_relu, hardtanh and logsigmoid with their keyword options,
float64, at seeded random points and at the kinks (0 for the relu family, the hardtanh
bounds), where PyTorch's backward picks a side. Inputs are the symbols x0, x1, ...; the
Jacobian comes from torch.autograd (one backward pass per output element).
PyTorchFixtureTests compares SymGrad's derivatives and the autograd oracle with every case.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_activations.py
"""
import json
import os

import torch

from pytorch_fixtures import case

F = torch.nn.functional
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch", "activations.json")
torch.set_num_threads(1)
cases = []



def record(cid, source, name, x, kwargs, text_kwargs):
    names = [f"x{i}" for i in range(x.numel())]
    xx = x.clone().double().requires_grad_(True)
    expr = f"{name}([{', '.join(names)}]{text_kwargs})"
    cases.append(case(cid, source, expr, names, xx, getattr(F, name)(xx, **kwargs)))


functions = [
    ("relu", [({}, "")]),
    ("relu6", [({}, "")]),
    ("leaky_relu", [({}, ""), ({"negative_slope": 0.2}, ", negative_slope=0.2")]),
    ("hardtanh", [({}, ""), ({"min_val": -0.5, "max_val": 2.0}, ", min_val=-0.5, max_val=2.0")]),
    ("logsigmoid", [({}, "")]),
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

with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_activations.py", "torch_version": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases ->", os.path.relpath(OUT))
