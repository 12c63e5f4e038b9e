#!/usr/bin/env python3
"""Records the edge-case table of the PyTorch semantics reference page (development only):
Tests/Fixtures/pytorch/edge_cases.json.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_edge_cases.py
(Scripts/record_pytorch.py runs every seed family; the fixture format is in its docstring.)
"""
from seed_fixtures import *  # noqa: F401,F403 (the shared format, builders and validation)


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


def groups():
    return [group_edge()]


if __name__ == "__main__":
    run(groups())
