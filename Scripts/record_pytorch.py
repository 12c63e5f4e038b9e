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
    attention (scaled_dot_product_attention and generate_square_subsequent_mask).

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

import json
import math
import os
import re
import sys

import torch
import torch.nn.functional as F

try:  # optional, only used to cross-check the inline focal loss
    import torchvision.ops as tv_ops  # type: ignore
except Exception:  # pragma: no cover - absent is fine
    tv_ops = None

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "Tests", "Fixtures", "pytorch")
GENERATOR = "Scripts/record_pytorch.py"

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

DT = {"float64": torch.float64, "float32": torch.float32}
INF = float("inf")
NAN = float("nan")

# Problems found while recording (seed or reference-page values torch does not reproduce).
FINDINGS = []


# ----------------------------------------------------------------------------- formatting

def jnum(v):
    """A number for the JSON file: ints stay ints, non-finite floats become strings."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def jtree(obj):
    """Nested lists/dicts with every number passed through jnum."""
    if isinstance(obj, torch.Tensor):
        obj = obj.detach().tolist()
    if isinstance(obj, dict):
        return {k: jtree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jtree(v) for v in obj]
    if obj is None or isinstance(obj, str):
        return obj
    return jnum(obj)


class Sym(str):
    """A symbol name inside a literal tree (printed bare)."""


def lit(obj):
    """Expression-language literal for a number, symbol, bool, string or nested list."""
    if isinstance(obj, torch.Tensor):
        obj = obj.detach().tolist()
    if isinstance(obj, Sym):
        return str(obj)
    if isinstance(obj, str):
        return '"' + obj + '"'
    if isinstance(obj, bool):
        return "True" if obj else "False"
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float):
        if math.isnan(obj):
            return "nan"
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
        return repr(obj)
    if isinstance(obj, (list, tuple)):
        return "[" + ", ".join(lit(v) for v in obj) + "]"
    raise TypeError(type(obj))


def kwargs_text(pairs):
    """', k=v, ...' for the (name, value) pairs given (caller drops defaults)."""
    return "".join(", %s=%s" % (k, lit(v)) for k, v in pairs)


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def nest(flat, shape):
    """Row-major flat list -> nested list of the given shape."""
    if len(shape) == 0:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = numel(shape[1:])
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def sym_tensor(prefix, shape, start=0):
    """Symbol names prefix0.. row-major, as (nested Sym tree, flat name list)."""
    names = ["%s%d" % (prefix, start + i) for i in range(numel(shape))]
    return nest([Sym(n) for n in names], list(shape)), names


def shape_text(shape):
    return "x".join(str(s) for s in shape) if shape else "scalar"


def as_dtype(values, dtype):
    """Round Python floats to dtype and return them as Python floats (exact values)."""
    return torch.tensor(values, dtype=DT[dtype]).tolist()


def tens(values, dtype):
    return torch.tensor(values, dtype=DT[dtype])


# ----------------------------------------------------------------------------- recording

CALL_KEYS = ["function", "wrt_arg", "input_shape", "input", "args"]


def order_call(call):
    """Call objects with their keys in one fixed order (nested calls too)."""
    assert set(call) <= set(CALL_KEYS), call.keys()
    out = {}
    for k in CALL_KEYS:
        if k in call:
            out[k] = order_call(call[k]) if k == "input" else call[k]
    return out


class Group:
    def __init__(self, name):
        self.name = name
        self.cases = []
        self.ids = set()

    def add(self, cid, source, dtype, expr, wrt, at_values, call, fn, note=None):
        """Evaluate fn(x) (x: flat leaf tensor of the wrt symbols) and record a case."""
        assert cid not in self.ids, cid
        self.ids.add(cid)
        tdt = DT[dtype]
        x = torch.tensor(list(at_values), dtype=tdt, requires_grad=bool(wrt))
        out = fn(x)
        assert out.dtype == tdt, (cid, out.dtype)
        flat = out.reshape(-1)
        jac = []
        if wrt:
            for i in range(flat.numel()):
                go = torch.zeros_like(flat)
                go[i] = 1
                (g,) = torch.autograd.grad(flat, x, grad_outputs=go, retain_graph=True, allow_unused=True)
                jac.append([0.0] * len(wrt) if g is None else g.tolist())
        case = {
            "id": cid,
            "source": source,
            "dtype": dtype,
            "expr": expr,
            "wrt": list(wrt),
            "at": {n: jnum(v) for n, v in zip(wrt, x.detach().tolist())},
            "call": order_call(jtree(call)),
            "output_shape": list(out.shape),
            "output": jtree(flat.detach().tolist()),
            "jacobian": jtree(jac),
        }
        if note:
            case["note"] = note
        self.cases.append(case)
        return flat.detach().clone(), torch.tensor(jac, dtype=tdt) if jac else None

    def write(self):
        doc = {"generator": GENERATOR, "torch_version": torch.__version__, "cases": self.cases}
        text = json.dumps(doc, indent=1, allow_nan=False)
        path = os.path.join(OUT_DIR, self.name + ".json")
        with open(path, "w") as f:
            f.write(text + "\n")
        return path


# ----------------------------------------------------------------------------- torch calls

def torch_target(target, dtype):
    """Class indices -> long tensor; probabilities -> float tensor of dtype."""
    if isinstance(target, int):
        return torch.tensor(target, dtype=torch.long)
    flat = target
    while isinstance(flat, list) and flat and isinstance(flat[0], list):
        flat = flat[0]
    if isinstance(flat, list) and flat and isinstance(flat[0], int) and not isinstance(flat[0], bool):
        return torch.tensor(target, dtype=torch.long)
    return torch.tensor(target, dtype=DT[dtype])


def opt_tensor(v, dtype):
    return None if v is None else torch.tensor(v, dtype=DT[dtype])


def focal_inline(x, y, alpha=0.25, gamma=2.0, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, same operations in the same order."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * y + (1 - alpha) * (1 - y)
        loss = alpha_t * loss
    if reduction == "none":
        pass
    elif reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    else:
        raise ValueError(reduction)
    return loss


def focal(x, y, alpha, gamma, reduction):
    out = focal_inline(x, y, alpha, gamma, reduction)
    if tv_ops is not None:
        ref = tv_ops.sigmoid_focal_loss(x.detach(), y, alpha=alpha, gamma=gamma, reduction=reduction)
        same = torch.equal(out.detach(), ref) or bool(
            ((out.detach() == ref) | (out.detach().isnan() & ref.isnan())).all())
        assert same, "inline focal loss differs from torchvision"
    return out


# Each builder returns (expr_text, call_dict, fn(X_tensor_in_input_shape) -> output).

def b_softmax(name, dim):
    def expr(inner):
        return "%s(%s, dim=%d)" % (name, inner, dim)
    f = F.softmax if name == "softmax" else F.log_softmax
    return expr, {"function": name, "args": {"dim": dim}}, (lambda X: f(X, dim=dim))


def b_cross_entropy(target, dtype, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    kw = []
    if weight is not None:
        kw.append(("weight", weight))
    if ignore_index != -100:
        kw.append(("ignore_index", ignore_index))
    if reduction != "mean":
        kw.append(("reduction", reduction))
    if label_smoothing != 0.0:
        kw.append(("label_smoothing", label_smoothing))
    expr = lambda inner: "cross_entropy(%s, %s%s)" % (inner, lit(target), kwargs_text(kw))
    call = {"function": "cross_entropy", "args": {
        "target": target, "weight": weight, "ignore_index": ignore_index,
        "reduction": reduction, "label_smoothing": label_smoothing}}
    t = torch_target(target, dtype)
    w = opt_tensor(weight, dtype)
    fn = lambda X: F.cross_entropy(X, t, weight=w, ignore_index=ignore_index,
                                   reduction=reduction, label_smoothing=label_smoothing)
    return expr, call, fn


def b_nll(target, dtype, weight=None, ignore_index=-100, reduction="mean"):
    kw = []
    if weight is not None:
        kw.append(("weight", weight))
    if ignore_index != -100:
        kw.append(("ignore_index", ignore_index))
    if reduction != "mean":
        kw.append(("reduction", reduction))
    expr = lambda inner: "nll_loss(%s, %s%s)" % (inner, lit(target), kwargs_text(kw))
    call = {"function": "nll_loss", "args": {
        "target": target, "weight": weight, "ignore_index": ignore_index, "reduction": reduction}}
    t = torch_target(target, dtype)
    w = opt_tensor(weight, dtype)
    fn = lambda X: F.nll_loss(X, t, weight=w, ignore_index=ignore_index, reduction=reduction)
    return expr, call, fn


def b_bce(target, dtype, weight=None, reduction="mean"):
    kw = []
    if weight is not None:
        kw.append(("weight", weight))
    if reduction != "mean":
        kw.append(("reduction", reduction))
    expr = lambda inner: "binary_cross_entropy(%s, %s%s)" % (inner, lit(target), kwargs_text(kw))
    call = {"function": "binary_cross_entropy", "args": {
        "target": target, "weight": weight, "reduction": reduction}}
    t = tens(target, dtype)
    w = opt_tensor(weight, dtype)
    fn = lambda X: F.binary_cross_entropy(X, t, weight=w, reduction=reduction)
    return expr, call, fn


def b_bcewl(target, dtype, weight=None, pos_weight=None, reduction="mean"):
    kw = []
    if weight is not None:
        kw.append(("weight", weight))
    if pos_weight is not None:
        kw.append(("pos_weight", pos_weight))
    if reduction != "mean":
        kw.append(("reduction", reduction))
    expr = lambda inner: "binary_cross_entropy_with_logits(%s, %s%s)" % (inner, lit(target), kwargs_text(kw))
    call = {"function": "binary_cross_entropy_with_logits", "args": {
        "target": target, "weight": weight, "pos_weight": pos_weight, "reduction": reduction}}
    t = tens(target, dtype)
    w = opt_tensor(weight, dtype)
    pw = opt_tensor(pos_weight, dtype)
    fn = lambda X: F.binary_cross_entropy_with_logits(X, t, weight=w, pos_weight=pw, reduction=reduction)
    return expr, call, fn


def b_focal(target, dtype, alpha=0.25, gamma=2.0, reduction="none"):
    kw = []
    if alpha != 0.25:
        kw.append(("alpha", alpha))
    if gamma != 2.0:
        kw.append(("gamma", gamma))
    if reduction != "none":
        kw.append(("reduction", reduction))
    expr = lambda inner: "sigmoid_focal_loss(%s, %s%s)" % (inner, lit(target), kwargs_text(kw))
    call = {"function": "sigmoid_focal_loss", "args": {
        "target": target, "alpha": alpha, "gamma": gamma, "reduction": reduction}}
    t = tens(target, dtype)
    fn = lambda X: focal(X, t, alpha, gamma, reduction)
    return expr, call, fn


def b_sigmoid():
    return (lambda inner: "sigmoid(%s)" % inner), {"function": "sigmoid", "args": {}}, torch.sigmoid


def record_chain(group, cid, source, dtype, shape, values, builders, prefix="x", note=None):
    """Compose builders (innermost first) applied to a symbol tensor of `shape`."""
    tree, names = sym_tensor(prefix, shape)
    text = lit(tree)
    call = None
    cur_shape = list(shape)
    fns = []
    for expr_f, c, fn in builders:
        text = expr_f(text)
        c = dict(c)
        c["input_shape"] = cur_shape
        if call is not None:
            c["input"] = call
        call = c
        fns.append(fn)
        # shape of this stage's output (evaluate lazily on zeros is unsafe for BCE; use meta)
        cur_shape = None

    def fn(x):
        X = x.reshape(shape)
        for f in fns:
            X = f(X)
        return X

    # fix input_shape of outer calls: evaluate stage shapes once with the real values
    with torch.no_grad():
        X = torch.tensor(values, dtype=DT[dtype]).reshape(shape)
        shapes = [list(shape)]
        for f in fns[:-1]:
            X = f(X)
            shapes.append(list(X.shape))
    c = call
    for s in reversed(shapes):
        c["input_shape"] = s
        c = c.get("input")
    return group.add(cid, source, dtype, text, names, values, call, fn, note)


def rand_logits(gen, shape):
    return (torch.randn(shape, dtype=torch.float64, generator=gen) * 2).reshape(-1).tolist()


def rand_unit(gen, n, lo=0.0, hi=1.0):
    return (torch.rand(n, dtype=torch.float64, generator=gen) * (hi - lo) + lo).tolist()


SHAPES = [(1, 2), (2, 2), (3, 4), (4, 3), (3,)]
REDUCTIONS = ["none", "mean", "sum"]


# ----------------------------------------------------------------------------- groups

def group_softmax(name):
    g = Group(name)
    gen = torch.Generator().manual_seed(1000 if name == "softmax" else 1001)
    for shape in SHAPES:
        dims = [-1] + ([0] if shape in [(3, 4), (2, 2)] else [])
        for dim in dims:
            vals = rand_logits(gen, shape)
            record_chain(g, "%s/dim%d/%s/0" % (name, dim, shape_text(shape)), "random", "float64",
                         shape, vals, [b_softmax(name, dim)])
    # dim=1 spelled positively on a 2-D input, and a 1-row case with equal logits
    vals = rand_logits(gen, (2, 3))
    record_chain(g, "%s/dim1/2x3/0" % name, "random", "float64", (2, 3), vals, [b_softmax(name, 1)])
    record_chain(g, "%s/dim-1/1x3/equal" % name, "random", "float64", (1, 3), [0.5, 0.5, 0.5],
                 [b_softmax(name, -1)])
    return g


def class_targets(gen, n, c, ignore=None):
    """Random class indices; with ignore, row 0 gets the ignored index and others avoid it."""
    if ignore is None:
        return torch.randint(0, c, (n,), generator=gen).tolist()
    hi = c - 1 if ignore == c - 1 else c
    t = torch.randint(0, hi, (n,), generator=gen).tolist()
    t[0] = ignore
    return t


def prob_targets(gen, shape):
    return torch.randn(shape, dtype=torch.float64, generator=gen).softmax(dim=-1).tolist()


def group_cross_entropy():
    g = Group("cross_entropy")
    gen = torch.Generator().manual_seed(2000)
    counter = {}

    def rec(kind, shape, target, weight, ii, ls, red):
        key = "cross_entropy/%s/%s/%s/ls%s/%s/%s" % (
            kind, "weight" if weight is not None else "noweight",
            "noignore" if ii is None else ("ignore%d" % ii), ls, red, shape_text(shape))
        k = counter.get(key, 0)
        counter[key] = k + 1
        vals = rand_logits(gen, shape)
        record_chain(g, "%s/%d" % (key, k), "random", "float64", shape, vals,
                     [b_cross_entropy(target, "float64", weight=weight,
                                      ignore_index=-100 if ii is None else ii,
                                      reduction=red, label_smoothing=ls)])

    for shape in SHAPES:
        full = shape == (3, 4)
        c = shape[-1]
        batched = len(shape) == 2
        n = shape[0] if batched else None
        for wgiven in [False, True]:
            for ignore in [None, "hit"]:
                if ignore == "hit" and (not batched or n < 2):
                    continue
                for ls in [0.0, 0.1, 0.3]:
                    for red in REDUCTIONS:
                        if not full and not (ls in (0.0, 0.1) and (red == "mean" or (not wgiven and ignore is None))):
                            continue
                        weight = rand_unit(gen, c, 0.25, 2.0) if wgiven else None
                        ii = None
                        if batched:
                            ii = (c - 1) if ignore == "hit" else None
                            target = class_targets(gen, n, c, ii)
                        else:
                            target = int(torch.randint(0, c, (1,), generator=gen))
                        rec("index", shape, target, weight, ii, ls, red)
        # probability targets (ignore_index not allowed)
        for wgiven in [False, True]:
            for ls in [0.0, 0.1, 0.3]:
                for red in REDUCTIONS:
                    if not full and not (ls in (0.0, 0.1) and (red == "mean" or not wgiven)):
                        continue
                    weight = rand_unit(gen, c, 0.25, 2.0) if wgiven else None
                    target = prob_targets(gen, shape)
                    rec("probs", shape, target, weight, None, ls, red)
    # the default ignore_index -100 used as a target, with weights and smoothing
    for red in REDUCTIONS:
        weight = rand_unit(gen, 4, 0.25, 2.0)
        target = class_targets(gen, 3, 4)
        target[1] = -100
        key = "cross_entropy/index/weight/target-100/ls0.1/%s/3x4" % red
        record_chain(g, key + "/0", "random", "float64", (3, 4), rand_logits(gen, (3, 4)),
                     [b_cross_entropy(target, "float64", weight=weight, reduction=red, label_smoothing=0.1)])
    return g


def group_nll():
    g = Group("nll_loss")
    gen = torch.Generator().manual_seed(3000)
    for shape in SHAPES:
        c = shape[-1]
        batched = len(shape) == 2
        for wgiven in [False, True]:
            for ignore in [None, "hit"]:
                if ignore == "hit" and (not batched or shape[0] < 2):
                    continue
                for red in REDUCTIONS:
                    if shape != (3, 4) and not (red == "mean" or (not wgiven and ignore is None)):
                        continue
                    weight = rand_unit(gen, c, 0.25, 2.0) if wgiven else None
                    ii = (c - 1) if (ignore == "hit") else None
                    if batched:
                        target = class_targets(gen, shape[0], c, ii)
                    else:
                        target = int(torch.randint(0, c, (1,), generator=gen))
                    cid = "nll_loss/%s/%s/%s/%s/0" % ("weight" if wgiven else "noweight",
                                                     "noignore" if ii is None else "ignore%d" % ii,
                                                     red, shape_text(shape))
                    record_chain(g, cid, "random", "float64", shape, rand_logits(gen, shape),
                                 [b_nll(target, "float64", weight=weight,
                                        ignore_index=-100 if ii is None else ii, reduction=red)])
    # nll_loss after log_softmax == cross_entropy (composite)
    target = class_targets(gen, 3, 4)
    record_chain(g, "nll_loss/of_log_softmax/noweight/mean/3x4/0", "random", "float64", (3, 4),
                 rand_logits(gen, (3, 4)), [b_softmax("log_softmax", -1), b_nll(target, "float64")])
    return g


def group_bce():
    g = Group("binary_cross_entropy")
    gen = torch.Generator().manual_seed(4000)
    for shape in SHAPES:
        for tkind in ["hard", "soft"]:
            for wgiven in [False, True]:
                for red in REDUCTIONS:
                    if shape != (3, 4) and not (red == "mean" or not wgiven) or (shape != (3, 4) and tkind == "hard" and wgiven):
                        continue
                    n = numel(shape)
                    x = torch.sigmoid(torch.randn(n, dtype=torch.float64, generator=gen) * 2).tolist()
                    if tkind == "hard":
                        y = torch.randint(0, 2, (n,), generator=gen).double().tolist()
                    else:
                        y = rand_unit(gen, n)
                    w = nest(rand_unit(gen, n, 0.25, 2.0), list(shape)) if wgiven else None
                    cid = "binary_cross_entropy/%s/%s/%s/%s/0" % (tkind, "weight" if wgiven else "noweight",
                                                                  red, shape_text(shape))
                    record_chain(g, cid, "random", "float64", shape, x,
                                 [b_bce(nest(y, list(shape)), "float64", weight=w, reduction=red)])
    # a weight of shape [C] broadcast over rows
    n = 12
    x = torch.sigmoid(torch.randn(n, dtype=torch.float64, generator=gen) * 2).tolist()
    y = rand_unit(gen, n)
    w = rand_unit(gen, 4, 0.25, 2.0)
    for red in REDUCTIONS:
        record_chain(g, "binary_cross_entropy/soft/rowweight/%s/3x4/0" % red, "random", "float64", (3, 4), x,
                     [b_bce(nest(y, [3, 4]), "float64", weight=w, reduction=red)])
    # composite with sigmoid
    x = rand_logits(gen, (3, 4))
    y = rand_unit(gen, 12)
    record_chain(g, "binary_cross_entropy/of_sigmoid/soft/mean/3x4/0", "random", "float64", (3, 4), x,
                 [b_sigmoid(), b_bce(nest(y, [3, 4]), "float64")])
    return g


def group_bcewl():
    g = Group("binary_cross_entropy_with_logits")
    gen = torch.Generator().manual_seed(5000)
    for shape in SHAPES:
        c = shape[-1]
        for wgiven in [False, True]:
            for pwgiven in [False, True]:
                for red in REDUCTIONS:
                    if shape != (3, 4) and not (red == "mean" or not (wgiven or pwgiven)):
                        continue
                    n = numel(shape)
                    x = rand_logits(gen, shape)
                    soft = (wgiven != pwgiven)
                    y = rand_unit(gen, n) if soft else torch.randint(0, 2, (n,), generator=gen).double().tolist()
                    w = nest(rand_unit(gen, n, 0.25, 2.0), list(shape)) if wgiven else None
                    pw = rand_unit(gen, c, 0.5, 4.0) if pwgiven else None
                    cid = "binary_cross_entropy_with_logits/%s/%s/%s/%s/%s/0" % (
                        "soft" if soft else "hard", "weight" if wgiven else "noweight",
                        "posweight" if pwgiven else "noposweight", red, shape_text(shape))
                    record_chain(g, cid, "random", "float64", shape, x,
                                 [b_bcewl(nest(y, list(shape)), "float64", weight=w, pos_weight=pw, reduction=red)])
    return g


def group_focal():
    g = Group("sigmoid_focal_loss")
    gen = torch.Generator().manual_seed(6000)
    for shape in SHAPES:
        for alpha in [0.25, -1.0]:
            for gamma in [0.0, 0.5, 2.0]:
                for red in REDUCTIONS:
                    if shape != (3, 4) and not (red == "none" and alpha == 0.25 or red == "mean" and gamma == 0.5):
                        continue
                    n = numel(shape)
                    x = rand_logits(gen, shape)
                    y = torch.randint(0, 2, (n,), generator=gen).double().tolist()
                    cid = "sigmoid_focal_loss/hard/alpha%s/gamma%s/%s/%s/0" % (alpha, gamma, red, shape_text(shape))
                    record_chain(g, cid, "random", "float64", shape, x,
                                 [b_focal(nest(y, list(shape)), "float64", alpha=alpha, gamma=gamma, reduction=red)])
    for gamma in [0.5, 2.0]:
        x = rand_logits(gen, (3, 4))
        y = rand_unit(gen, 12)
        record_chain(g, "sigmoid_focal_loss/soft/alpha0.25/gamma%s/none/3x4/0" % gamma, "random", "float64",
                     (3, 4), x, [b_focal(nest(y, [3, 4]), "float64", gamma=gamma)])
    return g


# ----------------------------------------------------------------------------- linear / forum

FORUM_W = [[-0.0473, 0.0679], [-0.6429, -0.5586]]
FORUM_X = [[1.3032, 0.5701], [0.2671, 1.3900]]
FORUM_GRAD = [-0.1206, 0.8855, 0.1206, -0.8855]
FORUM_O1 = [-0.0230, -1.1563, 0.0817, -0.9482]


def linear_case(g, cid, source, dtype, xdata, wshape, wvals, bias=None, post=None, note=None):
    """linear(xdata, W[, bias]) with W = symbols w{o}{k}, optionally followed by builders."""
    out_f, in_f = wshape
    names = ["w%d%d" % (o, k) for o in range(out_f) for k in range(in_f)]
    wtree = [[Sym("w%d%d" % (o, k)) for k in range(in_f)] for o in range(out_f)]
    X = tens(xdata, dtype)
    B = opt_tensor(bias, dtype)
    xd = X.tolist()
    bd = None if B is None else B.tolist()
    text = "linear(%s, %s%s)" % (lit(xd), lit(wtree), "" if bd is None else ", " + lit(bd))
    call = {"function": "linear", "wrt_arg": "weight", "input_shape": [out_f, in_f],
            "args": {"input": xd, "bias": bd}}
    fns = []
    cur = [len(xd), out_f]
    for expr_f, c, fn in (post or []):
        text = expr_f(text)
        c = dict(c)
        c["input_shape"] = cur
        c["input"] = call
        call = c
        fns.append(fn)

    def fn(w):
        Y = F.linear(X, w.reshape(out_f, in_f), B)
        for f in fns:
            Y = f(Y)
        return Y

    return g.add(cid, source, dtype, text, names, wvals, call, fn, note)


def group_linear():
    g = Group("linear")
    wflat = [v for row in FORUM_W for v in row]
    note_a = ("forum: nn.Linear(2, 2, bias=False) with printed weights [[-0.0473, 0.0679], [-0.6429, -0.5586]], "
              "input [[1.3032, 0.5701], [0.2671, 1.3900]], CrossEntropyLoss(reduction='sum'), target [0, 1]; "
              "forum printed weight.grad tensor([[-0.1206, 0.8855], [0.1206, -0.8855]]); from these rounded weights "
              "torch gives [[-0.120559, 0.885448], [0.120559, -0.885448]] (0.8854 at 4 decimals, within 1e-4 of the "
              "forum: its weights were printed rounded)")
    outs = {}
    for dtype in ["float64", "float32"]:
        wv = as_dtype(wflat, dtype)
        loss, jac = linear_case(g, "linear/forum/cross_entropy_sum/%s" % dtype, "forum", dtype, FORUM_X, (2, 2), wv,
                                post=[b_cross_entropy([0, 1], dtype, reduction="sum")], note=note_a)
        outs[dtype] = jac[0].tolist()
        for got, want in zip(jac[0].tolist(), FORUM_GRAD):
            assert abs(got - want) <= 1e-4, ("forum gradient", got, want)
        if [round(v, 4) for v in jac[0].tolist()] != FORUM_GRAD:
            FINDINGS.append("forum (a) %s: torch weight.grad %s rounds to %s at 4 decimals, forum printed %s "
                            "(difference from the printed, rounded weights)" % (
                                dtype, jac[0].tolist(), [round(v, 4) for v in jac[0].tolist()], FORUM_GRAD))
        o1, _ = linear_case(g, "linear/forum/output/%s" % dtype, "forum", dtype, FORUM_X, (2, 2), wv,
                            note="forum: o1 = l(input) printed tensor([[-0.0230, -1.1563], [ 0.0817, -0.9482]]); from the "
                                 "rounded weights o1[0][0] = -0.022932 (-0.0229 at 4 decimals)")
        o1r = [round(v, 4) for v in o1.tolist()]
        for got, want in zip(o1.tolist(), FORUM_O1):
            assert abs(got - want) <= 2e-4, ("forum o1", got, want)
        if o1r != FORUM_O1:
            FINDINGS.append("forum o1 %s: torch gives %s (rounded %s), forum printed %s" % (
                dtype, o1.tolist(), o1r, FORUM_O1))
    # (b) the -inf example and (c) the issue example
    for label, vals, want_loss, want_grad in [
            ("neg_inf", [-INF, 2.0, 1.0, 2.0], INF, [-1.0, 1.0, 0.2689, -0.2689]),
            ("issue", [0.5, 2.0, 1.0, 2.0], None, None)]:
        note = None
        if label == "neg_inf":
            note = ("forum: o1 = tensor([[-inf, 2.], [1., 2.]]), CrossEntropyLoss(reduction='sum'), target [0, 1]; "
                    "forum printed o1.grad tensor([[-1.0000, 1.0000], [ 0.2689, -0.2689]]) (loss inf)")
        else:
            note = "issue example: logits [[0.5, 2], [1, 2]], target [0, 1], reduction='sum'"
        for dtype in ["float64"] + (["float32"] if label == "neg_inf" else []):
            loss, jac = record_chain(g, "linear/forum/%s/cross_entropy_sum/%s" % (label, dtype), "forum", dtype,
                                     (2, 2), vals, [b_cross_entropy([0, 1], dtype, reduction="sum")], note=note)
            if want_loss is not None:
                assert loss.tolist() == [want_loss], loss
                assert all(abs(a - b) <= 5e-5 for a, b in zip(jac[0].tolist(), want_grad)), jac
            else:
                exp_loss = math.log1p(math.exp(1.5)) + math.log1p(math.exp(-1))
                assert abs(loss.item() - exp_loss) < 1e-14
    # random linear layers
    gen = torch.Generator().manual_seed(7000)
    for (n, i, o, with_bias) in [(2, 3, 2, False), (3, 2, 3, True), (1, 4, 2, True)]:
        x = nest(rand_logits(gen, (n, i)), [n, i])
        w = rand_logits(gen, (o, i))
        b = rand_logits(gen, (o,)) if with_bias else None
        tag = "bias" if with_bias else "nobias"
        linear_case(g, "linear/random/%s/output/%dx%d_%dx%d/0" % (tag, n, i, o, i), "random", "float64", x, (o, i), w, b)
        t = torch.randint(0, o, (n,), generator=gen).tolist()
        linear_case(g, "linear/random/%s/cross_entropy_mean/%dx%d_%dx%d/0" % (tag, n, i, o, i), "random", "float64",
                    x, (o, i), w, b, post=[b_cross_entropy(t, "float64")])
    return g


# ----------------------------------------------------------------------------- blog

BLOG_PRINTED = {
    "ce_cls": [2.4427776, 1.4271057, 0.99968183, 0.06437338, 2.0198019],
    "ce_hard": [2.4427776, 1.4271057, 0.99968183, 0.06437338, 2.0198019],
    "ce_soft": [0.4737186, 1.0628904, 0.5669178, 0.39352775, 1.4264644],
    "bcewl_hard": [[3.5669463, 0.26643512], [0.9737141, 1.0721908], [1.1070106, 0.6140938],
                   [0.28206122, 0.18568796], [1.7221372, 0.8846513]],
    "bcesm_hard": [[2.4427779, 2.4427776], [1.4271057, 1.4271059], [0.99968195, 0.9996819],
                   [0.06437341, 0.06437336], [2.0198019, 2.0198016]],
    "bcesm_soft": [[0.47371858, 0.47371864], [1.0628904, 1.0628906], [0.5669178, 0.56691784],
                   [0.39352778, 0.3935278], [1.4264644, 1.4264642]],
}
BLOG_PRINT_LABEL = {
    "ce_cls": "Cross entropy loss with just batch dimension",
    "ce_hard": "Cross entropy loss with soft targets (hard probabilities)",
    "ce_soft": "Cross entropy loss with probabilities",
    "bcewl_hard": "BCELoss (BCEWithLogitsLoss, hard targets)",
    "bcesm_hard": "BCELoss with softmax and hard targets",
    "bcesm_soft": "BCELoss with softmax with soft targets",
}


def np_text(values):
    """The blog's numpy print of a float32 array (str(ndarray)), or None without numpy."""
    try:
        import numpy as np  # type: ignore
    except Exception:
        return None
    return str(torch.tensor(values, dtype=torch.float32).numpy())


