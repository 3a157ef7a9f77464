#include <algorithm>
#include "lora_trainer.h"
#include "backend_loader.h"
#include "ggml_ptr.h"

#include "ggml.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "gguf.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>

namespace polytune {

const std::map<std::string, std::string> & target_tensor_names() {
    static const std::map<std::string, std::string> names = {
        {"q", "attn_q"}, {"k", "attn_k"}, {"v", "attn_v"}, {"o", "attn_output"},
        {"gate", "ffn_gate"}, {"up", "ffn_up"}, {"down", "ffn_down"}, {"output", "output"},
    };
    return names;
}

uint32_t kv_u32(gguf_context * g, const std::string & key, uint32_t fallback, bool required) {
    int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0) {
        if (required) throw trainer_error("bad-model", "the model has no '" + key + "' metadata");
        return fallback;
    }
    switch (gguf_get_kv_type(g, id)) {
        case GGUF_TYPE_UINT32: return gguf_get_val_u32(g, id);
        case GGUF_TYPE_INT32: return (uint32_t) gguf_get_val_i32(g, id);
        case GGUF_TYPE_UINT64: return (uint32_t) gguf_get_val_u64(g, id);
        default: throw trainer_error("bad-model", "metadata '" + key + "' has an unexpected type");
    }
}

float kv_f32(gguf_context * g, const std::string & key, float fallback) {
    int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0) return fallback;
    if (gguf_get_kv_type(g, id) != GGUF_TYPE_FLOAT32) throw trainer_error("bad-model", "metadata '" + key + "' is not a float");
    return gguf_get_val_f32(g, id);
}

// Whole rows of `type` (to_float works on rows) into F32.
void dequantize_rows(int type_id, const uint8_t * raw, int64_t row, int64_t n, std::vector<float> & out, const std::string & name) {
    const ggml_type type = (ggml_type) type_id;
    out.resize((size_t) n);
    if (type == GGML_TYPE_F32) {
        std::memcpy(out.data(), raw, (size_t) n * sizeof(float));
        return;
    }
    const ggml_type_traits * traits = ggml_get_type_traits(type);
    if (!traits || !traits->to_float) throw trainer_error("bad-model", "tensor '" + name + "' has type " + ggml_type_name(type) + ", which cannot be dequantized");
    const size_t row_bytes = ggml_row_size(type, row);
    for (int64_t r = 0; r < n / row; ++r) traits->to_float(raw + r * row_bytes, out.data() + r * row, row);
}

std::string free_memory_note(void * device) {
    if (!device) return "";
    size_t free = 0, total = 0;
    ggml_backend_dev_memory((ggml_backend_dev_t) device, &free, &total);
    if (total == 0) return "";
    return " (the device has " + std::to_string(free >> 20) + " MiB free of " + std::to_string(total >> 20) + " MiB)";
}

namespace {

size_t graph_size_for(int n_layer) { return std::max<size_t>(4096, (size_t) n_layer * 800 + 2048); }

// The type of a transposed copy: the source's, where its blocks fit the new row length and ggml can
// write it without an importance matrix; else Q8_0, else F16.
ggml_type transposed_type(ggml_type src, int64_t row) {
    if (src == GGML_TYPE_F32) return GGML_TYPE_F32;
    static const ggml_type writable[] = {GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1, GGML_TYPE_Q8_0,
                                         GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K};
    auto fits = [&](ggml_type t) { return row % ggml_blck_size(t) == 0; };
    if (std::find(std::begin(writable), std::end(writable), src) != std::end(writable) && fits(src)) return src;
    return fits(GGML_TYPE_Q8_0) && src != GGML_TYPE_F16 && src != GGML_TYPE_BF16 ? GGML_TYPE_Q8_0 : GGML_TYPE_F16;
}


// A tensor whose shape the graph does not expect is the file's fault: say which, rather than let ggml abort.
void check_shape(const hparams & hp, const std::string & name, const ggml_tensor * t) {
    const int64_t e = hp.n_embd, q = (int64_t) hp.n_embd_head * hp.n_head, kv = (int64_t) hp.n_embd_head * hp.n_head_kv, f = hp.n_ff;
    auto ends = [&](const char * suffix) { const std::string s(suffix); return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0; };
    std::vector<int64_t> want;
    if (name == "token_embd.weight" || name == "output.weight") want = {e, t->ne[1]};
    else if (name == "rope_freqs.weight") want = {hp.n_rot / 2};
    else if (ends("attn_q_norm.weight") || ends("attn_k_norm.weight")) want = {hp.n_embd_head};
    else if (ends("_norm.weight")) want = {e};
    else if (ends("attn_q.weight")) want = {e, q};
    else if (ends("attn_k.weight") || ends("attn_v.weight")) want = {e, kv};
    else if (ends("attn_output.weight")) want = {q, e};
    else if (ends("ffn_gate.weight") || ends("ffn_up.weight")) want = {e, f};
    else if (ends("ffn_down.weight")) want = {f, e};
    else if (ends("attn_q.bias")) want = {q};
    else if (ends("attn_k.bias") || ends("attn_v.bias")) want = {kv};
    else if (ends("attn_output.bias") || ends("ffn_down.bias")) want = {e};
    else if (ends("ffn_gate.bias") || ends("ffn_up.bias")) want = {f};
    else return;
    auto text = [](const int64_t * ne, int n) {
        std::string out;
        for (int i = 0; i < n; ++i) out += (i ? " × " : "") + std::to_string(ne[i]);
        return out;
    };
    bool ok = ggml_n_dims(t) <= (int) want.size();
    for (int i = 0; i < GGML_MAX_DIMS && ok; ++i) ok = t->ne[i] == (i < (int) want.size() ? want[i] : 1);
    if (!ok) throw trainer_error("bad-model", "tensor '" + name + "' is " + text(t->ne, std::max(1, ggml_n_dims(t))) + ", but the model's metadata implies " + text(want.data(), (int) want.size()));
}

} // namespace

lora_trainer::lora_trainer(const trainer_options & opts) : opts_(opts) {
    // Test hook: operations named here (comma-separated ggml names) count as unsupported by the backend,
    // to exercise on any machine what a GPU backend that lacks them (Metal) takes.
    if (const char * deny = std::getenv("POLYTUNE_TRAINER_UNSUPPORTED_OPS")) denied_ops_ = "," + std::string(deny) + ",";
    if (opts_.rank < 1) throw trainer_error("bad-input", "the LoRA rank must be at least 1");
    if (opts_.targets.empty()) throw trainer_error("bad-input", "no LoRA targets were given");
    if (!(opts_.dropout >= 0.0f && opts_.dropout < 1.0f)) throw trainer_error("bad-input", "the LoRA dropout must be at least 0 and below 1");
    for (const auto & t : opts_.targets) {
        if (!target_tensor_names().count(t)) throw trainer_error("bad-input", "unknown LoRA target '" + t + "' (use q, k, v, o, gate, up, down, output)");
    }
    try {
        open_backend();
    } catch (const trainer_error & e) {
        free_all();
        // `auto` found a GPU whose backend lacks an operation training needs (Metal lacks the backward's
        // OUT_PROD, for one): train on the CPU instead, and say so, rather than fail at the first step.
        if (opts_.backend != "auto" || e.code != "unsupported-op") throw;
        backend_note_ = std::string(e.what()) + "; training on the CPU instead";
        opts_.backend = "cpu";
        try {
            open_backend();
        } catch (...) {
            free_all();
            throw;
        }
    } catch (...) {
        free_all();
        throw;
    }
}

void lora_trainer::open_backend() {
    init_backend();
    load_model();
    init_lora();
    init_dropout();
    build_optimizer_graphs();
    galloc_ = ggml_gallocr_new(ggml_backend_get_default_buffer_type(backend_));
    probe_training();
}

// The graphs of a two-token micro-batch, checked (not run) on the backend: an operation it lacks shows
// here, at open, as what it is; later refusals can then only be a micro-batch beyond the device's limits.
void lora_trainer::probe_training() {
    batch b;
    b.tokens = {0, 0};
    b.target = {0, 1};
    b.lengths = {2};
    run_loss(b, true, opts_.dropout > 0.0f ? 0 : -1, true);
    run_loss(b, false, -1, true);
}

lora_trainer::~lora_trainer() { free_all(); }

