#!/usr/bin/env python3
"""Records the batch-size fixtures of issue 10 from PyTorch (development only).

Writes Tests/Fixtures/tensors/:
  cross_entropy_64x1000.npz: X (64 x 1000 float64 logits), T (64 int64 class indices),
      loss (0-d), dX (PyTorch's gradient of cross_entropy(X, T), reduction="mean").
  cross_entropy_masked_16x1000.npz: the same for 16 x 1000 logits with 10% of them -inf
      (never the target's), as an attention or vocabulary mask leaves them.
Logits are multiples of 1/16 in [-8, 8] (exact in binary, and they compress well).

Run: python3 -m venv V && V/bin/pip install torch numpy && V/bin/python Scripts/record_tensor_fixtures.py
"""
import os
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "tensors")
torch.set_default_dtype(torch.float64)


def record(name, rows, columns, masked_fraction, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 129, size=(rows, columns)).astype(np.float64) / 16
    t = rng.integers(0, columns, size=rows).astype(np.int64)
    if masked_fraction > 0:
        mask = rng.random((rows, columns)) < masked_fraction
        mask[np.arange(rows), t] = False
        x[mask] = -np.inf
    X = torch.tensor(x, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(X, torch.tensor(t))
    loss.backward()
    np.savez_compressed(os.path.join(OUT, name), X=x, T=t, loss=np.array(loss.item()), dX=X.grad.numpy())
    print(name, "loss", loss.item(), "torch", torch.__version__)


os.makedirs(OUT, exist_ok=True)
record("cross_entropy_64x1000.npz", 64, 1000, 0.0, 20261202)
record("cross_entropy_masked_16x1000.npz", 16, 1000, 0.1, 20261203)
