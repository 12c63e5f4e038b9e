#!/usr/bin/env python3
"""Records matrix products and transposes (development only; issue 9, item 2).

torch.matmul in each of its cases (dot, matrix, vector-matrix, matrix-vector, batched with
broadcast batch dimensions), torch.transpose (negative dimensions too), the operator forms
`@`, `.T` and `.mT`, and attention scores softmax(Q K^T / sqrt(d)) built from them, float64.
Writes Tests/Fixtures/pytorch/linalg.json in the format of Scripts/record_pytorch.py (see
Scripts/pytorch_fixtures.py): the differentiable tensor's entries are the symbols x0, x1, ...
(row-major), the other operand a literal of multiples of 1/8.

Run: python3 -m venv V && V/bin/pip install torch && V/bin/python Scripts/record_pytorch_linalg.py
"""
import json
import os

import torch

from pytorch_fixtures import case, eighths, literal, symbols

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pytorch", "linalg.json")
torch.set_num_threads(1)
cases = []
g = torch.Generator().manual_seed(20261204)


def record(cid, shape, expr_of, fn, dtype=torch.float64, gen=None):
    """`expr_of(text of x)` is the expression; `fn(x)` computes it in torch. In float32 the
    symbols' values are float32 (multiples of 1/8 are exact there too)."""
    x = eighths(gen or g, shape).to(dtype)
    names, xtext = symbols(x.shape)
    xx = x.clone().requires_grad_(True)
    cases.append(case(cid, "linalg", expr_of(xtext), names, xx, fn(xx)))


# torch.matmul, the symbols on the left and on the right.
for name, sx, sy in [
    ("dot", (3,), (3,)),
    ("matrix", (2, 3), (3, 2)),
    ("vector_matrix", (3,), (3, 2)),
    ("matrix_vector", (2, 3), (3,)),
    ("batched_matrix", (2, 2, 3), (3, 2)),
    ("batched_broadcast", (1, 2, 3), (2, 3, 2)),
    ("batched_vector", (2, 2, 3), (3,)),
]:
    y = eighths(g, sy)
    record(f"linalg/matmul/{name}/left", sx, lambda xt, y=y: f"matmul({xt}, {literal(y)})",
           lambda xx, y=y: torch.matmul(xx, y))
    z = eighths(g, sx)
    record(f"linalg/matmul/{name}/right", sy, lambda xt, z=z: f"matmul({literal(z)}, {xt})",
           lambda xx, z=z: torch.matmul(z, xx))

# torch.transpose, negative dimensions too.
for name, shape, d0, d1 in [("matrix", (2, 3), 0, 1), ("3d", (2, 1, 3), 0, 2), ("negative", (2, 2, 3), -1, -2)]:
    record(f"linalg/transpose/{name}", shape, lambda xt, d0=d0, d1=d1: f"transpose({xt}, {d0}, {d1})",
           lambda xx, d0=d0, d1=d1: torch.transpose(xx, d0, d1))

# Attention weights from the functions: softmax(matmul(Q, transpose(K/2, 0, 1)), dim=-1) by the
# queries Q (the scale 1/sqrt(4) folded into the keys, exact in sixteenths).
k = eighths(g, (3, 4)) / 2
record("linalg/attention/scores_by_query", (2, 4),
       lambda xt: f"softmax(matmul({xt}, transpose({literal(k)}, 0, 1)), dim=-1)",
       lambda xx: torch.softmax(torch.matmul(xx, k.transpose(0, 1)), dim=-1))

# The operator forms (the same products written as PyTorch code writes them).
w = eighths(g, (2, 3))
record("linalg/syntax/x_at_w_T", (4, 3), lambda xt: f"{xt} @ {literal(w)}.T", lambda xx: xx @ w.T)
record("linalg/syntax/mT", (2, 2, 3), lambda xt: f"{xt}.mT", lambda xx: xx.mT)
q = eighths(g, (2, 4))
record("linalg/syntax/attention_by_key", (3, 4),
       lambda xt: f"softmax({literal(q)} @ {xt}.T / 2, dim=-1)",
       lambda xx: torch.softmax(q @ xx.T / 2, dim=-1))

# torch.reshape (an inferred -1 too), and a reshape before a product.
for name, shape, new in [("matrix", (2, 3), [3, 2]), ("flat", (2, 3), [-1]), ("inferred", (2, 2, 3), [-1, 3])]:
    record(f"linalg/reshape/{name}", shape, lambda xt, new=new: f"reshape({xt}, {new})",
           lambda xx, new=new: torch.reshape(xx, new))
