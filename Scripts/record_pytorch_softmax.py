#!/usr/bin/env python3
"""Records softmax and log_softmax (development only): Tests/Fixtures/pytorch/softmax.json and
log_softmax.json.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_softmax.py
(Scripts/record_pytorch.py runs every seed family; the fixture format is in its docstring.)
"""
from seed_fixtures import *  # noqa: F401,F403 (the shared format, builders and validation)


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
    # float32 (PyTorch's float32 kernels at float32 inputs): each dim of a 2-D, a 3-D and a
    # 1-D input, logits up to 100 (past float32's exp range without the max shift), from a
    # generator of their own (the cases above stay as recorded).
    g32 = torch.Generator().manual_seed(2001 if name == "softmax" else 2002)
    for shape, dims in [((3, 4), [0, -1]), ((2, 2, 3), [1, -1]), ((5,), [0])]:
        for dim in dims:
            record_chain(g, "%s/dim%d/%s/float32" % (name, dim, shape_text(shape)), "random", "float32", shape,
                         rand_logits(g32, shape), [b_softmax(name, dim)])
    large = (torch.rand(2, 3, generator=g32, dtype=torch.float64) * 100).reshape(-1).tolist()
    record_chain(g, "%s/dim-1/2x3/large/float32" % name, "random", "float32", (2, 3), large, [b_softmax(name, -1)])
    return g


def groups():
    return [group_softmax("softmax"), group_softmax("log_softmax")]


if __name__ == "__main__":
    run(groups())
