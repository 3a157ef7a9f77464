// Full-parameter training's state: every weight of the base model (held in F32) as a parameter, with
// its gradient accumulator and both AdamW moments (ADR 0034). The weights stay owned by base_model, so
// the forward graph is the same one LoRA training builds; this class owns only what training adds.
#pragma once

#include <string>
#include <vector>

#include "ggml-cpp.h"
#include "trainable.h"
#include "trainer_types.h"

namespace polytune {

class backend_session;
class base_model;

class full_parameters {
public:
    // Refuses options full-parameter training cannot honour, before anything is opened.
    static void check(const trainer_options & opts);
    // Marks every weight of `model` (rope_freqs excepted) as a parameter; a tied output head is the
    // token embedding, so that one tensor gets the gradients of both uses.
    full_parameters(const base_model & model, const backend_session & backend);

    // In the model's load order, named by their GGUF names.
    const std::vector<trainable_tensor> & tensors() const { return tensors_; }
    void clear_grads() { ggml_backend_buffer_clear(grad_buf_.get(), 0); }
    int64_t parameters() const;
    // bytes of the gradient accumulators and both moments
    int64_t optimizer_bytes() const;

private:
    ggml_context_ptr moments_ctx_;
    ggml_backend_buffer_ptr moments_buf_;
    ggml_context_ptr grad_ctx_;      // cleared after each update
    ggml_backend_buffer_ptr grad_buf_;
    std::vector<trainable_tensor> tensors_;
};

} // namespace polytune
