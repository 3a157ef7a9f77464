#include "backend_session.h"
#include "backend_loader.h"
#include "trainer_types.h"

#include <algorithm>
#include <cstdlib>
#include <random>

namespace polytune {

backend_session::backend_session(const std::string & kind, const std::string & cpu_dir, const std::vector<std::string> & libs, int device, int threads) {
    // Test hook: operations named here (comma-separated ggml names) count as unsupported by the backend,
    // to exercise on any machine what a GPU backend that lacks them (Metal) takes.
    if (const char * deny = std::getenv("POLYTUNE_TRAINER_UNSUPPORTED_OPS")) denied_ops_ = "," + std::string(deny) + ",";
    started_backend b = start_backend(kind, cpu_dir, libs, device, threads);
    backend_.reset(b.backend);
    device_ = b.device;
    name_ = b.name;
    description_ = b.description;
}

bool backend_session::on_gpu() const { return device_ && ggml_backend_dev_type(device_) != GGML_BACKEND_DEVICE_TYPE_CPU; }

bool backend_session::supports(const ggml_tensor * node) const {
    if (!denied_ops_.empty() && denied_ops_.find("," + std::string(ggml_op_desc(node)) + ",") != std::string::npos) return false;
    return ggml_backend_supports_op(backend_.get(), node);
}

bool backend_session::does_out_prod() const {
    ggml_init_params ip = {ggml_tensor_overhead() * 4, nullptr, true};
    ggml_context_ptr ctx(ggml_init(ip));
    ggml_tensor * a = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, 64, 32);
    ggml_tensor * b = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, 16, 32);
    return supports(ggml_out_prod(ctx.get(), a, b));
}

void backend_session::check_supported(ggml_cgraph * gf, const char * what, bool probe) const {
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
        ggml_tensor * node = ggml_graph_node(gf, i);
        if (supports(node)) continue;
        std::string types = ggml_type_name(node->type);
        for (int s = 0; s < GGML_MAX_SRC && node->src[s]; ++s) types += std::string(s ? ", " : " from ") + ggml_type_name(node->src[s]->type);
        std::string dims = std::to_string(node->ne[0]);
        for (int d = 1; d < GGML_MAX_DIMS && node->ne[d] > 1; ++d) dims += "×" + std::to_string(node->ne[d]);
        if (probe) {
            throw trainer_error("unsupported-op", name_ + " (" + description_ + ") cannot train this model: it lacks " + ggml_op_desc(node) + " (" + types + ") for the " + what);
        }
        throw trainer_error("unsupported-op", name_ + " (" + description_ + ") cannot compute " + ggml_op_desc(node) + " (" + types + ", " + dims +
                                                  ") in the " + what + ": this micro-batch exceeds the device's limits; lower the batch size or sequence length");
    }
}

void backend_session::compute(ggml_cgraph * gf, const char * what) const {
    check_supported(gf, what);
    if (ggml_backend_graph_compute(backend_.get(), gf) != GGML_STATUS_SUCCESS) {
        throw trainer_error("backend-failed", name_ + " failed to compute the " + what + free_memory_note());
    }
}

std::string backend_session::free_memory_note() const {
    int64_t free = -1, total = -1;
    device_memory(free, total);
    if (total <= 0) return "";
    return " (the device has " + std::to_string(free >> 20) + " MiB free of " + std::to_string(total >> 20) + " MiB)";
}

void backend_session::device_memory(int64_t & free, int64_t & total) const {
    free = total = -1;
    if (!device_) return;
    size_t f = 0, t = 0;
    ggml_backend_dev_memory(device_, &f, &t);
    free = (int64_t) f;
    total = (int64_t) t;
}

double backend_session::matmul_rate(int n_in, int n_out, int tokens, int iterations) const {
    ggml_init_params ip = {ggml_tensor_overhead() * 8 + ggml_graph_overhead(), nullptr, true};
    ggml_context_ptr ctx(ggml_init(ip));
    ggml_tensor * w = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, n_in, n_out);
    ggml_tensor * x = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, n_in, tokens);
    ggml_backend_buffer_ptr buf(ggml_backend_alloc_ctx_tensors(ctx.get(), backend_.get()));
    if (!buf) throw trainer_error("out-of-memory", "out of memory for the matrix-product benchmark");
    std::vector<float> fill((size_t) n_in * std::max(n_out, tokens));
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> d(-0.1f, 0.1f);
    for (auto & f : fill) f = d(rng);
    ggml_backend_tensor_set(w, fill.data(), 0, ggml_nbytes(w));
    ggml_backend_tensor_set(x, fill.data(), 0, ggml_nbytes(x));
    ggml_tensor * y = ggml_mul_mat(ctx.get(), w, x);
    ggml_cgraph * gf = ggml_new_graph(ctx.get());
    ggml_build_forward_expand(gf, y);
    ggml_gallocr_ptr alloc(ggml_gallocr_new(buffer_type()));
    if (!ggml_gallocr_alloc_graph(alloc.get(), gf)) throw trainer_error("out-of-memory", "out of memory for the matrix-product benchmark");
    compute(gf, "matrix-product benchmark");  // warm-up (and shader compilation on GPUs)
    const int64_t t0 = ggml_time_us();
    for (int i = 0; i < iterations; ++i) compute(gf, "matrix-product benchmark");
    const double seconds = (double) (ggml_time_us() - t0) / 1e6;
    return 2.0 * n_in * (double) n_out * tokens * iterations / std::max(seconds, 1e-9);
}

} // namespace polytune