def check_printed(key, values):
    printed = BLOG_PRINTED[key]
    flat_v = torch.tensor(values, dtype=torch.float32).reshape(-1).tolist()
    flat_p = torch.tensor(printed, dtype=torch.float64).reshape(-1).tolist()
    # numpy prints at most 8 fractional digits of the shortest round-trip repr.
    for v, p in zip(flat_v, flat_p):
        assert abs(v - p) <= 5.1e-9 + abs(p) * 6e-8, ("blog printed value", key, v, p)
    got = np_text(values)
    if got is not None:
        want = np_text(printed)
        assert got == want, ("blog numpy print", key, got, want)


def blog_note(keys, extra=""):
    parts = ["%s: %s" % (BLOG_PRINT_LABEL[k], json.dumps(BLOG_PRINTED[k])) for k in keys]
    return "blog (torch.manual_seed(42142), float32) printed " + "; ".join(parts) + extra


def group_blog():
    g = Group("blog")
    # --- reproduce the blog exactly (float32), including its own checks
    torch.manual_seed(42142)
    logits = torch.randn(5, 2, requires_grad=True)
    tgt_cls = torch.randint(0, 2, (5,)).long()
    tgt_probs_hard = torch.cat([1 - tgt_cls.unsqueeze(1), tgt_cls.unsqueeze(1)], dim=1).float()
    tgt_probs_soft = torch.randn(5, 2).softmax(dim=-1)

    ce = torch.nn.CrossEntropyLoss(reduction="none")
    bce = torch.nn.BCELoss(reduction="none")
    bcewl = torch.nn.BCEWithLogitsLoss(reduction="none")

    def grad0(loss):
        loss.mean().backward()
        gr = logits.grad.clone()
        logits.grad.zero_()
        return gr

    loss_ce_cls = ce(logits, tgt_cls); grad_ce_cls = grad0(loss_ce_cls)
    loss_ce_hard = ce(logits, tgt_probs_hard); grad_ce_hard = grad0(loss_ce_hard)
    loss_ce_soft = ce(logits, tgt_probs_soft); grad_ce_soft = grad0(loss_ce_soft)
    check_printed("ce_cls", loss_ce_cls.tolist())
    check_printed("ce_hard", loss_ce_hard.tolist())
    check_printed("ce_soft", loss_ce_soft.tolist())
    assert bool((grad_ce_cls == grad_ce_hard).all()), "blog: Gradients the same for (N,) and (N,2): True!"

    loss_bcewl_hard = bcewl(logits, tgt_probs_hard); grad0(loss_bcewl_hard)
    loss_bces_hard = bce(torch.sigmoid(logits), tgt_probs_hard); grad0(loss_bces_hard)
    loss_bcesm_hard = bce(logits.softmax(dim=-1), tgt_probs_hard); grad0(loss_bcesm_hard)
    loss_bcewl_soft = bcewl(logits, tgt_probs_soft); grad0(loss_bcewl_soft)
    loss_bces_soft = bce(torch.sigmoid(logits), tgt_probs_soft); grad0(loss_bces_soft)
    loss_bcesm_soft = bce(logits.softmax(dim=-1), tgt_probs_soft); grad0(loss_bcesm_soft)
    assert torch.allclose(loss_bcewl_hard, loss_bces_hard)
    assert torch.allclose(loss_bcewl_soft, loss_bces_soft)
    assert not torch.allclose(loss_bcewl_soft, loss_bcesm_soft)
    check_printed("bcewl_hard", loss_bcewl_hard.tolist())
    check_printed("bcesm_hard", loss_bcesm_hard.tolist())
    check_printed("bcesm_soft", loss_bcesm_soft.tolist())
    sm = lambda: logits.softmax(dim=-1)
    assert torch.allclose(grad0(bce(sm(), tgt_probs_hard)[:, 1]), grad_ce_hard)
    assert torch.allclose(grad0(bce(sm(), tgt_probs_soft)[:, 1]), grad_ce_soft)
    for k in (0, 1):
        assert torch.allclose(grad0(bce(sm()[:, k], tgt_probs_hard[:, k])), grad_ce_hard)
        assert torch.allclose(grad0(bce(sm()[:, k], tgt_probs_soft[:, k])), grad_ce_soft)

    L = logits.detach().reshape(-1).tolist()  # exact float32 values
    cls = tgt_cls.tolist()
    hard = tgt_probs_hard.tolist()
    soft = tgt_probs_soft.tolist()
    shape = (5, 2)
    blog_grads = {"ce_cls": grad_ce_cls, "ce_hard": grad_ce_hard, "ce_soft": grad_ce_soft}

    for dtype in ["float32", "float64"]:
        hard_t = as_dtype(hard, dtype)
        soft_t = as_dtype(soft, dtype)
        sig_note = "; the blog only asserts torch.allclose(BCEWithLogitsLoss, BCELoss(sigmoid)) for these"
        # (name, builders, printed keys for the note, printed key that must match exactly, extra note)
        specs = [
            ("cross_entropy/class_targets", [lambda r: b_cross_entropy(cls, dtype, reduction=r)],
             ["ce_cls"], "ce_cls", ""),
            ("cross_entropy/hard_probs", [lambda r: b_cross_entropy(hard_t, dtype, reduction=r)],
             ["ce_hard"], "ce_hard", ""),
            ("cross_entropy/soft_probs", [lambda r: b_cross_entropy(soft_t, dtype, reduction=r)],
             ["ce_soft"], "ce_soft", ""),
            ("bce_with_logits/hard_probs", [lambda r: b_bcewl(hard_t, dtype, reduction=r)],
             ["bcewl_hard"], "bcewl_hard", ""),
            ("bce_with_logits/soft_probs", [lambda r: b_bcewl(soft_t, dtype, reduction=r)], [], None, ""),
            ("bce_of_sigmoid/hard_probs", [lambda r: b_sigmoid(), lambda r: b_bce(hard_t, dtype, reduction=r)],
             ["bcewl_hard"], None, sig_note),
            ("bce_of_sigmoid/soft_probs", [lambda r: b_sigmoid(), lambda r: b_bce(soft_t, dtype, reduction=r)],
             [], None, sig_note),
            ("bce_of_softmax/hard_probs", [lambda r: b_softmax("softmax", -1), lambda r: b_bce(hard_t, dtype, reduction=r)],
             ["bcesm_hard", "ce_hard"], "bcesm_hard", ""),
            ("bce_of_softmax/soft_probs", [lambda r: b_softmax("softmax", -1), lambda r: b_bce(soft_t, dtype, reduction=r)],
             ["bcesm_soft", "ce_soft"], "bcesm_soft", ""),
        ]
        for name, builders, keys, exact, extra0 in specs:
            for red in ["none", "mean"]:
                extra = extra0
                if red == "mean":
                    extra += "; reduction='mean' equals the blog's loss(reduction='none').mean() whose gradient the blog takes"
                note = blog_note(keys, extra) if keys else "blog (torch.manual_seed(42142), float32)" + extra
                out, jac = record_chain(g, "blog/%s/%s/%s" % (name, red, dtype), "blog", dtype, shape, L,
                                        [b(red) for b in builders], note=note)
                if dtype == "float32" and red == "none" and exact:
                    check_printed(exact, out.reshape([5] if exact.startswith("ce") else [5, 2]).tolist())
                if dtype == "float32" and red == "none" and exact is None and keys:
                    for a, b in zip(out.tolist(), torch.tensor(BLOG_PRINTED[keys[0]]).reshape(-1).tolist()):
                        assert abs(a - b) <= 1e-5 * max(1, abs(b)), (name, a, b)
                    if not torch.equal(out, torch.tensor(BLOG_PRINTED[keys[0]]).reshape(-1)):
                        FINDINGS.append(("note (expected, not a seed claim): blog/%s/none/float32 (BCELoss(sigmoid)) "
                                         "differs in the last float32 digits from the printed BCEWithLogitsLoss values: "
                                         "%s vs printed %s") % (name, out.tolist(), BLOG_PRINTED[keys[0]]))
                if red == "mean" and name.startswith("cross_entropy"):
                    ref = blog_grads["ce_cls" if "class" in name else ("ce_soft" if "soft" in name else "ce_hard")]
                    assert torch.allclose(jac[0].float(), ref.reshape(-1), atol=1e-6), (name, dtype)
                    if dtype == "float32" and not torch.equal(jac[0], ref.reshape(-1)):
                        FINDINGS.append("note: blog/%s/mean/float32 gradient (reduction='mean') is not bitwise the "
                                        "blog's .mean() gradient: %s vs %s" % (name, jac[0].tolist(),
                                                                              ref.reshape(-1).tolist()))
        # BCE on one column of the softmax: binary_cross_entropy(softmax(X, dim=-1)[:, k], Y[:, k])
        for tname, tv in [("hard_probs", hard_t), ("soft_probs", soft_t)]:
            for k in (0, 1):
                col = [row[k] for row in tv]
                for red in ["none", "mean"]:
                    items = ["softmax(%s, dim=-1)[%d]" % (lit([Sym("x%d" % (2 * r)), Sym("x%d" % (2 * r + 1))]), k)
                             for r in range(5)]
                    kw = [("reduction", red)] if red != "mean" else []
                    text = "binary_cross_entropy([%s], %s%s)" % (", ".join(items), lit(col), kwargs_text(kw))
                    call = {"function": "binary_cross_entropy", "input_shape": [5],
                            "input": {"function": "select", "input_shape": [5, 2], "args": {"dim": 1, "index": k},
                                      "input": {"function": "softmax", "input_shape": [5, 2], "args": {"dim": -1}}},
                            "args": {"target": col, "weight": None, "reduction": red}}
                    tcol = tens(col, dtype)
                    fn = (lambda kk, tt, rr: (lambda x: F.binary_cross_entropy(
                        x.reshape(5, 2).softmax(dim=-1)[:, kk], tt, reduction=rr)))(k, tcol, red)
                    names = ["x%d" % i for i in range(10)]
                    note = ("blog: bceloss(logits.softmax(dim=-1)[:,%d], tgt[:,%d]); the blog asserts its .mean() "
                            "gradient is allclose to CrossEntropyLoss's" % (k, k))
                    out, jac = g.add("blog/bce_of_softmax_column%d/%s/%s/%s" % (k, tname, red, dtype), "blog", dtype,
                                     text, names, L, call, fn, note)
                    if red == "mean":
                        ref = blog_grads["ce_hard" if tname == "hard_probs" else "ce_soft"]
                        assert torch.allclose(jac[0].float(), ref.reshape(-1), atol=1e-6), ("column", k, tname, dtype)
                    else:
                        # equals the CE per-row loss (both columns give the same value)
                        key = "ce_hard" if tname == "hard_probs" else "ce_soft"
                        for a, b in zip(out.tolist(), BLOG_PRINTED[key]):
                            assert abs(a - b) <= 1e-6 * max(1, abs(b)), ("column loss", a, b)
    return g


