#include <algorithm>
#include "lora_trainer.h"

#include "ggml.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "gguf.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

namespace polytune {

namespace {

struct gguf_deleter { void operator()(gguf_context * c) const { gguf_free(c); } };
struct ggml_ctx_deleter { void operator()(ggml_context * c) const { ggml_free(c); } };
using gguf_ptr = std::unique_ptr<gguf_context, gguf_deleter>;
using ggml_ctx_ptr = std::unique_ptr<ggml_context, ggml_ctx_deleter>;

const std::map<std::string, std::string> & target_tensor_names() {
    static const std::map<std::string, std::string> names = {
        {"q", "attn_q"}, {"k", "attn_k"}, {"v", "attn_v"}, {"o", "attn_output"},
        {"gate", "ffn_gate"}, {"up", "ffn_up"}, {"down", "ffn_down"},
    };
    return names;
}

uint32_t kv_u32(gguf_context * g, const std::string & key, uint32_t fallback, bool required) {
    int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0) {
        if (required) throw std::runtime_error("the model has no '" + key + "' metadata");
        return fallback;
    }
    switch (gguf_get_kv_type(g, id)) {
        case GGUF_TYPE_UINT32: return gguf_get_val_u32(g, id);
        case GGUF_TYPE_INT32: return (uint32_t) gguf_get_val_i32(g, id);
        case GGUF_TYPE_UINT64: return (uint32_t) gguf_get_val_u64(g, id);
        default: throw std::runtime_error("metadata '" + key + "' has an unexpected type");
    }
}

float kv_f32(gguf_context * g, const std::string & key, float fallback) {
    int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0) return fallback;
    if (gguf_get_kv_type(g, id) != GGUF_TYPE_FLOAT32) throw std::runtime_error("metadata '" + key + "' is not a float");
    return gguf_get_val_f32(g, id);
}

void write_atomically(gguf_context * g, const std::string & path) {
    std::string tmp = path + ".tmp";
    if (!gguf_write_to_file(g, tmp.c_str(), false)) {
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot write '" + tmp + "' (disk full or no permission?)");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot move the finished file to '" + path + "'");
    }
}

std::once_flag backends_loaded;

} // namespace

lora_trainer::lora_trainer(const trainer_options & opts) : opts_(opts) {
    if (opts_.rank < 1) throw std::runtime_error("the LoRA rank must be at least 1");
    if (opts_.targets.empty()) throw std::runtime_error("no LoRA targets were given");
    for (const auto & t : opts_.targets) {
        if (!target_tensor_names().count(t)) throw std::runtime_error("unknown LoRA target '" + t + "' (use q, k, v, o, gate, up, down)");
    }
    // node-llama-cpp may already have loaded the backends into this process; loading twice would register them twice.
    std::call_once(backends_loaded, [&] {
        if (ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) == nullptr) ggml_backend_load_all_from_path(opts_.backends_dir.c_str());
    });
    backend_ = ggml_backend_init_by_type(GGML_BACKEND_DEVICE_TYPE_CPU, nullptr);
    if (!backend_) throw std::runtime_error("no CPU backend could be loaded from '" + opts_.backends_dir + "'");
    int threads = opts_.threads > 0 ? opts_.threads : (int) std::max(1u, std::thread::hardware_concurrency());
    ggml_backend_dev_t dev = ggml_backend_get_device(backend_);
    ggml_backend_reg_t reg = dev ? ggml_backend_dev_backend_reg(dev) : nullptr;
    auto set_threads = reg ? (ggml_backend_set_n_threads_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads") : nullptr;
    if (set_threads) set_threads(backend_, threads);
    try {
        load_model();
        init_lora();
    } catch (...) {
        if (lora_buf_) ggml_backend_buffer_free(lora_buf_);
        if (lora_ctx_) ggml_free(lora_ctx_);
        if (weights_buf_) ggml_backend_buffer_free(weights_buf_);
        if (weights_ctx_) ggml_free(weights_ctx_);
        ggml_backend_free(backend_);
        throw;
    }
    galloc_ = ggml_gallocr_new(ggml_backend_get_default_buffer_type(backend_));
}

lora_trainer::~lora_trainer() {
    if (galloc_) ggml_gallocr_free(galloc_);
    if (lora_buf_) ggml_backend_buffer_free(lora_buf_);
    if (lora_ctx_) ggml_free(lora_ctx_);
    if (weights_buf_) ggml_backend_buffer_free(weights_buf_);
    if (weights_ctx_) ggml_free(weights_ctx_);
    if (backend_) ggml_backend_free(backend_);
}

