#!/usr/bin/env python3
"""Record golden reference values from PyTorch for SymGrad's tests.

Purpose
    SymGrad derives gradients of ML losses symbolically. Its tests compare those
    derivatives (and the Swift autograd oracle in Sources/SymGradOracle) with what
    PyTorch actually computes. This development script evaluates every case with
    torch (forward value and a Jacobian from torch.autograd, one backward pass with a
    one-hot grad_output per output element) and stores the results as JSON fixtures.
    No test runs Python: the tests only read the JSON files written here.

How to run (from the repository root, with torch installed in a venv outside the repo)
    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch
    /tmp/torchenv/bin/python Scripts/record_pytorch.py

    This runs every seed family; each is a script of its own that writes only its files
    (record_pytorch_softmax.py, _cross_entropy.py, _bce.py, _linear.py, _blog.py,
    _edge_cases.py, _attention.py), on the shared format and builders of
    seed_fixtures.py. The families added by issue 9 have recorders of their own
    (record_pytorch_activations.py, _regression.py, _margin.py, _selection.py, _linalg.py,
    _kernels.py, _reductions.py, _opinfo.py; pytorch_fixtures.py).

    The script is deterministic: random inputs come from fixed seeds, torch runs on the
    CPU with one thread. torchvision is optional: sigmoid_focal_loss is implemented
    inline with torchvision's formula; if torchvision is importable the inline version
    is checked against torchvision.ops.sigmoid_focal_loss (bitwise).

What it writes
    Tests/Fixtures/pytorch/<group>.json for the groups softmax, log_softmax, nll_loss,
    cross_entropy, binary_cross_entropy, binary_cross_entropy_with_logits,
    sigmoid_focal_loss, linear (the forum thread's examples and random linear layers),
    blog (the blog post's torch.manual_seed(42142) example, float32 and float64),
    edge_cases (the edge-case table of the PyTorch semantics reference page) and
    attention (scaled_dot_product_attention and generate_square_subsequent_mask); the
    float32 cases of BCE, BCE with logits and the focal loss in <group>_float32.json.

    Each file: {"generator": "Scripts/record_pytorch.py", "torch_version": ..., "cases": [...]}
    Each case:
      id            unique readable id, e.g. "cross_entropy/index/weight/noignore/ls0.1/mean/3x4/0"
      source        "random" | "forum" | "blog" | "edge"
      dtype         "float64" | "float32" (float32 only where a seed prints float32 values)
      expr          SymGrad expression-language text (PyTorch function names and kwargs,
                    only kwargs that differ from torch's defaults, except softmax/log_softmax
                    whose dim is always written; -inf/inf/nan and True/False literals)
      wrt           the symbols differentiated, in Jacobian column order (every symbol of expr)
      at            value of every symbol (float32 cases: the exact float32 values)
      call          structured torch call for the Swift oracle:
                      {"function": name, "input_shape": shape, "args": {...}}
                    args holds the torch kwargs explicitly (defaults included; None -> null;
                    tensors as nested lists). The wrt symbols form the tensor passed as the
                    argument named by "wrt_arg" (default "input"; "weight" for linear,
                    "query" for attention), of shape input_shape. A composite expression
                    (e.g. cross_entropy(linear(...)), binary_cross_entropy(softmax(...)))
                    has "input": CALL, the inner call whose result is the input tensor;
                    then input_shape is the shape of that inner result, and the symbols
                    belong to the innermost call. Column selection X[:, k] is the call
                    {"function": "select", "args": {"dim": 1, "index": k}} (torch.select).
      output_shape  [] | [N] | [N, C]
      output        flat row-major list of numbers
      jacobian      rows = flattened outputs, columns = wrt
      note          optional text (seed's printed values, reference-page expectation)
    Non-finite numbers are the strings "inf", "-inf", "nan" everywhere in the JSON.
"""
import record_pytorch_attention
import record_pytorch_bce
import record_pytorch_blog
import record_pytorch_cross_entropy
import record_pytorch_edge_cases
import record_pytorch_linear
import record_pytorch_softmax
from seed_fixtures import run


def main():
    # The order of the files in the output (each family seeds its own generators).
    softmax, log_softmax = record_pytorch_softmax.groups()
    nll, cross_entropy = record_pytorch_cross_entropy.groups()
    run([softmax, log_softmax, nll, cross_entropy] + record_pytorch_bce.groups() + record_pytorch_linear.groups()
        + record_pytorch_blog.groups() + record_pytorch_edge_cases.groups() + record_pytorch_attention.groups())


if __name__ == "__main__":
    main()