# ----------------------------------------------------------------------------- edge cases

def close(a, b, tol=1e-12):
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    if isinstance(b, float) and math.isinf(b):
        return a == b
    if isinstance(a, float) and not math.isfinite(a):
        return False
    return abs(a - b) <= tol * max(1.0, abs(b))


def group_edge():
    g = Group("edge_cases")

    def rec(cid, shape, vals, builders, ref_text, expect_out=None, expect_jac=None, tol=1e-12):
        """expect_out: list of expected outputs (None = don't check);
        expect_jac: dict {(row, col): value} of expected Jacobian entries (from the reference page)."""
        note = "reference page: " + ref_text
        out, jac = record_chain(g, "edge/" + cid, "edge", "float64", shape, vals, builders, note=note)
        ok = True
        msgs = []
        if expect_out is not None:
            for i, (a, b) in enumerate(zip(out.tolist(), expect_out)):
                if b is not None and not close(a, b, tol):
                    ok = False
                    msgs.append("output[%d] = %r, reference %r" % (i, a, b))
        if expect_jac is not None:
            for (r, c), b in expect_jac.items():
                a = jac[r][c].item()
                if not close(a, b, tol):
                    ok = False
                    msgs.append("jacobian[%d][%d] = %r, reference %r" % (r, c, a, b))
        if not ok:
            g.cases[-1]["note"] += "; torch %s differs: %s" % (torch.__version__, "; ".join(msgs))
            FINDINGS.append("edge/%s: %s (torch output %s, jacobian %s)" % (
                cid, "; ".join(msgs), out.tolist(), jac.tolist() if jac is not None else None))
        return out, jac

    s = b_softmax("softmax", -1)
    ls = b_softmax("log_softmax", -1)
    # softmax row with some -inf
    rec("softmax/some_neg_inf/1x3", (1, 3), [1.0, -INF, 2.0], [s],
        "softmax row with some -inf: 0 there, zero gradient there",
        expect_out=[None, 0.0, None], expect_jac={(0, 1): 0.0, (1, 1): 0.0, (2, 1): 0.0, (1, 0): 0.0, (1, 2): 0.0})
    rec("log_softmax/some_neg_inf/1x3", (1, 3), [1.0, -INF, 2.0], [ls],
        "log_softmax at a -inf entry: -inf, gradient = upstream g_j (Jacobian column of the -inf entry is the unit "
        "vector: d out_j/d x_j = 1, d out_i/d x_j = 0)",
        expect_out=[None, -INF, None], expect_jac={(1, 1): 1.0, (0, 1): 0.0, (2, 1): 0.0})
    # all -inf rows
    rec("softmax/all_neg_inf_row/2x3", (2, 3), [-INF, -INF, -INF, 1.0, 2.0, 3.0], [s],
        "softmax of an all -inf row: NaN forward and backward",
        expect_out=[NAN, NAN, NAN, None, None, None], expect_jac={(0, 0): NAN, (1, 1): NAN, (2, 2): NAN})
    rec("log_softmax/all_neg_inf_row/2x3", (2, 3), [-INF, -INF, -INF, 1.0, 2.0, 3.0], [ls],
        "log_softmax of an all -inf row: NaN forward and backward",
        expect_out=[NAN, NAN, NAN, None, None, None], expect_jac={(0, 0): NAN, (1, 1): NAN, (2, 2): NAN})
    # +inf logit
    rec("softmax/pos_inf/1x3", (1, 3), [INF, 1.0, 2.0], [s], "any +inf logit: NaN in the whole row",
        expect_out=[NAN, NAN, NAN])
    rec("log_softmax/pos_inf/1x3", (1, 3), [INF, 1.0, 2.0], [ls], "any +inf logit: NaN in the whole row",
        expect_out=[NAN, NAN, NAN])
    rec("cross_entropy/pos_inf_target/sum/1x3", (1, 3), [INF, 1.0, 2.0],
        [b_cross_entropy([0], "float64", reduction="sum")], "any +inf logit: NaN in the whole row",
        expect_out=[NAN])
    rec("cross_entropy/pos_inf_nontarget/sum/1x3", (1, 3), [INF, 1.0, 2.0],
        [b_cross_entropy([1], "float64", reduction="sum")], "any +inf logit: NaN in the whole row",
        expect_out=[NAN])
    # CE, target logit -inf
    for red in REDUCTIONS:
        exp = {"sum": ([INF], {(0, 0): -1.0, (0, 1): 1.0, (0, 2): 0.2689414213699951, (0, 3): -0.2689414213699951}),
               "mean": ([INF], {(0, 0): -0.5, (0, 1): 0.5, (0, 2): 0.13447071068499755, (0, 3): -0.13447071068499755}),
               "none": ([INF, None], {(0, 0): -1.0, (0, 1): 1.0, (1, 2): 0.2689414213699951, (1, 3): -0.2689414213699951,
                                     (0, 2): 0.0, (1, 0): 0.0})}[red]
        rec("cross_entropy/target_neg_inf/%s/2x2" % red, (2, 2), [-INF, 2.0, 1.0, 2.0],
            [b_cross_entropy([0, 1], "float64", reduction=red)],
            "CE, target logit -inf (forum example, sum): loss inf, grad [[-1, 1], [0.2689, -0.2689]]",
            expect_out=exp[0], expect_jac=exp[1])
    # CE, non-target logit -inf
    for red in REDUCTIONS:
        jexp = {(0, 1): 0.0} if red != "none" else {(0, 1): 0.0, (1, 1): 0.0}
        rec("cross_entropy/nontarget_neg_inf/%s/2x3" % red, (2, 3), [1.0, -INF, 2.0, 0.5, 1.0, -1.0],
            [b_cross_entropy([0, 2], "float64", reduction=red)],
            "CE, non-target logit -inf: finite loss, grad 0 there",
            expect_jac=jexp)
    # CE, ignored row all -inf
    for red in ["mean", "sum", "none"]:
        jexp = {(0, 0): NAN, (0, 1): NAN, (0, 2): NAN}
        if red == "none":
            jexp = {(0, 0): NAN, (1, 0): NAN}
        out, jac = rec("cross_entropy/ignored_row_all_neg_inf/%s/2x3" % red, (2, 3),
                       [-INF, -INF, -INF, 1.0, 2.0, 3.0],
                       [b_cross_entropy([-100, 1], "float64", reduction=red)],
                       "CE, ignored row that is all -inf: finite loss, NaN gradient in that row",
                       expect_jac=jexp)
    rec("cross_entropy/ignored_row_all_neg_inf/ignore_index0/weight/mean/2x3", (2, 3),
        [-INF, -INF, -INF, 1.0, 2.0, 3.0],
        [b_cross_entropy([0, 1], "float64", weight=[0.5, 2.0, 1.5], ignore_index=0)],
        "CE, ignored row that is all -inf: finite loss, NaN gradient in that row",
        expect_jac={(0, 0): NAN, (0, 1): NAN, (0, 2): NAN})
    rec("nll_loss/of_log_softmax/ignored_row_all_neg_inf/mean/2x3", (2, 3),
        [-INF, -INF, -INF, 1.0, 2.0, 3.0], [ls, b_nll([-100, 1], "float64")],
        "CE, ignored row that is all -inf: finite loss, NaN gradient in that row (as log_softmax + nll_loss)",
        expect_jac={(0, 0): NAN})
    # label smoothing with a non-target -inf
    for red in REDUCTIONS:
        e, C, N = 0.1, 3, 2
        gval = -e / C / (N if red == "mean" else 1)
        jexp = {(0, 1): gval} if red != "none" else {(0, 1): -e / C}
        oexp = [INF] if red != "none" else [INF, None]
        rec("cross_entropy/label_smoothing/nontarget_neg_inf/%s/2x3" % red, (2, 3),
            [1.0, -INF, 2.0, 0.5, 1.0, -1.0],
            [b_cross_entropy([0, 2], "float64", reduction=red, label_smoothing=0.1)],
            "CE with label smoothing, non-target -inf: loss inf, grad -e/(C N) there",
            expect_out=oexp, expect_jac=jexp)
    rec("cross_entropy/label_smoothing/ignore_index_hit/weight/mean/3x3", (3, 3),
        [0.3, -1.2, 2.0, 0.5, 1.0, -1.0, 1.5, 0.25, -0.75],
        [b_cross_entropy([1, 2, 0], "float64", weight=[0.5, 2.0, 1.5], ignore_index=1, label_smoothing=0.2)],
        "label smoothing with ignore_index (#73205): S_n = 0 for ignored rows, mean divides by the NLL denominator")
    # probability target 0 at a -inf logit
    for red in ["sum", "none"]:
        rec("cross_entropy/probs/zero_target_at_neg_inf/%s/1x3" % red, (1, 3), [-INF, 1.0, 2.0],
            [b_cross_entropy([[0.0, 0.3, 0.7]], "float64", reduction=red)],
            "CE probability target, p = 0 at a -inf logit: loss NaN, gradient finite",
            expect_out=[NAN])
    rec("cross_entropy/probs/zero_target_at_neg_inf/label_smoothing/sum/1x3", (1, 3), [-INF, 1.0, 2.0],
        [b_cross_entropy([[0.0, 0.3, 0.7]], "float64", reduction="sum", label_smoothing=0.1)],
        "probability target 0 at -inf with label smoothing: q > 0 there, so the loss is inf")
    # every row ignored, mean
    rec("cross_entropy/all_ignored/mean/2x2", (2, 2), [0.5, 2.0, 1.0, 2.0],
        [b_cross_entropy([-100, -100], "float64")],
        "nll/CE mean, every row ignored: loss NaN, gradient 0",
        expect_out=[NAN], expect_jac={(0, i): 0.0 for i in range(4)})
    rec("cross_entropy/all_ignored/weight/label_smoothing/mean/2x2", (2, 2), [0.5, 2.0, 1.0, 2.0],
        [b_cross_entropy([1, 1], "float64", weight=[2.0, 3.0], ignore_index=1, label_smoothing=0.1)],
        "nll/CE mean, every row ignored: loss NaN, gradient 0", expect_out=[NAN],
        expect_jac={(0, i): 0.0 for i in range(4)})
    rec("nll_loss/all_ignored/mean/2x2", (2, 2), [0.5, 2.0, 1.0, 2.0], [b_nll([-100, -100], "float64")],
        "nll/CE mean, every row ignored: loss NaN, gradient 0",
        expect_out=[NAN], expect_jac={(0, i): 0.0 for i in range(4)})
    rec("nll_loss/all_ignored/sum/2x2", (2, 2), [0.5, 2.0, 1.0, 2.0], [b_nll([-100, -100], "float64", reduction="sum")],
        "every row ignored with sum: loss 0, gradient 0", expect_out=[0.0], expect_jac={(0, i): 0.0 for i in range(4)})
    rec("nll_loss/neg_inf_input/sum/1x2", (1, 2), [-INF, 0.0], [b_nll([0], "float64", reduction="sum")],
        "nll_loss of a -inf entry: loss inf, gradient -1", expect_out=[INF], expect_jac={(0, 0): -1.0, (0, 1): 0.0})
    rec("cross_entropy/unbatched/all_ignored/mean/3", (3,), [0.5, 2.0, 1.0],
        [b_cross_entropy(-100, "float64")], "unbatched input, the only row ignored, mean: loss NaN, gradient 0",
        expect_out=[NAN], expect_jac={(0, i): 0.0 for i in range(3)})
    # BCE at x = 0/1 with y = 0/1
    for xv, yv, lo, gr, txt in [(0.0, 1.0, 100.0, -1e12, "BCE x = 0, y = 1: loss 100, grad -1e12"),
                                (0.0, 0.0, 0.0, 0.0, "BCE x = 0, y = 0: loss 0, grad 0"),
                                (1.0, 1.0, 0.0, 0.0, "BCE x = 1, y = 1 (mirror of x = 0, y = 0): loss 0, grad 0"),
                                (1.0, 0.0, 100.0, 1e12, "BCE x = 1, y = 0 (mirror of x = 0, y = 1): loss 100, grad 1e12")]:
        rec("binary_cross_entropy/x%g_y%g/sum/1" % (xv, yv), (1,), [xv], [b_bce([yv], "float64", reduction="sum")],
            txt, expect_out=[lo], expect_jac={(0, 0): gr})
    rec("binary_cross_entropy/x0_y0.5/sum/1", (1,), [0.0], [b_bce([0.5], "float64", reduction="sum")],
        "BCE x = 0, y = 0.5: log clamp gives 50; backward clamp x(1-x) >= 1e-12 gives -0.5e12")
    rec("binary_cross_entropy/boundaries/weight/none/2x2", (2, 2), [0.0, 0.0, 1.0, 1.0],
        [b_bce([[1.0, 0.0], [1.0, 0.0]], "float64", weight=[[2.0, 3.0], [0.5, 4.0]], reduction="none")],
        "BCE at x in {0,1}, y in {0,1} with weights (loss 100 w / 0, grads -1e12 w / 0 / 0 / 1e12 w)",
        expect_out=[200.0, 0.0, 0.0, 400.0], expect_jac={(0, 0): -2e12, (1, 1): 0.0, (2, 2): 0.0, (3, 3): 4e12})
    rec("binary_cross_entropy/tiny_x/sum/1", (1,), [1e-300], [b_bce([1.0], "float64", reduction="sum")],
        "BCE at x = 1e-300, y = 1: forward clamp log >= -100 gives 100, backward clamp 1e-12 gives -1e12",
        expect_out=[100.0], expect_jac={(0, 0): -1e12})
    # BCE with logits at +-inf and -1000
    for zv, yv, lo, gr, txt in [
            (-INF, 0.0, NAN, 0.0, "BCE-with-logits z = -inf, y = 0: loss NaN, grad 0"),
            (-INF, 1.0, NAN, -1.0, "BCE-with-logits z = -inf, y = 1: loss NaN, grad -1"),
            (INF, 0.0, INF, 1.0, "BCE-with-logits z = +inf, y = 0: loss inf, grad 1"),
            (INF, 1.0, None, None, "BCE-with-logits z = +inf, y = 1 (not in the table)"),
            (-1000.0, 1.0, 1000.0, -1.0, "BCE-with-logits z = -1000, y = 1 (no pos_weight): 1000, grad -1"),
            (1000.0, 0.0, 1000.0, 1.0, "BCE-with-logits z = 1000, y = 0: 1000, grad 1")]:
        rec("binary_cross_entropy_with_logits/z%g_y%g/sum/1" % (zv, yv), (1,), [zv],
            [b_bcewl([yv], "float64", reduction="sum")], txt,
            expect_out=None if lo is None else [lo], expect_jac=None if gr is None else {(0, 0): gr})
    for zv, yv, lo, gr, txt in [
            (-1000.0, 1.0, 3000.0, -3.0, "BCE-with-logits z = -1000, y = 1, pos_weight 3: 3000, grad -3"),
            (-INF, 1.0, None, None, "BCE-with-logits z = -inf, y = 1, pos_weight 3 (not in the table)"),
            (INF, 0.0, None, None, "BCE-with-logits z = +inf, y = 0, pos_weight 3 (not in the table)")]:
        rec("binary_cross_entropy_with_logits/z%g_y%g/pos_weight3/sum/1" % (zv, yv), (1,), [zv],
            [b_bcewl([yv], "float64", pos_weight=[3.0], reduction="sum")], txt,
            expect_out=None if lo is None else [lo], expect_jac=None if gr is None else {(0, 0): gr})
    rec("binary_cross_entropy_with_logits/inf_mixture/weight/pos_weight/none/2x2", (2, 2), [-INF, INF, -1000.0, 1000.0],
        [b_bcewl([[0.0, 0.0], [1.0, 0.0]], "float64", weight=[[1.0, 2.0], [0.5, 1.5]], pos_weight=[2.0, 3.0],
                 reduction="none")],
        "BCE-with-logits elementwise at -inf/y0, +inf/y0, -1000/y1 (pos_weight 2), 1000/y0 with weights",
        expect_out=[NAN, INF, 1000.0, 1500.0], expect_jac={(0, 0): 0.0, (1, 1): 2.0, (2, 2): -1.0, (3, 3): 1.5})
    rec("binary_cross_entropy_with_logits/target_out_of_range/sum/1", (1,), [0.5],
        [b_bcewl([1.5], "float64", reduction="sum")], "BCE-with-logits target is not range-checked (y = 1.5)")
    # focal loss
    for xv, yv, gamma in [(40.0, 1.0, 0.5), (-40.0, 0.0, 0.5), (40.0, 1.0, 2.0), (40.0, 1.0, 0.0)]:
        exp_j = {(0, 0): NAN} if gamma == 0.5 else None
        rec("sigmoid_focal_loss/saturated/x%g_y%g/gamma%s/none/1" % (xv, yv, gamma), (1,), [xv],
            [b_focal([yv], "float64", gamma=gamma)],
            "focal loss, gamma < 1, saturated correct prediction: loss 0, grad NaN" if gamma < 1 else
            "focal loss, saturated correct prediction, gamma %s (gamma >= 1: finite gradient)" % gamma,
            expect_out=[0.0] if gamma == 0.5 else None, expect_jac=exp_j, tol=1e-15)
    for xv, yv in [(INF, 1.0), (INF, 0.0), (-INF, 0.0), (-INF, 1.0)]:
        rec("sigmoid_focal_loss/x%g_y%g/none/1" % (xv, yv), (1,), [xv], [b_focal([yv], "float64")],
            "focal loss at z = +-inf: NaN", expect_out=[NAN])
    rec("sigmoid_focal_loss/inf_mixture/alpha-1/gamma0.5/sum/2x2", (2, 2), [INF, -INF, 40.0, -3.0],
        [b_focal([[1.0, 0.0], [1.0, 1.0]], "float64", alpha=-1.0, gamma=0.5, reduction="sum")],
        "focal loss sum over +-inf, saturated and ordinary entries (NaN propagates to the sum)")
    return g


