"""Shared by the per-family PyTorch recorders (development only): the fixture case format
of Scripts/record_pytorch.py and a case recorded from torch.autograd."""
import math

import torch


def number(v):
    """A JSON number, or "inf"/"-inf"/"nan" for the non-finite ones."""
    return v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def case(cid, source, expr, names, x, out):
    """The fixture case of `out`, computed by torch from `x` (requires_grad, its elements are
    the symbols `names`, row-major): output and Jacobian, one backward pass per output element."""
    flat = out.reshape(-1)
    jacobian = []
    for k in range(flat.numel()):
        g, = torch.autograd.grad(flat[k], x, retain_graph=True, allow_unused=True)
        jacobian.append([number(v) for v in (g if g is not None else torch.zeros_like(x)).reshape(-1).tolist()])
    return {
        "id": cid, "source": source, "dtype": "float32" if x.dtype == torch.float32 else "float64",
        "expr": expr, "wrt": names,
        "at": {n: number(v) for n, v in zip(names, x.detach().reshape(-1).tolist())},
        "output_shape": list(out.shape), "output": [number(v) for v in flat.tolist()], "jacobian": jacobian,
    }


def literal(t):
    """A nested list literal of the expression language: floating entries as repr'd floats
    (multiples of 1/8 print exactly), integer entries as integers; Python lists and ints too."""
    if isinstance(t, (list, tuple)):
        return "[" + ", ".join(literal(r) for r in t) + "]"
    if isinstance(t, int):
        return str(t)
    if t.dim() == 0:
        return repr(float(t)) if t.is_floating_point() else str(int(t))
    return "[" + ", ".join(literal(r) for r in t) + "]"


def symbols(shape, prefix="x"):
    """The symbol names of a tensor of `shape` (row-major) and its nested list text."""
    n = 1
    for d in shape:
        n *= d
    names = [f"{prefix}{i}" for i in range(n)]

    def nest(flat, shape):
        if not shape:
            return flat[0]
        step = len(flat) // shape[0]
        return "[" + ", ".join(nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])) + "]"

    return names, nest(names, list(shape))


def eighths(g, shape, lo=-16, hi=17):
    """Random multiples of 1/8 in [lo/8, hi/8), exact as doubles and as decimal literals."""
    return torch.randint(lo, hi, shape, generator=g).double() / 8


def vec(names):
    """A list literal of symbol names: [x0, x1, ...]."""
    return "[" + ", ".join(names) + "]"


def flat_case(cid, source, text, n, fn, point, dtype):
    """The case of `fn` of one flat input of `n` symbols x0, x1, ... at `point` (float64, or
    float32 with "/float32" appended to the id); `text(names)` is the expression-language text
    of the same computation."""
    names = [f"x{i}" for i in range(n)]
    x = torch.tensor(point, dtype=torch.float32 if dtype == "float32" else torch.float64).requires_grad_(True)
    suffix = "" if dtype == "float64" else "/float32"
    return case(cid + suffix, source, text(names), names, x, fn(x))