void lora_trainer::free_all() {
    if (galloc_) ggml_gallocr_free(galloc_);
    if (opt_galloc_) ggml_gallocr_free(opt_galloc_);
    if (norm_galloc_) ggml_gallocr_free(norm_galloc_);
    if (opt_ctx_) ggml_free(opt_ctx_);
    if (dropout_buf_) ggml_backend_buffer_free(dropout_buf_);
    if (dropout_ctx_) ggml_free(dropout_ctx_);
    if (acc_buf_) ggml_backend_buffer_free(acc_buf_);
    if (acc_ctx_) ggml_free(acc_ctx_);
    if (lora_buf_) ggml_backend_buffer_free(lora_buf_);
    if (lora_ctx_) ggml_free(lora_ctx_);
    if (weights_buf_) ggml_backend_buffer_free(weights_buf_);
    if (weights_ctx_) ggml_free(weights_ctx_);
    if (backend_) ggml_backend_free(backend_);
    galloc_ = opt_galloc_ = norm_galloc_ = nullptr;
    opt_ctx_ = acc_ctx_ = lora_ctx_ = weights_ctx_ = nullptr;
    acc_buf_ = lora_buf_ = weights_buf_ = dropout_buf_ = nullptr;
    dropout_ctx_ = nullptr;
    // Everything that pointed into those contexts, so the constructor can open another backend afresh.
    loras_.clear();
    layers_.clear();
    transposed_.clear();
    dropout_tables_.clear();
    output_lora_ = nullptr;
    tok_embd_ = output_norm_ = output_ = rope_freqs_ = nullptr;
    norm_graph_ = update_graph_ = nullptr;
    norm2_ = adamw_params_ = grad_scale_ = nullptr;
    hp_ = hparams();
    acc_tokens_ = micro_ = step_ = base_bytes_ = 0;
    backend_ = nullptr;
}

void lora_trainer::init_backend() {
    started_backend b = start_backend(opts_.backend, opts_.backends_dir, opts_.backend_libs, opts_.device, opts_.threads);
    backend_ = b.backend;
    device_ = b.device;
    backend_name_ = b.name;
    device_description_ = b.description;
}

void lora_trainer::load_model() {
    ggml_context * meta_raw = nullptr;
    gguf_init_params params = {/*no_alloc =*/ true, /*ctx =*/ &meta_raw};
    gguf_ptr g(gguf_init_from_file(opts_.model_path.c_str(), params));
    if (!g) throw trainer_error("bad-model", "'" + opts_.model_path + "' is not a readable GGUF model");
    ggml_ctx_ptr meta(meta_raw);

    int64_t arch_id = gguf_find_key(g.get(), "general.architecture");
    if (arch_id < 0) throw std::runtime_error("the model names no architecture");
    hp_.arch = gguf_get_val_str(g.get(), arch_id);
    const std::string & a = hp_.arch;
    if (a != "llama" && a != "mistral" && a != "qwen2" && a != "qwen3") {
        throw trainer_error("bad-model", "the architecture '" + a + "' is not supported for training (supported: llama, mistral, qwen2, qwen3)");
    }
    hp_.n_embd = kv_u32(g.get(), a + ".embedding_length", 0, true);
    hp_.n_layer = kv_u32(g.get(), a + ".block_count", 0, true);
    hp_.n_head = kv_u32(g.get(), a + ".attention.head_count", 0, true);
    hp_.n_head_kv = kv_u32(g.get(), a + ".attention.head_count_kv", hp_.n_head, false);
    hp_.n_ff = kv_u32(g.get(), a + ".feed_forward_length", 0, true);
    hp_.n_ctx_orig = kv_u32(g.get(), a + ".context_length", 2048, false);
    if (hp_.n_head <= 0 || hp_.n_head_kv <= 0 || hp_.n_head % hp_.n_head_kv != 0) throw trainer_error("bad-model", "inconsistent attention head counts");
    if (kv_u32(g.get(), a + ".expert_count", 0, false) > 0) {
        throw trainer_error("bad-model", "mixture-of-experts models are not supported for training (this one has " + std::to_string(kv_u32(g.get(), a + ".expert_count", 0, false)) + " experts)");
    }
    // The head size as llama.cpp reads it: key_length, else n_embd / n_head (they differ in Qwen3 0.6B/4B, Mistral Nemo).
    hp_.n_embd_head = (int) kv_u32(g.get(), a + ".attention.key_length", hp_.n_embd / hp_.n_head, false);
    const int value_len = (int) kv_u32(g.get(), a + ".attention.value_length", hp_.n_embd / hp_.n_head, false);
    if (value_len != hp_.n_embd_head) throw trainer_error("bad-model", "key and value heads differ in size (" + std::to_string(hp_.n_embd_head) + " and " + std::to_string(value_len) + "), which " + a + " models do not do");
    hp_.n_rot = kv_u32(g.get(), a + ".rope.dimension_count", hp_.n_embd_head, false);
    if (hp_.n_rot != hp_.n_embd_head) throw trainer_error("bad-model", "rotary embeddings over " + std::to_string(hp_.n_rot) + " of " + std::to_string(hp_.n_embd_head) + " head dimensions are not supported (llama.cpp refuses them for " + a + " too)");
    hp_.freq_base = kv_f32(g.get(), a + ".rope.freq_base", 10000.0f);
    // RoPE scaling as llama.cpp applies it: linear (or none); YaRN and LongRoPE change the rotation itself.
    std::string scaling = "linear";
    if (int64_t id = gguf_find_key(g.get(), (a + ".rope.scaling.type").c_str()); id >= 0 && gguf_get_kv_type(g.get(), id) == GGUF_TYPE_STRING) scaling = gguf_get_val_str(g.get(), id);
    if (scaling != "linear" && scaling != "none") throw trainer_error("bad-model", "RoPE scaling '" + scaling + "' is not supported for training (linear and none are)");
    float scale_linear = kv_f32(g.get(), a + ".rope.scaling.factor", 0.0f);
    if (scale_linear == 0.0f) scale_linear = kv_f32(g.get(), a + ".rope.scale_linear", 0.0f);
    hp_.freq_scale = scaling == "linear" && scale_linear > 0 ? 1.0f / scale_linear : 1.0f;
    hp_.rms_eps = kv_f32(g.get(), a + ".attention.layer_norm_rms_epsilon", 1e-5f);
    hp_.rope_mode = (a == "qwen2" || a == "qwen3") ? GGML_ROPE_TYPE_NEOX : 0;
    hp_.qkv_bias = a == "qwen2";
    hp_.qk_norm = a == "qwen3";
    if (gguf_find_tensor(g.get(), "blk.0.attn_qkv.weight") >= 0) throw trainer_error("bad-model", "models with fused attention projections (attn_qkv) are not supported for training");

    // Every tensor the graph uses: in F32, or (keep_base_type) the matrices as the file stores them.
    std::vector<std::string> names = {"token_embd.weight", "output_norm.weight"};
    bool tied = gguf_find_tensor(g.get(), "output.weight") < 0;
    hp_.tied_output = tied;
    if (!tied) names.push_back("output.weight");
    for (int l = 0; l < hp_.n_layer; ++l) {
        std::string p = "blk." + std::to_string(l) + ".";
        for (const char * n : {"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"}) names.push_back(p + n + ".weight");
        if (hp_.qkv_bias) for (const char * n : {"attn_q", "attn_k", "attn_v"}) names.push_back(p + n + ".bias");
        if (hp_.qk_norm) for (const char * n : {"attn_q_norm", "attn_k_norm"}) names.push_back(p + n + ".weight");
        // Biases llama.cpp adds where a file has them (llama-family conversions of some fine-tunes do).
        for (const char * n : {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}) {
            std::string bias = p + n + ".bias";
            if (std::find(names.begin(), names.end(), bias) == names.end() && gguf_find_tensor(g.get(), bias.c_str()) >= 0) names.push_back(bias);
        }
    }
    // Llama 3.1+ frequency factors: llama.cpp rotates with them, so training must too.
    hp_.rope_freqs = gguf_find_tensor(g.get(), "rope_freqs.weight") >= 0;
    if (hp_.rope_freqs) names.push_back("rope_freqs.weight");
    auto is_matrix = [](const std::string & name) {
        return name.find("_norm") == std::string::npos && name.find(".bias") == std::string::npos && name != "rope_freqs.weight";
    };
    ggml_init_params wp = {ggml_tensor_overhead() * (names.size() * 2 + 8), nullptr, true};
    weights_ctx_ = ggml_init(wp);
    std::map<std::string, ggml_tensor *> made;
    std::map<std::string, ggml_tensor *> made_t;  // transposed copies (keep_base_type)
    // A backend without OUT_PROD at all (Metal) would transpose an F32 matrix for every backward
    // (lower_for_backend): hold F32 matrices transposed too, once.
    const bool transpose_f32 = !backend_does_out_prod();
    for (const auto & name : names) {
        ggml_tensor * src = ggml_get_tensor(meta.get(), name.c_str());
        if (!src) throw trainer_error("bad-model", "the model has no tensor '" + name + "'");
        ggml_type type = GGML_TYPE_F32;
        if (opts_.keep_base_type && is_matrix(name) && src->type != GGML_TYPE_F32) {
            if (!ggml_get_type_traits(src->type)->to_float) throw trainer_error("bad-model", "tensor '" + name + "' has type " + ggml_type_name(src->type) + ", which cannot be read");
            type = src->type;
        }
        ggml_tensor * t = ggml_new_tensor(weights_ctx_, type, ggml_n_dims(src), src->ne);
        ggml_set_name(t, name.c_str());
        check_shape(hp_, name, src);
        made[name] = t;
        // The backward's W^T·dy as a MUL_MAT over a transposed copy: GPU kernels of OUT_PROD take F32 only.
        // On every backend: the GPUs cannot do that OUT_PROD at all, and the CPU does it for F16 or
        // quantized W an order of magnitude slower than the product. The embeddings need one only when
        // they are also the output head.
        if ((type != GGML_TYPE_F32 || transpose_f32) && is_matrix(name) && (name != "token_embd.weight" || tied)) {
            made_t[name] = ggml_new_tensor_2d(weights_ctx_, transposed_type(type, src->ne[1]), src->ne[1], src->ne[0]);
        }
    }
    weights_buf_ = ggml_backend_alloc_ctx_tensors(weights_ctx_, backend_);
    if (!weights_buf_) {
        int64_t need = 0;
        for (const auto & [name, t] : made) need += (int64_t) ggml_nbytes(t);
        for (const auto & [name, t] : made_t) need += (int64_t) ggml_nbytes(t);
        throw trainer_error("out-of-memory", "out of memory on " + device_description_ + ": the base weights need " + std::to_string(need >> 20) + " MiB" +
                                                 (opts_.keep_base_type ? " (as stored, plus a transposed copy)" : " in F32") + free_memory_note(device_));
    }
    base_bytes_ = (int64_t) ggml_backend_buffer_get_size(weights_buf_);

    std::ifstream file(opts_.model_path, std::ios::binary);
    if (!file) throw trainer_error("io", "cannot open '" + opts_.model_path + "'");
    const size_t data_offset = gguf_get_data_offset(g.get());
    std::vector<uint8_t> raw;
    std::vector<float> f32, f32_t;
    for (const auto & name : names) {
        int64_t tid = gguf_find_tensor(g.get(), name.c_str());
        ggml_type type = gguf_get_tensor_type(g.get(), tid);
        size_t size = gguf_get_tensor_size(g.get(), tid);
        raw.resize(size);
        file.seekg((std::streamoff) (data_offset + gguf_get_tensor_offset(g.get(), tid)));
        file.read((char *) raw.data(), (std::streamsize) size);
        if (!file) throw trainer_error("bad-model", "the model file ends inside tensor '" + name + "' (truncated?)");
        ggml_tensor * t = made[name];
        if (t->type == type && type != GGML_TYPE_F32) {
            ggml_backend_tensor_set(t, raw.data(), 0, size);
        } else {
            dequantize_rows(type, raw.data(), t->ne[0], ggml_nelements(t), f32, name);
            ggml_backend_tensor_set(t, f32.data(), 0, f32.size() * sizeof(float));
        }
        auto tt = made_t.find(name);
        if (tt == made_t.end()) continue;
        // Transposed copy: dequantize, transpose, and store in a type whose blocks fit the new rows.
        ggml_tensor * wt = tt->second;
        dequantize_rows(type, raw.data(), t->ne[0], ggml_nelements(t), f32, name);
        const int64_t n_in = t->ne[0], n_out = t->ne[1];
        f32_t.resize(f32.size());
        for (int64_t o = 0; o < n_out; ++o)
            for (int64_t i = 0; i < n_in; ++i) f32_t[(size_t) i * n_out + o] = f32[(size_t) o * n_in + i];
        std::vector<uint8_t> q(ggml_nbytes(wt));
        ggml_quantize_chunk(wt->type, f32_t.data(), q.data(), 0, n_in, n_out, nullptr);
        ggml_backend_tensor_set(wt, q.data(), 0, q.size());
        transposed_[t] = wt;
    }
    tok_embd_ = made["token_embd.weight"];
    output_norm_ = made["output_norm.weight"];
    output_ = tied ? tok_embd_ : made["output.weight"];
    if (hp_.rope_freqs) rope_freqs_ = made["rope_freqs.weight"];
    if (output_->ne[1] != tok_embd_->ne[1]) throw trainer_error("bad-model", "the output head has " + std::to_string(output_->ne[1]) + " rows but the vocabulary " + std::to_string(tok_embd_->ne[1]));
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
        auto optional = [&](const char * n) { auto it = made.find(p + n); return it == made.end() ? nullptr : it->second; };
        L.bq = optional("attn_q.bias");
        L.bk = optional("attn_k.bias");
        L.bv = optional("attn_v.bias");
        L.bo = optional("attn_output.bias");
        L.b_gate = optional("ffn_gate.bias");
        L.b_up = optional("ffn_up.bias");
        L.b_down = optional("ffn_down.bias");
        if (hp_.qk_norm) {
            L.q_norm = made[p + "attn_q_norm.weight"];
            L.k_norm = made[p + "attn_k_norm.weight"];
        }
    }
}

