// Chooses and starts the ggml backend the trainer computes on: the CPU backend of node-llama-cpp's
// prebuilt package, or a GPU backend library (CUDA, Vulkan, Metal) from the matching GPU package.
#pragma once

#include <string>
#include <vector>

struct ggml_backend;
struct ggml_backend_device;

namespace polytune {

struct started_backend {
    ggml_backend * backend = nullptr;
    ggml_backend_device * device = nullptr;
    std::string name;         // ggml's name, e.g. CPU, Vulkan0, CUDA0
    std::string description;  // the device, e.g. "NVIDIA H100", "llvmpipe (LLVM 15.0.6, 256 bits)"
    std::string kind;         // cpu | vulkan | cuda | metal
};

// kind: cpu | vulkan | cuda | metal | auto. libs: candidate GPU backend libraries, tried in order.
// Throws trainer_error("backend-unavailable") with the reason when the backend cannot be had.
started_backend start_backend(const std::string & kind, const std::string & cpu_dir, const std::vector<std::string> & libs, int device, int threads);

} // namespace polytune
