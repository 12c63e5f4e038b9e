#!/usr/bin/env python3
"""Records nll_loss and cross_entropy (development only): class indices and probabilities,
weights, ignore_index, label smoothing, every reduction: Tests/Fixtures/pytorch/nll_loss.json
and cross_entropy.json.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_cross_entropy.py
(Scripts/record_pytorch.py runs every seed family; the fixture format is in its docstring.)
"""
from seed_fixtures import *  # noqa: F401,F403 (the shared format, builders and validation)


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
    # (N, C, d1, ..., dK) inputs: class-index targets (N, d1, ..., dK) with weights, an
    # ignored index and smoothing, and probability targets of the input's shape, every
    # reduction, in float64 and float32 (PyTorch's float32 kernels at float32 inputs), from a
    # generator of their own (the cases above stay as recorded). Literal weights and
    # probabilities are the float64 values; torch rounds them to float32 (1e-8 relative).
    gk = torch.Generator().manual_seed(20261213)
    for dtype in ["float64", "float32"]:
        for shape in [(2, 3, 2), (1, 3, 2, 2)]:
            n, c, rest = shape[0], shape[1], list(shape[2:])
            count = n * numel(rest)
            for red in REDUCTIONS:
                flat = torch.randint(0, c, (count,), generator=gk).tolist()
                flat[0], flat[-1] = c - 1, 0  # one ignored, one not (every one ignored is 0/0)
                target = nest(flat, [n] + rest)
                weight = rand_unit(gk, c, 0.25, 2.0)
                key = "cross_entropy/kdim/index/weight/ignore%d/ls0.1/%s/%s/%s" % (c - 1, red, shape_text(shape), dtype)
                record_chain(g, key, "random", dtype, shape, rand_logits(gk, shape),
                             [b_cross_entropy(target, dtype, weight=weight, ignore_index=c - 1, reduction=red,
                                              label_smoothing=0.1)])
                probs = torch.randn(shape, dtype=torch.float64, generator=gk).softmax(dim=1).tolist()
                key = "cross_entropy/kdim/probs/noweight/ls0.0/%s/%s/%s" % (red, shape_text(shape), dtype)
                record_chain(g, key, "random", dtype, shape, rand_logits(gk, shape),
                             [b_cross_entropy(probs, dtype, reduction=red)])
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
    # (N, C, d1, ..., dK) inputs with targets (N, d1, ..., dK), weights and an ignored index,
    # every reduction, float64 and float32, from a generator of their own (the cases above
    # stay as recorded).
    gk = torch.Generator().manual_seed(20261214)
    for dtype in ["float64", "float32"]:
        for shape in [(2, 3, 2), (1, 3, 2, 2)]:
            n, c, rest = shape[0], shape[1], list(shape[2:])
            for red in REDUCTIONS:
                flat = torch.randint(0, c, (n * numel(rest),), generator=gk).tolist()
                flat[0], flat[-1] = c - 1, 0  # one ignored, one not (every one ignored is 0/0)
                weight = rand_unit(gk, c, 0.25, 2.0)
                cid = "nll_loss/kdim/weight/ignore%d/%s/%s/%s" % (c - 1, red, shape_text(shape), dtype)
                record_chain(g, cid, "random", dtype, shape, rand_logits(gk, shape),
                             [b_nll(nest(flat, [n] + rest), dtype, weight=weight, ignore_index=c - 1, reduction=red)])
    return g


def groups():
    return [group_nll(), group_cross_entropy()]


if __name__ == "__main__":
    run(groups())