void lora_trainer::init_lora() {
    const int r = opts_.rank;
    bool has_output = std::find(opts_.targets.begin(), opts_.targets.end(), "output") != opts_.targets.end();
    if (has_output && hp_.tied_output) {
        throw trainer_error("bad-input", "this model shares its output head with the token embeddings, so a LoRA on 'output' cannot be loaded by llama.cpp; leave 'output' out of the targets");
    }
    // Per pair: A, B, and both Adam moments of each (lora_ctx_); two gradient accumulators (acc_ctx_).
    size_t count = ((size_t) hp_.n_layer * opts_.targets.size() + 1) * 6 + 8;
    ggml_init_params lp = {ggml_tensor_overhead() * count, nullptr, true};
    lora_ctx_ = ggml_init(lp);
    acc_ctx_ = ggml_init(lp);
    auto add_pair = [&](int layer, const std::string & target, ggml_tensor * w, const std::string & base_name) {
        auto p = std::make_unique<lora_pair>();
        p->layer = layer;
        p->target = target;
        p->base_name = base_name;
        p->w = w;
        p->n_in = (int) w->ne[0];
        p->n_out = (int) w->ne[1];
        p->a = ggml_new_tensor_2d(lora_ctx_, GGML_TYPE_F32, p->n_in, r);
        p->b = ggml_new_tensor_2d(lora_ctx_, GGML_TYPE_F32, r, p->n_out);
        ggml_set_name(p->a, (base_name + ".lora_a").c_str());
        ggml_set_name(p->b, (base_name + ".lora_b").c_str());
        ggml_set_param(p->a);
        ggml_set_param(p->b);
        p->ma = ggml_dup_tensor(lora_ctx_, p->a);
        p->va = ggml_dup_tensor(lora_ctx_, p->a);
        p->mb = ggml_dup_tensor(lora_ctx_, p->b);
        p->vb = ggml_dup_tensor(lora_ctx_, p->b);
        p->ga = ggml_dup_tensor(acc_ctx_, p->a);
        p->gb = ggml_dup_tensor(acc_ctx_, p->b);
        lora_pair * raw = p.get();
        loras_.push_back(std::move(p));
        return raw;
    };
    for (int l = 0; l < hp_.n_layer; ++l) {
        auto & L = layers_[l];
        std::map<std::string, ggml_tensor *> base = {{"q", L.wq}, {"k", L.wk}, {"v", L.wv}, {"o", L.wo}, {"gate", L.w_gate}, {"up", L.w_up}, {"down", L.w_down}};
        for (const auto & target : opts_.targets) {
            if (target == "output") continue;
            L.lora[target] = add_pair(l, target, base[target], "blk." + std::to_string(l) + "." + target_tensor_names().at(target) + ".weight");
        }
    }
    if (has_output) output_lora_ = add_pair(-1, "output", output_, "output.weight");
    adamw_params_ = ggml_new_tensor_1d(lora_ctx_, GGML_TYPE_F32, 7);
    grad_scale_ = ggml_new_tensor_1d(lora_ctx_, GGML_TYPE_F32, 1);
    lora_buf_ = ggml_backend_alloc_ctx_tensors(lora_ctx_, backend_);
    acc_buf_ = lora_buf_ ? ggml_backend_alloc_ctx_tensors(acc_ctx_, backend_) : nullptr;
    if (!lora_buf_ || !acc_buf_) throw trainer_error("out-of-memory", "out of memory on " + device_description_ + " for the LoRA tensors and optimizer state" + free_memory_note(device_));
    ggml_backend_buffer_clear(lora_buf_, 0);
    ggml_backend_buffer_clear(acc_buf_, 0);
    // A: Kaiming-uniform as PEFT does (bound 1/sqrt(n_in)); B: zero, so training starts from the base model.
    std::mt19937 rng(opts_.seed);
    for (auto & p : loras_) {
        std::uniform_real_distribution<float> dist(-1.0f / std::sqrt((float) p->n_in), 1.0f / std::sqrt((float) p->n_in));
        std::vector<float> a(ggml_nelements(p->a));
        for (auto & x : a) x = dist(rng);
        ggml_backend_tensor_set(p->a, a.data(), 0, a.size() * sizeof(float));
    }
}

