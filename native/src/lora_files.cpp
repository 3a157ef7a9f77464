#include "lora_files.h"
#include "backend_session.h"
#include "base_model.h"
#include "lora_adapters.h"

#include "ggml-cpp.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

namespace polytune {

namespace {

void write_atomically(gguf_context * g, const std::string & path) {
    std::string tmp = path + ".tmp";
    if (!gguf_write_to_file(g, tmp.c_str(), false)) {
        std::remove(tmp.c_str());
        throw trainer_error("io", "cannot write '" + tmp + "' (disk full or no permission?)");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw trainer_error("io", "cannot move the finished file to '" + path + "'");
    }
}

// A GGUF file with its tensor data in host memory (checkpoints and adapters are small).
struct loaded_gguf {
    ggml_context_ptr data;
    gguf_context_ptr g;
};

loaded_gguf load_gguf(const std::string & path, const char * code, const std::string & unreadable) {
    ggml_context * raw = nullptr;
    gguf_init_params params = {false, &raw};
    loaded_gguf f;
    f.g.reset(gguf_init_from_file(path.c_str(), params));
    if (!f.g) throw trainer_error(code, "'" + path + "' is not a readable " + unreadable);
    f.data.reset(raw);
    return f;
}

// A host context holding copies of tensors for gguf_add_tensor, which reads tensor data from host memory.
struct host_tensors {
    ggml_context_ptr ctx;
    explicit host_tensors(size_t bytes, size_t count) {
        ggml_init_params p = {bytes + ggml_tensor_overhead() * (count + 4), nullptr, false};
        ctx.reset(ggml_init(p));
        if (!ctx) throw trainer_error("out-of-memory", "out of host memory for writing the file");
    }
    ggml_tensor * add(const std::string & name, const ggml_tensor * like) {
        ggml_tensor * t = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, like->ne[0], like->ne[1]);
        ggml_set_name(t, name.c_str());
        ggml_backend_tensor_get(like, t->data, 0, ggml_nbytes(t));
        return t;
    }
};

} // namespace

bool writable_type(ggml_type t) {
    static const std::set<ggml_type> ok = {
        GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1,
        GGML_TYPE_Q8_0, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K, GGML_TYPE_IQ4_NL, GGML_TYPE_IQ4_XS,
    };
    return ok.count(t) && !ggml_quantize_requires_imatrix(t);
}

void save_adapter(const std::string & path, const std::string & arch, const lora_adapters & lora) {
    const std::vector<trainable_tensor> tensors = lora.tensors();
    size_t bytes = 0;
    for (const auto & t : tensors) bytes += ggml_nbytes(t.param);
    host_tensors host(bytes, tensors.size());
    gguf_context_ptr g(gguf_init_empty());
    gguf_set_val_str(g.get(), "general.type", "adapter");
    gguf_set_val_str(g.get(), "general.architecture", arch.c_str());
    gguf_set_val_str(g.get(), "adapter.type", "lora");
    // llama.cpp scales by alpha / r, so rsLoRA's alpha / sqrt(r) is written as alpha·sqrt(r). Without
    // alpha, llama.cpp silently uses scale 1.
    gguf_set_val_f32(g.get(), "adapter.lora.alpha", lora.scale() * (float) lora.config().rank);
    for (const auto & t : tensors) gguf_add_tensor(g.get(), host.add(ggml_get_name(t.param), t.param));
    write_atomically(g.get(), path);
}

void save_checkpoint(const std::string & path, const std::string & arch, const lora_adapters & lora, int64_t step) {
    const std::vector<trainable_tensor> tensors = lora.tensors();
    size_t bytes = 0;
    for (const auto & t : tensors) bytes += 3 * ggml_nbytes(t.param);
    host_tensors host(bytes, tensors.size() * 3);
    gguf_context_ptr g(gguf_init_empty());
    gguf_set_val_str(g.get(), "general.type", "polytune.checkpoint");
    gguf_set_val_str(g.get(), "general.architecture", arch.c_str());
    gguf_set_val_u64(g.get(), "polytune.step", (uint64_t) step);
    gguf_set_val_u32(g.get(), "polytune.rank", (uint32_t) lora.config().rank);
    gguf_set_val_bool(g.get(), "polytune.rslora", lora.config().rslora);
    gguf_set_val_f32(g.get(), "adapter.lora.alpha", lora.config().alpha);
    for (const auto & t : tensors) {
        const std::string name = ggml_get_name(t.param);
        gguf_add_tensor(g.get(), host.add(name, t.param));
        gguf_add_tensor(g.get(), host.add(name + ".adam_m", t.m));
        gguf_add_tensor(g.get(), host.add(name + ".adam_v", t.v));
    }
    write_atomically(g.get(), path);
}