void lora_trainer::load_model() {
    ggml_context * meta_raw = nullptr;
    gguf_init_params params = {/*no_alloc =*/ true, /*ctx =*/ &meta_raw};
    gguf_ptr g(gguf_init_from_file(opts_.model_path.c_str(), params));
    if (!g) throw std::runtime_error("'" + opts_.model_path + "' is not a readable GGUF model");
    ggml_ctx_ptr meta(meta_raw);

    int64_t arch_id = gguf_find_key(g.get(), "general.architecture");
    if (arch_id < 0) throw std::runtime_error("the model names no architecture");
    hp_.arch = gguf_get_val_str(g.get(), arch_id);
    const std::string & a = hp_.arch;
    if (a != "llama" && a != "mistral" && a != "qwen2" && a != "qwen3") {
        throw std::runtime_error("the architecture '" + a + "' is not supported for training (supported: llama, mistral, qwen2, qwen3)");
    }
    hp_.n_embd = kv_u32(g.get(), a + ".embedding_length", 0, true);
    hp_.n_layer = kv_u32(g.get(), a + ".block_count", 0, true);
    hp_.n_head = kv_u32(g.get(), a + ".attention.head_count", 0, true);
    hp_.n_head_kv = kv_u32(g.get(), a + ".attention.head_count_kv", hp_.n_head, false);
    hp_.n_ff = kv_u32(g.get(), a + ".feed_forward_length", 0, true);
    hp_.n_ctx_orig = kv_u32(g.get(), a + ".context_length", 2048, false);
    uint32_t key_len = kv_u32(g.get(), a + ".attention.key_length", hp_.n_embd / std::max(1, hp_.n_head), false);
    if ((int) key_len * hp_.n_head != hp_.n_embd) throw std::runtime_error("models whose head size differs from embedding/heads are not supported yet");
    hp_.n_rot = kv_u32(g.get(), a + ".rope.dimension_count", hp_.head_dim(), false);
    hp_.freq_base = kv_f32(g.get(), a + ".rope.freq_base", 10000.0f);
    float scale_linear = kv_f32(g.get(), a + ".rope.scaling.factor", 0.0f);
    hp_.freq_scale = scale_linear > 0 ? 1.0f / scale_linear : 1.0f;
    hp_.rms_eps = kv_f32(g.get(), a + ".attention.layer_norm_rms_epsilon", 1e-5f);
    hp_.rope_mode = (a == "qwen2" || a == "qwen3") ? GGML_ROPE_TYPE_NEOX : 0;
    hp_.qkv_bias = a == "qwen2";
    hp_.qk_norm = a == "qwen3";
    if (hp_.n_head <= 0 || hp_.n_head_kv <= 0 || hp_.n_head % hp_.n_head_kv != 0) throw std::runtime_error("inconsistent attention head counts");

    // Every tensor the graph uses, in F32.
    std::vector<std::string> names = {"token_embd.weight", "output_norm.weight"};
    bool tied = gguf_find_tensor(g.get(), "output.weight") < 0;
    if (!tied) names.push_back("output.weight");
    for (int l = 0; l < hp_.n_layer; ++l) {
        std::string p = "blk." + std::to_string(l) + ".";
        for (const char * n : {"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"}) names.push_back(p + n + ".weight");
        if (hp_.qkv_bias) for (const char * n : {"attn_q", "attn_k", "attn_v"}) names.push_back(p + n + ".bias");
        if (hp_.qk_norm) for (const char * n : {"attn_q_norm", "attn_k_norm"}) names.push_back(p + n + ".weight");
    }
    ggml_init_params wp = {ggml_tensor_overhead() * (names.size() + 8), nullptr, true};
    weights_ctx_ = ggml_init(wp);
    std::map<std::string, ggml_tensor *> made;
    for (const auto & name : names) {
        ggml_tensor * src = ggml_get_tensor(meta.get(), name.c_str());
        if (!src) throw std::runtime_error("the model has no tensor '" + name + "'");
        ggml_tensor * t = ggml_new_tensor(weights_ctx_, GGML_TYPE_F32, ggml_n_dims(src), src->ne);
        ggml_set_name(t, name.c_str());
        made[name] = t;
    }
    weights_buf_ = ggml_backend_alloc_ctx_tensors(weights_ctx_, backend_);
    if (!weights_buf_) throw std::runtime_error("out of memory allocating the base weights in F32");

    std::ifstream file(opts_.model_path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot open '" + opts_.model_path + "'");
    const size_t data_offset = gguf_get_data_offset(g.get());
    std::vector<uint8_t> raw;
    std::vector<float> f32;
    for (const auto & name : names) {
        int64_t tid = gguf_find_tensor(g.get(), name.c_str());
        ggml_type type = gguf_get_tensor_type(g.get(), tid);
        size_t size = gguf_get_tensor_size(g.get(), tid);
        raw.resize(size);
        file.seekg((std::streamoff) (data_offset + gguf_get_tensor_offset(g.get(), tid)));
        file.read((char *) raw.data(), (std::streamsize) size);
        if (!file) throw std::runtime_error("the model file ends inside tensor '" + name + "' (truncated?)");
        ggml_tensor * t = made[name];
        int64_t n = ggml_nelements(t);
        f32.resize(n);
        if (type == GGML_TYPE_F32) {
            std::memcpy(f32.data(), raw.data(), n * sizeof(float));
        } else {
            const ggml_type_traits * traits = ggml_get_type_traits(type);
            if (!traits || !traits->to_float) throw std::runtime_error("tensor '" + name + "' has type " + ggml_type_name(type) + ", which cannot be dequantized");
            // to_float works on whole rows of the source type.
            const int64_t row = t->ne[0];
            const size_t row_bytes = ggml_row_size(type, row);
            for (int64_t r = 0; r < n / row; ++r) traits->to_float(raw.data() + r * row_bytes, f32.data() + r * row, row);
        }
        ggml_backend_tensor_set(t, f32.data(), 0, n * sizeof(float));
        base_bytes_ += n * (int64_t) sizeof(float);
    }
    tok_embd_ = made["token_embd.weight"];
    output_norm_ = made["output_norm.weight"];
    output_ = tied ? tok_embd_ : made["output.weight"];
    hp_.n_vocab = (int) tok_embd_->ne[1];
    layers_.resize(hp_.n_layer);
    for (int l = 0; l < hp_.n_layer; ++l) {
        std::string p = "blk." + std::to_string(l) + ".";
        auto & L = layers_[l];
        L.attn_norm = made[p + "attn_norm.weight"];
        L.wq = made[p + "attn_q.weight"];
        L.wk = made[p + "attn_k.weight"];
        L.wv = made[p + "attn_v.weight"];
        L.wo = made[p + "attn_output.weight"];
        L.ffn_norm = made[p + "ffn_norm.weight"];
        L.w_gate = made[p + "ffn_gate.weight"];
        L.w_up = made[p + "ffn_up.weight"];
        L.w_down = made[p + "ffn_down.weight"];
        if (hp_.qkv_bias) {
            L.bq = made[p + "attn_q.bias"];
            L.bk = made[p + "attn_k.bias"];
            L.bv = made[p + "attn_v.bias"];
        }
        if (hp_.qk_norm) {
            L.q_norm = made[p + "attn_q_norm.weight"];
            L.k_norm = made[p + "attn_k_norm.weight"];
        }
    }
}

void lora_trainer::init_lora() {
    const int r = opts_.rank;
    size_t count = (size_t) hp_.n_layer * opts_.targets.size() * 2;
    ggml_init_params lp = {ggml_tensor_overhead() * (count + 4), nullptr, true};
    lora_ctx_ = ggml_init(lp);
    for (int l = 0; l < hp_.n_layer; ++l) {
        auto & L = layers_[l];
        std::map<std::string, ggml_tensor *> base = {{"q", L.wq}, {"k", L.wk}, {"v", L.wv}, {"o", L.wo}, {"gate", L.w_gate}, {"up", L.w_up}, {"down", L.w_down}};
        for (const auto & target : opts_.targets) {
            ggml_tensor * w = base[target];
            auto lp_ = std::make_unique<lora_pair>();
            lp_->layer = l;
            lp_->target = target;
            lp_->base_name = "blk." + std::to_string(l) + "." + target_tensor_names().at(target) + ".weight";
            lp_->n_in = (int) w->ne[0];
            lp_->n_out = (int) w->ne[1];
            lp_->a = ggml_new_tensor_2d(lora_ctx_, GGML_TYPE_F32, lp_->n_in, r);
            lp_->b = ggml_new_tensor_2d(lora_ctx_, GGML_TYPE_F32, r, lp_->n_out);
            ggml_set_name(lp_->a, (lp_->base_name + ".lora_a").c_str());
            ggml_set_name(lp_->b, (lp_->base_name + ".lora_b").c_str());
            ggml_set_param(lp_->a);
            ggml_set_param(lp_->b);
            L.lora[target] = lp_.get();
            loras_.push_back(std::move(lp_));
        }
    }
    lora_buf_ = ggml_backend_alloc_ctx_tensors(lora_ctx_, backend_);
    if (!lora_buf_) throw std::runtime_error("out of memory allocating the LoRA tensors");
    // A: Kaiming-uniform as PEFT does (bound 1/sqrt(n_in)); B: zero, so training starts from the base model.
    std::mt19937 rng(opts_.seed);
    for (auto & lp : loras_) {
        std::uniform_real_distribution<float> dist(-1.0f / std::sqrt((float) lp->n_in), 1.0f / std::sqrt((float) lp->n_in));
        std::vector<float> a(ggml_nelements(lp->a));
        for (auto & x : a) x = dist(rng);
        ggml_backend_tensor_set(lp->a, a.data(), 0, a.size() * sizeof(float));
        std::vector<float> b(ggml_nelements(lp->b), 0.0f);
        ggml_backend_tensor_set(lp->b, b.data(), 0, b.size() * sizeof(float));
    }
    for (auto & lp : loras_) {
        for (ggml_tensor * t : {lp->a, lp->b}) {
            size_t n = ggml_nelements(t);
            grad_acc_.emplace_back(n, 0.0f);
            adam_m_.emplace_back(n, 0.0f);
            adam_v_.emplace_back(n, 0.0f);
        }
    }
}

int64_t lora_trainer::trainable_parameters() const {
    int64_t n = 0;
    for (const auto & lp : loras_) n += ggml_nelements(lp->a) + ggml_nelements(lp->b);
    return n;
}

ggml_tensor * lora_trainer::project(ggml_context * ctx, ggml_tensor * w, ggml_tensor * x, lora_pair * lp) {
    ggml_tensor * y = ggml_mul_mat(ctx, w, x);
    if (lp) {
        ggml_tensor * ax = ggml_mul_mat(ctx, lp->a, x);
        ggml_tensor * bax = ggml_mul_mat(ctx, lp->b, ax);
        y = ggml_add(ctx, y, ggml_scale(ctx, bax, opts_.alpha / (float) opts_.rank));
    }
    return y;
}

ggml_tensor * lora_trainer::build_hidden(ggml_context * ctx, ggml_tensor * tokens, ggml_tensor * pos, ggml_tensor * mask, int T) {
    const int hd = hp_.head_dim();
    const float kq_scale = 1.0f / std::sqrt((float) hd);
    ggml_tensor * x = ggml_get_rows(ctx, tok_embd_, tokens);
    for (int l = 0; l < hp_.n_layer; ++l) {
        auto & L = layers_[l];
        auto lora = [&](const char * t) -> lora_pair * { auto it = L.lora.find(t); return it == L.lora.end() ? nullptr : it->second; };
        ggml_tensor * cur = ggml_mul(ctx, ggml_rms_norm(ctx, x, hp_.rms_eps), L.attn_norm);
        ggml_tensor * q = project(ctx, L.wq, cur, lora("q"));
        ggml_tensor * k = project(ctx, L.wk, cur, lora("k"));
        ggml_tensor * v = project(ctx, L.wv, cur, lora("v"));
        if (hp_.qkv_bias) {
            q = ggml_add(ctx, q, L.bq);
            k = ggml_add(ctx, k, L.bk);
            v = ggml_add(ctx, v, L.bv);
        }
        q = ggml_reshape_3d(ctx, q, hd, hp_.n_head, T);
        k = ggml_reshape_3d(ctx, k, hd, hp_.n_head_kv, T);
        v = ggml_reshape_3d(ctx, v, hd, hp_.n_head_kv, T);
        if (hp_.qk_norm) {
            q = ggml_mul(ctx, ggml_rms_norm(ctx, q, hp_.rms_eps), L.q_norm);
            k = ggml_mul(ctx, ggml_rms_norm(ctx, k, hp_.rms_eps), L.k_norm);
        }
        q = ggml_rope_ext(ctx, q, pos, nullptr, hp_.n_rot, hp_.rope_mode, hp_.n_ctx_orig, hp_.freq_base, hp_.freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
        k = ggml_rope_ext(ctx, k, pos, nullptr, hp_.n_rot, hp_.rope_mode, hp_.n_ctx_orig, hp_.freq_base, hp_.freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
        ggml_tensor * Q = ggml_cont(ctx, ggml_permute(ctx, q, 0, 2, 1, 3));  // [hd, T, n_head]
        ggml_tensor * K = ggml_cont(ctx, ggml_permute(ctx, k, 0, 2, 1, 3));  // [hd, T, n_head_kv]
        ggml_tensor * kq = ggml_mul_mat(ctx, K, Q);                          // [T_k, T_q, n_head]; kv heads shared by contiguous groups
        kq = ggml_soft_max_ext(ctx, kq, mask, kq_scale, 0.0f);
        ggml_tensor * Vt = ggml_cont(ctx, ggml_permute(ctx, v, 1, 2, 0, 3)); // [T, hd, n_head_kv]
        ggml_tensor * kqv = ggml_mul_mat(ctx, Vt, kq);                       // [hd, T_q, n_head]
        ggml_tensor * o = ggml_cont(ctx, ggml_permute(ctx, kqv, 0, 2, 1, 3)); // [hd, n_head, T]
        o = ggml_reshape_2d(ctx, o, hp_.n_embd, T);
        x = ggml_add(ctx, x, project(ctx, L.wo, o, lora("o")));
        cur = ggml_mul(ctx, ggml_rms_norm(ctx, x, hp_.rms_eps), L.ffn_norm);
        ggml_tensor * gate = project(ctx, L.w_gate, cur, lora("gate"));
        ggml_tensor * up = project(ctx, L.w_up, cur, lora("up"));
        x = ggml_add(ctx, x, project(ctx, L.w_down, ggml_swiglu_split(ctx, gate, up), lora("down")));
    }
    return ggml_mul(ctx, ggml_rms_norm(ctx, x, hp_.rms_eps), output_norm_);
}

void lora_trainer::validate(const std::vector<int32_t> & tokens, const std::vector<uint8_t> * target) const {
    if (tokens.size() < 2) throw std::runtime_error("a training sequence needs at least two tokens");
    for (int32_t t : tokens) {
        if (t < 0 || t >= hp_.n_vocab) throw std::runtime_error("token id " + std::to_string(t) + " is outside the model's vocabulary of " + std::to_string(hp_.n_vocab));
    }
    if (target && target->size() != tokens.size()) throw std::runtime_error("the target mask and the tokens differ in length");
}

namespace {
struct graph_inputs {
    ggml_tensor * tokens;
    ggml_tensor * pos;
    ggml_tensor * mask;
};

graph_inputs make_inputs(ggml_context * ctx, int T) {
    graph_inputs in;
    in.tokens = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, T);
    in.pos = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, T);
    in.mask = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, T, T);
    for (ggml_tensor * t : {in.tokens, in.pos, in.mask}) ggml_set_input(t);
    return in;
}

void fill_inputs(const graph_inputs & in, const std::vector<int32_t> & tokens) {
    const int T = (int) tokens.size();
    std::vector<int32_t> pos(T);
    for (int i = 0; i < T; ++i) pos[i] = i;
    std::vector<float> mask((size_t) T * T);
    for (int q = 0; q < T; ++q)
        for (int k = 0; k < T; ++k) mask[(size_t) q * T + k] = k <= q ? 0.0f : -INFINITY;
    ggml_backend_tensor_set(in.tokens, tokens.data(), 0, T * sizeof(int32_t));
    ggml_backend_tensor_set(in.pos, pos.data(), 0, T * sizeof(int32_t));
    ggml_backend_tensor_set(in.mask, mask.data(), 0, mask.size() * sizeof(float));
}

size_t graph_size_for(int n_layer) { return std::max<size_t>(4096, (size_t) n_layer * 600 + 1024); }
} // namespace

