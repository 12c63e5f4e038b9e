#!/usr/bin/env python3
"""Records PyTorch's own OpInfo samples for the functions SymGrad implements (development only).

Walks torch.testing._internal.common_methods_invocations.op_db (which already contains the
entries of torch.testing._internal.opinfo.definitions), keeps the OpInfos whose name maps to a
SymGrad function (OPS below, written from `symgrad functions`), and for every float64 sample
of each (op.sample_inputs("cpu", torch.float64, requires_grad=True), seeded; a sample over
MAX_ELEMENTS is replaced by the same sample drawn with OpInfo's small_inputs_only option, as
"sample_option" in the case says, where that one fits) writes:

- the sample as a SymGrad expression: every floating tensor that requires grad becomes the
  symbols x0, x1, ... (row-major, numbering continued across tensors in argument order);
  other tensors become literals (integers, True/False, repr'd floats, inf/-inf/nan);
  positional and keyword arguments are passed as the sample passes them (a one-element dim
  tuple is written as the integer, which PyTorch treats the same; longer tuples as lists);
- the output and the Jacobian (d output_i / d symbol_j) computed by torch.autograd in float64
  by calling op.op on the sample's own tensors, one backward pass per output element.

A sample over MAX_ELEMENTS whose input (the first tensor) has at most MAX_ELEMENTS elements,
and at most MAX_LITERAL_ELEMENTS in all, is recorded by its input alone: the input is the
symbols, the other tensors literals, and the Jacobian is PyTorch's by the input
("sample_option" says so).

A 0-element tensor is written `zeros(d0, d1, ...)` (nested lists cannot hold a shape such as
(1, 0, 3)); it has no symbols, and the case's output_shape is checked.

Samples that cannot be recorded are counted by reason: a non-float64 tensor,
dropout (random), more than MAX_ELEMENTS input elements, an argument the expression language
has no form for, a variant whose semantics SymGrad's function of that name does not have
(torch.max/min reductions: SymGrad's max/min is the binary maximum of scalars), or SymGrad's
own refusal: each translation is run through `symgrad eval EXPR --at ...`; a parse or
construction error is counted as "refused by SymGrad: <message>". An evaluation that fails
only at the point (log/sqrt outside their real domain, where PyTorch gives NaN) is recorded:
the test reads SymGrad's "undefined" as NaN.

Writes Tests/Fixtures/pytorch-opinfo/opinfo.json: {"generator", "torch_version", "symgrad",
"max_elements", "max_samples_per_variant", "excluded_ops", "summary", "cases"} with cases in
the format of Scripts/pytorch_fixtures.py (ids opinfo/<op name>/<variant or default>/<index>)
plus "call" (the PyTorch call, for reading). summary: {function: {"samples", "translated",
"untranslated": {reason: count}}}. OpInfoFixtureTests checks every case.

Run: /work/venv/bin/python Scripts/record_pytorch_opinfo.py [--symgrad PATH]
(needs `pip install expecttest` for torch.testing._internal; SymGrad built with swift build)
"""
import argparse
import json
import math
import os
import subprocess
import sys
import warnings

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "Tests", "Fixtures", "pytorch-opinfo", "opinfo.json")

# At most this many tensor elements in a sample (all tensors together), and at most this
# many recorded samples per OpInfo variant (the rest are counted as "over the per-variant cap").
MAX_ELEMENTS = 100
# A sample over MAX_ELEMENTS whose input has at most MAX_ELEMENTS elements is recorded by its
# input alone (the other tensors literals) when it has at most this many elements in all.
MAX_LITERAL_ELEMENTS = 2000
MAX_SAMPLES_PER_VARIANT = 64

