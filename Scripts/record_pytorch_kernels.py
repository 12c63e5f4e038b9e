#!/usr/bin/env python3
"""Records kernel-style compositions (development only; issue 9, item 5).

What authors of fused losses verify, written as PyTorch users write them, float64 (and one
float32 case per composition and reduction):
- z-loss: cross_entropy(x, t) + s * mean(logsumexp(x, dim=-1)**2);
- logit soft-capping: cross_entropy(c * tanh(x / c), t);
- fused linear + cross-entropy with reduction="none" and ignored targets (the configuration
  in which hand-written kernels have shipped wrong gradients), by the hidden states and by
  the weight (the gradient dL/dW);
- label smoothing with ignored targets, every reduction (PyTorch's normalization: the mean
  divides by the number of non-ignored targets, the smoothing term included), with class
  weights too.
Writes Tests/Fixtures/pytorch/kernels.json in the format of Scripts/record_pytorch.py (see
Scripts/pytorch_fixtures.py); inputs are the symbols x0, x1, ... (row-major over the one
differentiable tensor of each case), other tensors are literals that are multiples of 1/8 or
integers. PyTorchFixtureTests compares SymGrad's derivatives with every case.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_kernels.py
"""
import json
import os

import torch

from pytorch_fixtures import case, eighths, literal, symbols

F = torch.nn.functional
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch", "kernels.json")
torch.set_num_threads(1)
cases = []


def record(cid, expr_of, fn, x):
    """`expr_of(text of x)` is the expression; `fn(x)` computes it in torch."""
    names, xtext = symbols(x.shape)
    xx = x.clone().double().requires_grad_(True)
    cases.append(case(cid, "kernel", expr_of(xtext), names, xx, fn(xx)))


g = torch.Generator().manual_seed(20261206)
N, C = 3, 4

# z-loss, with ignored targets too (the z term still counts every row, as in PaLM-style code).
for i, t in enumerate([torch.tensor([1, 3, 0]), torch.tensor([2, -100, 0])]):
    x = torch.randn(N, C, generator=g, dtype=torch.float64) * 2
    s = 1e-4 if i == 0 else 0.125
    record(f"kernels/z_loss/{i}",
           lambda xt, t=t, s=s: f"cross_entropy({xt}, {literal(t)}) + {s!r}*mean(logsumexp({xt}, dim=-1)**2)",
           lambda xx, t=t, s=s: F.cross_entropy(xx, t) + s * torch.logsumexp(xx, dim=-1).pow(2).mean(), x)

# Logit soft-capping (Gemma-style c*tanh(x/c)) before the loss, with large logits.
for i, c in enumerate([30.0, 5.0]):
    x = torch.randn(N, C, generator=g, dtype=torch.float64) * 20
    t = torch.tensor([0, 2, 3])
    record(f"kernels/soft_cap/c{c}",
           lambda xt, t=t, c=c: f"cross_entropy({c!r}*tanh({xt}/{c!r}), {literal(t)})",
           lambda xx, t=t, c=c: F.cross_entropy(c * torch.tanh(xx / c), t), x)

# Fused linear + cross-entropy, reduction="none", ignored targets: by the hidden states H
# (symbols, W literal) and by the weight W (symbols, H literal).
H = eighths(g, (N, 3))
W = eighths(g, (C, 3))
for i, t in enumerate([torch.tensor([1, -100, 3]), torch.tensor([-100, -100, 2])]):
    for red in ["none", "sum", "mean"]:
        kt = f', reduction="{red}"'
        record(f"kernels/linear_ce/by_h/{red}/{i}",
               lambda ht, t=t, kt=kt: f"cross_entropy(linear({ht}, {literal(W)}), {literal(t)}{kt})",
               lambda hh, t=t, red=red: F.cross_entropy(F.linear(hh, W), t, reduction=red), H)
        record(f"kernels/linear_ce/by_w/{red}/{i}",
               lambda wt, t=t, kt=kt: f"cross_entropy(linear({literal(H)}, {wt}), {literal(t)}{kt})",
               lambda ww, t=t, red=red: F.cross_entropy(F.linear(H, ww), t, reduction=red), W)
        record(f"kernels/linear_ce/smoothing/by_w/{red}/{i}",
               lambda wt, t=t, kt=kt: f"cross_entropy(linear({literal(H)}, {wt}), {literal(t)}{kt}, label_smoothing=0.1)",
               lambda ww, t=t, red=red: F.cross_entropy(F.linear(H, ww), t, reduction=red, label_smoothing=0.1), W)

