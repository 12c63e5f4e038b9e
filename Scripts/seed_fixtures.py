"""Shared by the seed families' PyTorch recorders (development only): the fixture format
of Scripts/record_pytorch.py (its docstring describes the files and every field), the
builders of torch calls and their expression-language text, and the validation of what is
written. The families: record_pytorch_softmax.py, record_pytorch_cross_entropy.py,
record_pytorch_bce.py, record_pytorch_linear.py, record_pytorch_blog.py,
record_pytorch_edge_cases.py, record_pytorch_attention.py; record_pytorch.py runs them all.
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


def run(groups):
    """Writes and validates `groups` (each a Group), printing a line per file."""
    os.makedirs(OUT_DIR, exist_ok=True)
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
