#!/usr/bin/env python3
"""Records binary_cross_entropy, binary_cross_entropy_with_logits and sigmoid_focal_loss
(development only): Tests/Fixtures/pytorch/binary_cross_entropy.json,
binary_cross_entropy_with_logits.json and sigmoid_focal_loss.json (float64), and their
float32 cases in binary_cross_entropy_float32.json, binary_cross_entropy_with_logits_float32.json
and sigmoid_focal_loss_float32.json.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_bce.py
(Scripts/record_pytorch.py runs every seed family; the fixture format is in its docstring.)
"""
from seed_fixtures import *  # noqa: F401,F403 (the shared format, builders and validation)


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


def f32(values):
    """The values rounded to float32 (exact in both dtypes, so the expression's literals
    and torch's float32 tensors hold the same numbers)."""
    return torch.tensor(values, dtype=torch.float32).double().tolist()


def group_float32():
    """float32 cases of the three families, in files of their own (re-recording the float64
    files on another machine drifts their last digits; these stay apart), from a generator
    of their own: PyTorch's float32 kernels at float32 inputs, targets and weights."""
    gen = torch.Generator().manual_seed(7000)
    shape = (3, 4)
    bce = Group("binary_cross_entropy_float32")
    for wgiven in [False, True]:
        for red in REDUCTIONS:
            x = f32(torch.sigmoid(torch.randn(12, dtype=torch.float64, generator=gen) * 2).tolist())
            y = f32(rand_unit(gen, 12))
            w = nest(f32(rand_unit(gen, 12, 0.25, 2.0)), [3, 4]) if wgiven else None
            cid = "binary_cross_entropy/soft/%s/%s/3x4/float32" % ("weight" if wgiven else "noweight", red)
            record_chain(bce, cid, "random", "float32", shape, x,
                         [b_bce(nest(y, [3, 4]), "float32", weight=w, reduction=red)])
    x = f32(torch.sigmoid(torch.randn(12, dtype=torch.float64, generator=gen) * 2).tolist())
    y = torch.randint(0, 2, (12,), generator=gen).double().tolist()
    record_chain(bce, "binary_cross_entropy/hard/noweight/mean/3x4/float32", "random", "float32", shape, x,
                 [b_bce(nest(y, [3, 4]), "float32")])
    x = f32(rand_logits(gen, shape))
    y = f32(rand_unit(gen, 12))
    record_chain(bce, "binary_cross_entropy/of_sigmoid/soft/mean/3x4/float32", "random", "float32", shape, x,
                 [b_sigmoid(), b_bce(nest(y, [3, 4]), "float32")])
    bcewl = Group("binary_cross_entropy_with_logits_float32")
    for red in REDUCTIONS:
        x = f32(rand_logits(gen, shape))
        y = f32(rand_unit(gen, 12))
        w = nest(f32(rand_unit(gen, 12, 0.25, 2.0)), [3, 4])
        pw = f32(rand_unit(gen, 4, 0.5, 4.0))
        record_chain(bcewl, "binary_cross_entropy_with_logits/soft/weight/posweight/%s/3x4/float32" % red, "random",
                     "float32", shape, x, [b_bcewl(nest(y, [3, 4]), "float32", weight=w, pos_weight=pw, reduction=red)])
    # Logits up to about +-20: the log-sigmoid's tails in float32.
    x = f32((torch.tensor(rand_logits(gen, shape)) * 5).tolist())
    y = torch.randint(0, 2, (12,), generator=gen).double().tolist()
    record_chain(bcewl, "binary_cross_entropy_with_logits/hard/noweight/noposweight/sum/3x4/large/float32", "random",
                 "float32", shape, x, [b_bcewl(nest(y, [3, 4]), "float32", reduction="sum")])
    focal = Group("sigmoid_focal_loss_float32")
    for alpha, gamma, red in [(0.25, 2.0, "none"), (0.25, 2.0, "mean"), (0.25, 2.0, "sum"), (-1.0, 0.5, "mean")]:
        x = f32(rand_logits(gen, shape))
        y = torch.randint(0, 2, (12,), generator=gen).double().tolist()
        record_chain(focal, "sigmoid_focal_loss/hard/alpha%s/gamma%s/%s/3x4/float32" % (alpha, gamma, red), "random",
                     "float32", shape, x, [b_focal(nest(y, [3, 4]), "float32", alpha=alpha, gamma=gamma, reduction=red)])
    return [bce, bcewl, focal]


def groups():
    return [group_bce(), group_bcewl(), group_focal()] + group_float32()


if __name__ == "__main__":
    run(groups())
