#!/usr/bin/env python3
"""Records PyTorch's margin and embedding losses (development only; issue 9, by family).

Writes Tests/Fixtures/pytorch/margin.json in the format of Scripts/record_pytorch.py (see
Scripts/pytorch_fixtures.py): margin_ranking_loss, hinge_embedding_loss,
multilabel_soft_margin_loss (with weights), cosine_embedding_loss (incl. tiny norms, where
ATen's float32 eps shows), multi_margin_loss (p 1 and 2, margin, weight),
multilabel_margin_loss, triplet_margin_loss (p, swap), pairwise_distance, cosine_similarity,
normalize (a norm below eps included) and gaussian_nll_loss (var per element and per row,
full, a var below eps: PyTorch's divergence; torch 2.15's broadcasting of target, input, a
scalar var and a var with one mismatched dimension), float64 and (one case per option and
the kinks) float32, every
reduction, at seeded random points and at the kinks (hinge argument exactly 0), where
PyTorch's backward picks a side. One differentiable tensor per case (the symbols x0, x1, ...);
the others are literals that are multiples of 1/8 or integers.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_margin.py
"""
import json
import os

import torch

from pytorch_fixtures import case, eighths, literal, symbols

F = torch.nn.functional
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch", "margin.json")
torch.set_num_threads(1)
cases = []


def record(cid, source, name, args, which, kwargs, text_kwargs, dtype=torch.float64):
    """F.name(*args, **kwargs) with args[which] differentiable (symbols), the rest literals
    (a Python float stays one: gaussian_nll_loss's scalar var). In float32 every floating
    tensor is converted first, and the case's inputs and literals are those float32 values."""
    def convert(a):
        return a.to(dtype) if isinstance(a, torch.Tensor) and a.is_floating_point() else a
    args = [convert(a) for a in args]
    kwargs = {k: convert(v) for k, v in kwargs.items()}
    x = args[which].clone().requires_grad_(True)
    names, xtext = symbols(x.shape)
    texts = [xtext if i == which else (repr(a) if isinstance(a, float) else literal(a)) for i, a in enumerate(args)]
    torch_args = [x if i == which else a for i, a in enumerate(args)]
    expr = f"{name}({', '.join(texts)}{text_kwargs})"
    suffix = "/float32" if dtype == torch.float32 else ""
    cases.append(case(cid + suffix, source, expr, names, x, getattr(F, name)(*torch_args, **kwargs)))


g = torch.Generator().manual_seed(20261207)
reductions = ["mean", "sum", "none"]


def with_reductions(prefix, source, name, args, which, kwargs=None, text="", dtype=torch.float64):
    for red in reductions:
        kw = dict(kwargs or {})
        kt = text
        if red != "mean":
            kw["reduction"] = red
            kt += f', reduction="{red}"'
        record(f"{prefix}/{red}", source, name, args, which, kw, kt, dtype)


# margin_ranking_loss: by input1 and by input2; a kink where -y (x1 - x2) + margin = 0.
for i in range(2):
    x1, x2 = eighths(g, (4,)), eighths(g, (4,))
    y = torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=torch.float64)
    with_reductions(f"margin_ranking_loss/random/{i}/by1", "random", "margin_ranking_loss", [x1, x2, y], 0,
                    {"margin": 0.25}, ", margin=0.25")
    with_reductions(f"margin_ranking_loss/random/{i}/by2", "random", "margin_ranking_loss", [x1, x2, y], 1)
k1 = torch.tensor([0.5, 1.0, -0.25], dtype=torch.float64)
k2 = torch.tensor([0.5, 0.75, -0.25], dtype=torch.float64)
with_reductions("margin_ranking_loss/kinks", "edge", "margin_ranking_loss",
                [k1, k2, torch.tensor([1.0, 1.0, -1.0], dtype=torch.float64)], 0, {"margin": 0.0}, ", margin=0.0")
with_reductions("margin_ranking_loss/kinks_margin", "edge", "margin_ranking_loss",
                [k1, k2, torch.tensor([1.0, 1.0, -1.0], dtype=torch.float64)], 0, {"margin": 0.25}, ", margin=0.25")

# hinge_embedding_loss: targets +-1 (and a 0 target: both branches), kinks at x = margin.
for i in range(2):
    x = eighths(g, (2, 3))
    y = torch.tensor([[1.0, -1.0, -1.0], [-1.0, 1.0, 0.0]], dtype=torch.float64)
    with_reductions(f"hinge_embedding_loss/random/{i}", "random", "hinge_embedding_loss", [x, y], 0)
    with_reductions(f"hinge_embedding_loss/margin/{i}", "random", "hinge_embedding_loss", [x, y], 0,
                    {"margin": 0.5}, ", margin=0.5")