step_result lora_trainer::run_loss(const std::vector<int32_t> & tokens, const std::vector<uint8_t> & target, bool backward,
                                   std::map<std::string, std::vector<float>> * grads_out, bool accumulate_grads) {
    validate(tokens, &target);
    const int T = (int) tokens.size();
    // Position i-1 predicts token i; a prediction is supervised when token i is a target.
    std::vector<int32_t> rows;
    std::vector<int32_t> labels;
    for (int i = 1; i < T; ++i) {
        if (target[i]) {
            rows.push_back(i - 1);
            labels.push_back(tokens[i]);
        }
    }
    if (rows.empty()) throw std::runtime_error("the sequence has no supervised tokens");
    const int S = (int) rows.size();

    const size_t gsize = graph_size_for(hp_.n_layer) * (backward ? 3 : 1);
    ggml_init_params ip = {ggml_tensor_overhead() * gsize * 2 + ggml_graph_overhead_custom(gsize, backward), nullptr, true};
    ggml_ctx_ptr ctx(ggml_init(ip));
    graph_inputs in = make_inputs(ctx.get(), T);
    ggml_tensor * sel = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, S);
    ggml_tensor * onehot = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, hp_.n_vocab, S);
    ggml_set_input(sel);
    ggml_set_input(onehot);
    ggml_tensor * h = build_hidden(ctx.get(), in.tokens, in.pos, in.mask, T);
    ggml_tensor * hs = ggml_get_rows(ctx.get(), h, sel);                // [n_embd, S]: the output head only where it counts
    ggml_tensor * logits = ggml_mul_mat(ctx.get(), output_, hs);       // [n_vocab, S]
    ggml_tensor * loss = ggml_scale(ctx.get(), ggml_cross_entropy_loss(ctx.get(), logits, onehot), (float) S);
    ggml_set_output(loss);
    ggml_cgraph * gf = ggml_new_graph_custom(ctx.get(), gsize, backward);
    ggml_build_forward_expand(gf, loss);
    if (backward) {
        ggml_set_loss(loss);
        ggml_build_backward_expand(ctx.get(), gf, nullptr);
        for (auto & lp : loras_) {
            for (ggml_tensor * p : {lp->a, lp->b}) {
                ggml_tensor * g = ggml_graph_get_grad(gf, p);
                if (g) ggml_set_output(g);
            }
        }
    }
    if (!ggml_gallocr_alloc_graph(galloc_, gf)) throw std::runtime_error("out of memory allocating the compute graph (lower the sequence length)");
    if (backward) ggml_graph_reset(gf);
    fill_inputs(in, tokens);
    ggml_backend_tensor_set(sel, rows.data(), 0, S * sizeof(int32_t));
    std::vector<float> oh((size_t) hp_.n_vocab * S, 0.0f);
    for (int s = 0; s < S; ++s) oh[(size_t) s * hp_.n_vocab + labels[s]] = 1.0f;
    ggml_backend_tensor_set(onehot, oh.data(), 0, oh.size() * sizeof(float));
    if (ggml_backend_graph_compute(backend_, gf) != GGML_STATUS_SUCCESS) throw std::runtime_error("the backend failed to compute the training graph");

    step_result res;
    float l = 0;
    ggml_backend_tensor_get(loss, &l, 0, sizeof(float));
    if (!std::isfinite(l)) throw std::runtime_error("the loss is not finite (learning rate too high?)");
    res.loss_sum = l;
    res.tokens = S;
    if (backward) {
        size_t gi = 0;
        std::vector<float> tmp;
        for (auto & lp : loras_) {
            for (ggml_tensor * p : {lp->a, lp->b}) {
                ggml_tensor * g = ggml_graph_get_grad(gf, p);
                size_t n = ggml_nelements(p);
                tmp.assign(n, 0.0f);
                if (g) ggml_backend_tensor_get(g, tmp.data(), 0, n * sizeof(float));
                if (accumulate_grads) {
                    auto & acc = grad_acc_[gi];
                    for (size_t i = 0; i < n; ++i) acc[i] += tmp[i];
                }
                if (grads_out) (*grads_out)[ggml_get_name(p)] = tmp;
                ++gi;
            }
        }
        if (accumulate_grads) acc_tokens_ += S;
    }
    return res;
}

