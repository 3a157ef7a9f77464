// LoRA training on a GGUF base model with the public ggml API (ggml.h, ggml-backend.h, gguf.h).
// Base weights are held in F32 (dequantized on load: the GPU backward of a matrix product needs F32),
// the LoRA tensors are the only parameters, the loss is taken on supervised positions only (gathered
// with get_rows before the output head), and AdamW runs on the host over the LoRA tensors.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct ggml_tensor;
struct ggml_context;
struct ggml_backend;
struct ggml_backend_buffer;
struct ggml_gallocr;

namespace polytune {

struct trainer_options {
    std::string model_path;
    std::string backends_dir;        // folder with the prebuilt ggml backends (loaded once)
    std::vector<std::string> targets; // q k v o gate up down
    int rank = 8;
    float alpha = 16.0f;
    uint32_t seed = 1;
    int threads = 0;                  // 0: hardware concurrency
};

struct adam_options {
    float lr = 1e-4f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
    float weight_decay = 0.0f;
    float grad_clip = 1.0f;           // 0: off
};

struct hparams {
    std::string arch;
    int n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, n_ff = 0, n_vocab = 0, n_rot = 0, n_ctx_orig = 0;
    int rope_mode = 0;
    float freq_base = 10000.0f, freq_scale = 1.0f, rms_eps = 1e-5f;
    bool qkv_bias = false, qk_norm = false;
    int head_dim() const { return n_embd / n_head; }
};

struct lora_pair {
    std::string base_name;   // e.g. blk.0.attn_q.weight
    int layer = 0;
    std::string target;      // q k v o gate up down
    int n_in = 0, n_out = 0;
    ggml_tensor * a = nullptr;   // ne = [n_in, r]
    ggml_tensor * b = nullptr;   // ne = [r, n_out]
};

struct layer_weights {
    ggml_tensor * attn_norm = nullptr, * wq = nullptr, * wk = nullptr, * wv = nullptr, * wo = nullptr;
    ggml_tensor * bq = nullptr, * bk = nullptr, * bv = nullptr, * q_norm = nullptr, * k_norm = nullptr;
    ggml_tensor * ffn_norm = nullptr, * w_gate = nullptr, * w_up = nullptr, * w_down = nullptr;
    std::map<std::string, lora_pair *> lora;
};

struct step_result {
    double loss_sum = 0;    // summed over supervised tokens
    int64_t tokens = 0;     // supervised tokens
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

    // forward + backward for one sequence; gradients are added to the host accumulators
    step_result accumulate(const std::vector<int32_t> & tokens, const std::vector<uint8_t> & target);
    // loss only (validation)
    step_result eval(const std::vector<int32_t> & tokens, const std::vector<uint8_t> & target);
    // AdamW over the accumulated gradients (mean over supervised tokens), then clears them
    void update(const adam_options & adam);
    // logits for every position, [T][n_vocab]
    std::vector<float> logits(const std::vector<int32_t> & tokens);
    // gradients of the summed loss for one sequence, without touching the accumulators
    step_result gradients(const std::vector<int32_t> & tokens, const std::vector<uint8_t> & target,
                          std::map<std::string, std::vector<float>> & out);

    std::vector<std::string> param_names() const;
    std::vector<float> get_param(const std::string & name) const;
    void set_param(const std::string & name, const std::vector<float> & data);

    void save_adapter(const std::string & path) const;
    void save_checkpoint(const std::string & path) const;
    void load_checkpoint(const std::string & path);

    std::mutex mutex;

private:
    trainer_options opts_;
    hparams hp_;
    ggml_backend * backend_ = nullptr;
    ggml_context * weights_ctx_ = nullptr;
    ggml_backend_buffer * weights_buf_ = nullptr;
    ggml_context * lora_ctx_ = nullptr;
    ggml_backend_buffer * lora_buf_ = nullptr;
    ggml_gallocr * galloc_ = nullptr;
    ggml_tensor * tok_embd_ = nullptr, * output_norm_ = nullptr, * output_ = nullptr;
    std::vector<layer_weights> layers_;
    std::vector<std::unique_ptr<lora_pair>> loras_;
    std::vector<std::vector<float>> grad_acc_, adam_m_, adam_v_;
    int64_t acc_tokens_ = 0;
    int64_t step_ = 0;
    int64_t base_bytes_ = 0;

    void load_model();
    void init_lora();
    lora_pair * find_param(const std::string & name, bool & is_a) const;
    // builds the forward pass to the final norm; returns hidden states [n_embd, T]
    ggml_tensor * build_hidden(ggml_context * ctx, ggml_tensor * tokens, ggml_tensor * pos, ggml_tensor * mask, int T);
    ggml_tensor * project(ggml_context * ctx, ggml_tensor * w, ggml_tensor * x, lora_pair * lp);
    step_result run_loss(const std::vector<int32_t> & tokens, const std::vector<uint8_t> & target, bool backward,
                         std::map<std::string, std::vector<float>> * grads_out, bool accumulate_grads);
    void validate(const std::vector<int32_t> & tokens, const std::vector<uint8_t> * target) const;
};

} // namespace polytune
