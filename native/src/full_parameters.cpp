#include "full_parameters.h"
#include "backend_session.h"
#include "base_model.h"

namespace polytune {

void full_parameters::check(const trainer_options & opts) {
    if (opts.keep_base_type) {
        throw trainer_error("bad-input", "full-parameter training holds every weight in F32; keeping the base weights as stored (keepBaseType) applies to LoRA only");
    }
}

full_parameters::full_parameters(const base_model & model, const backend_session & backend) {
    const auto & weights = model.weights();
    ggml_init_params ip = {ggml_tensor_overhead() * (weights.size() * 2 + 4), nullptr, true};
    moments_ctx_.reset(ggml_init(ip));
    grad_ctx_.reset(ggml_init(ip));
    for (const auto & [name, w] : weights) {
        if (w->type != GGML_TYPE_F32) throw trainer_error("bad-input", "'" + name + "' is not held in F32, which full-parameter training needs");
        ggml_set_param(w);
        trainable_tensor t;
        t.param = w;
        t.grad = ggml_dup_tensor(grad_ctx_.get(), w);
        t.m = ggml_dup_tensor(moments_ctx_.get(), w);
        t.v = ggml_dup_tensor(moments_ctx_.get(), w);
        tensors_.push_back(t);
    }
    moments_buf_.reset(ggml_backend_alloc_ctx_tensors(moments_ctx_.get(), backend.get()));
    if (moments_buf_) grad_buf_.reset(ggml_backend_alloc_ctx_tensors(grad_ctx_.get(), backend.get()));
    if (!moments_buf_ || !grad_buf_) {
        throw trainer_error("out-of-memory", "out of memory on " + backend.description() + " for the gradients and optimizer moments of every weight (3 × " +
                                                 std::to_string(parameters() * 4 >> 20) + " MiB)" + backend.free_memory_note());
    }
    ggml_backend_buffer_clear(moments_buf_.get(), 0);
    ggml_backend_buffer_clear(grad_buf_.get(), 0);
}

int64_t full_parameters::parameters() const {
    int64_t n = 0;
    for (const auto & t : tensors_) n += ggml_nelements(t.param);
    return n;
}

int64_t full_parameters::optimizer_bytes() const {
    return (int64_t) ggml_backend_buffer_get_size(moments_buf_.get()) + (int64_t) ggml_backend_buffer_get_size(grad_buf_.get());
}

} // namespace polytune
