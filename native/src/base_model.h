// The base model on the training backend: hyperparameters from the GGUF metadata, the tensors the graph
// uses (in F32, or the matrices as the file stores them plus a transposed copy for the backward), and the
// checks that a file is one the trainer can compute (ADRs 0010, 0013).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ggml-cpp.h"
#include "trainer_types.h"

namespace polytune {

class backend_session;

struct layer_weights {
    ggml_tensor * attn_norm = nullptr, * wq = nullptr, * wk = nullptr, * wv = nullptr, * wo = nullptr;
    ggml_tensor * bq = nullptr, * bk = nullptr, * bv = nullptr, * bo = nullptr, * q_norm = nullptr, * k_norm = nullptr;
    ggml_tensor * ffn_norm = nullptr, * w_gate = nullptr, * w_up = nullptr, * w_down = nullptr;
    ggml_tensor * b_gate = nullptr, * b_up = nullptr, * b_down = nullptr;  // optional biases (llama-family files may carry them)
};

class base_model {
public:
    // Reads `path` onto the backend. keep_base_type: matrices as stored, else F32. trained: the weights
    // will change (full-parameter training), so no transposed copies are kept.
    base_model(const std::string & path, bool keep_base_type, bool trained, const backend_session & backend);

    const hparams & hp() const { return hp_; }
    const std::string & path() const { return path_; }
    bool keeps_base_type() const { return keep_base_type_; }
    int64_t bytes() const { return (int64_t) ggml_backend_buffer_get_size(buf_.get()); }

    const layer_weights & layer(int l) const { return layers_[(size_t) l]; }
    ggml_tensor * tok_embd() const { return tok_embd_; }
    ggml_tensor * output_norm() const { return output_norm_; }
    ggml_tensor * output() const { return output_; }
    ggml_tensor * rope_freqs() const { return rope_freqs_; }
    // The matrix a LoRA target adapts: q k v o gate up down in `layer`, or output (layer ignored).
    ggml_tensor * projection(int layer, const std::string & target) const;
    // Base matrix → its transposed copy, for the backward's W^T·dy as a MUL_MAT.
    const std::map<ggml_tensor *, ggml_tensor *> & transposed() const { return transposed_; }
    // Every weight by its GGUF name, in load order; rope_freqs (fixed factors, not a weight) is not among them.
    const std::vector<std::pair<std::string, ggml_tensor *>> & weights() const { return weights_; }

private:
    std::string path_;
    bool keep_base_type_;
    hparams hp_;
    ggml_context_ptr ctx_;
    ggml_backend_buffer_ptr buf_;
    std::map<ggml_tensor *, ggml_tensor *> transposed_;
    std::vector<std::pair<std::string, ggml_tensor *>> weights_;
    ggml_tensor * tok_embd_ = nullptr, * output_norm_ = nullptr, * output_ = nullptr, * rope_freqs_ = nullptr;
    std::vector<layer_weights> layers_;

    void read_hparams(gguf_context * g);
};

// LoRA target → the GGUF name of the matrix it adapts (q → attn_q, …).
const std::map<std::string, std::string> & target_tensor_names();
uint32_t kv_u32(gguf_context * g, const std::string & key, uint32_t fallback, bool required);
float kv_f32(gguf_context * g, const std::string & key, float fallback);
// Whole rows of `type` (to_float works on rows) into F32.
void dequantize_rows(ggml_type type, const uint8_t * raw, int64_t row, int64_t n, std::vector<float> & out, const std::string & name);

} // namespace polytune