step_result lora_trainer::accumulate(const std::vector<int32_t> & tokens, const std::vector<uint8_t> & target) {
    return run_loss(tokens, target, true, nullptr, true);
}

step_result lora_trainer::eval(const std::vector<int32_t> & tokens, const std::vector<uint8_t> & target) {
    return run_loss(tokens, target, false, nullptr, false);
}

step_result lora_trainer::gradients(const std::vector<int32_t> & tokens, const std::vector<uint8_t> & target,
                                    std::map<std::string, std::vector<float>> & out) {
    return run_loss(tokens, target, true, &out, false);
}

void lora_trainer::update(const adam_options & adam) {
    if (acc_tokens_ == 0) throw std::runtime_error("no gradients were accumulated before the update");
    const float inv = 1.0f / (float) acc_tokens_;
    double norm2 = 0;
    for (auto & g : grad_acc_)
        for (float & x : g) {
            x *= inv;
            norm2 += (double) x * x;
        }
    float clip = 1.0f;
    if (adam.grad_clip > 0) {
        float norm = (float) std::sqrt(norm2);
        if (norm > adam.grad_clip) clip = adam.grad_clip / norm;
    }
    ++step_;
    const float bc1 = 1.0f - std::pow(adam.beta1, (float) step_);
    const float bc2 = 1.0f - std::pow(adam.beta2, (float) step_);
    size_t gi = 0;
    std::vector<float> p;
    for (auto & lp : loras_) {
        for (ggml_tensor * t : {lp->a, lp->b}) {
            size_t n = ggml_nelements(t);
            p.resize(n);
            ggml_backend_tensor_get(t, p.data(), 0, n * sizeof(float));
            auto & g = grad_acc_[gi];
            auto & m = adam_m_[gi];
            auto & v = adam_v_[gi];
            for (size_t i = 0; i < n; ++i) {
                float gr = g[i] * clip;
                m[i] = adam.beta1 * m[i] + (1 - adam.beta1) * gr;
                v[i] = adam.beta2 * v[i] + (1 - adam.beta2) * gr * gr;
                float mh = m[i] / bc1, vh = v[i] / bc2;
                p[i] -= adam.lr * (mh / (std::sqrt(vh) + adam.eps) + adam.weight_decay * p[i]);
                g[i] = 0.0f;
            }
            ggml_backend_tensor_set(t, p.data(), 0, n * sizeof(float));
            ++gi;
        }
    }
    acc_tokens_ = 0;
}