int64_t load_checkpoint(const std::string & path, lora_adapters & lora) {
    auto [data, g] = load_gguf(path, "bad-checkpoint", "checkpoint");
    int64_t step_id = gguf_find_key(g.get(), "polytune.step");
    if (step_id < 0) throw trainer_error("bad-checkpoint", "'" + path + "' is not a Polytune checkpoint");
    if (gguf_find_key(g.get(), "polytune.method") >= 0) throw trainer_error("bad-checkpoint", "the checkpoint was made by full-parameter training, not LoRA training");
    if ((int) kv_u32(g.get(), "polytune.rank", 0, true) != lora.config().rank) throw trainer_error("bad-checkpoint", "the checkpoint was made with another LoRA rank");
    int64_t rs = gguf_find_key(g.get(), "polytune.rslora");
    if ((rs >= 0 && gguf_get_val_bool(g.get(), rs)) != lora.config().rslora) throw trainer_error("bad-checkpoint", "the checkpoint was made with another LoRA scaling (rsLoRA)");
    for (const auto & t : lora.tensors()) {
        const std::string name = ggml_get_name(t.param);
        ggml_tensor * src[3] = {ggml_get_tensor(data.get(), name.c_str()), ggml_get_tensor(data.get(), (name + ".adam_m").c_str()), ggml_get_tensor(data.get(), (name + ".adam_v").c_str())};
        ggml_tensor * dst[3] = {t.param, t.m, t.v};
        for (int i = 0; i < 3; ++i) {
            if (!src[i] || ggml_nelements(src[i]) != ggml_nelements(dst[i])) throw trainer_error("bad-checkpoint", "the checkpoint does not match these LoRA targets (" + name + ")");
            ggml_backend_tensor_set(dst[i], src[i]->data, 0, ggml_nbytes(dst[i]));
        }
    }
    return (int64_t) gguf_get_val_u64(g.get(), step_id);
}

void load_adapter(const std::string & path, lora_adapters & lora) {
    auto [data, g] = load_gguf(path, "bad-adapter", "GGUF file");
    int64_t type_id = gguf_find_key(g.get(), "adapter.type");
    if (type_id < 0 || std::string(gguf_get_val_str(g.get(), type_id)) != "lora") throw trainer_error("bad-adapter", "'" + path + "' is not a LoRA adapter (no adapter.type = lora)");
    std::set<std::string> expected;
    for (const auto & trainable : lora.tensors()) {
        ggml_tensor * t = trainable.param;
        const std::string name = ggml_get_name(t);
        expected.insert(name);
        ggml_tensor * src = ggml_get_tensor(data.get(), name.c_str());
        if (!src) throw trainer_error("bad-adapter", "the adapter has no tensor '" + name + "'");
        if (src->ne[0] != t->ne[0] || src->ne[1] != t->ne[1]) throw trainer_error("bad-adapter", "the adapter's '" + name + "' has another shape than this model and rank need");
        std::vector<float> f32(ggml_nelements(t));
        if (src->type == GGML_TYPE_F32) {
            std::memcpy(f32.data(), src->data, f32.size() * sizeof(float));
        } else {
            const ggml_type_traits * traits = ggml_get_type_traits(src->type);
            if (!traits || !traits->to_float) throw trainer_error("bad-adapter", "the adapter's '" + name + "' has type " + ggml_type_name(src->type) + ", which cannot be read");
            traits->to_float(src->data, f32.data(), (int64_t) f32.size());
        }
        ggml_backend_tensor_set(t, f32.data(), 0, f32.size() * sizeof(float));
    }
    for (int64_t i = 0; i < gguf_get_n_tensors(g.get()); ++i) {
        const std::string name = gguf_get_tensor_name(g.get(), i);
        if (!expected.count(name)) throw trainer_error("bad-adapter", "the adapter has '" + name + "', which these LoRA targets do not include");
    }
}