m = eighths(g, (2, 2))
record("linalg/reshape/then_matmul", (4,), lambda xt: f"matmul(reshape({xt}, [2, 2]), {literal(m)})",
       lambda xx: torch.matmul(torch.reshape(xx, (2, 2)), m))

# Batched and multi-head scaled_dot_product_attention by the queries (key, value and masks
# literal): batch dimensions, heads, masks broadcast, grouped-query attention, is_causal,
# dropout_p=0.0 written out.
F = torch.nn.functional


def text(val):
    """A literal; booleans as True/False (pytorch_fixtures.literal writes integers)."""
    if torch.is_tensor(val) and val.dtype == torch.bool:
        return "[" + ", ".join(text(r) for r in val) + "]" if val.dim() > 0 else ("True" if bool(val) else "False")
    return literal(val) if torch.is_tensor(val) else repr(val)


def attention_options(mask, dtype, options):
    """The mask in `dtype` and the keyword text of the mask and the options."""
    if mask is not None and mask.is_floating_point():
        mask = mask.to(dtype)
    words = "".join(f", {name}={text(val)}"
                    for name, val in ([("attn_mask", mask)] if mask is not None else []) + list(options.items()))
    return mask, words


def sdpa_case(cid, qshape, kshape, vshape, mask=None, dtype=torch.float64, gen=None, **options):
    k = eighths(gen or g, kshape).to(dtype)
    v = eighths(gen or g, vshape).to(dtype)
    mask, words = attention_options(mask, dtype, options)
    record(cid, qshape, lambda xt: f"scaled_dot_product_attention({xt}, {literal(k)}, {literal(v)}{words})",
           lambda xx: F.scaled_dot_product_attention(xx, k, v, attn_mask=mask, **options), dtype, gen)


sdpa_case("linalg/sdpa/batched_float_mask", (2, 3, 2), (2, 4, 2), (2, 4, 3), mask=eighths(g, (3, 4)))
sdpa_case("linalg/sdpa/heads_bool_mask", (1, 2, 2, 2), (1, 2, 3, 2), (1, 2, 3, 2),
          mask=torch.tensor([[[[True, False, True], [True, True, False]]]]), dropout_p=0.0)
sdpa_case("linalg/sdpa/gqa", (1, 4, 2, 2), (1, 2, 3, 2), (1, 2, 3, 2), enable_gqa=True)
sdpa_case("linalg/sdpa/causal_batched", (2, 3, 2), (2, 3, 2), (2, 3, 2), is_causal=True, scale=0.5)
sdpa_case("linalg/sdpa/key_batch_broadcast", (2, 2, 2), (1, 3, 2), (3, 2))


# F.multi_head_attention_forward (nn.MultiheadAttention's forward), sequence first, by the
# query (self-attention: the same symbols are query, key and value). Masks in MHA's
# convention (True = masked); no row fully masked here (see README's divergence table).
def mha_case(cid, shape, item, heads, self_attention=True, kv_shape=None, separate=False, biases=True,
             attn_mask=None, key_padding_mask=None, bias_kv=False, zero_attn=False, dtype=torch.float64, gen=None,
             static_kv=None, **options):
    """`static_kv`: (N*H, S', E/H), the static_k and static_v drawn of that shape."""
    e = shape[-1]
    gen = gen or g

    def draw(sh):
        return eighths(gen, sh).to(dtype)
    bias_k = draw((1, 1, e)) if bias_kv else None
    bias_v = draw((1, 1, e)) if bias_kv else None
    extras = (f"{literal(bias_k)}, {literal(bias_v)}" if bias_kv else "None, None") + f", {zero_attn}"
    w_in = draw((3 * e, e))
    b_in = draw((3 * e,)) if biases else None
    w_out = draw((e, e))
    b_out = draw((e,)) if biases else None
    kv = None if self_attention else draw(kv_shape)
    if attn_mask is not None and attn_mask.is_floating_point():
        attn_mask = attn_mask.to(dtype)
    words = ""
    torch_kw = dict(options)
    if static_kv is not None:
        static_k, static_v = draw(static_kv), draw(static_kv)
        words += f", static_k={literal(static_k)}, static_v={literal(static_v)}"
        torch_kw.update(static_k=static_k, static_v=static_v)
    if separate:
        words += f", use_separate_proj_weight=True, q_proj_weight={literal(w_in[:e])}" \
                 f", k_proj_weight={literal(w_in[e:2 * e])}, v_proj_weight={literal(w_in[2 * e:])}"
        torch_kw.update(use_separate_proj_weight=True, q_proj_weight=w_in[:e], k_proj_weight=w_in[e:2 * e],
                        v_proj_weight=w_in[2 * e:])
    for name, val in [("attn_mask", attn_mask), ("key_padding_mask", key_padding_mask)]:
        if val is not None:
            words += f", {name}={text(val)}"
            torch_kw[name] = val
    words += "".join(f", {name}={text(val)}" for name, val in options.items())
    in_w_text = "None" if separate else literal(w_in)

    def expr_of(xt):
        k = xt if self_attention else literal(kv)
        return (f"multi_head_attention_forward({xt}, {k}, {k}, {e}, {heads}, {in_w_text}, "
                f"{literal(b_in) if biases else 'None'}, {extras}, 0.0, {literal(w_out)}, "
                f"{literal(b_out) if biases else 'None'}{words})[{item}]")

    def fn(xx):
        k = xx if self_attention else kv
        return F.multi_head_attention_forward(
            xx, k, k, e, heads, None if separate else w_in, b_in, bias_k, bias_v, zero_attn, 0.0, w_out, b_out,
            **torch_kw)[item]

    record(cid, shape, expr_of, fn, dtype, gen)


