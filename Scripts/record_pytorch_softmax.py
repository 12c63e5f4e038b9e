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
    return g


def groups():
    return [group_softmax("softmax"), group_softmax("log_softmax")]


if __name__ == "__main__":
    run(groups())