with_reductions("hinge_embedding_loss/kinks", "edge", "hinge_embedding_loss",
                [torch.tensor([1.0, 0.5, 1.0], dtype=torch.float64),
                 torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float64)], 0)

# multilabel_soft_margin_loss: (N, C) and (C), with weights.
for i in range(2):
    x = torch.randn(2, 3, generator=g, dtype=torch.float64) * 2
    y = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype=torch.float64)
    with_reductions(f"multilabel_soft_margin_loss/random/{i}", "random", "multilabel_soft_margin_loss", [x, y], 0)
    w = torch.tensor([0.5, 2.0, 1.25], dtype=torch.float64)
    with_reductions(f"multilabel_soft_margin_loss/weight/{i}", "random", "multilabel_soft_margin_loss", [x, y], 0,
                    {"weight": w}, f", weight={literal(w)}")
record("multilabel_soft_margin_loss/1d", "random", "multilabel_soft_margin_loss",
       [torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64), torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)],
       0, {}, "")

# cosine_embedding_loss: by input1; tiny norms (the float32 eps); a kink cos = margin.
for i in range(2):
    a, b = eighths(g, (3, 2)), eighths(g, (3, 2))
    y = torch.tensor([1.0, -1.0, -1.0], dtype=torch.float64)
    with_reductions(f"cosine_embedding_loss/random/{i}", "random", "cosine_embedding_loss", [a, b, y], 0,
                    {"margin": 0.125}, ", margin=0.125")
with_reductions("cosine_embedding_loss/tiny", "edge", "cosine_embedding_loss",
                [torch.tensor([[1e-7, 0.0], [3e-7, -4e-7]], dtype=torch.float64),
                 torch.tensor([[2e-7, 0.0], [1e-7, 1e-7]], dtype=torch.float64),
                 torch.tensor([1.0, -1.0], dtype=torch.float64)], 0)
with_reductions("cosine_embedding_loss/kink", "edge", "cosine_embedding_loss",
                [torch.tensor([[1.0, 0.0]], dtype=torch.float64), torch.tensor([[0.0, 1.0]], dtype=torch.float64),
                 torch.tensor([-1.0], dtype=torch.float64)], 0)

# multi_margin_loss: p 1 and 2, margin, weight; a kink where margin - x_y + x_i = 0.
for i in range(2):
    x = eighths(g, (3, 4))
    t = torch.tensor([0, 3, 1])
    with_reductions(f"multi_margin_loss/p1/{i}", "random", "multi_margin_loss", [x, t], 0)
    with_reductions(f"multi_margin_loss/p2/{i}", "random", "multi_margin_loss", [x, t], 0,
                    {"p": 2, "margin": 0.5}, ", p=2, margin=0.5")
    w = torch.tensor([0.5, 1.0, 2.0, 0.25], dtype=torch.float64)
    with_reductions(f"multi_margin_loss/weight/{i}", "random", "multi_margin_loss", [x, t], 0,
                    {"weight": w}, f", weight={literal(w)}")
with_reductions("multi_margin_loss/kinks", "edge", "multi_margin_loss",
                [torch.tensor([[1.0, 0.0, 0.5]], dtype=torch.float64), torch.tensor([0])], 0)

# multilabel_margin_loss: label lists ended by -1.
for i in range(2):
    x = eighths(g, (2, 4))
    t = torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])
    with_reductions(f"multilabel_margin_loss/random/{i}", "random", "multilabel_margin_loss", [x, t], 0)
with_reductions("multilabel_margin_loss/kinks", "edge", "multilabel_margin_loss",
                [torch.tensor([[1.0, 0.0, 0.5]], dtype=torch.float64), torch.tensor([[0, -1, 2]])], 0)

# triplet_margin_loss and pairwise_distance.
for i in range(2):
    a, p, n = (torch.randn(3, 2, generator=g, dtype=torch.float64) for _ in range(3))
    with_reductions(f"triplet_margin_loss/random/{i}", "random", "triplet_margin_loss", [a, p, n], 0)
    with_reductions(f"triplet_margin_loss/swap_p1/{i}", "random", "triplet_margin_loss", [a, p, n], 1,
                    {"p": 1, "swap": True, "margin": 0.5}, ", p=1, swap=True, margin=0.5")
    with_reductions(f"triplet_margin_loss/p3/{i}", "random", "triplet_margin_loss", [a, p, n], 2,
                    {"p": 3}, ", p=3")
    for pp in [2.0, 1.0, 1.5]:
        record(f"pairwise_distance/p{pp}/{i}", "random", "pairwise_distance", [a, p], 0, {"p": pp}, f", p={pp}")
    record(f"pairwise_distance/keepdim/{i}", "random", "pairwise_distance", [a, p], 1, {"keepdim": True},
           ", keepdim=True")

