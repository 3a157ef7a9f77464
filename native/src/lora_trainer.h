// LoRA training on a GGUF base model with the public ggml API (ggml.h, ggml-backend.h, gguf.h).
// Base matrices are held as the file stores them (with a transposed copy for the backward) or in F32,
// the LoRA tensors are the only parameters, the loss is taken on supervised positions only, gradients
// accumulate on the device and AdamW runs there too (ggml_opt_step_adamw). See ADRs 0003, 0009, 0010.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

struct ggml_tensor;
struct ggml_context;
struct ggml_backend;
struct ggml_backend_buffer;
struct ggml_gallocr;
struct ggml_cgraph;
struct gguf_context;

namespace polytune {

// An error with a machine-readable code (out-of-memory, backend-unavailable, unsupported-op, …) that
// the addon passes to JavaScript as error.code.
struct trainer_error : std::runtime_error {
    std::string code;
    trainer_error(std::string c, const std::string & message) : std::runtime_error(message), code(std::move(c)) {}
};

struct trainer_options {
    std::string model_path;
    std::string backends_dir;              // folder with the prebuilt CPU ggml backends (loaded once)
    std::string backend = "cpu";           // cpu | vulkan | cuda | metal | auto
    std::vector<std::string> backend_libs; // candidate GPU backend libraries, tried in order
    int device = 0;                        // index among the backend's devices
    std::vector<std::string> targets;      // q k v o gate up down output
    int rank = 8;
    float alpha = 16.0f;
    bool rslora = false;                   // scale alpha/sqrt(r) instead of alpha/r
    bool keep_base_type = false;           // hold F16/quantized matrices as stored (plus a transposed copy), not in F32
    float dropout = 0.0f;                  // LoRA dropout on each adapted projection's input, in training only
    uint32_t seed = 1;
    int threads = 0;                       // 0: hardware concurrency
};

struct adam_options {
    float lr = 1e-4f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
    float weight_decay = 0.0f;
    float grad_clip = 1.0f;                // 0: off
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

struct lora_pair {
    std::string base_name;   // e.g. blk.0.attn_q.weight
    int layer = 0;           // -1 for the output head
    std::string target;      // q k v o gate up down output
    int n_in = 0, n_out = 0;
    ggml_tensor * w = nullptr;   // the base weight, F32
    ggml_tensor * a = nullptr;   // ne = [n_in, r]
    ggml_tensor * b = nullptr;   // ne = [r, n_out]
    ggml_tensor * ga = nullptr, * gb = nullptr;                 // gradient accumulators
    ggml_tensor * ma = nullptr, * va = nullptr, * mb = nullptr, * vb = nullptr; // Adam moments
};

struct layer_weights {
    ggml_tensor * attn_norm = nullptr, * wq = nullptr, * wk = nullptr, * wv = nullptr, * wo = nullptr;
    ggml_tensor * bq = nullptr, * bk = nullptr, * bv = nullptr, * bo = nullptr, * q_norm = nullptr, * k_norm = nullptr;
    ggml_tensor * ffn_norm = nullptr, * w_gate = nullptr, * w_up = nullptr, * w_down = nullptr;
    ggml_tensor * b_gate = nullptr, * b_up = nullptr, * b_down = nullptr;  // optional biases (llama-family files may carry them)
    std::map<std::string, lora_pair *> lora;
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

class lora_trainer {
public:
    explicit lora_trainer(const trainer_options & opts);
    ~lora_trainer();
    lora_trainer(const lora_trainer &) = delete;
    lora_trainer & operator=(const lora_trainer &) = delete;

    const hparams & hp() const { return hp_; }
    int64_t trainable_parameters() const;
    int64_t base_bytes() const { return base_bytes_; }
    int64_t step() const { return step_; }
    int rank() const { return opts_.rank; }
    float alpha() const { return opts_.alpha; }
    bool rslora() const { return opts_.rslora; }
    bool keeps_base_type() const { return opts_.keep_base_type; }
    float dropout() const { return opts_.dropout; }
    const std::string & backend_name() const { return backend_name_; }
    const std::string & device_description() const { return device_description_; }
    // Why `auto` computes on the CPU although a GPU was found (the GPU's backend cannot train); else empty.
    const std::string & backend_note() const { return backend_note_; }
    memory_report memory() const;

    // forward + backward over a micro-batch; gradients are added to the device accumulators. With
    // dropout, its masks are those of (step, index of the micro-batch since the last update).
    step_result accumulate(const batch & b);
    // loss only (validation); a dropout key >= 0 applies that key's dropout masks (for tests)
    step_result eval(const batch & b, int64_t dropout_key = -1);
    // AdamW over the accumulated gradients (mean over supervised tokens), then clears them
    void update(const adam_options & adam);
    // logits for every position of one sequence, [T][n_vocab]
    std::vector<float> logits(const std::vector<int32_t> & tokens);
    // gradients of the summed loss for one micro-batch (the accumulators must be empty and stay so)
    step_result gradients(const batch & b, std::map<std::string, std::vector<float>> & out, int64_t dropout_key = -1);
    // FLOP/s of an F32 matrix product of the given shape on this backend
    double matmul_rate(int n_in, int n_out, int tokens, int iterations);