// ggml's backward of y = W·x computes W^T·dy as OUT_PROD(W, transpose(dy)); with W kept quantized or
// F16, GPU kernels refuse that (F32 only). Where we hold W transposed it becomes MUL_MAT(W^T, dy).
void lora_trainer::use_transposed(ggml_cgraph * gf) {
    if (transposed_.empty()) return;
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
        ggml_tensor * node = ggml_graph_node(gf, i);
        if (node->op != GGML_OP_OUT_PROD || node->src[1]->op != GGML_OP_TRANSPOSE) continue;
        auto it = transposed_.find(node->src[0]);
        if (it == transposed_.end()) continue;
        ggml_tensor * dy = node->src[1]->src[0];
        if (dy->ne[0] != it->second->ne[0]) continue;
        node->op = GGML_OP_MUL_MAT;
        node->src[0] = it->second;
        node->src[1] = dy;
        std::memset(node->op_params, 0, sizeof(node->op_params));
        // F32 accumulation: CUDA's cuBLAS path would otherwise sum an F16 W^T·dy in F16 and round the
        // activation gradients to F16.
        ggml_mul_mat_set_prec(node, GGML_PREC_F32);
    }
}

namespace {
constexpr int64_t dropout_table_rows = 1024;  // keep-rows per input width; tokens pick among them independently
}

// One table per input width of keep-masks (1 with probability 1 - p, else 0), drawn once from the seed,
// so a resumed run has the same tables. F16 holds 0 and 1 exactly at half the size.
void lora_trainer::init_dropout() {
    if (opts_.dropout <= 0.0f) return;
    std::vector<int64_t> widths;
    for (const auto & p : loras_) {
        if (std::find(widths.begin(), widths.end(), p->n_in) == widths.end()) widths.push_back(p->n_in);
    }
    ggml_init_params ip = {ggml_tensor_overhead() * (widths.size() + 1), nullptr, true};
    dropout_ctx_ = ggml_init(ip);
    for (int64_t w : widths) dropout_tables_[w] = ggml_new_tensor_2d(dropout_ctx_, GGML_TYPE_F16, w, dropout_table_rows);
    dropout_buf_ = ggml_backend_alloc_ctx_tensors(dropout_ctx_, backend_);
    if (!dropout_buf_) throw trainer_error("out-of-memory", "out of memory on " + device_description_ + " for the dropout masks" + free_memory_note(device_));
    std::mt19937 rng(opts_.seed ^ 0x6d61736bu);
    std::bernoulli_distribution keep(1.0 - (double) opts_.dropout);
    const ggml_fp16_t one = ggml_fp32_to_fp16(1.0f), zero = ggml_fp32_to_fp16(0.0f);
    for (auto & [w, t] : dropout_tables_) {
        std::vector<ggml_fp16_t> mask((size_t) ggml_nelements(t));
        for (auto & m : mask) m = keep(rng) ? one : zero;
        ggml_backend_tensor_set(t, mask.data(), 0, ggml_nbytes(t));
    }
}

float lora_trainer::lora_scale() const {
    return opts_.rslora ? opts_.alpha / std::sqrt((float) opts_.rank) : opts_.alpha / (float) opts_.rank;
}

void lora_trainer::build_optimizer_graphs() {
    const size_t n = loras_.size() * 2;
    const size_t gsize = std::max<size_t>(64, n * 4 + 16);
    ggml_init_params ip = {ggml_tensor_overhead() * gsize * 2 + 2 * ggml_graph_overhead_custom(gsize, false), nullptr, true};
    opt_ctx_ = ggml_init(ip);
    // Squared global norm of the accumulated gradients: one scalar read per update for clipping.
    norm_graph_ = ggml_new_graph_custom(opt_ctx_, gsize, false);
    ggml_tensor * sum = nullptr;
    for (auto & p : loras_) {
        for (ggml_tensor * g : {p->ga, p->gb}) {
            ggml_tensor * s = ggml_sum(opt_ctx_, ggml_sqr(opt_ctx_, g));
            sum = sum ? ggml_add(opt_ctx_, sum, s) : s;
        }
    }
    norm2_ = sum;
    ggml_set_output(norm2_);
    ggml_build_forward_expand(norm_graph_, norm2_);
    // AdamW on the device, over gradients scaled by 1/tokens and the clip factor.
    update_graph_ = ggml_new_graph_custom(opt_ctx_, gsize, false);
    for (auto & p : loras_) {
        ggml_tensor * pairs[2][4] = {{p->a, p->ga, p->ma, p->va}, {p->b, p->gb, p->mb, p->vb}};
        for (auto & q : pairs) {
            ggml_tensor * g = ggml_mul(opt_ctx_, q[1], grad_scale_);
            ggml_build_forward_expand(update_graph_, ggml_opt_step_adamw(opt_ctx_, q[0], g, q[2], q[3], adamw_params_));
        }
    }
    // Each static graph keeps its own allocator, so neither overwrites the other's intermediate tensors.
    opt_galloc_ = ggml_gallocr_new(ggml_backend_get_default_buffer_type(backend_));
    norm_galloc_ = ggml_gallocr_new(ggml_backend_get_default_buffer_type(backend_));
    if (!ggml_gallocr_alloc_graph(opt_galloc_, update_graph_) || !ggml_gallocr_alloc_graph(norm_galloc_, norm_graph_)) throw trainer_error("out-of-memory", "out of memory on " + device_description_ + " for the optimizer" + free_memory_note(device_));
    for (ggml_cgraph * gf : {norm_graph_, update_graph_}) {
        for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
            ggml_tensor * node = ggml_graph_node(gf, i);
            if (!backend_supports(node)) {
                throw trainer_error("unsupported-op", backend_name_ + " cannot compute " + ggml_op_desc(node) + " for the optimizer");
            }
        }
    }
}

int64_t lora_trainer::trainable_parameters() const {
    int64_t n = 0;
    for (const auto & p : loras_) n += ggml_nelements(p->a) + ggml_nelements(p->b);
    return n;
}

memory_report lora_trainer::memory() const {
    memory_report m;
    m.weights = weights_buf_ ? (int64_t) ggml_backend_buffer_get_size(weights_buf_) : 0;
    m.lora = trainable_parameters() * 4 + (dropout_buf_ ? (int64_t) ggml_backend_buffer_get_size(dropout_buf_) : 0);
    m.optimizer = (lora_buf_ ? (int64_t) ggml_backend_buffer_get_size(lora_buf_) : 0) - trainable_parameters() * 4 + (acc_buf_ ? (int64_t) ggml_backend_buffer_get_size(acc_buf_) : 0);
    m.compute = (galloc_ ? (int64_t) ggml_gallocr_get_buffer_size(galloc_, 0) : 0) + (opt_galloc_ ? (int64_t) ggml_gallocr_get_buffer_size(opt_galloc_, 0) : 0);
    if (device_) {
        size_t free = 0, total = 0;
        ggml_backend_dev_memory((ggml_backend_dev_t) device_, &free, &total);
        m.device_free = (int64_t) free;
        m.device_total = (int64_t) total;
    }
    return m;
}

ggml_tensor * lora_trainer::project(ggml_context * ctx, ggml_tensor * w, ggml_tensor * x, lora_pair * lp, const dropout_rows & drop) {
    ggml_tensor * y = ggml_mul_mat(ctx, w, x);
    if (lp) {
        float scale = lora_scale();
        auto rows = drop.find(lp);
        if (rows != drop.end()) {
            // Dropout on the adapter's input, as PEFT does: x · keep-mask, and 1/(1-p) folded into the scale.
            x = ggml_mul(ctx, x, ggml_get_rows(ctx, dropout_tables_.at(lp->n_in), rows->second));
            scale /= 1.0f - opts_.dropout;
        }
        ggml_tensor * ax = ggml_mul_mat(ctx, lp->a, x);
        ggml_tensor * bax = ggml_mul_mat(ctx, lp->b, ax);
        y = ggml_add(ctx, y, ggml_scale(ctx, bax, scale));
    }
    return y;
}

