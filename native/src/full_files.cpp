#include "full_files.h"
#include "base_model.h"
#include "lora_files.h"

#include "ggml-cpp.h"

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>

namespace polytune {

namespace {

// Writes `out`'s metadata, then each tensor's bytes as `fill` gives them, into path.tmp, and moves it
// into place: a failed write leaves any older file as it was.
void write_streamed(const std::string & path, gguf_context * out, const std::function<void(int64_t, std::vector<uint8_t> &)> & fill) {
    const std::string tmp = path + ".tmp";
    std::FILE * f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw trainer_error("io", "cannot create '" + tmp + "' (no permission?)");
    auto fail = [&](const std::string & message) {
        std::fclose(f);
        std::remove(tmp.c_str());
        throw trainer_error("io", message);
    };
    std::vector<uint8_t> buf(gguf_get_meta_size(out));
    gguf_get_meta_data(out, buf.data());
    if (std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) fail("cannot write '" + tmp + "' (disk full?)");
    size_t written = 0;
    const int64_t n = gguf_get_n_tensors(out);
    for (int64_t i = 0; i < n; ++i) {
        const size_t offset = gguf_get_tensor_offset(out, i);
        const size_t size = gguf_get_tensor_size(out, i);
        if (offset > written) {
            std::vector<uint8_t> pad(offset - written, 0);
            if (std::fwrite(pad.data(), 1, pad.size(), f) != pad.size()) fail("cannot write '" + tmp + "' (disk full?)");
            written = offset;
        }
        buf.assign(size, 0);
        try {
            fill(i, buf);
        } catch (...) {
            std::fclose(f);
            std::remove(tmp.c_str());
            throw;
        }
        if (std::fwrite(buf.data(), 1, size, f) != size) fail("cannot write '" + tmp + "' (disk full?)");
        written += size;
    }
    const size_t align = gguf_get_alignment(out);
    if (written % align) {
        std::vector<uint8_t> pad(align - written % align, 0);
        if (std::fwrite(pad.data(), 1, pad.size(), f) != pad.size()) fail("cannot write '" + tmp + "' (disk full?)");
    }
    if (std::fflush(f) != 0 || std::ferror(f)) fail("cannot write '" + tmp + "' (disk full?)");
    std::fclose(f);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw trainer_error("io", "cannot move the finished file to '" + path + "'");
    }
}

// The current device values of a parameter (or moment), F32.
void read_device(const ggml_tensor * t, std::vector<float> & out) {
    out.resize((size_t) ggml_nelements(t));
    ggml_backend_tensor_get(t, out.data(), 0, out.size() * sizeof(float));
}

} // namespace

void save_full_checkpoint(const std::string & path, const std::string & arch, const std::vector<trainable_tensor> & tensors, int64_t step) {
    ggml_init_params ip = {ggml_tensor_overhead() * (tensors.size() * 3 + 4), nullptr, true};
    ggml_context_ptr meta(ggml_init(ip));
    gguf_context_ptr g(gguf_init_empty());
    gguf_set_val_str(g.get(), "general.type", "polytune.checkpoint");
    gguf_set_val_str(g.get(), "general.architecture", arch.c_str());
    gguf_set_val_str(g.get(), "polytune.method", "full");
    gguf_set_val_u64(g.get(), "polytune.step", (uint64_t) step);
    std::vector<const ggml_tensor *> sources;  // in the file's tensor order
    for (const auto & t : tensors) {
        const std::string name = ggml_get_name(t.param);
        const std::pair<const char *, const ggml_tensor *> parts[3] = {{"", t.param}, {".adam_m", t.m}, {".adam_v", t.v}};
        for (const auto & [suffix, src] : parts) {
            ggml_tensor * info = ggml_new_tensor(meta.get(), GGML_TYPE_F32, ggml_n_dims(src), src->ne);
            ggml_set_name(info, (name + suffix).c_str());
            gguf_add_tensor(g.get(), info);
            sources.push_back(src);
        }
    }
    write_streamed(path, g.get(), [&](int64_t i, std::vector<uint8_t> & buf) { ggml_backend_tensor_get(sources[(size_t) i], buf.data(), 0, buf.size()); });
}