std::vector<float> lora_trainer::logits(const std::vector<int32_t> & tokens) {
    validate(tokens, nullptr);
    const int T = (int) tokens.size();
    const size_t gsize = graph_size_for(hp_.n_layer);
    ggml_init_params ip = {ggml_tensor_overhead() * gsize * 2 + ggml_graph_overhead_custom(gsize, false), nullptr, true};
    ggml_ctx_ptr ctx(ggml_init(ip));
    graph_inputs in = make_inputs(ctx.get(), T);
    ggml_tensor * out = ggml_mul_mat(ctx.get(), output_, build_hidden(ctx.get(), in.tokens, in.pos, in.mask, T));
    ggml_set_output(out);
    ggml_cgraph * gf = ggml_new_graph_custom(ctx.get(), gsize, false);
    ggml_build_forward_expand(gf, out);
    if (!ggml_gallocr_alloc_graph(galloc_, gf)) throw std::runtime_error("out of memory allocating the compute graph");
    fill_inputs(in, tokens);
    if (ggml_backend_graph_compute(backend_, gf) != GGML_STATUS_SUCCESS) throw std::runtime_error("the backend failed to compute the forward pass");
    std::vector<float> res((size_t) hp_.n_vocab * T);
    ggml_backend_tensor_get(out, res.data(), 0, res.size() * sizeof(float));
    return res;
}