# ----------------------------------------------------------------------------- attention

def sdpa_case(g, cid, source, q_vals, L, E, K, V, attn_mask=None, is_causal=False, note=None, check=None):
    tree, names = sym_tensor("q", (L, E))
    kw = []
    if attn_mask is not None:
        kw.append(("attn_mask", attn_mask))
    if is_causal:
        kw.append(("is_causal", True))
    text = "scaled_dot_product_attention(%s, %s, %s%s)" % (lit(tree), lit(K), lit(V), kwargs_text(kw))
    call = {"function": "scaled_dot_product_attention", "wrt_arg": "query", "input_shape": [L, E],
            "args": {"key": K, "value": V, "attn_mask": attn_mask, "dropout_p": 0.0, "is_causal": is_causal,
                     "scale": None}}
    Kt = torch.tensor(K, dtype=torch.float64)
    Vt = torch.tensor(V, dtype=torch.float64)
    M = None
    if attn_mask is not None:
        is_bool = isinstance(attn_mask[0][0], bool)
        M = torch.tensor(attn_mask, dtype=torch.bool if is_bool else torch.float64)
    fn = lambda q: F.scaled_dot_product_attention(q.reshape(L, E), Kt, Vt, attn_mask=M, is_causal=is_causal)
    out, jac = g.add(cid, source, "float64", text, names, q_vals, call, fn, note)
    if check is not None:
        check(out, jac)
    return out, jac