# cosine_similarity and normalize (along dim 1 = the last dimension here, and dim 0), a
# norm below eps (the clamped norm is a constant: no gradient through it).
for i in range(2):
    a, b = torch.randn(3, 2, generator=g, dtype=torch.float64), eighths(g, (3, 2))
    record(f"cosine_similarity/random/{i}", "random", "cosine_similarity", [a, b], 0, {}, "")
    record(f"cosine_similarity/dim0/{i}", "random", "cosine_similarity", [a, b], 0, {"dim": 0}, ", dim=0")
    record(f"normalize/random/{i}", "random", "normalize", [a], 0, {}, "")
    record(f"normalize/p1_dim0/{i}", "random", "normalize", [a], 0, {"p": 1.0, "dim": 0}, ", p=1.0, dim=0")
record("cosine_similarity/tiny_norm", "edge", "cosine_similarity",
       [torch.tensor([[3.0, 4.0], [1e-9, 0.0]], dtype=torch.float64),
        torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=torch.float64)], 0, {}, "")
record("normalize/tiny_norm", "edge", "normalize",
       [torch.tensor([[3.0, 4.0], [1e-14, 0.0]], dtype=torch.float64)], 0, {}, "")

# gaussian_nll_loss: by input, by var (one per element, one per row), full; var below eps
# (PyTorch differentiates at the clamped value: a documented divergence in var).
for i in range(2):
    x, y = eighths(g, (2, 3)), eighths(g, (2, 3))
    var = torch.rand(2, 3, generator=g, dtype=torch.float64) + 0.25
    with_reductions(f"gaussian_nll_loss/by_input/{i}", "random", "gaussian_nll_loss", [x, y, var], 0)
    with_reductions(f"gaussian_nll_loss/by_var/{i}", "random", "gaussian_nll_loss", [x, y, var], 2,
                    {"full": True}, ", full=True")
    with_reductions(f"gaussian_nll_loss/row_var/{i}", "random", "gaussian_nll_loss", [x, y, var[:, :1]], 2)
record("gaussian_nll_loss/clamped_var", "edge", "gaussian_nll_loss",
       [torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor([0.5, 2.5], dtype=torch.float64),
        torch.tensor([1e-8, 2.0], dtype=torch.float64)], 2, {}, "")

# layer_norm: over the last one and two dimensions, with weight and bias (literal, or the
# differentiable tensor), another eps.
for i in range(2):
    x = torch.randn(2, 3, generator=g, dtype=torch.float64) * 2
    w, b = eighths(g, (3,)), eighths(g, (3,))
    record(f"layer_norm/last/{i}", "random", "layer_norm", [x, [3]], 0, {}, "")
    record(f"layer_norm/affine/{i}", "random", "layer_norm", [x, [3], w, b], 0, {}, "")
    record(f"layer_norm/by_weight/{i}", "random", "layer_norm", [x, [3], w, b], 2, {"eps": 0.5}, ", eps=0.5")
    x3 = torch.randn(2, 2, 3, generator=g, dtype=torch.float64)
    record(f"layer_norm/two_dims/{i}", "random", "layer_norm", [x3, [2, 3]], 0, {}, "")

# Norm orders of torch.linalg.vector_norm beyond positive numbers: 0 (the count of nonzero
# entries, gradient 0), inf and -inf (the largest / smallest magnitude, ties split evenly),
# and a negative p; with ties, and zero entries (for p = 0 not counted; for p = -1 the norm
# is 0, |0|**-1 = inf, so normalize divides by eps).
for i in range(2):
    a, b = torch.randn(3, 4, generator=g, dtype=torch.float64), eighths(g, (3, 4))
    for name, pp in [("p0", 0.0), ("pinf", "inf"), ("pminusinf", "-inf"), ("pminus1", -1.0)]:
        value = float(pp)
        record(f"pairwise_distance/{name}/{i}", "random", "pairwise_distance", [a, b], 0, {"p": value},
               f", p={pp}")
        record(f"normalize/{name}/{i}", "random", "normalize", [a], 0, {"p": value}, f", p={pp}")
    with_reductions(f"triplet_margin_loss/pinf/{i}", "random", "triplet_margin_loss", [a, b, eighths(g, (3, 4))], 0,
                    {"p": float("inf")}, ", p=inf")