// R rows of C tokens each (sequences packed into rows, each attending only to itself); the rows are
// folded into the head dimension for attention, which keeps every tensor 3-D for the GQA backward.
ggml_tensor * lora_trainer::build_hidden(ggml_context * ctx, ggml_tensor * tokens, ggml_tensor * pos, ggml_tensor * mask, int C, int R, const dropout_rows & drop) {
    const int hd = hp_.head_dim();
    const int nh = hp_.n_head, nkv = hp_.n_head_kv;
    const int T = C * R;
    const float kq_scale = 1.0f / std::sqrt((float) hd);
    ggml_tensor * x = ggml_get_rows(ctx, tok_embd_, tokens);
    for (int l = 0; l < hp_.n_layer; ++l) {
        auto & L = layers_[l];
        auto lora = [&](const char * t) -> lora_pair * { auto it = L.lora.find(t); return it == L.lora.end() ? nullptr : it->second; };
        ggml_tensor * cur = ggml_mul(ctx, ggml_rms_norm(ctx, x, hp_.rms_eps), L.attn_norm);
        ggml_tensor * q = project(ctx, L.wq, cur, lora("q"), drop);
        ggml_tensor * k = project(ctx, L.wk, cur, lora("k"), drop);
        ggml_tensor * v = project(ctx, L.wv, cur, lora("v"), drop);
        if (L.bq) q = ggml_add(ctx, q, L.bq);
        if (L.bk) k = ggml_add(ctx, k, L.bk);
        if (L.bv) v = ggml_add(ctx, v, L.bv);
        if (hp_.qk_norm) {
            // Over [hd, heads, C, R]: GPU norms launch per row with each dimension capped at 65535, so
            // neither T nor heads·T may be one dimension.
            q = ggml_mul(ctx, ggml_rms_norm(ctx, ggml_reshape_4d(ctx, q, hd, nh, C, R), hp_.rms_eps), L.q_norm);
            k = ggml_mul(ctx, ggml_rms_norm(ctx, ggml_reshape_4d(ctx, k, hd, nkv, C, R), hp_.rms_eps), L.k_norm);
        }
        q = ggml_reshape_3d(ctx, q, hd, nh, T);
        k = ggml_reshape_3d(ctx, k, hd, nkv, T);
        v = ggml_reshape_3d(ctx, v, hd, nkv, T);
        q = ggml_rope_ext(ctx, q, pos, rope_freqs_, hp_.n_rot, hp_.rope_mode, hp_.n_ctx_orig, hp_.freq_base, hp_.freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
        k = ggml_rope_ext(ctx, k, pos, rope_freqs_, hp_.n_rot, hp_.rope_mode, hp_.n_ctx_orig, hp_.freq_base, hp_.freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
        // [hd, heads, C, R] → [hd, C, heads·R]: query head h of row r sits at h + nh·r, and its kv head
        // (h / (nh/nkv)) + nkv·r is exactly what mul_mat's broadcast picks.
        ggml_tensor * Q = ggml_reshape_3d(ctx, ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_4d(ctx, q, hd, nh, C, R), 0, 2, 1, 3)), hd, C, nh * R);
        ggml_tensor * K = ggml_reshape_3d(ctx, ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_4d(ctx, k, hd, nkv, C, R), 0, 2, 1, 3)), hd, C, nkv * R);
        ggml_tensor * kq = ggml_mul_mat(ctx, K, Q);                                   // [C_k, C_q, nh·R]
        // The mask is added per row before the softmax ([C, C, 1, R] broadcast over heads), so that the
        // softmax's output feeds mul_mat directly: read through a view, its backward comes out wrong.
        kq = ggml_add(ctx, ggml_reshape_4d(ctx, ggml_scale(ctx, kq, kq_scale), C, C, nh, R), mask);
        kq = ggml_soft_max(ctx, ggml_reshape_3d(ctx, kq, C, C, nh * R));
        ggml_tensor * Vt = ggml_reshape_3d(ctx, ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_4d(ctx, v, hd, nkv, C, R), 1, 2, 0, 3)), C, hd, nkv * R);
        ggml_tensor * kqv = ggml_mul_mat(ctx, Vt, kq);                                // [hd, C_q, nh·R]
        ggml_tensor * o = ggml_cont(ctx, ggml_permute(ctx, ggml_reshape_4d(ctx, kqv, hd, C, nh, R), 0, 2, 1, 3)); // [hd, nh, C, R]
        o = ggml_reshape_2d(ctx, o, (int64_t) hd * nh, T);
        ggml_tensor * attn = project(ctx, L.wo, o, lora("o"), drop);
        if (L.bo) attn = ggml_add(ctx, attn, L.bo);
        x = ggml_add(ctx, x, attn);
        cur = ggml_mul(ctx, ggml_rms_norm(ctx, x, hp_.rms_eps), L.ffn_norm);
        ggml_tensor * gate = project(ctx, L.w_gate, cur, lora("gate"), drop);
        ggml_tensor * up = project(ctx, L.w_up, cur, lora("up"), drop);
        if (L.b_gate) gate = ggml_add(ctx, gate, L.b_gate);
        if (L.b_up) up = ggml_add(ctx, up, L.b_up);
        ggml_tensor * down = project(ctx, L.w_down, ggml_swiglu_split(ctx, gate, up), lora("down"), drop);
        if (L.b_down) down = ggml_add(ctx, down, L.b_down);
        x = ggml_add(ctx, x, down);
    }
    return ggml_mul(ctx, ggml_rms_norm(ctx, x, hp_.rms_eps), output_norm_);
}

// After a failed graph: give its (possibly huge) compute buffer back and start the next one afresh.
void lora_trainer::release_compute() {
    if (galloc_) ggml_gallocr_free(galloc_);
    galloc_ = ggml_gallocr_new(ggml_backend_get_default_buffer_type(backend_));
    if (acc_tokens_ == 0) ggml_backend_buffer_clear(acc_buf_, 0);
}

void lora_trainer::validate(const batch & b) const {
    if (b.lengths.empty()) throw trainer_error("bad-input", "the batch has no sequences");
    size_t total = 0;
    for (int32_t len : b.lengths) {
        if (len < 2) throw trainer_error("bad-input", "a training sequence needs at least two tokens");
        total += (size_t) len;
    }
    if (total != b.tokens.size()) throw trainer_error("bad-input", "the sequence lengths do not add up to the number of tokens");
    if (b.target.size() != b.tokens.size()) throw trainer_error("bad-input", "the target mask and the tokens differ in length");
    for (int32_t t : b.tokens) {
        if (t < 0 || t >= hp_.n_vocab) throw trainer_error("bad-input", "token id " + std::to_string(t) + " is outside the model's vocabulary of " + std::to_string(hp_.n_vocab));
    }
}