std::vector<std::string> lora_trainer::param_names() const {
    std::vector<std::string> names;
    for (const auto & lp : loras_) {
        names.push_back(ggml_get_name(lp->a));
        names.push_back(ggml_get_name(lp->b));
    }
    return names;
}

lora_pair * lora_trainer::find_param(const std::string & name, bool & is_a) const {
    for (const auto & lp : loras_) {
        if (name == ggml_get_name(lp->a)) { is_a = true; return lp.get(); }
        if (name == ggml_get_name(lp->b)) { is_a = false; return lp.get(); }
    }
    throw std::runtime_error("no LoRA tensor named '" + name + "'");
}

std::vector<float> lora_trainer::get_param(const std::string & name) const {
    bool is_a = false;
    lora_pair * lp = find_param(name, is_a);
    ggml_tensor * t = is_a ? lp->a : lp->b;
    std::vector<float> data(ggml_nelements(t));
    ggml_backend_tensor_get(t, data.data(), 0, data.size() * sizeof(float));
    return data;
}

void lora_trainer::set_param(const std::string & name, const std::vector<float> & data) {
    bool is_a = false;
    lora_pair * lp = find_param(name, is_a);
    ggml_tensor * t = is_a ? lp->a : lp->b;
    if ((int64_t) data.size() != ggml_nelements(t)) throw std::runtime_error("wrong number of values for '" + name + "'");
    ggml_backend_tensor_set(t, data.data(), 0, data.size() * sizeof(float));
}

