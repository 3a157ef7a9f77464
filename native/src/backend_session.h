// The ggml backend the trainer computes on, opened once and owned: what it can compute (with a test hook
// that denies operations), running a graph, and the device's memory.
#pragma once

#include <string>
#include <vector>

#include "ggml-cpp.h"

namespace polytune {

class backend_session {
public:
    // kind: cpu | vulkan | cuda | metal | auto. Throws trainer_error("backend-unavailable") with the reason.
    backend_session(const std::string & kind, const std::string & cpu_dir, const std::vector<std::string> & libs, int device, int threads);

    ggml_backend_t get() const { return backend_.get(); }
    ggml_backend_buffer_type_t buffer_type() const { return ggml_backend_get_default_buffer_type(backend_.get()); }
    const std::string & name() const { return name_; }                 // ggml's name, e.g. CPU, Vulkan0, CUDA0
    const std::string & description() const { return description_; }   // the device, e.g. "NVIDIA H100"
    bool on_gpu() const;

    bool supports(const ggml_tensor * node) const;
    // Whether the backend computes OUT_PROD of contiguous F32 operands (the backward's activation gradients).
    bool does_out_prod() const;
    // One backend computes the whole graph: an op it lacks is an error, never a silent CPU fallback.
    // `probe`: the graph is checked at open, so a refusal means the backend cannot train at all.
    void check_supported(ggml_cgraph * gf, const char * what, bool probe = false) const;
    void compute(ggml_cgraph * gf, const char * what) const;

    // " (the device has N MiB free of M MiB)", or empty where the device cannot tell.
    std::string free_memory_note() const;
    // Free and total bytes, -1 where unknown.
    void device_memory(int64_t & free, int64_t & total) const;
    // FLOP/s of an F32 matrix product of the given shape.
    double matmul_rate(int n_in, int n_out, int tokens, int iterations) const;

private:
    ggml_backend_ptr backend_;
    ggml_backend_dev_t device_ = nullptr;
    std::string name_, description_;
    std::string denied_ops_;  // test hook (POLYTUNE_TRAINER_UNSUPPORTED_OPS)
};

} // namespace polytune