// Backward nodes the backend cannot compute, rewritten into operations it can (ADR 0012). Each node keeps
// its identity (its consumers are untouched): it becomes the last operation of an equivalent composition
// whose other operations are new nodes; the graph is then rebuilt in the same order. Vulkan's OUT_PROD
// needs contiguous operands (copies suffice); Metal has no OUT_PROD, SOFT_MAX_BACK, RMS_NORM_BACK,
// REPEAT_BACK or GET_ROWS_BACK at all. Anything still unsupported stays an error in check_supported.
ggml_cgraph * lora_trainer::lower_for_backend(ggml_context * ctx, ggml_cgraph * gf, size_t gsize) {
    int lowered = 0;
    auto become = [](ggml_tensor * node, ggml_op op, ggml_tensor * a, ggml_tensor * b) {
        node->op = op;
        std::fill(std::begin(node->src), std::end(node->src), nullptr);
        node->src[0] = a;
        node->src[1] = b;
        std::memset(node->op_params, 0, sizeof(node->op_params));
    };
    // CUDA's GET_ROWS_BACK loops over every index for every output element (V·S² for the labels' gather,
    // with one busy thread per block): on GPUs it is lowered even where supported. The CPU's scatters.
    const bool cpu = !on_gpu();
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
        ggml_tensor * node = ggml_graph_node(gf, i);
        if (backend_supports(node) && (cpu || node->op != GGML_OP_GET_ROWS_BACK)) continue;
        ggml_tensor * a = node->src[0], * b = node->src[1];
        switch (node->op) {
            case GGML_OP_OUT_PROD: {
                if (!ggml_is_contiguous(a) || !ggml_is_contiguous(b)) {
                    node->src[0] = ggml_is_contiguous(a) ? a : ggml_cont(ctx, a);
                    node->src[1] = ggml_is_contiguous(b) ? b : ggml_cont(ctx, b);
                    ++lowered;
                    if (backend_supports(node)) break;
                }
                // OUT_PROD(a, b)[i, j] = Σ_k a[i, k]·b[j, k] = MUL_MAT(aᵀ, bᵀ), broadcasting alike over dims 2-3.
                ggml_tensor * at = ggml_cont(ctx, ggml_transpose(ctx, a));
                ggml_tensor * bt = b->op == GGML_OP_TRANSPOSE && ggml_is_contiguous(b->src[0]) ? b->src[0] : ggml_cont(ctx, ggml_transpose(ctx, b));
                become(node, GGML_OP_MUL_MAT, at, bt);
                ++lowered;
                break;
            }
            case GGML_OP_SOFT_MAX_BACK: {
                // dx = scale · y ⊙ (dy − Σ y ⊙ dy), a = dy, b = y
                float scale = 1.0f, max_bias = 0.0f;
                std::memcpy(&scale, (const float *) node->op_params + 0, sizeof(float));
                std::memcpy(&max_bias, (const float *) node->op_params + 1, sizeof(float));
                if (max_bias != 0.0f) break;
                ggml_tensor * d = ggml_sub(ctx, a, ggml_sum_rows(ctx, ggml_mul(ctx, b, a)));
                become(node, GGML_OP_MUL, scale == 1.0f ? d : ggml_scale(ctx, d, scale), b);
                ++lowered;
                break;
            }
            case GGML_OP_RMS_NORM_BACK: {
                // x = b, dz = a: dx = (dz − y · mean(dz ⊙ y)) / rms, with y = x / rms and rms = sqrt(mean(x²) + eps)
                float eps = 0.0f;
                std::memcpy(&eps, node->op_params, sizeof(float));
                const float inv_n = 1.0f / (float) b->ne[0];
                ggml_tensor * rms = ggml_sqrt(ctx, ggml_scale_bias(ctx, ggml_sum_rows(ctx, ggml_sqr(ctx, b)), inv_n, eps));
                ggml_tensor * y = ggml_div(ctx, b, rms);
                ggml_tensor * m = ggml_scale(ctx, ggml_sum_rows(ctx, ggml_mul(ctx, a, y)), inv_n);
                become(node, GGML_OP_DIV, ggml_sub(ctx, a, ggml_mul(ctx, y, m)), rms);
                ++lowered;
                break;
            }
            case GGML_OP_REPEAT_BACK: {
                // The GQA broadcast's backward sums the 4th dimension (the head groups, 2 to 8 of them) of a
                // 4-D view: as a chain of additions of its slices.
                if (node->ne[0] != a->ne[0] || node->ne[1] != a->ne[1] || node->ne[2] != a->ne[2] || node->ne[3] != 1 || a->ne[3] < 2) break;
                auto slice = [&](int64_t j) { return ggml_view_3d(ctx, a, a->ne[0], a->ne[1], a->ne[2], a->nb[1], a->nb[2], (size_t) j * a->nb[3]); };
                ggml_tensor * sum = slice(0);
                for (int64_t j = 1; j + 1 < a->ne[3]; ++j) sum = ggml_add(ctx, sum, slice(j));
                become(node, GGML_OP_ADD, sum, slice(a->ne[3] - 1));
                ++lowered;
                break;
            }
            case GGML_OP_GET_ROWS_BACK: {
                // Both gathers (the supervised positions, the labels' probabilities) pick each row once, so
                // the backward sets rows into zeros. The zeros are filled in rows of a few thousand: the
                // labels' gather has rows of one, V·S of them, which GPUs would launch one by one.
                const int64_t n = node->ne[0] * node->ne[1];
                const int64_t w = std::gcd(n, (int64_t) 4096);
                ggml_tensor * zeros = ggml_fill(ctx, ggml_new_tensor_2d(ctx, GGML_TYPE_F32, w, n / w), 0.0f);
                become(node, GGML_OP_CONT, ggml_set_rows(ctx, ggml_reshape_2d(ctx, zeros, node->ne[0], node->ne[1]), a, b), nullptr);
                ++lowered;
                break;
            }
            default:
                break;
        }
    }
    if (lowered == 0) return gf;
    ggml_cgraph * out = ggml_new_graph_custom(ctx, 2 * gsize, true);
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) ggml_build_forward_expand(out, ggml_graph_node(gf, i));
    return out;
}

bool lora_trainer::on_gpu() const {
    return device_ && ggml_backend_dev_type((ggml_backend_dev_t) device_) != GGML_BACKEND_DEVICE_TYPE_CPU;
}

// Whether the backend computes OUT_PROD of contiguous F32 operands (the backward's activation gradients).
bool lora_trainer::backend_does_out_prod() const {
    ggml_init_params ip = {ggml_tensor_overhead() * 4, nullptr, true};
    ggml_ctx_ptr ctx(ggml_init(ip));
    ggml_tensor * a = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, 64, 32);
    ggml_tensor * b = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, 16, 32);
    return backend_supports(ggml_out_prod(ctx.get(), a, b));
}

bool lora_trainer::backend_supports(const ggml_tensor * node) const {
    if (!denied_ops_.empty() && denied_ops_.find("," + std::string(ggml_op_desc(node)) + ",") != std::string::npos) return false;
    return ggml_backend_supports_op(backend_, node);
}

void lora_trainer::check_supported(ggml_cgraph * gf, const char * what, bool probe) const {
    // One backend computes the whole graph: an op it lacks is an error here, never a silent CPU fallback.
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
        ggml_tensor * node = ggml_graph_node(gf, i);
        if (!backend_supports(node)) {
            std::string types = ggml_type_name(node->type);
            for (int s = 0; s < GGML_MAX_SRC && node->src[s]; ++s) types += std::string(s ? ", " : " from ") + ggml_type_name(node->src[s]->type);
            std::string dims = std::to_string(node->ne[0]);
            for (int d = 1; d < GGML_MAX_DIMS && node->ne[d] > 1; ++d) dims += "×" + std::to_string(node->ne[d]);
            if (probe) {
                throw trainer_error("unsupported-op", backend_name_ + " (" + device_description_ + ") cannot train this model: it lacks " + ggml_op_desc(node) + " (" + types + ") for the " + what);
            }
            throw trainer_error("unsupported-op", backend_name_ + " (" + device_description_ + ") cannot compute " + ggml_op_desc(node) + " (" + types + ", " + dims +
                                                      ") in the " + what + ": this micro-batch exceeds the device's limits; lower the batch size or sequence length");
        }
    }
}

void lora_trainer::compute(ggml_cgraph * gf, const char * what) {
    check_supported(gf, what);
    if (ggml_backend_graph_compute(backend_, gf) != GGML_STATUS_SUCCESS) {
        throw trainer_error("backend-failed", backend_name_ + " failed to compute the " + what + free_memory_note(device_));
    }
}

namespace {
// Where each sequence of a micro-batch goes: first-fit decreasing into rows as long as the longest one.
struct row_plan {
    int C = 0, R = 0;
    std::vector<int> row, offset;   // per sequence
    std::vector<size_t> start;      // per sequence, in the concatenated input
};

row_plan plan_rows(const std::vector<int32_t> & lengths) {
    row_plan p;
    const size_t n = lengths.size();
    p.row.assign(n, 0);
    p.offset.assign(n, 0);
    p.start.assign(n, 0);
    for (size_t i = 1; i < n; ++i) p.start[i] = p.start[i - 1] + (size_t) lengths[i - 1];
    p.C = *std::max_element(lengths.begin(), lengths.end());
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
    std::vector<int> used;
    for (size_t i : order) {
        size_t r = 0;
        while (r < used.size() && used[r] + lengths[i] > p.C) ++r;
        if (r == used.size()) used.push_back(0);
        p.row[i] = (int) r;
        p.offset[i] = used[r];
        used[r] += lengths[i];
    }
    p.R = (int) used.size();
    return p;
}

struct packed_inputs {
    std::vector<int32_t> tokens, pos;
    std::vector<float> mask;        // [C_k, C_q, 1, R]
};

packed_inputs pack(const std::vector<int32_t> & tokens, const std::vector<int32_t> & lengths, const row_plan & p) {
    packed_inputs in;
    const size_t C = (size_t) p.C, R = (size_t) p.R;
    in.tokens.assign(C * R, 0);
    in.pos.assign(C * R, 0);
    in.mask.assign(C * C * R, -INFINITY);
    std::vector<int> segment(C * R, -1);
    for (size_t s = 0; s < lengths.size(); ++s) {
        for (int i = 0; i < lengths[s]; ++i) {
            size_t slot = (size_t) p.row[s] * C + (size_t) p.offset[s] + (size_t) i;
            in.tokens[slot] = tokens[p.start[s] + (size_t) i];
            in.pos[slot] = i;
            segment[slot] = (int) s;
        }
    }
    for (size_t r = 0; r < R; ++r) {
        for (size_t q = 0; q < C; ++q) {
            float * row = in.mask.data() + (r * C + q) * C;
            int sq = segment[r * C + q];
            if (sq < 0) {
                row[q] = 0.0f;  // padding attends to itself only, so its softmax row stays finite
                continue;
            }
            for (size_t k = 0; k <= q; ++k) {
                if (segment[r * C + k] == sq) row[k] = 0.0f;
            }
        }
    }
    return in;
}
} // namespace

