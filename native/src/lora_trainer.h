// Training on a GGUF base model with the public ggml API (ggml.h, ggml-backend.h, gguf.h): the
// coordinator of the parts in this folder. With LoRA, base matrices are held as the file stores them
// (with a transposed copy for the backward) or in F32 and the LoRA tensors are the only parameters;
// with full-parameter training every base weight (F32) is one (full_parameters). Either way the loss
// is taken on supervised positions only, gradients accumulate on the device and AdamW runs there too.
// The name stayed `lora_trainer` when full training joined: the addon, its tests and the ADRs all
// speak of it, and the method is one option of the same coordinator. See ADRs 0003, 0009, 0010, 0014, 0034.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ggml-cpp.h"
#include "trainable.h"
#include "trainer_types.h"

namespace polytune {

class adamw;
class backend_session;
class base_model;
class full_parameters;
class lora_adapters;

// One update: the learning rate of this step and AdamW's hyperparameters.
struct adam_options {
    float lr = 0.0f;
    adamw_hparams hp;
};

class lora_trainer {
public:
    explicit lora_trainer(const trainer_options & opts);
    ~lora_trainer();
    lora_trainer(const lora_trainer &) = delete;
    lora_trainer & operator=(const lora_trainer &) = delete;

    const hparams & hp() const;
    int64_t trainable_parameters() const;
    int64_t base_bytes() const;
    int64_t step() const { return step_; }
    const lora_config & lora() const { return opts_.lora; }
    const std::string & method() const { return opts_.method; }
    bool keeps_base_type() const { return opts_.keep_base_type; }
    const std::string & backend_name() const;
    const std::string & device_description() const;
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
    // base + adapter (or, in full training, the trained weights) → a complete GGUF model; type "source"
    // keeps each tensor's type, else f16 or f32
    void export_merged(const std::string & path, const std::string & type);

    std::mutex mutex;

private:
    // Everything that lives on one backend, built together and dropped together (in reverse order).
    struct parts {
        std::unique_ptr<backend_session> backend;
        std::unique_ptr<base_model> model;
        std::unique_ptr<lora_adapters> lora;    // LoRA training only
        std::unique_ptr<full_parameters> full;  // full-parameter training only
        std::unique_ptr<adamw> optimizer;   // made by the first update, which brings its hyperparameters
        ggml_gallocr_ptr galloc;            // the training and evaluation graphs
        ~parts();
    };

    trainer_options opts_;
    std::string backend_note_;
    std::unique_ptr<parts> p_;
    int64_t step_ = 0;
    int64_t acc_tokens_ = 0;
    int64_t micro_ = 0;                     // micro-batches accumulated since the last update

    void open(const std::string & kind);
    // The trainable tensors of the method: the LoRA adapters, or every base weight.
    std::vector<trainable_tensor> trainables() const;
    // Adapter files exist in LoRA training only.
    void refuse_adapter_files(const char * what) const;
    trainable_tensor find_param(const std::string & name) const;
    void clear_grads();
    void release_compute();
    step_result run_loss(const batch & b, bool backward, int64_t dropout_key, bool probe = false);
};

} // namespace polytune
