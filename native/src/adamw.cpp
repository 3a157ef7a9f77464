#include "adamw.h"
#include "backend_session.h"

#include <algorithm>
#include <cmath>

namespace polytune {

namespace {

struct optimizer_graphs {
    ggml_context_ptr ctx;
    ggml_cgraph * norm = nullptr, * update = nullptr;
    ggml_tensor * norm2 = nullptr;
};

// The squared global norm of the gradients, and AdamW over gradients scaled by `grad_scale`.
optimizer_graphs build_graphs(const std::vector<trainable_tensor> & tensors, ggml_tensor * params, ggml_tensor * grad_scale) {
    const size_t gsize = std::max<size_t>(64, tensors.size() * 4 + 16);
    ggml_init_params ip = {ggml_tensor_overhead() * gsize * 2 + 2 * ggml_graph_overhead_custom(gsize, false), nullptr, true};
    optimizer_graphs g;
    g.ctx.reset(ggml_init(ip));
    ggml_context * ctx = g.ctx.get();
    g.norm = ggml_new_graph_custom(ctx, gsize, false);
    ggml_tensor * sum = nullptr;
    for (const auto & t : tensors) {
        ggml_tensor * s = ggml_sum(ctx, ggml_sqr(ctx, t.grad));
        sum = sum ? ggml_add(ctx, sum, s) : s;
    }
    g.norm2 = sum;
    ggml_set_output(g.norm2);
    ggml_build_forward_expand(g.norm, g.norm2);
    g.update = ggml_new_graph_custom(ctx, gsize, false);
    for (const auto & t : tensors) {
        ggml_tensor * grad = ggml_mul(ctx, t.grad, grad_scale);
        ggml_build_forward_expand(g.update, ggml_opt_step_adamw(ctx, t.param, grad, t.m, t.v, params));
    }
    return g;
}

void check_graphs(const backend_session & backend, const optimizer_graphs & g) {
    for (ggml_cgraph * gf : {g.norm, g.update}) {
        for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
            ggml_tensor * node = ggml_graph_node(gf, i);
            if (!backend.supports(node)) throw trainer_error("unsupported-op", backend.name() + " cannot compute " + ggml_op_desc(node) + " for the optimizer");
        }
    }
}

} // namespace

void adamw::check_supported(const backend_session & backend, const std::vector<trainable_tensor> & tensors) {
    ggml_init_params ip = {ggml_tensor_overhead() * 2, nullptr, true};
    ggml_context_ptr ctx(ggml_init(ip));
    check_graphs(backend, build_graphs(tensors, ggml_new_tensor_1d(ctx.get(), GGML_TYPE_F32, 7), ggml_new_tensor_1d(ctx.get(), GGML_TYPE_F32, 1)));
}

adamw::adamw(const backend_session & backend, std::vector<trainable_tensor> tensors, const adamw_hparams & hp) : backend_(backend), tensors_(std::move(tensors)), hp_(hp) {
    ggml_init_params ip = {ggml_tensor_overhead() * 2, nullptr, true};
    inputs_ctx_.reset(ggml_init(ip));
    params_ = ggml_new_tensor_1d(inputs_ctx_.get(), GGML_TYPE_F32, 7);
    grad_scale_ = ggml_new_tensor_1d(inputs_ctx_.get(), GGML_TYPE_F32, 1);
    inputs_buf_.reset(ggml_backend_alloc_ctx_tensors(inputs_ctx_.get(), backend.get()));
    optimizer_graphs g = build_graphs(tensors_, params_, grad_scale_);
    check_graphs(backend, g);
    graph_ctx_ = std::move(g.ctx);
    norm_graph_ = g.norm;
    update_graph_ = g.update;
    norm2_ = g.norm2;
    update_galloc_.reset(ggml_gallocr_new(backend.buffer_type()));
    norm_galloc_.reset(ggml_gallocr_new(backend.buffer_type()));
    if (!inputs_buf_ || !ggml_gallocr_alloc_graph(update_galloc_.get(), update_graph_) || !ggml_gallocr_alloc_graph(norm_galloc_.get(), norm_graph_)) {
        throw trainer_error("out-of-memory", "out of memory on " + backend.description() + " for the optimizer" + backend.free_memory_note());
    }
}

void adamw::step(float lr, int64_t t, int64_t tokens) {
    const float inv = 1.0f / (float) tokens;
    float clip = 1.0f;
    if (hp_.grad_clip > 0) {
        backend_.compute(norm_graph_, "gradient norm");
        float norm2 = 0;
        ggml_backend_tensor_get(norm2_, &norm2, 0, sizeof(float));
        if (!std::isfinite(norm2)) throw trainer_error("non-finite", "the gradients are not finite (learning rate too high?)");
        const float norm = std::sqrt(norm2) * inv;
        if (norm > hp_.grad_clip) clip = hp_.grad_clip / norm;
    }
    const float params[7] = {lr, hp_.beta1, hp_.beta2, hp_.eps, hp_.weight_decay,
                             1.0f / (1.0f - std::pow(hp_.beta1, (float) t)), 1.0f / (1.0f - std::pow(hp_.beta2, (float) t))};
    const float scale = inv * clip;
    ggml_backend_tensor_set(params_, params, 0, sizeof(params));
    ggml_backend_tensor_set(grad_scale_, &scale, 0, sizeof(float));
    backend_.compute(update_graph_, "optimizer step");
}

int64_t adamw::bytes() const { return (int64_t) ggml_backend_buffer_get_size(inputs_buf_.get()); }

int64_t adamw::compute_bytes() const { return (int64_t) ggml_gallocr_get_buffer_size(update_galloc_.get(), 0); }

} // namespace polytune