namespace {
// A host context holding copies of tensors for gguf_add_tensor, which reads tensor data from host memory.
struct host_tensors {
    ggml_ctx_ptr ctx;
    explicit host_tensors(size_t bytes, size_t count) {
        ggml_init_params p = {bytes + ggml_tensor_overhead() * (count + 4), nullptr, false};
        ctx.reset(ggml_init(p));
        if (!ctx) throw std::runtime_error("out of host memory for writing the file");
    }
    ggml_tensor * add(const std::string & name, const int64_t * ne, const std::vector<float> & data) {
        ggml_tensor * t = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, ne[0], ne[1]);
        ggml_set_name(t, name.c_str());
        std::memcpy(t->data, data.data(), data.size() * sizeof(float));
        return t;
    }
};
} // namespace

void lora_trainer::save_adapter(const std::string & path) const {
    size_t bytes = 0;
    for (const auto & lp : loras_) bytes += ggml_nbytes(lp->a) + ggml_nbytes(lp->b);
    host_tensors host(bytes, loras_.size() * 2);
    gguf_ptr g(gguf_init_empty());
    gguf_set_val_str(g.get(), "general.type", "adapter");
    gguf_set_val_str(g.get(), "general.architecture", hp_.arch.c_str());
    gguf_set_val_str(g.get(), "adapter.type", "lora");
    // Without alpha, llama.cpp silently uses scale 1.
    gguf_set_val_f32(g.get(), "adapter.lora.alpha", opts_.alpha);
    for (const auto & lp : loras_) {
        for (ggml_tensor * t : {lp->a, lp->b}) {
            std::vector<float> data(ggml_nelements(t));
            ggml_backend_tensor_get(t, data.data(), 0, data.size() * sizeof(float));
            gguf_add_tensor(g.get(), host.add(ggml_get_name(t), t->ne, data));
        }
    }
    write_atomically(g.get(), path);
}