ties = torch.tensor([[1.5, -1.5, 0.5], [0.0, 2.0, -0.25]], dtype=torch.float64)
for name, pp in [("p0", 0.0), ("pinf", "inf"), ("pminusinf", "-inf")]:
    record(f"normalize/{name}/ties_and_zero", "edge", "normalize", [ties], 0, {"p": float(pp)}, f", p={pp}")
record("normalize/pminus1/zero_entry", "edge", "normalize", [ties], 0, {"p": -1.0}, ", p=-1.0")

# torch 2.15's broadcasting: a target of one column, an input of one column (the loss has
# the broadcast shape), a scalar var (a Python float), a var with one mismatched middle
# dimension of size 1. A generator of their own, so the cases after them stay as recorded.
gb = torch.Generator().manual_seed(20261209)
x, y = eighths(gb, (2, 3)), eighths(gb, (2, 1))
var = torch.rand(2, 3, generator=gb, dtype=torch.float64) + 0.25
with_reductions("gaussian_nll_loss/broadcast_target", "random", "gaussian_nll_loss", [x, y, var], 0)
with_reductions("gaussian_nll_loss/broadcast_input", "random", "gaussian_nll_loss",
                [eighths(gb, (2, 1)), eighths(gb, (2, 3)), var[:, :1]], 0)
with_reductions("gaussian_nll_loss/scalar_var", "random", "gaussian_nll_loss", [x, eighths(gb, (2, 3)), 0.75], 0)
x3 = eighths(gb, (2, 2, 3))
with_reductions("gaussian_nll_loss/middle_var", "random", "gaussian_nll_loss",
                [x3, eighths(gb, (2, 2, 3)), torch.rand(2, 1, 3, generator=gb, dtype=torch.float64) + 0.25], 2)
# float32: PyTorch's float32 kernels at float32 inputs, one random case per function and
# option (every reduction) and the kinks, from a generator of their own (the float64 cases
# above stay as recorded). Not the 1e-7-scale norms: near float32's eps those measure
# ATen's float32 clamps, which the float64 records already cover.
g32 = torch.Generator().manual_seed(20261208)
f32 = torch.float32
x1, x2 = eighths(g32, (4,)), eighths(g32, (4,))
with_reductions("margin_ranking_loss/random", "random", "margin_ranking_loss",
                [x1, x2, torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=torch.float64)], 0, {"margin": 0.25},
                ", margin=0.25", f32)
with_reductions("margin_ranking_loss/kinks", "edge", "margin_ranking_loss",
                [k1, k2, torch.tensor([1.0, 1.0, -1.0], dtype=torch.float64)], 0, {"margin": 0.0}, ", margin=0.0", f32)
with_reductions("hinge_embedding_loss/random", "random", "hinge_embedding_loss",
                [eighths(g32, (2, 3)), torch.tensor([[1.0, -1.0, -1.0], [-1.0, 1.0, 0.0]], dtype=torch.float64)], 0,
                {"margin": 0.5}, ", margin=0.5", f32)
with_reductions("multilabel_soft_margin_loss/weight", "random", "multilabel_soft_margin_loss",
                [torch.randn(2, 3, generator=g32, dtype=torch.float64) * 2,
                 torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype=torch.float64)], 0,
                {"weight": torch.tensor([0.5, 2.0, 1.25], dtype=torch.float64)}, ", weight=[0.5, 2.0, 1.25]", f32)
with_reductions("cosine_embedding_loss/random", "random", "cosine_embedding_loss",
                [eighths(g32, (3, 2)), eighths(g32, (3, 2)), torch.tensor([1.0, -1.0, -1.0], dtype=torch.float64)], 0,
                {"margin": 0.125}, ", margin=0.125", f32)
x = eighths(g32, (3, 4))
t = torch.tensor([0, 3, 1])
with_reductions("multi_margin_loss/p1", "random", "multi_margin_loss", [x, t], 0, dtype=f32)
with_reductions("multi_margin_loss/p2", "random", "multi_margin_loss", [x, t], 0, {"p": 2, "margin": 0.5},
                ", p=2, margin=0.5", f32)
with_reductions("multi_margin_loss/weight", "random", "multi_margin_loss", [x, t], 0,
                {"weight": torch.tensor([0.5, 1.0, 2.0, 0.25], dtype=torch.float64)}, ", weight=[0.5, 1.0, 2.0, 0.25]",
                f32)