mha_case("linalg/mha/self_attention_output", (3, 2, 4), 0, 2)
mha_case("linalg/mha/weights_per_head_bool_mask", (3, 1, 4), 1, 2,
         attn_mask=torch.tensor([[False, True, False], [False, False, True], [True, False, False]]),
         average_attn_weights=False)
mha_case("linalg/mha/averaged_weights_key_padding", (3, 2, 2), 1, 2,
         key_padding_mask=torch.tensor([[False, False, True], [False, True, False]]))
mha_case("linalg/mha/fused_path_padding_and_3d_float_mask", (2, 2, 4), 0, 2,
         attn_mask=eighths(g, (4, 2, 2)), key_padding_mask=torch.tensor([[False, True], [False, False]]),
         need_weights=False)
mha_case("linalg/mha/unbatched_cross_attention_separate_weights", (2, 4), 0, 1, self_attention=False,
         kv_shape=(3, 4), separate=True)
mha_case("linalg/mha/causal_hint_fused", (3, 1, 2), 0, 1, biases=False,
         attn_mask=torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64),
         is_causal=True, need_weights=False)
# bias_k/bias_v (a key and a value row appended) and add_zero_attn (a zero row per head), with
# masks that PyTorch pads with an attending column.
mha_case("linalg/mha/bias_kv_zero_attn_weights", (2, 2, 4), 1, 2, bias_kv=True, zero_attn=True,
         attn_mask=torch.tensor([[False, True], [False, False]]), average_attn_weights=False)
mha_case("linalg/mha/bias_kv_output_key_padding", (3, 2, 2), 0, 1, bias_kv=True,
         key_padding_mask=torch.tensor([[False, False, True], [True, False, False]]))
mha_case("linalg/mha/zero_attn_fused_output", (2, 1, 4), 0, 2, zero_attn=True, need_weights=False)
# A TransformerDecoderLayer's self-attention block: self_attn(x, x, x, attn_mask=tgt_mask,
# key_padding_mask=tgt_key_padding_mask, is_causal=tgt_is_causal, need_weights=False).
mha_case("linalg/mha/decoder_self_attention_masks", (3, 2, 2), 0, 1,
         attn_mask=torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64),
         key_padding_mask=torch.tensor([[False, False, True], [False, False, False]]), is_causal=True,
         need_weights=False)


# static_k/static_v: keys and values given per (batch entry, head), (N*H, S', E/H), replacing
# the projected key and value (the key input is still projected; its length need not be S').
# Drawn from a generator of their own, so the cases above stay as recorded.
g_static = torch.Generator().manual_seed(20261209)
mha_case("linalg/mha/static_kv_weights_per_head", (2, 2, 4), 1, 2, static_kv=(4, 3, 2), average_attn_weights=False,
         key_padding_mask=torch.tensor([[False, True, False], [False, False, False]]), gen=g_static)