    std::vector<std::string> param_names() const;
    std::vector<float> get_param(const std::string & name) const;
    void set_param(const std::string & name, const std::vector<float> & data);

    void save_adapter(const std::string & path) const;
    void save_checkpoint(const std::string & path) const;
    void load_checkpoint(const std::string & path);
    // sets the LoRA tensors from an adapter file (targets and rank must match it)
    void load_adapter(const std::string & path);
    // base + adapter → a complete GGUF model; type "source" keeps each tensor's type, else f16 or f32
    void export_merged(const std::string & path, const std::string & type);

    std::mutex mutex;

private:
    trainer_options opts_;
    hparams hp_;
    ggml_backend * backend_ = nullptr;
    std::string backend_name_, device_description_, backend_note_;
    std::string denied_ops_;  // test hook (POLYTUNE_TRAINER_UNSUPPORTED_OPS)
    void * device_ = nullptr;
    ggml_context * weights_ctx_ = nullptr;
    ggml_backend_buffer * weights_buf_ = nullptr;
    ggml_context * lora_ctx_ = nullptr;
    ggml_backend_buffer * lora_buf_ = nullptr;     // LoRA tensors, Adam moments, optimizer inputs
    std::map<ggml_tensor *, ggml_tensor *> transposed_;  // base matrix → its transposed copy (keep_base_type)
    ggml_context * acc_ctx_ = nullptr;
    ggml_backend_buffer * acc_buf_ = nullptr;      // gradient accumulators (cleared after each update)
    ggml_tensor * adamw_params_ = nullptr;         // [7]: lr, beta1, beta2, eps, wd, 1/(1-beta1^t), 1/(1-beta2^t)
    ggml_tensor * grad_scale_ = nullptr;           // [1]: 1/tokens × clip factor
    ggml_gallocr * galloc_ = nullptr;              // the training and evaluation graphs
    ggml_gallocr * opt_galloc_ = nullptr;          // the update graph
    ggml_gallocr * norm_galloc_ = nullptr;         // the gradient-norm graph (static graphs keep their own allocators)
    ggml_context * opt_ctx_ = nullptr;
    ggml_cgraph * norm_graph_ = nullptr, * update_graph_ = nullptr;
    ggml_tensor * norm2_ = nullptr;
    ggml_tensor * tok_embd_ = nullptr, * output_norm_ = nullptr, * output_ = nullptr, * rope_freqs_ = nullptr;
    lora_pair * output_lora_ = nullptr;
    std::vector<layer_weights> layers_;
    std::vector<std::unique_ptr<lora_pair>> loras_;
    int64_t acc_tokens_ = 0;
    int64_t micro_ = 0;                            // micro-batches accumulated since the last update
    // Dropout (ADR 0011): per input width, a table of random keep-rows [n_in, rows] drawn once from the
    // seed; each token of each adapted projection picks a row, chosen per micro-batch on the host.
    ggml_context * dropout_ctx_ = nullptr;
    ggml_backend_buffer * dropout_buf_ = nullptr;
    std::map<int64_t, ggml_tensor *> dropout_tables_;
    int64_t step_ = 0;
    int64_t base_bytes_ = 0;

    void init_backend();
    void load_model();
    void init_lora();
    void build_optimizer_graphs();
    void init_dropout();
    void use_transposed(ggml_cgraph * gf);
    float lora_scale() const;
    void compute(ggml_cgraph * gf, const char * what);
    void check_supported(ggml_cgraph * gf, const char * what, bool probe = false) const;
    void open_backend();
    void probe_training();
    void release_compute();
    ggml_cgraph * lower_for_backend(ggml_context * ctx, ggml_cgraph * gf, size_t gsize);
    bool backend_supports(const ggml_tensor * node) const;
    bool backend_does_out_prod() const;
    bool on_gpu() const;
    lora_pair * find_param(const std::string & name, bool & is_a) const;
    // the forward pass to the final norm over R rows of C tokens; returns hidden states [n_embd, C*R]
    // Each adapter's dropout row indices in the graph being built (training with dropout only).
    using dropout_rows = std::map<const lora_pair *, ggml_tensor *>;
    ggml_tensor * build_hidden(ggml_context * ctx, ggml_tensor * tokens, ggml_tensor * pos, ggml_tensor * mask, int C, int R, const dropout_rows & drop);
    ggml_tensor * project(ggml_context * ctx, ggml_tensor * w, ggml_tensor * x, lora_pair * lp, const dropout_rows & drop);
    step_result run_loss(const batch & b, bool backward, int64_t dropout_key, bool probe = false);
    void validate(const batch & b) const;
    void free_all();
};

} // namespace polytune

namespace polytune {
// Shared by the trainer's source files.
const std::map<std::string, std::string> & target_tensor_names();
uint32_t kv_u32(gguf_context * g, const std::string & key, uint32_t fallback, bool required);
float kv_f32(gguf_context * g, const std::string & key, float fallback);
std::string free_memory_note(void * device);
void dequantize_rows(int type, const uint8_t * raw, int64_t row, int64_t n, std::vector<float> & out, const std::string & name);
} // namespace polytune
