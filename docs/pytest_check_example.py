"""Checking PyTorch's gradient against SymGrad in a pytest (an example, not a dependency).

Run with `pytest docs/pytest_check_example.py` where torch, numpy and a built `symgrad`
(`swift build -c release`; set SYMGRAD to its path) are available. The test saves the
inputs and PyTorch's gradient with np.savez and asks `symgrad check --claimed` to compare
them, element by element, with SymGrad's certified symbolic gradient:

    symgrad check 'cross_entropy(X, T)' --wrt X --at @inputs.npz --claimed @grads.npz --json

Exit status 0 means every element agrees within torch.allclose's rule (rtol 1e-5, atol 1e-8
by default; --rtol/--atol change it); 1 means a disagreement (named by index in the JSON's
"disagreements") or a value SymGrad could not certify ("undecided").

At edge cases PyTorch's gradient is not the limit (NaN for a row of -inf logits, BCE's
backward clamp at 0 and 1); `--semantics pytorch` compares those entries with PyTorch's own
result and lists them in "pytorch_differs", so the test can assert equality there too.
"""
import json
import os
import subprocess

import numpy as np
import pytest

torch = pytest.importorskip("torch")

SYMGRAD = os.environ.get("SYMGRAD", ".build/release/symgrad")


def symgrad_check(expression, wrt, inputs, grads, tmp_path, **tolerances):
    """Runs `symgrad check --claimed` and returns its JSON report and exit status."""
    np.savez(tmp_path / "inputs.npz", **inputs)
    np.savez(tmp_path / "grads.npz", **grads)
    args = [SYMGRAD, "check", expression, "--wrt", wrt, "--at", f"@{tmp_path / 'inputs.npz'}",
            "--claimed", f"@{tmp_path / 'grads.npz'}", "--json"]
    for name, value in tolerances.items():
        args += [f"--{name}", str(value)]
    run = subprocess.run(args, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout), run.returncode


def test_cross_entropy_gradient_with_masked_logits(tmp_path):
    torch.manual_seed(0)
    x = torch.randn(8, 50, dtype=torch.float64)
    x[x < -1.5] = float("-inf")  # masked logits, as an attention or vocabulary mask leaves them
    t = torch.randint(0, 50, (8,))
    x[torch.arange(8), t] = 0.0  # never mask the target
    x.requires_grad_(True)
    torch.nn.functional.cross_entropy(x, t).backward()
    report, status = symgrad_check(
        "cross_entropy(X, T)", "X",
        inputs={"X": x.detach().numpy(), "T": t.numpy()},
        grads={"X": x.grad.numpy()}, tmp_path=tmp_path)
    assert status == 0, report["tensors"][0]["disagreements"][:5]
    assert report["tensors"][0]["max_abs_error"] < 1e-15


def test_a_wrong_gradient_is_named(tmp_path):
    x = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([1])
    torch.nn.functional.cross_entropy(x, t).backward()
    wrong = x.grad.numpy().copy()
    wrong[0, 2] += 1e-3
    report, status = symgrad_check("cross_entropy(X, T)", "X", inputs={"X": x.detach().numpy(), "T": t.numpy()},
                                   grads={"X": wrong}, tmp_path=tmp_path)
    assert status == 1
    assert [d["index"] for d in report["tensors"][0]["disagreements"]] == ["X[0][2]"]


def test_bce_at_the_bounds_with_pytorchs_semantics(tmp_path):
    x = torch.tensor([0.0, 0.5, 1.0, 0.25], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.5, 0.0, 0.0], dtype=torch.float64)
    torch.nn.functional.binary_cross_entropy(x, y, reduction="sum").backward()
    inputs = {"X": x.detach().numpy(), "Y": y.numpy()}
    expression = 'binary_cross_entropy(X, Y, reduction="sum")'
    # Against the limit, x.grad[0] (-1/EPSILON from PyTorch's backward clamp) disagrees: the
    # derivative of the clamped loss is 0 there.
    report, status = symgrad_check(expression, "X", inputs=inputs, grads={"X": x.grad.numpy()}, tmp_path=tmp_path)
    assert status == 1 and report["tensors"][0]["disagreements"][0]["index"] == "X[0]"
    # With PyTorch's semantics it passes, and the entries where PyTorch differs are named.
    report, status = symgrad_check(expression, "X", inputs=inputs, grads={"X": x.grad.numpy()},
                                   tmp_path=tmp_path, semantics="pytorch")
    assert status == 0, report
    assert [d["index"] for d in report["tensors"][0]["pytorch_differs"]] == ["X[0]", "X[2]"]
