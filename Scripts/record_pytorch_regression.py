#!/usr/bin/env python3
"""Records PyTorch's regression and divergence losses (development only; issue 9, by family).

Writes Tests/Fixtures/pytorch/regression.json in the format of Scripts/record_pytorch.py
(id, source, dtype, expr, wrt, at, output_shape, output, jacobian; "inf"/"-inf"/"nan" as
strings): mse_loss, l1_loss, huber_loss(delta), smooth_l1_loss(beta), kl_div(reduction incl.
batchmean, log_target), soft_margin_loss and poisson_nll_loss(log_input, full), float64 and float32,
every reduction, at seeded random points and at the kinks (input == target, |d| == delta or
beta, beta = 0). Inputs are the symbols x0, x1, ...; targets are literals that are multiples
of 1/8 (exact both as SymGrad's decimal literals and as doubles). The Jacobian comes from
torch.autograd: one backward pass per output element with a one-hot grad_output.
PyTorchFixtureTests compares SymGrad's derivatives and the autograd oracle with every case.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_regression.py
"""
import json
import os

import torch

from pytorch_fixtures import case, eighths, literal, symbols

F = torch.nn.functional
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch", "regression.json")
torch.set_num_threads(1)
cases = []


def record(cid, source, call, x, target, kwargs, text_kwargs, dtype=torch.float64):
    """`call(x, target, **kwargs)` in torch, in `dtype` (input and target; float32 records
    take the float32 inputs as their "at" values); `text_kwargs` is the expression's keyword
    text."""
    names, xtext = symbols(x.shape)
    xx = x.clone().to(dtype).requires_grad_(True)
    target = target.to(dtype)
    expr = f"{call.__name__}({xtext}, {literal(target)}{text_kwargs})"
    cases.append(case(cid + ("/float32" if dtype == torch.float32 else ""), source, expr, names, xx,
                      call(xx, target, **kwargs)))


def family(g, shape, tag, i, dtype=torch.float64):
    """The random cases of one input shape and draw (float64 ids as first recorded)."""
    x = torch.randn(shape, generator=g, dtype=torch.float64) * 2
    y = eighths(g, shape)
    for red in reductions:
        kw = {} if red == "mean" else {"reduction": red}
        kt = "" if red == "mean" else f', reduction="{red}"'
        record(f"mse_loss/{red}/{tag}/{i}", "random", F.mse_loss, x, y, kw, kt, dtype)
        record(f"l1_loss/{red}/{tag}/{i}", "random", F.l1_loss, x, y, kw, kt, dtype)
        for delta in [1.0, 0.5, 2.0]:
            record(f"huber_loss/delta{delta}/{red}/{tag}/{i}", "random", F.huber_loss, x, y,
                   dict(kw, delta=delta), kt + ("" if delta == 1.0 else f", delta={delta}"), dtype)
        for beta in [1.0, 0.5, 0.0]:
            record(f"smooth_l1_loss/beta{beta}/{red}/{tag}/{i}", "random", F.smooth_l1_loss, x, y,
                   dict(kw, beta=beta), kt + ("" if beta == 1.0 else f", beta={beta}"), dtype)
        s = torch.where(torch.rand(shape, generator=g) < 0.5, -1.0, 1.0).double()
        record(f"soft_margin_loss/{red}/{tag}/{i}", "random", F.soft_margin_loss, x, s, kw, kt, dtype)
        record(f"poisson_nll_loss/log_input/{red}/{tag}/{i}", "random", F.poisson_nll_loss, x,
               eighths(g, shape, 0, 33), kw, kt, dtype)
        record(f"poisson_nll_loss/full/{red}/{tag}/{i}", "random", F.poisson_nll_loss, x,
               eighths(g, shape, 0, 33), dict(kw, full=True), kt + ", full=True", dtype)
        xp = torch.rand(shape, generator=g, dtype=torch.float64) * 3 + 0.25
        record(f"poisson_nll_loss/probabilities/{red}/{tag}/{i}", "random", F.poisson_nll_loss, xp,
               eighths(g, shape, 0, 33), dict(kw, log_input=False), kt + ", log_input=False", dtype)
    # kl_div: log-probabilities in, probabilities (some exactly 0) or log-probabilities as target.
    logp = torch.log_softmax(torch.randn(shape, generator=g, dtype=torch.float64), dim=-1)
    q = eighths(g, shape, 0, 9)
    for red in ["mean", "sum", "none", "batchmean"]:
        kw = {"reduction": red}
        kt = "" if red == "mean" else f', reduction="{red}"'
        record(f"kl_div/{red}/{tag}/{i}", "random", F.kl_div, logp, q, kw, kt, dtype)
        record(f"kl_div/log_target/{red}/{tag}/{i}", "random", F.kl_div, logp, -q - 0.125,
               dict(kw, log_target=True), kt + ", log_target=True", dtype)


g = torch.Generator().manual_seed(20261204)
reductions = ["mean", "sum", "none"]
for shape in [(3,), (2, 3)]:
    for i in range(2):
        family(g, shape, "x".join(map(str, shape)), i)
# float32: PyTorch's float32 kernels, one draw per shape from a generator of its own (so the
# float64 cases above stay as recorded).
g32 = torch.Generator().manual_seed(20261206)
for shape in [(3,), (2, 3)]:
    family(g32, shape, "x".join(map(str, shape)), 0, torch.float32)

# The kinks: input == target (l1, smooth_l1), |d| == delta or beta, d == 0; float64, then
# float32 (exact there too).
x = torch.tensor([0.5, 1.5, -0.25, 2.0, 0.0], dtype=torch.float64)
y = torch.tensor([0.5, 1.0, 0.25, 0.0, 0.0], dtype=torch.float64)
for dtype in [torch.float64, torch.float32]:
    record("l1_loss/kinks/sum", "edge", F.l1_loss, x, y, {"reduction": "sum"}, ', reduction="sum"', dtype)
    record("huber_loss/kinks/delta0.5/none", "edge", F.huber_loss, x, y, {"reduction": "none", "delta": 0.5},
           ', reduction="none", delta=0.5', dtype)
    record("huber_loss/kinks/delta2.0/sum", "edge", F.huber_loss, x, y, {"reduction": "sum", "delta": 2.0},
           ', reduction="sum", delta=2.0', dtype)
    record("smooth_l1_loss/kinks/beta0.5/none", "edge", F.smooth_l1_loss, x, y,
           {"reduction": "none", "beta": 0.5}, ', reduction="none", beta=0.5', dtype)
    record("smooth_l1_loss/kinks/beta0.0/none", "edge", F.smooth_l1_loss, x, y,
           {"reduction": "none", "beta": 0.0}, ', reduction="none", beta=0.0', dtype)

with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_regression.py", "torch_version": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases ->", os.path.relpath(OUT))