def group_attention():
    g = Group("attention")
    gen = torch.Generator().manual_seed(8000)
    rl = lambda shape: nest(rand_logits(gen, shape), list(shape))
    # plain
    for (L, S) in [(2, 3), (3, 4)]:
        sdpa_case(g, "attention/sdpa/nomask/L%dS%dE2/0" % (L, S), "random", rand_logits(gen, (L, 2)), L, 2,
                  rl((S, 2)), rl((S, 2)))
    # float mask with -inf (no fully masked row)
    sdpa_case(g, "attention/sdpa/float_mask_neg_inf/L3S4E2/0", "random", rand_logits(gen, (3, 2)), 3, 2,
              rl((4, 2)), rl((4, 2)),
              attn_mask=[[0.0, -INF, 0.0, -INF], [0.0, 0.0, -INF, -INF], [-INF, 0.5, 0.0, -1.0]])
    # bool mask (True = attend)
    sdpa_case(g, "attention/sdpa/bool_mask/L3S4E2/0", "random", rand_logits(gen, (3, 2)), 3, 2, rl((4, 2)), rl((4, 2)),
              attn_mask=[[True, False, True, True], [True, True, False, False], [False, False, False, True]],
              note="F.scaled_dot_product_attention bool mask: True = attend")
    # is_causal
    for (L, S) in [(3, 3), (2, 4), (3, 2)]:
        sdpa_case(g, "attention/sdpa/is_causal/L%dS%dE2/0" % (L, S), "random", rand_logits(gen, (L, 2)), L, 2,
                  rl((S, 2)), rl((S, 2)), is_causal=True,
                  note="is_causal=True uses the top-left aligned lower-triangular L x S mask (tril)")
    # generate_square_subsequent_mask used as a float mask equals is_causal
    Q = rand_logits(gen, (3, 2)); K = rl((3, 2)); V = rl((3, 2))
    m3 = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64).tolist()
    a, _ = sdpa_case(g, "attention/sdpa/subsequent_mask/L3S3E2/0", "random", Q, 3, 2, K, V, attn_mask=m3)
    b, _ = sdpa_case(g, "attention/sdpa/is_causal/L3S3E2/1", "random", Q, 3, 2, K, V, is_causal=True)
    assert torch.allclose(a, b, rtol=0, atol=1e-15)

    def zero_row(row, E=2):
        def check(out, jac):
            o = out.reshape(-1, E)[row].tolist()
            assert o == [0.0] * E, ("fully masked row", o)
            rows = jac.reshape(-1, E, jac.shape[-1])[row]
            assert bool((rows == 0).all()), rows
        return check

    note_fm = ("fully masked row: torch >= 2.5 returns output 0 and gradient 0 there (safe softmax); "
               "NaN in earlier versions")
    sdpa_case(g, "attention/sdpa/fully_masked_row/float/L2S3E2/0", "edge", rand_logits(gen, (2, 2)), 2, 2,
              rl((3, 2)), rl((3, 2)), attn_mask=[[0.0, -INF, 0.0], [-INF, -INF, -INF]], note=note_fm,
              check=zero_row(1))
    sdpa_case(g, "attention/sdpa/fully_masked_row/bool/L3S3E2/0", "edge", rand_logits(gen, (3, 2)), 3, 2,
              rl((3, 2)), rl((3, 2)), attn_mask=[[False, False, False], [True, False, True], [True, True, True]],
              note=note_fm, check=zero_row(0))
    # a row masked with finfo.min / -1e9: uniform average of V
    fmin = torch.finfo(torch.float64).min
    K = rl((3, 2)); V = rl((3, 2))

    def uniform_row(row, V, label):
        avg = [sum(v[j] for v in V) / len(V) for j in range(2)]

        def check(out, jac):
            o = out.reshape(-1, 2)[row].tolist()
            if not all(abs(x - y) <= 1e-15 for x, y in zip(o, avg)):
                FINDINGS.append("attention/%s (float64): row %d = %r, not the uniform average of V %r "
                                "(reference page: uniform average)" % (label, row, o, avg))
        return check

    sdpa_case(g, "attention/sdpa/row_masked_finfo_min/L2S3E2/0", "edge", rand_logits(gen, (2, 2)), 2, 2, K, V,
              attn_mask=[[0.0, 0.0, fmin], [fmin, fmin, fmin]],
              note="row masked with torch.finfo(float64).min: uniform average of V", check=uniform_row(1, V, "row_masked_finfo_min"))
    sdpa_case(g, "attention/sdpa/row_masked_minus_1e9/L2S3E2/0", "edge", rand_logits(gen, (2, 2)), 2, 2, K, V,
              attn_mask=[[0.0, -1e9, 0.0], [-1e9, -1e9, -1e9]],
              note=("row masked with -1e9. In float64, -1e9 does not swamp the scores (ulp(1e9) = 1.2e-7), "
                    "so the row is softmax(scores) of the unmasked scores, not the uniform average of V "
                    "(that holds in float32, ulp(1e9) = 64)"), check=uniform_row(1, V, "row_masked_minus_1e9"))
    # generate_square_subsequent_mask
    for n in range(1, 5):
        m = torch.nn.Transformer.generate_square_subsequent_mask(n, dtype=torch.float64)
        expect = [[0.0 if j <= i else -INF for j in range(n)] for i in range(n)]
        assert m.tolist() == expect
        g.add("attention/generate_square_subsequent_mask/%d" % n, "random", "float64",
              "generate_square_subsequent_mask(%d)" % n, [], [],
              {"function": "generate_square_subsequent_mask", "input_shape": [],
               "args": {"sz": n, "dtype": "float64"}},
              (lambda nn: (lambda x: torch.nn.Transformer.generate_square_subsequent_mask(nn, dtype=torch.float64)))(n),
              note="torch.nn.Transformer.generate_square_subsequent_mask(%d): 0 on and below the diagonal, -inf above "
                   "(default dtype float32 gives the same values)" % n)
    return g


