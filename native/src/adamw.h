// AdamW on the device (ggml_opt_step_adamw) over a list of trainable tensors, with global gradient-norm
// clipping. Owns its graphs, their allocators and its two small inputs; the moments belong to the
// tensors it updates (trainable.h), so a checkpoint can restore them before the first step.
#pragma once

#include <cstdint>
#include <vector>

#include "ggml-cpp.h"
#include "trainable.h"
#include "trainer_types.h"

namespace polytune {

class backend_session;

class adamw {
public:
    adamw(const backend_session & backend, std::vector<trainable_tensor> tensors, const adamw_hparams & hp);

    // Whether the backend can compute the optimizer's graphs, checked without allocating them.
    static void check_supported(const backend_session & backend, const std::vector<trainable_tensor> & tensors);

    const adamw_hparams & hparams() const { return hp_; }
    // One update of step `t` (1-based) over gradients summed over `tokens` supervised tokens.
    void step(float lr, int64_t t, int64_t tokens);
    int64_t bytes() const;          // the inputs
    int64_t compute_bytes() const;  // the update graph's compute buffer

private:
    const backend_session & backend_;
    std::vector<trainable_tensor> tensors_;
    adamw_hparams hp_;
    ggml_context_ptr inputs_ctx_;
    ggml_backend_buffer_ptr inputs_buf_;
    ggml_tensor * params_ = nullptr;      // [7]: lr, beta1, beta2, eps, wd, 1/(1-beta1^t), 1/(1-beta2^t)
    ggml_tensor * grad_scale_ = nullptr;  // [1]: 1/tokens × clip factor
    ggml_context_ptr graph_ctx_;
    ggml_cgraph * norm_graph_ = nullptr, * update_graph_ = nullptr;
    ggml_tensor * norm2_ = nullptr;
    // Each static graph keeps its own allocator, so neither overwrites the other's intermediate tensors.
    ggml_gallocr_ptr norm_galloc_, update_galloc_;
};

} // namespace polytune