# Label smoothing with ignored targets, with and without class weights, every reduction.
weight = torch.tensor([0.5, 1.0, 2.0, 0.25], dtype=torch.float64)
for i, t in enumerate([torch.tensor([0, -100, 3]), torch.tensor([2, 1, -100])]):
    x = torch.randn(N, C, generator=g, dtype=torch.float64)
    for red in ["mean", "sum", "none"]:
        for wname, w in [("noweight", None), ("weight", weight)]:
            kt = f', reduction="{red}", label_smoothing=0.2' + ("" if w is None else f", weight={literal(w)}")
            record(f"kernels/label_smoothing_ignored/{wname}/{red}/{i}",
                   lambda xt, t=t, kt=kt: f"cross_entropy({xt}, {literal(t)}{kt})",
                   lambda xx, t=t, red=red, w=w: F.cross_entropy(xx, t, weight=w, reduction=red, label_smoothing=0.2),
                   x)

# float32: PyTorch's float32 kernels at float32 inputs (1e-5 relative in the fixture test),
# one case per composition and reduction, from a generator of their own (the float64 cases
# above stay as recorded).
def record32(cid, expr_of, fn, x):
    names, xtext = symbols(x.shape)
    xx = x.clone().float().requires_grad_(True)
    cases.append(case(cid + "/float32", "kernel", expr_of(xtext), names, xx, fn(xx)))


g32 = torch.Generator().manual_seed(20261212)
t = torch.tensor([2, -100, 0])
record32("kernels/z_loss", lambda xt: f"cross_entropy({xt}, {literal(t)}) + 0.125*mean(logsumexp({xt}, dim=-1)**2)",
         lambda xx: F.cross_entropy(xx, t) + 0.125 * torch.logsumexp(xx, dim=-1).pow(2).mean(),
         torch.randn(N, C, generator=g32, dtype=torch.float64) * 2)
tc = torch.tensor([0, 2, 3])
record32("kernels/soft_cap/c30.0", lambda xt: f"cross_entropy(30.0*tanh({xt}/30.0), {literal(tc)})",
         lambda xx: F.cross_entropy(30.0 * torch.tanh(xx / 30.0), tc),
         torch.randn(N, C, generator=g32, dtype=torch.float64) * 20)
H32 = eighths(g32, (N, 3)).float()
W32 = eighths(g32, (C, 3)).float()
tl = torch.tensor([1, -100, 3])
for red in ["none", "mean"]:
    kt = f', reduction="{red}"'
    record32(f"kernels/linear_ce/by_h/{red}",
             lambda ht, kt=kt: f"cross_entropy(linear({ht}, {literal(W32)}), {literal(tl)}{kt})",
             lambda hh, red=red: F.cross_entropy(F.linear(hh, W32), tl, reduction=red), H32)
    record32(f"kernels/linear_ce/by_w/{red}",
             lambda wt, kt=kt: f"cross_entropy(linear({literal(H32)}, {wt}), {literal(tl)}{kt})",
             lambda ww, red=red: F.cross_entropy(F.linear(H32, ww), tl, reduction=red), W32)
w32 = weight.float()
ts = torch.tensor([0, -100, 3])
xs = torch.randn(N, C, generator=g32, dtype=torch.float64)
for red in ["mean", "none"]:
    kt = f', reduction="{red}", label_smoothing=0.2, weight={literal(w32)}'
    record32(f"kernels/label_smoothing_ignored/weight/{red}", lambda xt, kt=kt: f"cross_entropy({xt}, {literal(ts)}{kt})",
             lambda xx, red=red: F.cross_entropy(xx, ts, weight=w32, reduction=red, label_smoothing=0.2), xs)

with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_kernels.py", "torch_version": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases ->", os.path.relpath(OUT))