# OpInfo name -> SymGrad function (see `symgrad functions`). Every variant of each name is
# walked; VARIANT_LIMITS lists variants whose PyTorch semantics the SymGrad function lacks.
OPS = {
    "abs": "abs", "cos": "cos", "sin": "sin", "exp": "exp", "expm1": "expm1", "log": "log",
    "log1p": "log1p", "sqrt": "sqrt", "sign": "sign", "tanh": "tanh", "sigmoid": "sigmoid",
    "erf": "erf", "erfc": "erfc",
    "max": "max", "min": "min",
    "nn.functional.softplus": "softplus",
    "nn.functional.relu": "relu", "nn.functional.relu6": "relu6", "nn.functional.leaky_relu": "leaky_relu",
    "nn.functional.hardtanh": "hardtanh", "nn.functional.logsigmoid": "logsigmoid", "nn.functional.elu": "elu",
    "nn.functional.selu": "selu", "nn.functional.celu": "celu", "nn.functional.silu": "silu",
    "nn.functional.gelu": "gelu", "nn.functional.softsign": "softsign", "nn.functional.mish": "mish",
    "nn.functional.hardswish": "hardswish", "nn.functional.hardsigmoid": "hardsigmoid",
    "softmax": "softmax", "log_softmax": "log_softmax", "nn.functional.softmin": "softmin",
    "nn.functional.nll_loss": "nll_loss", "nn.functional.cross_entropy": "cross_entropy",
    "nn.functional.binary_cross_entropy": "binary_cross_entropy",
    "nn.functional.binary_cross_entropy_with_logits": "binary_cross_entropy_with_logits",
    "nn.functional.mse_loss": "mse_loss", "nn.functional.l1_loss": "l1_loss",
    "nn.functional.huber_loss": "huber_loss", "nn.functional.smooth_l1_loss": "smooth_l1_loss",
    "nn.functional.kl_div": "kl_div", "nn.functional.soft_margin_loss": "soft_margin_loss",
    "nn.functional.poisson_nll_loss": "poisson_nll_loss",
    "logsumexp": "logsumexp", "nn.functional.linear": "linear", "sum": "sum", "mean": "mean",
    "nn.functional.scaled_dot_product_attention": "scaled_dot_product_attention",
    "amax": "amax", "amin": "amin", "maximum": "maximum", "minimum": "minimum",
    "nn.functional.margin_ranking_loss": "margin_ranking_loss",
    "nn.functional.hinge_embedding_loss": "hinge_embedding_loss",
    "nn.functional.multilabel_soft_margin_loss": "multilabel_soft_margin_loss",
    "nn.functional.cosine_embedding_loss": "cosine_embedding_loss",
    "nn.functional.multi_margin_loss": "multi_margin_loss",
    "nn.functional.multilabel_margin_loss": "multilabel_margin_loss",
    "nn.functional.triplet_margin_loss": "triplet_margin_loss",
    "nn.functional.pairwise_distance": "pairwise_distance",
    "nn.functional.cosine_similarity": "cosine_similarity",
    "nn.functional.normalize": "normalize",
    "nn.functional.gaussian_nll_loss": "gaussian_nll_loss",
    "nn.functional.layer_norm": "layer_norm", "clamp": "clamp",
    "matmul": "matmul", "transpose": "transpose", "reshape": "reshape",
    "nn.functional.multi_head_attention_forward": "multi_head_attention_forward",
    "where": "where", "view": "view", "zeros": "zeros", "ones": "ones",
}
# Functions with no tensor input (their samples are sizes): recorded without symbols, the
# output (values and shape) checked.
CONSTRUCTORS = {"zeros", "ones"}
# Calls returning PyTorch's tuple, by (OpInfo name, variant): the item recorded (`f(...)[k]`).
# max/min with a dim return (values, indices): the values are recorded here (the indices,
# ties included, are in pytorch/selection.json).
TUPLE_ITEM = {("nn.functional.multi_head_attention_forward", ""): 0, ("max", "reduction_with_dim"): 0,
              ("min", "reduction_with_dim"): 0}
VARIANT_LIMITS = {}
# OpInfos with a SymGrad function's name but other semantics, not walked.
EXCLUDED = {
    "masked.sum": "masked reduction (mask argument): not SymGrad's sum",
    "masked.mean": "masked reduction (mask argument): not SymGrad's mean",
    "masked.softmax": "masked softmax (mask argument): not SymGrad's softmax",
    "masked.log_softmax": "masked log_softmax (mask argument): not SymGrad's log_softmax",
    "masked.softmin": "masked softmin (mask argument): not SymGrad's softmin",
    "masked.logsumexp": "masked logsumexp (mask argument): not SymGrad's logsumexp",
}


class Untranslatable(Exception):
    pass


def number(v):
    """A JSON number (0 for zeros, to keep the file small), or "inf"/"-inf"/"nan"."""
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return 0 if v == 0 else v


def float_text(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))


