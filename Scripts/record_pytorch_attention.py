#!/usr/bin/env python3
"""Records scaled_dot_product_attention and generate_square_subsequent_mask (development
only): Tests/Fixtures/pytorch/attention.json.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_attention.py
(Scripts/record_pytorch.py runs every seed family; the fixture format is in its docstring.)
"""
from seed_fixtures import *  # noqa: F401,F403 (the shared format, builders and validation)


# ----------------------------------------------------------------------------- attention

def sdpa_case(g, cid, source, q_vals, L, E, K, V, attn_mask=None, is_causal=False, note=None, check=None,
              dtype="float64"):
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
    Kt = torch.tensor(K, dtype=DT[dtype])
    Vt = torch.tensor(V, dtype=DT[dtype])
    M = None
    if attn_mask is not None:
        is_bool = isinstance(attn_mask[0][0], bool)
        M = torch.tensor(attn_mask, dtype=torch.bool if is_bool else DT[dtype])
    fn = lambda q: F.scaled_dot_product_attention(q.reshape(L, E), Kt, Vt, attn_mask=M, is_causal=is_causal)
    out, jac = g.add(cid, source, dtype, text, names, q_vals, call, fn, note)
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
    # float32: PyTorch's float32 kernels at float32 queries, keys and values (rounded to
    # float32 so that the literals and the tensors hold the same numbers), from a generator
    # of its own after every case above.
    g32 = torch.Generator().manual_seed(8032)

    def f32(values):
        return torch.tensor(values, dtype=torch.float32).double().tolist()

    def rl32(shape):
        return nest(f32(rand_logits(g32, shape)), list(shape))

    sdpa_case(g, "attention/sdpa/nomask/L2S3E2/float32", "random", f32(rand_logits(g32, (2, 2))), 2, 2,
              rl32((3, 2)), rl32((3, 2)), dtype="float32")
    sdpa_case(g, "attention/sdpa/float_mask_neg_inf/L3S4E2/float32", "random", f32(rand_logits(g32, (3, 2))), 3, 2,
              rl32((4, 2)), rl32((4, 2)), dtype="float32",
              attn_mask=[[0.0, -INF, 0.0, -INF], [0.0, 0.0, -INF, -INF], [-INF, 0.5, 0.0, -1.0]])
    sdpa_case(g, "attention/sdpa/bool_mask/L3S4E2/float32", "random", f32(rand_logits(g32, (3, 2))), 3, 2,
              rl32((4, 2)), rl32((4, 2)), dtype="float32",
              attn_mask=[[True, False, True, True], [True, True, False, False], [False, False, False, True]])
    sdpa_case(g, "attention/sdpa/is_causal/L3S3E2/float32", "random", f32(rand_logits(g32, (3, 2))), 3, 2,
              rl32((3, 2)), rl32((3, 2)), is_causal=True, dtype="float32")
    # (A fully masked row is a documented divergence, checked against its limit in float64.)
    return g


def groups():
    return [group_attention()]


if __name__ == "__main__":
    run(groups())