# ----------------------------------------------------------------------------- validation

NAME_RE = re.compile(r'"[^"]*"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|([A-Za-z_][A-Za-z_0-9]*)(\s*[=(])?')
CONSTANTS = {"inf", "nan", "True", "False", "pi", "E", "oo"}


def expr_symbols(expr):
    out = set()
    for m in NAME_RE.finditer(expr):
        name, follow = m.group(1), m.group(2)
        if name is None or follow is not None or name in CONSTANTS:
            continue
        out.add(name)
    return out


def validate(path):
    with open(path) as f:
        doc = json.load(f)
    assert doc["generator"] == GENERATOR and doc["torch_version"] == torch.__version__
    ids = set()
    for c in doc["cases"]:
        assert c["id"] not in ids, c["id"]
        ids.add(c["id"])
        assert c["source"] in ("random", "forum", "blog", "edge")
        assert c["dtype"] in ("float64", "float32")
        syms = expr_symbols(c["expr"])
        assert syms == set(c["wrt"]) == set(c["at"]), (c["id"], syms, c["wrt"])
        assert len(c["output"]) == numel(c["output_shape"]), c["id"]
        if c["wrt"]:
            assert len(c["jacobian"]) == len(c["output"]), c["id"]
            assert all(len(r) == len(c["wrt"]) for r in c["jacobian"]), c["id"]
        else:
            assert c["jacobian"] == []
        for v in c["output"] + [x for r in c["jacobian"] for x in r] + list(c["at"].values()):
            assert isinstance(v, float) or v in ("inf", "-inf", "nan"), (c["id"], v)
        assert expr_balanced(c["expr"]), c["id"]
    return len(doc["cases"])


def expr_balanced(text):
    depth = 0
    for ch in re.sub(r'"[^"]*"', "", text):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    groups = [
        group_softmax("softmax"),
        group_softmax("log_softmax"),
        group_nll(),
        group_cross_entropy(),
        group_bce(),
        group_bcewl(),
        group_focal(),
        group_linear(),
        group_blog(),
        group_edge(),
        group_attention(),
    ]
    total = 0
    for g in groups:
        path = g.write()
        n = validate(path)
        total += n
        print("%-70s %4d cases" % (os.path.relpath(path, REPO), n))
    print("total %d cases, torch %s, torchvision check %s" % (
        total, torch.__version__, "on" if tv_ops is not None else "off (inline focal loss)"))
    if FINDINGS:
        print("\nValues in the seeds / reference page that torch did not reproduce:")
        for f in FINDINGS:
            print("  - " + f)


if __name__ == "__main__":
    main()
