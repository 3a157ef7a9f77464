#include "graph_lowering.h"
#include "backend_session.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "ggml.h"

namespace polytune {

void use_transposed(ggml_cgraph * gf, const std::map<ggml_tensor *, ggml_tensor *> & transposed) {
    if (transposed.empty()) return;
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
        ggml_tensor * node = ggml_graph_node(gf, i);
        if (node->op != GGML_OP_OUT_PROD || node->src[1]->op != GGML_OP_TRANSPOSE) continue;
        auto it = transposed.find(node->src[0]);
        if (it == transposed.end()) continue;
        ggml_tensor * dy = node->src[1]->src[0];
        if (dy->ne[0] != it->second->ne[0]) continue;
        node->op = GGML_OP_MUL_MAT;
        node->src[0] = it->second;
        node->src[1] = dy;
        std::memset(node->op_params, 0, sizeof(node->op_params));
        // F32 accumulation: CUDA's cuBLAS path would otherwise sum an F16 W^T·dy in F16 and round the
        // activation gradients to F16.
        ggml_mul_mat_set_prec(node, GGML_PREC_F32);
    }
}

// Backward nodes the backend cannot compute, rewritten into operations it can (ADR 0012). Each node keeps
// its identity (its consumers are untouched): it becomes the last operation of an equivalent composition
// whose other operations are new nodes; the graph is then rebuilt in the same order. Vulkan's OUT_PROD
// needs contiguous operands (copies suffice); Metal has no OUT_PROD, SOFT_MAX_BACK, RMS_NORM_BACK,
// REPEAT_BACK or GET_ROWS_BACK at all. Anything still unsupported stays an error in check_supported.
ggml_cgraph * lower_graph_for_backend(ggml_context * ctx, ggml_cgraph * gf, size_t gsize, const backend_session & backend, const std::set<const ggml_tensor *> & repeating_indices) {
    int lowered = 0;
    auto become = [](ggml_tensor * node, ggml_op op, ggml_tensor * a, ggml_tensor * b) {
        node->op = op;
        std::fill(std::begin(node->src), std::end(node->src), nullptr);
        node->src[0] = a;
        node->src[1] = b;
        std::memset(node->op_params, 0, sizeof(node->op_params));
    };
    // CUDA's GET_ROWS_BACK loops over every index for every output element (V·S² for the labels' gather,
    // with one busy thread per block): on GPUs it is lowered even where supported. The CPU's scatters.
    const bool cpu = !backend.on_gpu();
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
        ggml_tensor * node = ggml_graph_node(gf, i);
        const bool summing_gather = node->op == GGML_OP_GET_ROWS_BACK && repeating_indices.count(node->src[1]);
        if (backend.supports(node) && (cpu || node->op != GGML_OP_GET_ROWS_BACK || summing_gather)) continue;
        if (summing_gather) continue;  // left for check_supported to name
        ggml_tensor * a = node->src[0], * b = node->src[1];
        switch (node->op) {
            case GGML_OP_OUT_PROD: {
                if (!ggml_is_contiguous(a) || !ggml_is_contiguous(b)) {
                    node->src[0] = ggml_is_contiguous(a) ? a : ggml_cont(ctx, a);
                    node->src[1] = ggml_is_contiguous(b) ? b : ggml_cont(ctx, b);
                    ++lowered;
                    if (backend.supports(node)) break;
                }
                // OUT_PROD(a, b)[i, j] = Σ_k a[i, k]·b[j, k] = MUL_MAT(aᵀ, bᵀ), broadcasting alike over dims 2-3.
                ggml_tensor * at = ggml_cont(ctx, ggml_transpose(ctx, a));
                ggml_tensor * bt = b->op == GGML_OP_TRANSPOSE && ggml_is_contiguous(b->src[0]) ? b->src[0] : ggml_cont(ctx, ggml_transpose(ctx, b));
                become(node, GGML_OP_MUL_MAT, at, bt);
                ++lowered;
                break;
            }
            case GGML_OP_SOFT_MAX_BACK: {
                // dx = scale · y ⊙ (dy − Σ y ⊙ dy), a = dy, b = y
                float scale = 1.0f, max_bias = 0.0f;
                std::memcpy(&scale, (const float *) node->op_params + 0, sizeof(float));
                std::memcpy(&max_bias, (const float *) node->op_params + 1, sizeof(float));
                if (max_bias != 0.0f) break;
                ggml_tensor * d = ggml_sub(ctx, a, ggml_sum_rows(ctx, ggml_mul(ctx, b, a)));
                become(node, GGML_OP_MUL, scale == 1.0f ? d : ggml_scale(ctx, d, scale), b);
                ++lowered;
                break;
            }
            case GGML_OP_RMS_NORM_BACK: {
                // x = b, dz = a: dx = (dz − y · mean(dz ⊙ y)) / rms, with y = x / rms and rms = sqrt(mean(x²) + eps)
                float eps = 0.0f;
                std::memcpy(&eps, node->op_params, sizeof(float));
                const float inv_n = 1.0f / (float) b->ne[0];
                ggml_tensor * rms = ggml_sqrt(ctx, ggml_scale_bias(ctx, ggml_sum_rows(ctx, ggml_sqr(ctx, b)), inv_n, eps));
                ggml_tensor * y = ggml_div(ctx, b, rms);
                ggml_tensor * m = ggml_scale(ctx, ggml_sum_rows(ctx, ggml_mul(ctx, a, y)), inv_n);
                become(node, GGML_OP_DIV, ggml_sub(ctx, a, ggml_mul(ctx, y, m)), rms);
                ++lowered;
                break;
            }
            case GGML_OP_REPEAT_BACK: {
                // The GQA broadcast's backward sums the 4th dimension (the head groups, 2 to 8 of them) of a
                // 4-D view: as a chain of additions of its slices.
                if (node->ne[0] != a->ne[0] || node->ne[1] != a->ne[1] || node->ne[2] != a->ne[2] || node->ne[3] != 1 || a->ne[3] < 2) break;
                auto slice = [&](int64_t j) { return ggml_view_3d(ctx, a, a->ne[0], a->ne[1], a->ne[2], a->nb[1], a->nb[2], (size_t) j * a->nb[3]); };
                ggml_tensor * sum = slice(0);
                for (int64_t j = 1; j + 1 < a->ne[3]; ++j) sum = ggml_add(ctx, sum, slice(j));
                become(node, GGML_OP_ADD, sum, slice(a->ne[3] - 1));
                ++lowered;
                break;
            }
            case GGML_OP_GET_ROWS_BACK: {
                // Both gathers (the supervised positions, the labels' probabilities) pick each row once, so
                // the backward sets rows into zeros. The zeros are filled in rows of a few thousand: the
                // labels' gather has rows of one, V·S of them, which GPUs would launch one by one.
                const int64_t n = node->ne[0] * node->ne[1];
                const int64_t w = std::gcd(n, (int64_t) 4096);
                ggml_tensor * zeros = ggml_fill(ctx, ggml_new_tensor_2d(ctx, GGML_TYPE_F32, w, n / w), 0.0f);
                become(node, GGML_OP_CONT, ggml_set_rows(ctx, ggml_reshape_2d(ctx, zeros, node->ne[0], node->ne[1]), a, b), nullptr);
                ++lowered;
                break;
            }
            default:
                break;
        }
    }
    if (lowered == 0) return gf;
    ggml_cgraph * out = ggml_new_graph_custom(ctx, 2 * gsize, true);
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) ggml_build_forward_expand(out, ggml_graph_node(gf, i));
    return out;
}

} // namespace polytune
