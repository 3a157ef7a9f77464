// Rewrites of a backward graph for what the backend computes (ADRs 0010, 0012).
#pragma once

#include <cstddef>
#include <map>
#include <set>

struct ggml_context;
struct ggml_cgraph;
struct ggml_tensor;

namespace polytune {

class backend_session;

// ggml's backward of y = W·x computes W^T·dy as OUT_PROD(W, transpose(dy)); with W kept quantized or
// F16, GPU kernels refuse that (F32 only). Where `transposed` holds W^T it becomes MUL_MAT(W^T, dy).
void use_transposed(ggml_cgraph * gf, const std::map<ggml_tensor *, ggml_tensor *> & transposed);

// Backward nodes the backend cannot compute, rewritten into operations it can. Returns `gf`, or a
// rebuilt graph (twice `gsize`, in `ctx`) when anything was rewritten. `repeating_indices`: index inputs
// that may pick a row more than once (the token ids, whose embedding rows full-parameter training
// trains); the backward of their gathers must sum, which the set-rows rewrite cannot, so it is kept.
ggml_cgraph * lower_graph_for_backend(ggml_context * ctx, ggml_cgraph * gf, size_t gsize, const backend_session & backend,
                                      const std::set<const ggml_tensor *> & repeating_indices = {});

} // namespace polytune
