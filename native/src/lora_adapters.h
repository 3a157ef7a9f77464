// The LoRA adapters: A and B for each targeted projection, their gradient accumulators and AdamW
// moments, and the dropout tables (ADR 0011). Each context and buffer is owned here.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ggml-cpp.h"
#include "trainable.h"
#include "trainer_types.h"

namespace polytune {

class backend_session;
class base_model;

struct lora_pair {
    std::string base_name;   // e.g. blk.0.attn_q.weight
    int layer = 0;           // -1 for the output head
    std::string target;      // q k v o gate up down output
    int n_in = 0, n_out = 0;
    trainable_tensor a;      // ne = [n_in, r]
    trainable_tensor b;      // ne = [r, n_out]
};

class lora_adapters {
public:
    // keep-rows per input width in the dropout tables; tokens pick among them independently
    static constexpr int64_t dropout_table_rows = 1024;

    // Refuses a configuration it cannot build, before anything is opened.
    static void check(const lora_config & cfg);
    lora_adapters(const lora_config & cfg, const base_model & model, const backend_session & backend);

    const lora_config & config() const { return cfg_; }
    // alpha/r, or alpha/sqrt(r) with rsLoRA
    float scale() const;
    const std::vector<lora_pair> & pairs() const { return pairs_; }
    // The adapter of `target` in `layer` (-1: the output head), or null where there is none.
    const lora_pair * find(int layer, const std::string & target) const;
    // keep-masks [n_in, dropout_table_rows] of an input width (dropout > 0 only)
    ggml_tensor * dropout_table(int64_t n_in) const { return dropout_tables_.at(n_in); }

    // A then B of each pair, in order
    std::vector<trainable_tensor> tensors() const;
    void clear_grads() { ggml_backend_buffer_clear(grad_buf_.get(), 0); }
    int64_t parameters() const;
    // bytes of the moments and gradient accumulators; of the dropout tables
    int64_t optimizer_bytes() const;
    int64_t dropout_bytes() const { return dropout_buf_ ? (int64_t) ggml_backend_buffer_get_size(dropout_buf_.get()) : 0; }

private:
    lora_config cfg_;
    ggml_context_ptr ctx_;           // A, B and their moments
    ggml_backend_buffer_ptr buf_;
    ggml_context_ptr grad_ctx_;      // gradient accumulators (cleared after each update)
    ggml_backend_buffer_ptr grad_buf_;
    ggml_context_ptr dropout_ctx_;
    ggml_backend_buffer_ptr dropout_buf_;
    std::map<int64_t, ggml_tensor *> dropout_tables_;
    std::vector<lora_pair> pairs_;   // filled once in the constructor: pointers into it stay valid
    std::map<std::pair<int, std::string>, size_t> index_;

    void init_dropout(const backend_session & backend);
};

} // namespace polytune
