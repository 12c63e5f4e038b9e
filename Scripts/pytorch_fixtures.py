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
        "id": cid, "source": source, "dtype": "float64", "expr": expr, "wrt": names,
        "at": {n: number(v) for n, v in zip(names, x.detach().reshape(-1).tolist())},
        "output_shape": list(out.shape), "output": [number(v) for v in flat.tolist()], "jacobian": jacobian,
    }
