#!/usr/bin/env python3
"""Records PyTorch's gradients at the edge cases where they differ from the limit (development only).

Writes Tests/Fixtures/pytorch-edges/: for each case NAME, NAME-inputs.npz (the inputs and
targets, as a user's `np.savez` would save them), NAME-grads.npz (PyTorch's X.grad, named
like the differentiated tensor) and cases.json (the expression in SymGrad's language, the
--wrt name, PyTorch's loss, the torch version). `symgrad check --claimed --semantics pytorch`
must accept each gradient and name the entries where PyTorch's result differs from the limit
(ClaimedGradientSemanticsTests).

Run: python3 -m venv V && V/bin/pip install torch numpy && V/bin/python Scripts/record_pytorch_edges.py
"""
import json
import math
import os

import numpy as np
import torch

F = torch.nn.functional
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch-edges")
INF = float("inf")
cases = []


def record(name, expression, function, inputs, wrt="X"):
    """`function(**tensors)` is the loss; `inputs` are numpy arrays (float64 or int64)."""
    tensors = {k: torch.tensor(v) for k, v in inputs.items()}
    tensors[wrt].requires_grad_(True)
    loss = function(**tensors)
    loss.backward()
    np.savez(os.path.join(OUT, f"{name}-inputs.npz"), **inputs)
    np.savez(os.path.join(OUT, f"{name}-grads.npz"), **{wrt: tensors[wrt].grad.numpy()})
    value = loss.item()
    cases.append({"name": name, "expression": expression, "wrt": wrt,
                  "loss": value if math.isfinite(value) else str(value)})
    print(name, value, tensors[wrt].grad.tolist())


os.makedirs(OUT, exist_ok=True)
# BCE at 0 and 1: the backward clamps x(1 - x) at ATen's float EPSILON (gradient -1/EPSILON
# where the limit of the clamped forward's derivative is 0), and x = 0, y = 0 gives 0 where
# the limit is 1.
record("bce_at_bounds", 'binary_cross_entropy(X, Y, reduction="sum")',
       lambda X, Y: F.binary_cross_entropy(X, Y, reduction="sum"),
       {"X": np.array([0.0, 0.5, 1.0, 0.25, 0.0, 1.0]), "Y": np.array([1.0, 0.5, 0.0, 0.0, 0.0, 1.0])})
# Cross-entropy with an ignored row whose logits are all -inf: PyTorch's gradient there is
# NaN (log_softmax of the row), the limit's is 0 (the row does not enter the loss).
record("cross_entropy_ignored_masked_row", "cross_entropy(X, T)",
       lambda X, T: F.cross_entropy(X, T),
       {"X": np.array([[0.5, -1.0, 2.0], [-INF, -INF, -INF], [1.0, -INF, 0.0]]), "T": np.array([1, -100, 0])})
# BCE with logits at -inf: PyTorch's loss is NaN there, its gradient agrees with the limit.
record("bce_with_logits_at_minus_inf", 'binary_cross_entropy_with_logits(X, Y, reduction="sum")',
       lambda X, Y: F.binary_cross_entropy_with_logits(X, Y, reduction="sum"),
       {"X": np.array([-INF, -INF, 0.5]), "Y": np.array([0.0, 1.0, 1.0])})
# An ordinary point: PyTorch and the limit agree everywhere.
record("cross_entropy_plain", "cross_entropy(X, T)",
       lambda X, T: F.cross_entropy(X, T),
       {"X": np.array([[0.5, -1.0, 2.0], [1.0, 3.0, -2.0]]), "T": np.array([2, 0])})

with open(os.path.join(OUT, "cases.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
