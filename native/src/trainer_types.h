// Plain values the trainer's parts share: options, the model's hyperparameters, a micro-batch, results
// and the error type the addon turns into a JS error with a code.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace polytune {

// An error with a machine-readable code (out-of-memory, backend-unavailable, unsupported-op, …) that
// the addon passes to JavaScript as error.code.
struct trainer_error : std::runtime_error {
    std::string code;
    trainer_error(std::string c, const std::string & message) : std::runtime_error(message), code(std::move(c)) {}
};

// What the LoRA adapters are: which projections, their size and scaling, dropout and the seed of A.
struct lora_config {
    std::vector<std::string> targets;      // q k v o gate up down output
    int rank = 0;
    float alpha = 0.0f;
    bool rslora = false;                   // scale alpha/sqrt(r) instead of alpha/r
    float dropout = 0.0f;                  // LoRA dropout on each adapted projection's input, in training only
    uint32_t seed = 0;
};

struct trainer_options {
    std::string model_path;
    std::string backends_dir;              // folder with the prebuilt CPU ggml backends (loaded once)
    std::string backend = "cpu";           // cpu | vulkan | cuda | metal | auto
    std::vector<std::string> backend_libs; // candidate GPU backend libraries, tried in order
    int device = 0;                        // index among the backend's devices
    int threads = 0;                       // 0: hardware concurrency
    bool keep_base_type = false;           // hold F16/quantized matrices as stored (plus a transposed copy), not in F32
    std::string method = "lora";           // lora: train adapters on a frozen base; full: train every base weight
    lora_config lora;                      // lora only
    bool full() const { return method == "full"; }
};

// AdamW's fixed hyperparameters (the learning rate is given per step).
struct adamw_hparams {
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
    float weight_decay = 0.0f;
    float grad_clip = 1.0f;                // 0: off
    bool operator==(const adamw_hparams & o) const {
        return beta1 == o.beta1 && beta2 == o.beta2 && eps == o.eps && weight_decay == o.weight_decay && grad_clip == o.grad_clip;
    }
    bool operator!=(const adamw_hparams & o) const { return !(*this == o); }
};

struct hparams {
    std::string arch;
    int n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, n_ff = 0, n_vocab = 0, n_rot = 0, n_ctx_orig = 0;
    int n_embd_head = 0;   // attention.key_length: Qwen3 0.6B/4B and Mistral Nemo differ from n_embd / n_head
    int rope_mode = 0;
    float freq_base = 10000.0f, freq_scale = 1.0f, rms_eps = 1e-5f;
    bool qkv_bias = false, qk_norm = false, tied_output = false;
    bool rope_freqs = false;  // Llama 3.1+ frequency factors (rope_freqs.weight)
    int head_dim() const { return n_embd_head; }
};

struct step_result {
    double loss_sum = 0;    // summed over supervised tokens
    int64_t tokens = 0;     // supervised tokens
};

// Sequences of one micro-batch: concatenated tokens and target flags, with each sequence's length.
struct batch {
    std::vector<int32_t> tokens;
    std::vector<uint8_t> target;
    std::vector<int32_t> lengths;
};

struct memory_report {
    int64_t weights = 0, lora = 0, optimizer = 0, compute = 0;
    int64_t device_free = -1, device_total = -1;
};

} // namespace polytune