step_result lora_trainer::run_loss(const batch & b, bool backward, int64_t dropout_key, bool probe) {
    validate(b);
    const row_plan plan = plan_rows(b.lengths);
    const int C = plan.C, R = plan.R;
    // GPU kernels put heads × rows in a grid dimension capped at 65535 (CUDA's GQA backward refuses
    // from 32768, Metal's products assert below it); they would abort the process rather than refuse,
    // so the trainer refuses first.
    if (on_gpu() && (int64_t) hp_.n_head * R >= 32768) {
        throw trainer_error("bad-input", "the micro-batch packs " + std::to_string(R) + " rows of " + std::to_string(hp_.n_head) + " heads, more than a GPU launch allows (under 32768 heads × rows); lower the batch size");
    }
    // Position i-1 predicts token i; a prediction is supervised when token i is a target.
    std::vector<int32_t> rows, labels;
    for (size_t s = 0; s < b.lengths.size(); ++s) {
        for (int i = 1; i < b.lengths[s]; ++i) {
            size_t at = plan.start[s] + (size_t) i;
            if (!b.target[at]) continue;
            rows.push_back(plan.row[s] * C + plan.offset[s] + i - 1);
            labels.push_back(b.tokens[at]);
        }
    }
    if (rows.empty()) throw trainer_error("bad-input", "the sequence has no supervised tokens");
    const int S = (int) rows.size();
    const int64_t V = hp_.n_vocab;
    if (V * S >= INT32_MAX) throw trainer_error("bad-input", "the micro-batch has too many supervised tokens for one graph (" + std::to_string(S) + "); lower the batch size or token budget");
    std::vector<int32_t> picks(S);
    for (int s = 0; s < S; ++s) picks[s] = (int32_t) (s * V + labels[s]);

    const size_t gsize = graph_size_for(hp_.n_layer) * (backward ? 3 : 1);
    // Room for a second graph, twice the size, and its new tensors: lower_for_backend may rebuild it.
    ggml_init_params ip = {ggml_tensor_overhead() * gsize * 3 + ggml_graph_overhead_custom(gsize, backward) + ggml_graph_overhead_custom(2 * gsize, backward), nullptr, true};
    ggml_ctx_ptr ctx(ggml_init(ip));
    ggml_tensor * t_tokens = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, C * R);
    ggml_tensor * t_pos = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, C * R);
    ggml_tensor * t_mask = ggml_new_tensor_4d(ctx.get(), GGML_TYPE_F32, C, C, 1, R);
    ggml_tensor * t_sel = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, S);
    ggml_tensor * t_picks = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, S);
    for (ggml_tensor * t : {t_tokens, t_pos, t_mask, t_sel, t_picks}) ggml_set_input(t);
    // Dropout: each pair's row choices are a view into one index input (the output head sees S tokens, the rest C·R).
    ggml_tensor * t_drop = nullptr;
    dropout_rows drop;
    const bool dropout = opts_.dropout > 0.0f && dropout_key >= 0;
    if (dropout) {
        int64_t total = 0;
        for (const auto & p : loras_) total += p->layer < 0 ? S : (int64_t) C * R;
        t_drop = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, total);
        ggml_set_input(t_drop);
        int64_t at = 0;
        for (const auto & p : loras_) {
            const int64_t n = p->layer < 0 ? S : (int64_t) C * R;
            drop[p.get()] = ggml_view_1d(ctx.get(), t_drop, n, (size_t) at * sizeof(int32_t));
            at += n;
        }
    }
    ggml_tensor * h = build_hidden(ctx.get(), t_tokens, t_pos, t_mask, C, R, drop);
    ggml_tensor * hs = ggml_get_rows(ctx.get(), h, t_sel);                     // [n_embd, S]: the head only where it counts
    ggml_tensor * logits = project(ctx.get(), output_, hs, output_lora_, drop);     // [V, S]
    // -log softmax at each label, gathered from the flattened probabilities: no [V, S] one-hot input,
    // which would cross the bus every step (on GPUs the gather's backward is lowered, ADR 0012). The tiny
    // bias keeps log finite should a probability underflow; it is also a real copy, which the gather
    // needs: gathering from a view of soft_max's output directly gets a wrong backward from ggml's
    // allocator (the softmax gradient is skipped).
    ggml_tensor * probs = ggml_scale_bias(ctx.get(), ggml_soft_max(ctx.get(), logits), 1.0f, 1e-30f);
    ggml_tensor * p_label = ggml_get_rows(ctx.get(), ggml_reshape_2d(ctx.get(), probs, 1, V * S), t_picks); // [1, S]
    ggml_tensor * loss = ggml_scale(ctx.get(), ggml_sum(ctx.get(), ggml_log(ctx.get(), p_label)), -1.0f);
    ggml_set_output(loss);
    ggml_cgraph * gf = ggml_new_graph_custom(ctx.get(), gsize, backward);
    ggml_build_forward_expand(gf, loss);
    ggml_tensor * loss_grad = nullptr;
    if (backward) {
        ggml_set_loss(loss);
        // Gradients go straight into the device accumulators: no host round trip per micro-batch.
        std::vector<ggml_tensor *> accs(ggml_graph_n_nodes(gf), nullptr);
        std::map<ggml_tensor *, ggml_tensor *> acc_of;
        for (auto & p : loras_) {
            acc_of[p->a] = p->ga;
            acc_of[p->b] = p->gb;
        }
        for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
            auto it = acc_of.find(ggml_graph_node(gf, i));
            if (it != acc_of.end()) accs[i] = it->second;
        }
        ggml_build_backward_expand(ctx.get(), gf, accs.data());
        loss_grad = ggml_graph_get_grad_acc(gf, loss);
        use_transposed(gf);
        gf = lower_for_backend(ctx.get(), gf, gsize);
    }
    const char * what = backward ? "training graph" : "evaluation graph";
    check_supported(gf, what, probe);  // before allocating: a refused graph must not leave its buffers behind
    if (probe) return {};
    if (!ggml_gallocr_alloc_graph(galloc_, gf)) {
        release_compute();
        throw trainer_error("out-of-memory", "out of memory on " + device_description_ + " for a micro-batch of " + std::to_string(R) + " × " + std::to_string(C) + " tokens; lower the batch size, token budget or sequence length" + free_memory_note(device_));
    }
    if (backward) {
        // Not ggml_graph_reset: it would zero our accumulators. Only the loss's own gradient is seeded.
        const float one = 1.0f;
        ggml_backend_tensor_set(loss_grad, &one, 0, sizeof(float));
    }
    packed_inputs in = pack(b.tokens, b.lengths, plan);
    ggml_backend_tensor_set(t_tokens, in.tokens.data(), 0, in.tokens.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_pos, in.pos.data(), 0, in.pos.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_mask, in.mask.data(), 0, in.mask.size() * sizeof(float));
    ggml_backend_tensor_set(t_sel, rows.data(), 0, rows.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_picks, picks.data(), 0, picks.size() * sizeof(int32_t));
    if (dropout) {
        // The key decides every mask: a resumed run, or a test that repeats the key, draws the same ones.
        std::seed_seq seq{opts_.seed, (uint32_t) dropout_key, (uint32_t) ((uint64_t) dropout_key >> 32), 0x64726f70u};
        std::mt19937 rng(seq);
        std::uniform_int_distribution<int32_t> pick(0, (int32_t) dropout_table_rows - 1);
        std::vector<int32_t> choice((size_t) ggml_nelements(t_drop));
        for (auto & c : choice) c = pick(rng);
        ggml_backend_tensor_set(t_drop, choice.data(), 0, choice.size() * sizeof(int32_t));
    }
    try {
        compute(gf, what);
    } catch (...) {
        release_compute();
        throw;
    }

    step_result res;
    float l = 0;
    ggml_backend_tensor_get(loss, &l, 0, sizeof(float));
    if (!std::isfinite(l)) throw trainer_error("non-finite", "the loss is not finite (learning rate too high?)");
    res.loss_sum = l;
    res.tokens = S;
    if (backward) acc_tokens_ += S;
    return res;
}

