#!/usr/bin/env python3
"""Records linear layers (development only): the forum thread's examples and random layers:
Tests/Fixtures/pytorch/linear.json.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_linear.py
(Scripts/record_pytorch.py runs every seed family; the fixture format is in its docstring.)
"""
from seed_fixtures import *  # noqa: F401,F403 (the shared format, builders and validation)


# ----------------------------------------------------------------------------- linear / forum

FORUM_W = [[-0.0473, 0.0679], [-0.6429, -0.5586]]
FORUM_X = [[1.3032, 0.5701], [0.2671, 1.3900]]
FORUM_GRAD = [-0.1206, 0.8855, 0.1206, -0.8855]
FORUM_O1 = [-0.0230, -1.1563, 0.0817, -0.9482]


def linear_case(g, cid, source, dtype, xdata, wshape, wvals, bias=None, post=None, note=None):
    """linear(xdata, W[, bias]) with W = symbols w{o}{k}, optionally followed by builders.
    A 1-D wshape (in,) is a 1-D weight, symbols w{k}: PyTorch drops the output axis (the
    result has xdata's shape without its last axis) and takes a bias only as a 0-d tensor
    with a 1-D input (torch 2.15's addmm rejects a 1-D weight with a bias on a 2-D input)."""
    if len(wshape) == 1:
        (in_f,) = wshape
        names = ["w%d" % k for k in range(in_f)]
        wtree = [Sym(n) for n in names]
    else:
        out_f, in_f = wshape
        names = ["w%d%d" % (o, k) for o in range(out_f) for k in range(in_f)]
        wtree = [[Sym("w%d%d" % (o, k)) for k in range(in_f)] for o in range(out_f)]
    X = tens(xdata, dtype)
    B = opt_tensor(bias, dtype)
    xd = X.tolist()
    bd = None if B is None else B.tolist()
    text = "linear(%s, %s%s)" % (lit(xd), lit(wtree), "" if bd is None else ", " + lit(bd))
    call = {"function": "linear", "wrt_arg": "weight", "input_shape": list(wshape),
            "args": {"input": xd, "bias": bd}}
    fns = []
    cur = list(X.shape[:-1]) + ([] if len(wshape) == 1 else [out_f])
    for expr_f, c, fn in (post or []):
        text = expr_f(text)
        c = dict(c)
        c["input_shape"] = cur
        c["input"] = call
        call = c
        fns.append(fn)

    def fn(w):
        Y = F.linear(X, w.reshape(wshape), B)
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
    # float32 random layers (PyTorch's float32 kernels; inputs, weights and biases rounded to
    # float32), from a generator of their own after every case above.
    g32 = torch.Generator().manual_seed(7032)
    for (n, i, o, with_bias, red) in [(2, 3, 2, False, "mean"), (3, 2, 3, True, "mean"), (4, 3, 2, True, "sum")]:
        x = nest(as_dtype(rand_logits(g32, (n, i)), "float32"), [n, i])
        w = as_dtype(rand_logits(g32, (o, i)), "float32")
        b = as_dtype(rand_logits(g32, (o,)), "float32") if with_bias else None
        tag = "bias" if with_bias else "nobias"
        linear_case(g, "linear/random/%s/output/%dx%d_%dx%d/float32" % (tag, n, i, o, i), "random", "float32", x, (o, i),
                    w, b)
        t = torch.randint(0, o, (n,), generator=g32).tolist()
        linear_case(g, "linear/random/%s/cross_entropy_%s/%dx%d_%dx%d/float32" % (tag, red, n, i, o, i), "random",
                    "float32", x, (o, i), w, b, post=[b_cross_entropy(t, "float32", reduction=red)])
    # float32 1-D weights (one score per row, the output axis dropped), from a generator of
    # their own after every case above: the scores of n candidates under one weight vector,
    # into cross-entropy over the candidates (an unbatched input, a 0-d class target) and
    # into binary_cross_entropy_with_logits (logistic regression); a 1-D input with a 0-d
    # bias (the only bias torch 2.15 takes with a 1-D weight) gives one number.
    g1 = torch.Generator().manual_seed(7033)
    n, i = 3, 4
    x = nest(as_dtype(rand_logits(g1, (n, i)), "float32"), [n, i])
    w = as_dtype(rand_logits(g1, (i,)), "float32")
    linear_case(g, "linear/random/vector_weight/nobias/output/3x4_4/float32", "random", "float32", x, (i,), w)
    t = int(torch.randint(0, n, (), generator=g1))
    linear_case(g, "linear/random/vector_weight/nobias/cross_entropy_mean/3x4_4/float32", "random", "float32", x,
                (i,), w, post=[b_cross_entropy(t, "float32")])
    y = torch.randint(0, 2, (n,), generator=g1).double().tolist()
    linear_case(g, "linear/random/vector_weight/nobias/binary_cross_entropy_with_logits_sum/3x4_4/float32", "random",
                "float32", x, (i,), w, post=[b_bcewl(y, "float32", reduction="sum")])
    x1 = as_dtype(rand_logits(g1, (i,)), "float32")
    w1 = as_dtype(rand_logits(g1, (i,)), "float32")
    b1 = as_dtype(rand_logits(g1, ()), "float32")[0]
    linear_case(g, "linear/random/vector_weight/bias/output/4_4/float32", "random", "float32", x1, (i,), w1, b1)
    return g


def groups():
    return [group_linear()]


if __name__ == "__main__":
    run(groups())