with_reductions("multilabel_margin_loss/random", "random", "multilabel_margin_loss",
                [eighths(g32, (2, 4)), torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])], 0, dtype=f32)
a, p, n = (torch.randn(3, 2, generator=g32, dtype=torch.float64) for _ in range(3))
with_reductions("triplet_margin_loss/random", "random", "triplet_margin_loss", [a, p, n], 0, dtype=f32)
with_reductions("triplet_margin_loss/swap_p1", "random", "triplet_margin_loss", [a, p, n], 1,
                {"p": 1, "swap": True, "margin": 0.5}, ", p=1, swap=True, margin=0.5", f32)
for pp in [2.0, 1.0]:
    record(f"pairwise_distance/p{pp}", "random", "pairwise_distance", [a, p], 0, {"p": pp}, f", p={pp}", f32)
record("cosine_similarity/random", "random", "cosine_similarity", [a, eighths(g32, (3, 2))], 0, {}, "", f32)
record("normalize/random", "random", "normalize", [a], 0, {}, "", f32)
x, y = eighths(g32, (2, 3)), eighths(g32, (2, 3))
var = torch.rand(2, 3, generator=g32, dtype=torch.float64) + 0.25
with_reductions("gaussian_nll_loss/by_input", "random", "gaussian_nll_loss", [x, y, var], 0, dtype=f32)
with_reductions("gaussian_nll_loss/by_var", "random", "gaussian_nll_loss", [x, y, var], 2, {"full": True},
                ", full=True", f32)
xl = torch.randn(2, 3, generator=g32, dtype=torch.float64) * 2
record("layer_norm/affine", "random", "layer_norm", [xl, [3], eighths(g32, (3,)), eighths(g32, (3,))], 0, {}, "",
       f32)

# The shapes ATen accepts beyond (C) and (N, C) (OpInfo samples them), weights and inputs
# that broadcast, in float64 and float32, from a generator of their own (the cases above
# stay as recorded): a 0-d input is one sample of one class (the multi-class margins are 0);
# multi_margin_loss's "none" takes its shape from the target; multilabel_soft_margin_loss's
# weight per element and a rank-3 input; pairwise_distance and triplet_margin_loss broadcast;
# cosine_similarity of 0-d tensors.
gs = torch.Generator().manual_seed(20261211)
for dt in [torch.float64, f32]:
    x0 = eighths(gs, ())
    with_reductions("multi_margin_loss/scalar_input", "edge", "multi_margin_loss", [x0, torch.tensor(0)], 0, dtype=dt)
    with_reductions("multilabel_margin_loss/scalar_input", "edge", "multilabel_margin_loss", [x0, torch.tensor(0)], 0,
                    dtype=dt)
    record("multi_margin_loss/one_element_target", "random", "multi_margin_loss", [eighths(gs, (3,)), torch.tensor([2])],
           0, {"reduction": "none"}, ', reduction="none"', dt)
    xm = eighths(gs, (2, 3))
    wm = eighths(gs, (2, 3)).abs() + 0.125
    with_reductions("multilabel_soft_margin_loss/weight_per_element", "random", "multilabel_soft_margin_loss",
                    [xm, torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], dtype=torch.float64)], 0, {"weight": wm},
                    f", weight={literal(wm)}", dt)
    with_reductions("multilabel_soft_margin_loss/rank3", "random", "multilabel_soft_margin_loss",
                    [eighths(gs, (2, 1, 3)), torch.tensor([[[1.0, 0.0, 0.0]], [[0.0, 1.0, 1.0]]], dtype=torch.float64)],
                    0, dtype=dt)
    record("pairwise_distance/broadcast_rows", "random", "pairwise_distance", [eighths(gs, (2, 1, 3)), eighths(gs, (2, 3))],
           0, {}, "", dt)
    record("pairwise_distance/broadcast_by_x2", "random", "pairwise_distance", [eighths(gs, (2, 3)), eighths(gs, (1, 3))],
           1, {"keepdim": True}, ", keepdim=True", dt)
    record("pairwise_distance/scalars", "random", "pairwise_distance", [eighths(gs, ()), eighths(gs, ())], 0, {}, "", dt)
    with_reductions("triplet_margin_loss/broadcast", "random", "triplet_margin_loss",
                    [eighths(gs, (2, 3)), eighths(gs, (1, 3)), eighths(gs, (2, 3))], 1, dtype=dt)
    record("cosine_similarity/scalars", "random", "cosine_similarity", [eighths(gs, ()), eighths(gs, ())], 0,
           {"dim": 0}, ", dim=0", dt)

with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_margin.py", "torch_version": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases ->", os.path.relpath(OUT))