step_result lora_trainer::accumulate(const batch & b) {
    step_result r = run_loss(b, true, step_ * 4096 + micro_);
    ++micro_;
    return r;
}

step_result lora_trainer::eval(const batch & b, int64_t dropout_key) { return run_loss(b, false, dropout_key); }

step_result lora_trainer::gradients(const batch & b, std::map<std::string, std::vector<float>> & out, int64_t dropout_key) {
    if (acc_tokens_ != 0) throw trainer_error("bad-input", "gradients() needs empty accumulators; call update() first");
    step_result res;
    try {
        res = run_loss(b, true, dropout_key);
    } catch (...) {
        ggml_backend_buffer_clear(acc_buf_, 0);
        acc_tokens_ = 0;
        throw;
    }
    for (auto & p : loras_) {
        for (auto [param, acc] : {std::pair{p->a, p->ga}, std::pair{p->b, p->gb}}) {
            std::vector<float> g(ggml_nelements(acc));
            ggml_backend_tensor_get(acc, g.data(), 0, g.size() * sizeof(float));
            out[ggml_get_name(param)] = std::move(g);
        }
    }
    ggml_backend_buffer_clear(acc_buf_, 0);
    acc_tokens_ = 0;
    return res;
}

void lora_trainer::update(const adam_options & adam) {
    if (acc_tokens_ == 0) throw trainer_error("bad-input", "no gradients were accumulated before the update");
    const float inv = 1.0f / (float) acc_tokens_;
    float clip = 1.0f;
    if (adam.grad_clip > 0) {
        compute(norm_graph_, "gradient norm");
        float norm2 = 0;
        ggml_backend_tensor_get(norm2_, &norm2, 0, sizeof(float));
        if (!std::isfinite(norm2)) throw trainer_error("non-finite", "the gradients are not finite (learning rate too high?)");
        const float norm = std::sqrt(norm2) * inv;
        if (norm > adam.grad_clip) clip = adam.grad_clip / norm;
    }
    ++step_;
    const float params[7] = {adam.lr, adam.beta1, adam.beta2, adam.eps, adam.weight_decay,
                             1.0f / (1.0f - std::pow(adam.beta1, (float) step_)), 1.0f / (1.0f - std::pow(adam.beta2, (float) step_))};
    const float scale = inv * clip;
    ggml_backend_tensor_set(adamw_params_, params, 0, sizeof(params));
    ggml_backend_tensor_set(grad_scale_, &scale, 0, sizeof(float));
    compute(update_graph_, "optimizer step");
    ggml_backend_buffer_clear(acc_buf_, 0);
    acc_tokens_ = 0;
    micro_ = 0;
}

std::vector<float> lora_trainer::logits(const std::vector<int32_t> & tokens) {
    batch b;
    b.tokens = tokens;
    b.target.assign(tokens.size(), 0);
    b.lengths = {(int32_t) tokens.size()};
    validate(b);
    const int T = (int) tokens.size();
    const size_t gsize = graph_size_for(hp_.n_layer);
    ggml_init_params ip = {ggml_tensor_overhead() * gsize * 2 + ggml_graph_overhead_custom(gsize, false), nullptr, true};
    ggml_ctx_ptr ctx(ggml_init(ip));
    ggml_tensor * t_tokens = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, T);
    ggml_tensor * t_pos = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, T);
    ggml_tensor * t_mask = ggml_new_tensor_4d(ctx.get(), GGML_TYPE_F32, T, T, 1, 1);
    for (ggml_tensor * t : {t_tokens, t_pos, t_mask}) ggml_set_input(t);
    const dropout_rows none;  // inference: no dropout
    ggml_tensor * out = project(ctx.get(), output_, build_hidden(ctx.get(), t_tokens, t_pos, t_mask, T, 1, none), output_lora_, none);
    ggml_set_output(out);
    ggml_cgraph * gf = ggml_new_graph_custom(ctx.get(), gsize, false);
    ggml_build_forward_expand(gf, out);
    if (!ggml_gallocr_alloc_graph(galloc_, gf)) throw trainer_error("out-of-memory", "out of memory on " + device_description_ + " for the forward pass" + free_memory_note(device_));
    packed_inputs in = pack(tokens, b.lengths, plan_rows(b.lengths));
    ggml_backend_tensor_set(t_tokens, in.tokens.data(), 0, in.tokens.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_pos, in.pos.data(), 0, in.pos.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_mask, in.mask.data(), 0, in.mask.size() * sizeof(float));
    compute(gf, "forward pass");
    std::vector<float> res((size_t) hp_.n_vocab * T);
    ggml_backend_tensor_get(out, res.data(), 0, res.size() * sizeof(float));
    return res;
}

double lora_trainer::matmul_rate(int n_in, int n_out, int tokens, int iterations) {
    ggml_init_params ip = {ggml_tensor_overhead() * 8 + ggml_graph_overhead(), nullptr, true};
    ggml_ctx_ptr ctx(ggml_init(ip));
    ggml_tensor * w = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, n_in, n_out);
    ggml_tensor * x = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, n_in, tokens);
    ggml_backend_buffer * buf = ggml_backend_alloc_ctx_tensors(ctx.get(), backend_);
    if (!buf) throw trainer_error("out-of-memory", "out of memory for the matrix-product benchmark");
    std::unique_ptr<ggml_backend_buffer, void (*)(ggml_backend_buffer *)> hold(buf, ggml_backend_buffer_free);
    std::vector<float> fill((size_t) n_in * std::max(n_out, tokens));
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> d(-0.1f, 0.1f);
    for (auto & f : fill) f = d(rng);
    ggml_backend_tensor_set(w, fill.data(), 0, ggml_nbytes(w));
    ggml_backend_tensor_set(x, fill.data(), 0, ggml_nbytes(x));
    ggml_tensor * y = ggml_mul_mat(ctx.get(), w, x);
    ggml_cgraph * gf = ggml_new_graph(ctx.get());
    ggml_build_forward_expand(gf, y);
    ggml_gallocr * alloc = ggml_gallocr_new(ggml_backend_get_default_buffer_type(backend_));
    std::unique_ptr<ggml_gallocr, void (*)(ggml_gallocr *)> hold_alloc(alloc, ggml_gallocr_free);
    if (!ggml_gallocr_alloc_graph(alloc, gf)) throw trainer_error("out-of-memory", "out of memory for the matrix-product benchmark");
    compute(gf, "matrix-product benchmark");  // warm-up (and shader compilation on GPUs)
    const int64_t t0 = ggml_time_us();
    for (int i = 0; i < iterations; ++i) compute(gf, "matrix-product benchmark");
    const double seconds = (double) (ggml_time_us() - t0) / 1e6;
    return 2.0 * n_in * (double) n_out * tokens * iterations / std::max(seconds, 1e-9);
}

std::vector<std::string> lora_trainer::param_names() const {
    std::vector<std::string> names;
    for (const auto & p : loras_) {
        names.push_back(ggml_get_name(p->a));
        names.push_back(ggml_get_name(p->b));
    }
    return names;
}

lora_pair * lora_trainer::find_param(const std::string & name, bool & is_a) const {
    for (const auto & p : loras_) {
        if (name == ggml_get_name(p->a)) { is_a = true; return p.get(); }
        if (name == ggml_get_name(p->b)) { is_a = false; return p.get(); }
    }
    throw trainer_error("bad-input", "no LoRA tensor named '" + name + "'");
}

std::vector<float> lora_trainer::get_param(const std::string & name) const {
    bool is_a = false;
    lora_pair * p = find_param(name, is_a);
    ggml_tensor * t = is_a ? p->a : p->b;
    std::vector<float> data(ggml_nelements(t));
    ggml_backend_tensor_get(t, data.data(), 0, data.size() * sizeof(float));
    return data;
}

void lora_trainer::set_param(const std::string & name, const std::vector<float> & data) {
    bool is_a = false;
    lora_pair * p = find_param(name, is_a);
    ggml_tensor * t = is_a ? p->a : p->b;
    if ((int64_t) data.size() != ggml_nelements(t)) throw trainer_error("bad-input", "wrong number of values for '" + name + "'");
    ggml_backend_tensor_set(t, data.data(), 0, data.size() * sizeof(float));
}

} // namespace polytune