mha_case("linalg/mha/static_kv_zero_attn_output", (3, 1, 2), 0, 1, static_kv=(1, 2, 2), zero_attn=True,
         gen=g_static)
mha_case("linalg/mha/static_kv_cross_attention_output", (2, 2, 2), 0, 2, self_attention=False, kv_shape=(4, 2, 2),
         static_kv=(4, 4, 1), attn_mask=torch.tensor([[False, True, False, False], [False, False, False, True]]),
         gen=g_static)

# float32: PyTorch's float32 kernels at float32 inputs (1e-5 relative in the fixture test),
# one case per function and option above, from a generator of their own (the float64 cases
# stay as recorded).
g32 = torch.Generator().manual_seed(20261210)
f32 = torch.float32
for name, sx, sy in [("matrix", (2, 3), (3, 2)), ("vector_matrix", (3,), (3, 2)), ("batched_broadcast", (1, 2, 3), (2, 3, 2))]:
    y32 = eighths(g32, sy).float()
    record(f"linalg/matmul/{name}/left/float32", sx, lambda xt, y=y32: f"matmul({xt}, {literal(y)})",
           lambda xx, y=y32: torch.matmul(xx, y), f32, g32)
record("linalg/transpose/negative/float32", (2, 2, 3), lambda xt: f"transpose({xt}, -1, -2)",
       lambda xx: torch.transpose(xx, -1, -2), f32, g32)
w32 = eighths(g32, (2, 3)).float()
record("linalg/syntax/x_at_w_T/float32", (4, 3), lambda xt: f"{xt} @ {literal(w32)}.T", lambda xx: xx @ w32.T, f32, g32)
k32 = (eighths(g32, (3, 4)) / 2).float()
record("linalg/attention/scores_by_query/float32", (2, 4),
       lambda xt: f"softmax(matmul({xt}, transpose({literal(k32)}, 0, 1)), dim=-1)",
       lambda xx: torch.softmax(torch.matmul(xx, k32.transpose(0, 1)), dim=-1), f32, g32)
record("linalg/reshape/inferred/float32", (2, 2, 3), lambda xt: f"reshape({xt}, [-1, 3])",
       lambda xx: torch.reshape(xx, [-1, 3]), f32, g32)
sdpa_case("linalg/sdpa/batched_float_mask/float32", (2, 3, 2), (2, 4, 2), (2, 4, 3), mask=eighths(g32, (3, 4)),
          dtype=f32, gen=g32)
sdpa_case("linalg/sdpa/heads_bool_mask/float32", (1, 2, 2, 2), (1, 2, 3, 2), (1, 2, 3, 2),
          mask=torch.tensor([[[[True, False, True], [True, True, False]]]]), dtype=f32, gen=g32)
sdpa_case("linalg/sdpa/gqa/float32", (1, 4, 2, 2), (1, 2, 3, 2), (1, 2, 3, 2), enable_gqa=True, dtype=f32, gen=g32)
sdpa_case("linalg/sdpa/causal_batched/float32", (2, 3, 2), (2, 3, 2), (2, 3, 2), is_causal=True, scale=0.5,
          dtype=f32, gen=g32)
mha_case("linalg/mha/self_attention_output/float32", (3, 2, 4), 0, 2, dtype=f32, gen=g32)
mha_case("linalg/mha/weights_per_head_bool_mask/float32", (3, 1, 4), 1, 2,
         attn_mask=torch.tensor([[False, True, False], [False, False, True], [True, False, False]]),
         average_attn_weights=False, dtype=f32, gen=g32)
mha_case("linalg/mha/averaged_weights_key_padding/float32", (3, 2, 2), 1, 2,
         key_padding_mask=torch.tensor([[False, False, True], [False, True, False]]), dtype=f32, gen=g32)
mha_case("linalg/mha/bias_kv_zero_attn_weights/float32", (2, 2, 4), 1, 2, bias_kv=True, zero_attn=True,
         attn_mask=torch.tensor([[False, True], [False, False]]), average_attn_weights=False, dtype=f32, gen=g32)
mha_case("linalg/mha/decoder_self_attention_masks/float32", (3, 2, 2), 0, 1,
         attn_mask=torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float32),
         key_padding_mask=torch.tensor([[False, False, True], [False, False, False]]), is_causal=True,
         need_weights=False, dtype=f32, gen=g32)
mha_case("linalg/mha/static_kv_weights_per_head/float32", (2, 2, 4), 1, 2, static_kv=(4, 3, 2),
         average_attn_weights=False, dtype=f32, gen=g32)


