#include "llama_graph.h"
#include "base_model.h"
#include "lora_adapters.h"

#include <cmath>

namespace polytune {

ggml_tensor * project(ggml_context * ctx, ggml_tensor * w, ggml_tensor * x, const lora_adapters * adapters, const lora_pair * lp, const dropout_rows & drop) {
    ggml_tensor * y = ggml_mul_mat(ctx, w, x);
    if (lp) {
        const lora_adapters & lora = *adapters;
        float scale = lora.scale();
        auto rows = drop.find(lp);
        if (rows != drop.end()) {
            // Dropout on the adapter's input, as PEFT does: x · keep-mask, and 1/(1-p) folded into the scale.
            x = ggml_mul(ctx, x, ggml_get_rows(ctx, lora.dropout_table(lp->n_in), rows->second));
            scale /= 1.0f - lora.config().dropout;
        }
        ggml_tensor * ax = ggml_mul_mat(ctx, lp->a.param, x);
        ggml_tensor * bax = ggml_mul_mat(ctx, lp->b.param, ax);
        y = ggml_add(ctx, y, ggml_scale(ctx, bax, scale));
    }
    return y;
}

// R rows of C tokens each (sequences packed into rows, each attending only to itself); the rows are
// folded into the head dimension for attention, which keeps every tensor 3-D for the GQA backward.
ggml_tensor * build_hidden(ggml_context * ctx, const base_model & model, const lora_adapters * lora, ggml_tensor * tokens, ggml_tensor * pos, ggml_tensor * mask, int C, int R,
                           const dropout_rows & drop) {
    const hparams & hp = model.hp();
    const int hd = hp.head_dim();
    const int nh = hp.n_head, nkv = hp.n_head_kv;
    const int T = C * R;
    const float kq_scale = 1.0f / std::sqrt((float) hd);
    ggml_tensor * x = ggml_get_rows(ctx, model.tok_embd(), tokens);
    for (int l = 0; l < hp.n_layer; ++l) {
        const layer_weights & L = model.layer(l);
        auto adapter = [&](const char * t) { return lora ? lora->find(l, t) : nullptr; };
        ggml_tensor * cur = ggml_mul(ctx, ggml_rms_norm(ctx, x, hp.rms_eps), L.attn_norm);
        ggml_tensor * q = project(ctx, L.wq, cur, lora, adapter("q"), drop);
        ggml_tensor * k = project(ctx, L.wk, cur, lora, adapter("k"), drop);
        ggml_tensor * v = project(ctx, L.wv, cur, lora, adapter("v"), drop);
        if (L.bq) q = ggml_add(ctx, q, L.bq);
        if (L.bk) k = ggml_add(ctx, k, L.bk);
        if (L.bv) v = ggml_add(ctx, v, L.bv);
        if (hp.qk_norm) {
            // Over [hd, heads, C, R]: GPU norms launch per row with each dimension capped at 65535, so
            // neither T nor heads·T may be one dimension.
            q = ggml_mul(ctx, ggml_rms_norm(ctx, ggml_reshape_4d(ctx, q, hd, nh, C, R), hp.rms_eps), L.q_norm);
            k = ggml_mul(ctx, ggml_rms_norm(ctx, ggml_reshape_4d(ctx, k, hd, nkv, C, R), hp.rms_eps), L.k_norm);
        }
        q = ggml_reshape_3d(ctx, q, hd, nh, T);
        k = ggml_reshape_3d(ctx, k, hd, nkv, T);
        v = ggml_reshape_3d(ctx, v, hd, nkv, T);
        q = ggml_rope_ext(ctx, q, pos, model.rope_freqs(), hp.n_rot, hp.rope_mode, hp.n_ctx_orig, hp.freq_base, hp.freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
        k = ggml_rope_ext(ctx, k, pos, model.rope_freqs(), hp.n_rot, hp.rope_mode, hp.n_ctx_orig, hp.freq_base, hp.freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
        // [hd, heads, C, R] → [hd, C, heads·R]: query head h of row r sits at h + nh·r, and its kv head
        // (h / (nh/nkv)) + nkv·r is exactly what mul_mat's broadcast picks.
        ggml_tensor * Q = ggml_reshape_3d(ctx, ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_4d(ctx, q, hd, nh, C, R), 0, 2, 1, 3)), hd, C, nh * R);
        ggml_tensor * K = ggml_reshape_3d(ctx, ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_4d(ctx, k, hd, nkv, C, R), 0, 2, 1, 3)), hd, C, nkv * R);
        ggml_tensor * kq = ggml_mul_mat(ctx, K, Q);                                   // [C_k, C_q, nh·R]
        // The mask is added per row before the softmax ([C, C, 1, R] broadcast over heads), so that the
        // softmax's output feeds mul_mat directly: read through a view, its backward comes out wrong.
        kq = ggml_add(ctx, ggml_reshape_4d(ctx, ggml_scale(ctx, kq, kq_scale), C, C, nh, R), mask);
        kq = ggml_soft_max(ctx, ggml_reshape_3d(ctx, kq, C, C, nh * R));
        ggml_tensor * Vt = ggml_reshape_3d(ctx, ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_4d(ctx, v, hd, nkv, C, R), 1, 2, 0, 3)), C, hd, nkv * R);
        ggml_tensor * kqv = ggml_mul_mat(ctx, Vt, kq);                                // [hd, C_q, nh·R]
        ggml_tensor * o = ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_4d(ctx, kqv, hd, C, nh, R), 0, 2, 1, 3)); // [hd, nh, C, R]
        o = ggml_reshape_2d(ctx, o, (int64_t) hd * nh, T);
        ggml_tensor * attn = project(ctx, L.wo, o, lora, adapter("o"), drop);
        if (L.bo) attn = ggml_add(ctx, attn, L.bo);
        x = ggml_add(ctx, x, attn);
        cur = ggml_mul(ctx, ggml_rms_norm(ctx, x, hp.rms_eps), L.ffn_norm);
        ggml_tensor * gate = project(ctx, L.w_gate, cur, lora, adapter("gate"), drop);
        ggml_tensor * up = project(ctx, L.w_up, cur, lora, adapter("up"), drop);
        if (L.b_gate) gate = ggml_add(ctx, gate, L.b_gate);
        if (L.b_up) up = ggml_add(ctx, up, L.b_up);
        ggml_tensor * down = project(ctx, L.w_down, ggml_swiglu_split(ctx, gate, up), lora, adapter("down"), drop);
        if (L.b_down) down = ggml_add(ctx, down, L.b_down);
        x = ggml_add(ctx, x, down);
    }
    return ggml_mul(ctx, ggml_rms_norm(ctx, x, hp.rms_eps), model.output_norm());
}

ggml_tensor * masked_loss(ggml_context * ctx, ggml_tensor * logits, ggml_tensor * picks, int64_t V, int S) {
    // -log softmax at each label, gathered from the flattened probabilities: no [V, S] one-hot input,
    // which would cross the bus every step (on GPUs the gather's backward is lowered, ADR 0012). The tiny
    // bias keeps log finite should a probability underflow; it is also a real copy, which the gather
    // needs: gathering from a view of soft_max's output directly gets a wrong backward from ggml's
    // allocator (the softmax gradient is skipped).
    ggml_tensor * probs = ggml_scale_bias(ctx, ggml_soft_max(ctx, logits), 1.0f, 1e-30f);
    ggml_tensor * p_label = ggml_get_rows(ctx, ggml_reshape_2d(ctx, probs, 1, V * S), picks); // [1, S]
    return ggml_scale(ctx, ggml_sum(ctx, ggml_log(ctx, p_label)), -1.0f);
}

} // namespace polytune
