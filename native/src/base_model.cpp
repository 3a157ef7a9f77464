#include "base_model.h"
#include "backend_session.h"

#include <algorithm>
#include <cstring>
#include <fstream>

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
void dequantize_rows(ggml_type type, const uint8_t * raw, int64_t row, int64_t n, std::vector<float> & out, const std::string & name) {
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

namespace {

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

base_model::base_model(const std::string & path, bool keep_base_type, bool trained, const backend_session & backend) : path_(path), keep_base_type_(keep_base_type) {
    ggml_context * meta_raw = nullptr;
    gguf_init_params params = {/*no_alloc =*/ true, /*ctx =*/ &meta_raw};
    gguf_context_ptr g(gguf_init_from_file(path_.c_str(), params));
    if (!g) throw trainer_error("bad-model", "'" + path_ + "' is not a readable GGUF model");
    ggml_context_ptr meta(meta_raw);
    read_hparams(g.get());

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
    ctx_.reset(ggml_init(wp));
    std::map<std::string, ggml_tensor *> made;
    std::map<std::string, ggml_tensor *> made_t;  // transposed copies (keep_base_type)
    // A backend without OUT_PROD at all (Metal) would transpose an F32 matrix for every backward
    // (lower_graph_for_backend): hold F32 matrices transposed too, once.
    // Not when the weights are trained: a copy would go stale at the first update.
    const bool transpose_f32 = !backend.does_out_prod() && !trained;
    for (const auto & name : names) {
        ggml_tensor * src = ggml_get_tensor(meta.get(), name.c_str());
        if (!src) throw trainer_error("bad-model", "the model has no tensor '" + name + "'");
        ggml_type type = GGML_TYPE_F32;
        if (keep_base_type_ && is_matrix(name) && src->type != GGML_TYPE_F32) {
            if (!ggml_get_type_traits(src->type)->to_float) throw trainer_error("bad-model", "tensor '" + name + "' has type " + ggml_type_name(src->type) + ", which cannot be read");
            type = src->type;
        }
        ggml_tensor * t = ggml_new_tensor(ctx_.get(), type, ggml_n_dims(src), src->ne);
        ggml_set_name(t, name.c_str());
        check_shape(hp_, name, src);
        made[name] = t;
        // The backward's W^T·dy as a MUL_MAT over a transposed copy: GPU kernels of OUT_PROD take F32 only.
        // On every backend: the GPUs cannot do that OUT_PROD at all, and the CPU does it for F16 or
        // quantized W an order of magnitude slower than the product. The embeddings need one only when
        // they are also the output head.
        if ((type != GGML_TYPE_F32 || transpose_f32) && is_matrix(name) && (name != "token_embd.weight" || tied)) {
            made_t[name] = ggml_new_tensor_2d(ctx_.get(), transposed_type(type, src->ne[1]), src->ne[1], src->ne[0]);
        }
    }
    buf_.reset(ggml_backend_alloc_ctx_tensors(ctx_.get(), backend.get()));
    if (!buf_) {
        int64_t need = 0;
        for (const auto & [name, t] : made) need += (int64_t) ggml_nbytes(t);
        for (const auto & [name, t] : made_t) need += (int64_t) ggml_nbytes(t);
        throw trainer_error("out-of-memory", "out of memory on " + backend.description() + ": the base weights need " + std::to_string(need >> 20) + " MiB" +
                                                 (keep_base_type_ ? " (as stored, plus a transposed copy)" : " in F32") + backend.free_memory_note());
    }

    std::ifstream file(path_, std::ios::binary);
    if (!file) throw trainer_error("io", "cannot open '" + path_ + "'");
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
    for (const auto & name : names) {
        if (name != "rope_freqs.weight") weights_.emplace_back(name, made[name]);
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

// The hyperparameters as llama.cpp reads them, and what the trainer refuses.
void base_model::read_hparams(gguf_context * g) {
    int64_t arch_id = gguf_find_key(g, "general.architecture");
    if (arch_id < 0) throw std::runtime_error("the model names no architecture");
    hp_.arch = gguf_get_val_str(g, arch_id);
    const std::string & a = hp_.arch;
    if (a != "llama" && a != "mistral" && a != "qwen2" && a != "qwen3") {
        throw trainer_error("bad-model", "the architecture '" + a + "' is not supported for training (supported: llama, mistral, qwen2, qwen3)");
    }
    hp_.n_embd = kv_u32(g, a + ".embedding_length", 0, true);
    hp_.n_layer = kv_u32(g, a + ".block_count", 0, true);
    hp_.n_head = kv_u32(g, a + ".attention.head_count", 0, true);
    hp_.n_head_kv = kv_u32(g, a + ".attention.head_count_kv", hp_.n_head, false);
    hp_.n_ff = kv_u32(g, a + ".feed_forward_length", 0, true);
    hp_.n_ctx_orig = kv_u32(g, a + ".context_length", 2048, false);
    if (hp_.n_head <= 0 || hp_.n_head_kv <= 0 || hp_.n_head % hp_.n_head_kv != 0) throw trainer_error("bad-model", "inconsistent attention head counts");
    if (kv_u32(g, a + ".expert_count", 0, false) > 0) {
        throw trainer_error("bad-model", "mixture-of-experts models are not supported for training (this one has " + std::to_string(kv_u32(g, a + ".expert_count", 0, false)) + " experts)");
    }
    // The head size as llama.cpp reads it: key_length, else n_embd / n_head (they differ in Qwen3 0.6B/4B, Mistral Nemo).
    hp_.n_embd_head = (int) kv_u32(g, a + ".attention.key_length", hp_.n_embd / hp_.n_head, false);
    const int value_len = (int) kv_u32(g, a + ".attention.value_length", hp_.n_embd / hp_.n_head, false);
    if (value_len != hp_.n_embd_head) throw trainer_error("bad-model", "key and value heads differ in size (" + std::to_string(hp_.n_embd_head) + " and " + std::to_string(value_len) + "), which " + a + " models do not do");
    hp_.n_rot = kv_u32(g, a + ".rope.dimension_count", hp_.n_embd_head, false);
    if (hp_.n_rot != hp_.n_embd_head) throw trainer_error("bad-model", "rotary embeddings over " + std::to_string(hp_.n_rot) + " of " + std::to_string(hp_.n_embd_head) + " head dimensions are not supported (llama.cpp refuses them for " + a + " too)");
    hp_.freq_base = kv_f32(g, a + ".rope.freq_base", 10000.0f);
    // RoPE scaling as llama.cpp applies it: linear (or none); YaRN and LongRoPE change the rotation itself.
    std::string scaling = "linear";
    if (int64_t id = gguf_find_key(g, (a + ".rope.scaling.type").c_str()); id >= 0 && gguf_get_kv_type(g, id) == GGUF_TYPE_STRING) scaling = gguf_get_val_str(g, id);
    if (scaling != "linear" && scaling != "none") throw trainer_error("bad-model", "RoPE scaling '" + scaling + "' is not supported for training (linear and none are)");
    float scale_linear = kv_f32(g, a + ".rope.scaling.factor", 0.0f);
    if (scale_linear == 0.0f) scale_linear = kv_f32(g, a + ".rope.scale_linear", 0.0f);
    hp_.freq_scale = scaling == "linear" && scale_linear > 0 ? 1.0f / scale_linear : 1.0f;
    hp_.rms_eps = kv_f32(g, a + ".attention.layer_norm_rms_epsilon", 1e-5f);
    hp_.rope_mode = (a == "qwen2" || a == "qwen3") ? GGML_ROPE_TYPE_NEOX : 0;
    hp_.qkv_bias = a == "qwen2";
    hp_.qk_norm = a == "qwen3";
    if (gguf_find_tensor(g, "blk.0.attn_qkv.weight") >= 0) throw trainer_error("bad-model", "models with fused attention projections (attn_qkv) are not supported for training");
}

ggml_tensor * base_model::projection(int layer, const std::string & target) const {
    if (target == "output") return output_;
    const layer_weights & L = layers_.at((size_t) layer);
    const std::map<std::string, ggml_tensor *> base = {{"q", L.wq}, {"k", L.wk}, {"v", L.wv}, {"o", L.wo}, {"gate", L.w_gate}, {"up", L.w_up}, {"down", L.w_down}};
    return base.at(target);
}

} // namespace polytune