# Fully masked rows (README's divergence table), kept out of the fixture set: PyTorch's values
# with a row of attn_mask all True (masked), for need_weights=True (plain softmax: NaN) and
# need_weights=False (SDPA's safe softmax: 0), beside PyTorch's values with that row unmasked:
# softmax(s - t) = softmax(s), SymGrad's same-rate limit, computed by PyTorch.
FULLY_MASKED = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "attention-fully-masked-rows.json")
fully_masked = []
xm = eighths(g, (3, 1, 4))
names_m, xt_m = symbols(xm.shape)
w_in_m, b_in_m = eighths(g, (12, 4)), eighths(g, (12,))
w_out_m, b_out_m = eighths(g, (4, 4)), eighths(g, (4,))
masked_row = torch.tensor([[False, True, False], [True, True, True], [False, False, True]])
unmasked_row = torch.tensor([[False, True, False], [False, False, False], [False, False, True]])
for cid, item, need in [("output_need_weights", 0, True), ("weights", 1, True), ("output_fused", 0, False)]:
    def call(mask, xx):
        return F.multi_head_attention_forward(xx, xx, xx, 4, 2, w_in_m, b_in_m, None, None, False, 0.0, w_out_m,
                                              b_out_m, attn_mask=mask, need_weights=need)[item]
    expr = (f"multi_head_attention_forward({xt_m}, {xt_m}, {xt_m}, 4, 2, {literal(w_in_m)}, {literal(b_in_m)}, "
            f"None, None, False, 0.0, {literal(w_out_m)}, {literal(b_out_m)}, attn_mask={text(masked_row)}, "
            f"need_weights={need})[{item}]")
    xx = xm.clone().requires_grad_(True)
    masked = case(f"mha/fully_masked_row/{cid}", "linalg", expr, names_m, xx, call(masked_row, xx))
    xx = xm.clone().requires_grad_(True)
    reference = case(f"mha/fully_masked_row/{cid}/row_unmasked", "linalg", expr, names_m, xx, call(unmasked_row, xx))
    fully_masked.append({"id": masked["id"], "expr": expr, "wrt": names_m, "at": masked["at"],
                         "masked_row": 1, "pytorch": {"output": masked["output"], "jacobian": masked["jacobian"]},
                         "row_unmasked": {"output": reference["output"], "jacobian": reference["jacobian"]},
                         "output_shape": masked["output_shape"]})
with open(FULLY_MASKED, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_linalg.py", "torch_version": torch.__version__,
               "cases": fully_masked}, f, separators=(",", ":"))
    f.write("\n")

# SymGrad's attention_weights(q, k, attn_mask, ...): the softmax weights of
# scaled_dot_product_attention, which PyTorch does not return; PyTorch's own weights are its
# attention of the S x S identity as the value (softmax(scores) @ I), recorded that way.
# A generator of its own, after every case above.
ga = torch.Generator().manual_seed(20261208)


def weights_case(cid, qshape, kshape, mask=None, dtype=torch.float64, **options):
    k = eighths(ga, kshape).to(dtype)
    eye = torch.eye(kshape[-2], dtype=dtype)
    mask, words = attention_options(mask, dtype, options)
    record(cid, qshape, lambda xt: f"attention_weights({xt}, {literal(k)}{words})",
           lambda xx: F.scaled_dot_product_attention(xx, k, eye, attn_mask=mask, **options), dtype, ga)


for dtype, suffix in [(torch.float64, ""), (torch.float32, "/float32")]:
    weights_case(f"linalg/attention_weights/plain{suffix}", (2, 2), (3, 2), dtype=dtype)
    weights_case(f"linalg/attention_weights/bool_mask_batched{suffix}", (2, 2, 2), (2, 3, 2),
                 mask=torch.tensor([[True, False, True], [True, True, False]]), dtype=dtype)
    weights_case(f"linalg/attention_weights/float_mask_scale{suffix}", (3, 2), (3, 2), mask=eighths(ga, (3, 3)),
                 scale=0.5, dtype=dtype)
    weights_case(f"linalg/attention_weights/causal_heads{suffix}", (1, 2, 3, 2), (1, 2, 3, 2), is_causal=True,
                 dtype=dtype)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/record_pytorch_linalg.py", "torch_version": torch.__version__, "cases": cases}, f,
              separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {OUT}")
