// The llama-family forward graph with LoRA on the targeted projections (none in full-parameter
// training, where the base weights themselves are the parameters), and the masked loss.
#pragma once

#include <cstdint>
#include <map>

struct ggml_context;
struct ggml_tensor;

namespace polytune {

class base_model;
class lora_adapters;
struct lora_pair;

// Each adapter's dropout row indices in the graph being built (training with dropout only).
using dropout_rows = std::map<const lora_pair *, ggml_tensor *>;

// W·x, plus the adapter's scale·B·A·x where `lp` is set (then `lora` is its adapters).
ggml_tensor * project(ggml_context * ctx, ggml_tensor * w, ggml_tensor * x, const lora_adapters * lora, const lora_pair * lp, const dropout_rows & drop);

// The forward pass to the final norm over R rows of C tokens; returns hidden states [n_embd, C*R].
// `lora` is null without adapters.
ggml_tensor * build_hidden(ggml_context * ctx, const base_model & model, const lora_adapters * lora, ggml_tensor * tokens, ggml_tensor * pos, ggml_tensor * mask, int C, int R,
                           const dropout_rows & drop);

// −Σ log softmax(logits)[label] over S positions; `picks` holds s·V + label_s.
ggml_tensor * masked_loss(ggml_context * ctx, ggml_tensor * logits, ggml_tensor * picks, int64_t V, int S);

} // namespace polytune