void export_merged(const std::string & path, const std::string & type, const base_model & model, const lora_adapters & lora, const backend_session & backend) {
    if (type != "source" && type != "f16" && type != "f32") throw trainer_error("bad-input", "unknown merged type '" + type + "' (use source, f16 or f32)");
    ggml_context * meta_raw = nullptr;
    gguf_init_params params = {true, &meta_raw};
    gguf_context_ptr in(gguf_init_from_file(model.path().c_str(), params));
    if (!in) throw trainer_error("bad-model", "'" + model.path() + "' is not a readable GGUF model");
    ggml_context_ptr meta(meta_raw);
    std::map<std::string, const lora_pair *> merged;
    for (const auto & p : lora.pairs()) merged[p.base_name] = &p;

    gguf_context_ptr out(gguf_init_empty());
    gguf_set_kv(out.get(), in.get());
    const int64_t n_tensors = gguf_get_n_tensors(in.get());
    for (int64_t i = 0; i < n_tensors; ++i) {
        const char * name = gguf_get_tensor_name(in.get(), i);
        gguf_add_tensor(out.get(), ggml_get_tensor(meta.get(), name));
        if (!merged.count(name)) continue;
        ggml_type src = gguf_get_tensor_type(in.get(), i);
        ggml_type dst = type == "f32" ? GGML_TYPE_F32 : type == "f16" ? GGML_TYPE_F16 : (writable_type(src) ? src : GGML_TYPE_F16);
        gguf_set_tensor_type(out.get(), name, dst);
    }

    const std::string tmp = path + ".tmp";
    std::FILE * f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw trainer_error("io", "cannot create '" + tmp + "' (no permission?)");
    std::ifstream base(model.path(), std::ios::binary);
    auto fail = [&](const std::string & message) {
        std::fclose(f);
        std::remove(tmp.c_str());
        throw trainer_error("io", message);
    };
    std::vector<uint8_t> buf(gguf_get_meta_size(out.get()));
    gguf_get_meta_data(out.get(), buf.data());
    if (std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) fail("cannot write '" + tmp + "' (disk full?)");

    ggml_gallocr_ptr alloc(ggml_gallocr_new(backend.buffer_type()));
    const size_t in_data = gguf_get_data_offset(in.get());
    size_t written = 0;
    std::vector<float> f32, d32;
    std::vector<uint8_t> raw;
    for (int64_t i = 0; i < n_tensors; ++i) {
        const char * name = gguf_get_tensor_name(out.get(), i);
        const size_t offset = gguf_get_tensor_offset(out.get(), i);
        const size_t size = gguf_get_tensor_size(out.get(), i);
        if (offset > written) {
            std::vector<uint8_t> pad(offset - written, 0);
            if (std::fwrite(pad.data(), 1, pad.size(), f) != pad.size()) fail("cannot write '" + tmp + "' (disk full?)");
            written = offset;
        }
        buf.resize(size);
        const int64_t src_id = gguf_find_tensor(in.get(), name);
        const size_t src_size = gguf_get_tensor_size(in.get(), src_id);
        raw.resize(src_size);
        base.seekg((std::streamoff) (in_data + gguf_get_tensor_offset(in.get(), src_id)));
        base.read((char *) raw.data(), (std::streamsize) src_size);
        if (!base) fail("the model file ends inside tensor '" + std::string(name) + "' (truncated?)");
        auto it = merged.find(name);
        if (it == merged.end()) {
            std::memcpy(buf.data(), raw.data(), size);
        } else {
            // W + scale · B·A: the product on the training backend, the sum on the host from the file's
            // own W (which the trainer may hold quantized).
            const lora_pair * p = it->second;
            const size_t gsize = 16;
            ggml_init_params ip = {ggml_tensor_overhead() * gsize + ggml_graph_overhead_custom(gsize, false), nullptr, true};
            ggml_context_ptr ctx(ggml_init(ip));
            ggml_tensor * delta = ggml_scale(ctx.get(), ggml_mul_mat(ctx.get(), ggml_cont(ctx.get(), ggml_transpose(ctx.get(), p->a.param)), p->b.param), lora.scale()); // [n_in, n_out]
            ggml_set_output(delta);
            ggml_cgraph * gf = ggml_new_graph_custom(ctx.get(), gsize, false);
            ggml_build_forward_expand(gf, delta);
            if (!ggml_gallocr_alloc_graph(alloc.get(), gf)) fail("out of memory merging '" + std::string(name) + "'");
            backend.compute(gf, "merge");
            dequantize_rows(gguf_get_tensor_type(in.get(), src_id), raw.data(), p->n_in, (int64_t) p->n_in * p->n_out, f32, name);
            d32.resize(f32.size());
            ggml_backend_tensor_get(delta, d32.data(), 0, d32.size() * sizeof(float));
            for (size_t k = 0; k < f32.size(); ++k) f32[k] += d32[k];
            const ggml_type dst = gguf_get_tensor_type(out.get(), i);
            ggml_quantize_chunk(dst, f32.data(), buf.data(), 0, p->n_out, p->n_in, nullptr);
        }
        if (std::fwrite(buf.data(), 1, size, f) != size) fail("cannot write '" + tmp + "' (disk full?)");
        written += size;
    }
    const size_t align = gguf_get_alignment(out.get());
    if (written % align) {
        std::vector<uint8_t> pad(align - written % align, 0);
        std::fwrite(pad.data(), 1, pad.size(), f);
    }
    if (std::fflush(f) != 0 || std::ferror(f)) fail("cannot write '" + tmp + "' (disk full?)");
    std::fclose(f);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw trainer_error("io", "cannot move the finished file to '" + path + "'");
    }
}

} // namespace polytune