class Translator:
    """Writes one sample's arguments as expression text; numbers the differentiable tensors."""

    def __init__(self, only=None):
        self.tensors = []  # (tensor, first symbol index)
        self.names = []
        self.seen = {}  # id(tensor) -> text
        # When set, only this tensor becomes symbols (a larger sample, differentiated by
        # its input alone); the other tensors are literals.
        self.only = only

    def tensor(self, t):
        if id(t) in self.seen:
            return self.seen[id(t)]
        if t.is_complex() or t.dtype in (torch.float16, torch.bfloat16, torch.float32):
            raise Untranslatable(f"{str(t.dtype)[6:]} tensor")
        if t.numel() == 0:
            # Nested lists cannot hold a shape such as (1, 0, 3): torch.zeros's spelling
            # (no symbols: there is nothing to differentiate by).
            return "zeros(" + ", ".join(str(d) for d in t.shape) + ")"
        if t.is_floating_point() and t.requires_grad and (self.only is None or t is self.only):
            start = len(self.names)
            names = [f"x{start + i}" for i in range(t.numel())]
            self.names += names
            self.tensors.append(t)
            flat = iter(names)
            text = self.nest(t.shape, lambda: next(flat))
        else:
            flat = iter(t.detach().reshape(-1).tolist())
            if t.dtype == torch.bool:
                text = self.nest(t.shape, lambda: "True" if next(flat) else "False")
            elif t.is_floating_point():
                text = self.nest(t.shape, lambda: float_text(next(flat)))
            else:
                text = self.nest(t.shape, lambda: str(int(next(flat))))
        self.seen[id(t)] = text
        return text

    @staticmethod
    def nest(shape, leaf):
        if len(shape) == 0:
            return leaf()
        return "[" + ", ".join(Translator.nest(shape[1:], leaf) for _ in range(shape[0])) + "]"

    def value(self, v, key=None):
        if isinstance(v, torch.Tensor):
            return self.tensor(v)
        if v is None:
            return "None"
        if isinstance(v, bool):
            return "True" if v else "False"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return float_text(v)
        if isinstance(v, str):
            return '"' + v + '"'
        if isinstance(v, torch.dtype):
            return "torch." + str(v)[6:]
        if isinstance(v, (tuple, list)):
            if key == "dim" and len(v) == 1 and isinstance(v[0], int):
                return str(v[0])  # PyTorch reads dim=(d,) as dim=d
            return "[" + ", ".join(self.value(x) for x in v) + "]"
        raise Untranslatable(f"argument of type {type(v).__name__}")


def elements(v):
    if isinstance(v, torch.Tensor):
        return v.numel()
    if isinstance(v, (tuple, list)):
        return sum(elements(x) for x in v)
    if isinstance(v, dict):
        return sum(elements(x) for x in v.values())
    return 0


