#include "lora_adapters.h"
#include "backend_session.h"
#include "base_model.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace polytune {

void lora_adapters::check(const lora_config & cfg) {
    if (cfg.rank < 1) throw trainer_error("bad-input", "the LoRA rank must be at least 1");
    if (cfg.targets.empty()) throw trainer_error("bad-input", "no LoRA targets were given");
    if (!(cfg.dropout >= 0.0f && cfg.dropout < 1.0f)) throw trainer_error("bad-input", "the LoRA dropout must be at least 0 and below 1");
    for (const auto & t : cfg.targets) {
        if (!target_tensor_names().count(t)) throw trainer_error("bad-input", "unknown LoRA target '" + t + "' (use q, k, v, o, gate, up, down, output)");
    }
}

lora_adapters::lora_adapters(const lora_config & cfg, const base_model & model, const backend_session & backend) : cfg_(cfg) {
    check(cfg_);
    const hparams & hp = model.hp();
    const int r = cfg_.rank;
    const bool has_output = std::find(cfg_.targets.begin(), cfg_.targets.end(), "output") != cfg_.targets.end();
    if (has_output && hp.tied_output) {
        throw trainer_error("bad-input", "this model shares its output head with the token embeddings, so a LoRA on 'output' cannot be loaded by llama.cpp; leave 'output' out of the targets");
    }
    // Per pair: A, B, and both Adam moments of each (ctx_); two gradient accumulators (grad_ctx_).
    const size_t count = ((size_t) hp.n_layer * cfg_.targets.size() + 1) * 6 + 8;
    ggml_init_params lp = {ggml_tensor_overhead() * count, nullptr, true};
    ctx_.reset(ggml_init(lp));
    grad_ctx_.reset(ggml_init(lp));
    auto trainable = [&](int64_t ne0, int64_t ne1, const std::string & name) {
        trainable_tensor t;
        t.param = ggml_new_tensor_2d(ctx_.get(), GGML_TYPE_F32, ne0, ne1);
        ggml_set_name(t.param, name.c_str());
        ggml_set_param(t.param);
        t.grad = ggml_dup_tensor(grad_ctx_.get(), t.param);
        return t;
    };
    auto add_pair = [&](int layer, const std::string & target, const std::string & base_name) {
        lora_pair p;
        p.layer = layer;
        p.target = target;
        p.base_name = base_name;
        ggml_tensor * w = model.projection(layer, target);
        p.n_in = (int) w->ne[0];
        p.n_out = (int) w->ne[1];
        p.a = trainable(p.n_in, r, base_name + ".lora_a");
        p.b = trainable(r, p.n_out, base_name + ".lora_b");
        index_[{layer, target}] = pairs_.size();
        pairs_.push_back(std::move(p));
    };
    for (int l = 0; l < hp.n_layer; ++l) {
        for (const auto & target : cfg_.targets) {
            if (target != "output") add_pair(l, target, "blk." + std::to_string(l) + "." + target_tensor_names().at(target) + ".weight");
        }
    }
    if (has_output) add_pair(-1, "output", "output.weight");
    for (auto & p : pairs_) {
        for (trainable_tensor * t : {&p.a, &p.b}) {
            t->m = ggml_dup_tensor(ctx_.get(), t->param);
            t->v = ggml_dup_tensor(ctx_.get(), t->param);
        }
    }
    buf_.reset(ggml_backend_alloc_ctx_tensors(ctx_.get(), backend.get()));
    if (buf_) grad_buf_.reset(ggml_backend_alloc_ctx_tensors(grad_ctx_.get(), backend.get()));
    if (!buf_ || !grad_buf_) throw trainer_error("out-of-memory", "out of memory on " + backend.description() + " for the LoRA tensors and optimizer state" + backend.free_memory_note());
    ggml_backend_buffer_clear(buf_.get(), 0);
    ggml_backend_buffer_clear(grad_buf_.get(), 0);
    // A: Kaiming-uniform as PEFT does (bound 1/sqrt(n_in)); B: zero, so training starts from the base model.
    std::mt19937 rng(cfg_.seed);
    for (auto & p : pairs_) {
        std::uniform_real_distribution<float> dist(-1.0f / std::sqrt((float) p.n_in), 1.0f / std::sqrt((float) p.n_in));
        std::vector<float> a(ggml_nelements(p.a.param));
        for (auto & x : a) x = dist(rng);
        ggml_backend_tensor_set(p.a.param, a.data(), 0, a.size() * sizeof(float));
    }
    init_dropout(backend);
}

// One table per input width of keep-masks (1 with probability 1 - p, else 0), drawn once from the seed,
// so a resumed run has the same tables. F16 holds 0 and 1 exactly at half the size.
void lora_adapters::init_dropout(const backend_session & backend) {
    if (cfg_.dropout <= 0.0f) return;
    std::vector<int64_t> widths;
    for (const auto & p : pairs_) {
        if (std::find(widths.begin(), widths.end(), p.n_in) == widths.end()) widths.push_back(p.n_in);
    }
    ggml_init_params ip = {ggml_tensor_overhead() * (widths.size() + 1), nullptr, true};
    dropout_ctx_.reset(ggml_init(ip));
    for (int64_t w : widths) dropout_tables_[w] = ggml_new_tensor_2d(dropout_ctx_.get(), GGML_TYPE_F16, w, dropout_table_rows);
    dropout_buf_.reset(ggml_backend_alloc_ctx_tensors(dropout_ctx_.get(), backend.get()));
    if (!dropout_buf_) throw trainer_error("out-of-memory", "out of memory on " + backend.description() + " for the dropout masks" + backend.free_memory_note());
    std::mt19937 rng(cfg_.seed ^ 0x6d61736bu);
    std::bernoulli_distribution keep(1.0 - (double) cfg_.dropout);
    const ggml_fp16_t one = ggml_fp32_to_fp16(1.0f), zero = ggml_fp32_to_fp16(0.0f);
    for (auto & [w, t] : dropout_tables_) {
        std::vector<ggml_fp16_t> mask((size_t) ggml_nelements(t));
        for (auto & m : mask) m = keep(rng) ? one : zero;
        ggml_backend_tensor_set(t, mask.data(), 0, ggml_nbytes(t));
    }
}

float lora_adapters::scale() const {
    return cfg_.rslora ? cfg_.alpha / std::sqrt((float) cfg_.rank) : cfg_.alpha / (float) cfg_.rank;
}

const lora_pair * lora_adapters::find(int layer, const std::string & target) const {
    auto it = index_.find({layer, target});
    return it == index_.end() ? nullptr : &pairs_[it->second];
}

std::vector<trainable_tensor> lora_adapters::tensors() const {
    std::vector<trainable_tensor> out;
    out.reserve(pairs_.size() * 2);
    for (const auto & p : pairs_) {
        out.push_back(p.a);
        out.push_back(p.b);
    }
    return out;
}

int64_t lora_adapters::parameters() const {
    int64_t n = 0;
    for (const auto & p : pairs_) n += ggml_nelements(p.a.param) + ggml_nelements(p.b.param);
    return n;
}

int64_t lora_adapters::optimizer_bytes() const {
    return (int64_t) ggml_backend_buffer_get_size(buf_.get()) - parameters() * 4 + (int64_t) ggml_backend_buffer_get_size(grad_buf_.get());
}

} // namespace polytune