void lora_trainer::save_checkpoint(const std::string & path) const {
    size_t bytes = 0;
    for (const auto & lp : loras_) bytes += 3 * (ggml_nbytes(lp->a) + ggml_nbytes(lp->b));
    host_tensors host(bytes, loras_.size() * 6);
    gguf_ptr g(gguf_init_empty());
    gguf_set_val_str(g.get(), "general.type", "polytune.checkpoint");
    gguf_set_val_str(g.get(), "general.architecture", hp_.arch.c_str());
    gguf_set_val_u64(g.get(), "polytune.step", (uint64_t) step_);
    gguf_set_val_u32(g.get(), "polytune.rank", (uint32_t) opts_.rank);
    gguf_set_val_f32(g.get(), "adapter.lora.alpha", opts_.alpha);
    size_t gi = 0;
    for (const auto & lp : loras_) {
        for (ggml_tensor * t : {lp->a, lp->b}) {
            std::vector<float> data(ggml_nelements(t));
            ggml_backend_tensor_get(t, data.data(), 0, data.size() * sizeof(float));
            std::string name = ggml_get_name(t);
            gguf_add_tensor(g.get(), host.add(name, t->ne, data));
            gguf_add_tensor(g.get(), host.add(name + ".adam_m", t->ne, adam_m_[gi]));
            gguf_add_tensor(g.get(), host.add(name + ".adam_v", t->ne, adam_v_[gi]));
            ++gi;
        }
    }
    write_atomically(g.get(), path);
}

void lora_trainer::load_checkpoint(const std::string & path) {
    ggml_context * raw = nullptr;
    gguf_init_params params = {false, &raw};
    gguf_ptr g(gguf_init_from_file(path.c_str(), params));
    if (!g) throw std::runtime_error("'" + path + "' is not a readable checkpoint");
    ggml_ctx_ptr data(raw);
    int64_t step_id = gguf_find_key(g.get(), "polytune.step");
    if (step_id < 0) throw std::runtime_error("'" + path + "' is not a Polytune checkpoint");
    if ((int) kv_u32(g.get(), "polytune.rank", 0, true) != opts_.rank) throw std::runtime_error("the checkpoint was made with another LoRA rank");
    size_t gi = 0;
    for (const auto & lp : loras_) {
        for (ggml_tensor * t : {lp->a, lp->b}) {
            std::string name = ggml_get_name(t);
            ggml_tensor * p = ggml_get_tensor(data.get(), name.c_str());
            ggml_tensor * m = ggml_get_tensor(data.get(), (name + ".adam_m").c_str());
            ggml_tensor * v = ggml_get_tensor(data.get(), (name + ".adam_v").c_str());
            if (!p || !m || !v || ggml_nelements(p) != ggml_nelements(t)) throw std::runtime_error("the checkpoint does not match these LoRA targets (" + name + ")");
            ggml_backend_tensor_set(t, p->data, 0, ggml_nbytes(t));
            std::memcpy(adam_m_[gi].data(), m->data, ggml_nbytes(t));
            std::memcpy(adam_v_[gi].data(), v->data, ggml_nbytes(t));
            std::fill(grad_acc_[gi].begin(), grad_acc_[gi].end(), 0.0f);
            ++gi;
        }
    }
    step_ = (int64_t) gguf_get_val_u64(g.get(), step_id);
    acc_tokens_ = 0;
}

} // namespace polytune