def all_tensors(v):
    if isinstance(v, torch.Tensor):
        yield v
    elif isinstance(v, (tuple, list)):
        for x in v:
            yield from all_tensors(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from all_tensors(x)


def describe(v):
    if isinstance(v, torch.Tensor):
        return f"tensor{list(v.shape)}:{str(v.dtype)[6:]}" + (":grad" if v.requires_grad else "")
    if isinstance(v, (tuple, list)):
        inner = ", ".join(describe(x) for x in v)
        return f"({inner}{',' if len(v) == 1 and isinstance(v, tuple) else ''})" if isinstance(v, tuple) else f"[{inner}]"
    return repr(v)


def translate(function, sample, input_only=False):
    """The expression text, the translator (symbols) and the positional dim style."""
    tr = Translator(only=sample.input if input_only else None)
    if function == "where":
        # OpInfo's where is `lambda self, condition, other: torch.where(condition, self, other)`.
        condition, other = sample.args
        parts = [tr.value(condition), tr.value(sample.input), tr.value(other)]
        parts += [f"{k}={tr.value(v, key=k)}" for k, v in sample.kwargs.items()]
        return f"where({', '.join(parts)})", tr
    if function in ("max", "min") and sample.args and isinstance(sample.args[0], int):
        # torch.max(input, dim, keepdim): keywords, as max(x0, 0) of a 0-d input would be
        # the binary maximum with 0 in SymGrad (PyTorch decides by the argument's type).
        names = ["dim", "keepdim"]
        parts = [tr.value(sample.input)] + [f"{names[i]}={tr.value(a)}" for i, a in enumerate(sample.args)]
        parts += [f"{k}={tr.value(v, key=k)}" for k, v in sample.kwargs.items()]
        return f"{function}({', '.join(parts)})", tr
    parts = [tr.value(sample.input)]
    parts += [tr.value(a, key="dim" if function in ("logsumexp", "sum", "mean", "amax", "amin") and i == 0 else None)
              for i, a in enumerate(sample.args)]
    parts += [f"{k}={tr.value(v, key=k)}" for k, v in sample.kwargs.items()]
    return f"{function}({', '.join(parts)})", tr


def symgrad_eval(binary, expr, names, values):
    """None if SymGrad evaluates the expression at the point; else (kind, message)."""
    at = ",".join(f"{n}={float_text(v)}" for n, v in zip(names, values))
    cmd = [binary, "eval", expr, "--json"] + (["--at", at] if at else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode == 0:
        return None
    lines = [l for l in (p.stderr + p.stdout).strip().splitlines() if l.strip()]
    msg = next((l for l in lines if l.startswith("error:") or l.startswith("symgrad:")), lines[-1] if lines else "?")
    if msg.startswith("error: column"):
        msg = msg.split(":", 2)[2].strip()  # drop the column: the message is per function
    elif msg.startswith("error:"):
        msg = msg[len("error:"):].strip()
    if msg.startswith("symgrad: cannot evaluate:"):
        return ("point", msg)
    return ("refused", msg)


def generalize(msg):
    """Merges refusal messages that differ only in a shape or a dim: lists become [...]."""
    import re
    msg = re.sub(r"\[[-0-9, ]*\]", "[...]", msg)
    return re.sub(r"along dim -?\d+", "along dim N", msg)


def record_case(cid, expr, call, tr, out):
    flat = out.reshape(-1)
    jac = []
    for k in range(flat.numel()):
        if not tr.tensors:  # inputs of no elements: rows of no columns
            jac.append([])
            continue
        grads = torch.autograd.grad(flat[k], tr.tensors, retain_graph=True, allow_unused=True)
        row = []
        for t, g in zip(tr.tensors, grads):
            row += (g if g is not None else torch.zeros_like(t)).reshape(-1).tolist()
        jac.append([number(v) for v in row])
    values = [v for t in tr.tensors for v in t.detach().reshape(-1).tolist()]
    return {
        "id": cid, "source": "opinfo", "dtype": "float64", "expr": expr, "call": call, "wrt": tr.names,
        "at": {n: number(v) for n, v in zip(tr.names, values)},
        "output_shape": list(out.shape), "output": [number(v) for v in flat.tolist()], "jacobian": jac,
    }


def main():
    parser = argparse.ArgumentParser()
    built = os.path.join(ROOT, ".build", "debug", "symgrad")
    default_bin = built if os.path.exists(built) else "symgrad"
    parser.add_argument("--symgrad", default=default_bin)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    from torch.testing._internal.common_methods_invocations import op_db

    cases, summary, excluded = [], {}, {}
    point_errors = 0
    for op in op_db:
        if op.name in EXCLUDED:
            excluded[op.name] = EXCLUDED[op.name]
            continue
        function = OPS.get(op.name)
        if function is None:
            continue
        variant = op.variant_test_name or "default"
        stats = summary.setdefault(function, {"samples": 0, "translated": 0, "untranslated": {}})
        if torch.float64 not in op.supported_dtypes("cpu"):
            excluded[f"{op.name}.{variant}"] = "the variant does not support float64"
            continue

        def skip(reason):
            stats["untranslated"][reason] = stats["untranslated"].get(reason, 0) + 1

        torch.manual_seed(20261204)
        samples = list(op.sample_inputs("cpu", torch.float64, requires_grad=True))
        # small_inputs_only: OpInfo's own option (its slow-gradcheck mode), honoured by the
        # elementwise generators (5 instead of 20 per dimension). Used only for a sample that
        # is over MAX_ELEMENTS, when the small set lines up with the default one.
        torch.manual_seed(20261204)
        small = list(op.sample_inputs("cpu", torch.float64, requires_grad=True, small_inputs_only=True))
        if len(small) != len(samples):
            small = [None] * len(samples)
        recorded = 0
        for index, (sample, alternative) in enumerate(zip(samples, small)):
            stats["samples"] += 1
            option = None
            if (elements([sample.input, sample.args, sample.kwargs]) > MAX_ELEMENTS and alternative is not None
                    and elements([alternative.input, alternative.args, alternative.kwargs]) <= MAX_ELEMENTS):
                sample, option = alternative, "small_inputs_only"
            call = f"{op.name}({', '.join([describe(sample.input)] + [describe(a) for a in sample.args] + [f'{k}={describe(v)}' for k, v in sample.kwargs.items()])})"
            limit = VARIANT_LIMITS.get((op.name, op.variant_test_name))
            if limit:
                skip(limit)
                continue
            tensors = list(all_tensors([sample.input, sample.args, sample.kwargs]))
            bad = next((t for t in tensors if t.is_complex() or t.dtype in (torch.float16, torch.bfloat16, torch.float32)), None)
            if bad is not None:
                skip(f"{str(bad.dtype)[6:]} tensor")
                continue
            if float(sample.kwargs.get("dropout_p", 0.0) or 0.0) > 0:
                skip("random: dropout_p > 0")
                continue
            n = elements([sample.input, sample.args, sample.kwargs])
            input_only = False
            if n > MAX_ELEMENTS:
                # A larger sample whose input alone is small: the input is the symbols, the
                # other tensors literals (PyTorch's Jacobian by the input only).
                if (isinstance(sample.input, torch.Tensor) and sample.input.numel() <= MAX_ELEMENTS
                        and n <= MAX_LITERAL_ELEMENTS):
                    input_only = True
                    option = (option + ", " if option else "") + "symbols: the input only"
                else:
                    skip(f"more than {MAX_ELEMENTS} input elements")
                    continue
            try:
                expr, tr = translate(function, sample, input_only)
            except Untranslatable as e:
                skip(f"untranslatable: {e}")
                continue
            if not tr.names and not any(t.numel() == 0 for t in tensors) and function not in CONSTRUCTORS:
                skip("no differentiable input")
                continue
            item = TUPLE_ITEM.get((op.name, op.variant_test_name))
            if item is not None:
                expr += f"[{item}]"
            values = [v for t in tr.tensors for v in t.detach().reshape(-1).tolist()]
            verdict = symgrad_eval(args.symgrad, expr, tr.names, values)
            if verdict is not None and verdict[0] == "refused":
                skip(f"refused by SymGrad: {generalize(verdict[1])}")
                continue
            if verdict is not None:
                point_errors += 1
            if recorded >= MAX_SAMPLES_PER_VARIANT:
                skip(f"over the per-variant cap of {MAX_SAMPLES_PER_VARIANT} recorded samples")
                continue
            out = op.op(sample.input, *sample.args, **sample.kwargs)
            if item is not None and isinstance(out, tuple):
                out = out[item]
            if not isinstance(out, torch.Tensor):
                skip(f"output is a {type(out).__name__}, not a tensor")
                continue
            cid = f"opinfo/{op.name}/{variant}/{index}"
            cases.append(record_case(cid, expr, call, tr, out))
            if option:
                cases[-1]["sample_option"] = option
            stats["translated"] += 1
            recorded += 1

    version = subprocess.run([args.symgrad, "--version"], capture_output=True, text=True).stdout.strip()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({
            "generator": "Scripts/record_pytorch_opinfo.py", "torch_version": torch.__version__,
            "symgrad": version, "max_elements": MAX_ELEMENTS, "max_samples_per_variant": MAX_SAMPLES_PER_VARIANT,
            "excluded_ops": excluded, "summary": summary, "cases": cases,
        }, f, indent=None, separators=(",", ":"))
        f.write("\n")
    total = sum(s["samples"] for s in summary.values())
    print(f"{len(cases)} cases recorded of {total} samples ({point_errors} evaluate to undefined somewhere); "
          f"{os.path.getsize(OUT)} bytes -> {os.path.relpath(OUT, ROOT)}")
    for fn, s in sorted(summary.items()):
        print(f"  {fn}: {s['samples']} samples, {s['translated']} translated", file=sys.stderr)
        for reason, c in sorted(s["untranslated"].items()):
            print(f"      {c:3d}  {reason}", file=sys.stderr)


if __name__ == "__main__":
    main()