int64_t load_full_checkpoint(const std::string & path, const std::vector<trainable_tensor> & tensors) {
    ggml_context * meta_raw = nullptr;
    gguf_init_params params = {true, &meta_raw};
    gguf_context_ptr g(gguf_init_from_file(path.c_str(), params));
    if (!g) throw trainer_error("bad-checkpoint", "'" + path + "' is not a readable checkpoint");
    ggml_context_ptr meta(meta_raw);
    const int64_t step_id = gguf_find_key(g.get(), "polytune.step");
    const int64_t method_id = gguf_find_key(g.get(), "polytune.method");
    if (step_id < 0) throw trainer_error("bad-checkpoint", "'" + path + "' is not a Polytune checkpoint");
    if (method_id < 0 || gguf_get_kv_type(g.get(), method_id) != GGUF_TYPE_STRING || std::string(gguf_get_val_str(g.get(), method_id)) != "full") {
        throw trainer_error("bad-checkpoint", "the checkpoint was made by LoRA training, not full-parameter training");
    }
    // Everything is checked before the first value is set: a mismatch leaves the trainer as it was.
    std::vector<std::pair<int64_t, ggml_tensor *>> reads;
    for (const auto & t : tensors) {
        const std::string name = ggml_get_name(t.param);
        const std::pair<const char *, ggml_tensor *> parts[3] = {{"", t.param}, {".adam_m", t.m}, {".adam_v", t.v}};
        for (const auto & [suffix, dst] : parts) {
            const int64_t id = gguf_find_tensor(g.get(), (name + suffix).c_str());
            if (id < 0) throw trainer_error("bad-checkpoint", "the checkpoint has no '" + name + suffix + "' (made for another model?)");
            const ggml_tensor * src = ggml_get_tensor(meta.get(), (name + suffix).c_str());
            if (src->type != GGML_TYPE_F32 || !ggml_are_same_shape(src, dst)) throw trainer_error("bad-checkpoint", "the checkpoint's '" + name + suffix + "' does not fit this model (another shape or type)");
            reads.emplace_back(id, dst);
        }
    }
    std::ifstream file(path, std::ios::binary);
    const size_t data = gguf_get_data_offset(g.get());
    std::vector<uint8_t> buf;
    for (const auto & [id, dst] : reads) {
        buf.resize(ggml_nbytes(dst));
        file.seekg((std::streamoff) (data + gguf_get_tensor_offset(g.get(), id)));
        file.read((char *) buf.data(), (std::streamsize) buf.size());
        if (!file) throw trainer_error("bad-checkpoint", "the checkpoint ends inside '" + std::string(gguf_get_tensor_name(g.get(), id)) + "' (truncated?)");
        ggml_backend_tensor_set(dst, buf.data(), 0, buf.size());
    }
    return (int64_t) gguf_get_val_u64(g.get(), step_id);
}

void export_full_model(const std::string & path, const std::string & type, const base_model & model, const std::vector<trainable_tensor> & tensors) {
    if (type != "source" && type != "f16" && type != "f32") throw trainer_error("bad-input", "unknown model type '" + type + "' (use source, f16 or f32)");
    ggml_context * meta_raw = nullptr;
    gguf_init_params params = {true, &meta_raw};
    gguf_context_ptr in(gguf_init_from_file(model.path().c_str(), params));
    if (!in) throw trainer_error("bad-model", "'" + model.path() + "' is not a readable GGUF model");
    ggml_context_ptr meta(meta_raw);
    std::map<std::string, const ggml_tensor *> trained;
    for (const auto & t : tensors) trained[ggml_get_name(t.param)] = t.param;

    gguf_context_ptr out(gguf_init_empty());
    gguf_set_kv(out.get(), in.get());
    const int64_t n_tensors = gguf_get_n_tensors(in.get());
    for (int64_t i = 0; i < n_tensors; ++i) {
        const char * name = gguf_get_tensor_name(in.get(), i);
        const ggml_tensor * t = ggml_get_tensor(meta.get(), name);
        gguf_add_tensor(out.get(), t);
        if (!trained.count(name)) continue;
        const ggml_type src = gguf_get_tensor_type(in.get(), i);
        const bool vector = ggml_n_dims(t) < 2;
        ggml_type dst = GGML_TYPE_F32;
        if (type == "f16" && !vector) dst = GGML_TYPE_F16;
        if (type == "source") dst = writable_type(src) ? src : vector ? GGML_TYPE_F32 : GGML_TYPE_F16;
        gguf_set_tensor_type(out.get(), name, dst);
    }
    std::ifstream source(model.path(), std::ios::binary);
    const size_t in_data = gguf_get_data_offset(in.get());
    std::vector<float> f32;
    write_streamed(path, out.get(), [&](int64_t i, std::vector<uint8_t> & buf) {
        const char * name = gguf_get_tensor_name(out.get(), i);
        auto it = trained.find(name);
        if (it == trained.end()) {
            const int64_t src_id = gguf_find_tensor(in.get(), name);
            source.seekg((std::streamoff) (in_data + gguf_get_tensor_offset(in.get(), src_id)));
            source.read((char *) buf.data(), (std::streamsize) buf.size());
            if (!source) throw trainer_error("bad-model", "the model file ends inside tensor '" + std::string(name) + "' (truncated?)");
            return;
        }
        const ggml_tensor * w = it->second;
        read_device(w, f32);
        const int64_t row = w->ne[0];
        ggml_quantize_chunk(gguf_get_tensor_type(out.get(), i), f32.data(), buf.data(), 0, ggml_nelements(w) / row, row, nullptr);
    });
}

} // namespace polytune
