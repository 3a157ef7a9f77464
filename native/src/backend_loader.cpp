#include <algorithm>
#include "backend_loader.h"
#include "trainer_types.h"

#include "ggml-backend.h"

#include <fstream>
#include <mutex>
#include <thread>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace polytune {

namespace {

std::mutex load_mutex;
bool cpu_loaded = false;

const char * reg_name(const std::string & kind) {
    if (kind == "cuda") return "CUDA";
    if (kind == "vulkan") return "Vulkan";
    if (kind == "metal") return "Metal";
    return "CPU";
}

std::string kind_of_lib(const std::string & path) {
    std::string file = path.substr(path.find_last_of("/\\") + 1);
    for (const char * k : {"cuda", "vulkan", "metal"}) {
        if (file.find(std::string("ggml-") + k) != std::string::npos) return k;
    }
    return "";
}

bool file_exists(const std::string & path) { return std::ifstream(path).good(); }

// dlopen first: ggml only logs why a library failed to load, and the reason (a missing CUDA runtime,
// no Vulkan loader) is what the user needs to read.
std::string probe_library(const std::string & path) {
#ifdef _WIN32
    HMODULE h = LoadLibraryA(path.c_str());
    if (!h) return "Windows could not load it (error " + std::to_string(GetLastError()) + ")";
    FreeLibrary(h);
    return "";
#else
    void * h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char * e = dlerror();
        return e ? e : "unknown dlopen error";
    }
    dlclose(h);
    return "";
#endif
}

// Loads (once per process) the backend of `kind` from the first candidate library that loads.
ggml_backend_reg_t load_kind(const std::string & kind, const std::vector<std::string> & libs, std::string & why) {
    ggml_backend_reg_t reg = ggml_backend_reg_by_name(reg_name(kind));
    if (reg) return reg;
    std::vector<std::string> tried;
    for (const auto & lib : libs) {
        if (kind_of_lib(lib) != kind) continue;
        if (!file_exists(lib)) {
            tried.push_back(lib + ": not installed");
            continue;
        }
        std::string err = probe_library(lib);
        if (!err.empty()) {
            tried.push_back(lib + ": " + err);
            continue;
        }
        reg = ggml_backend_load(lib.c_str());
        if (reg) return reg;
        tried.push_back(lib + ": ggml refused it");
    }
    why = tried.empty() ? std::string("no ") + reg_name(kind) + " backend library is installed for this platform" : "";
    for (size_t i = 0; i < tried.size(); ++i) why += (i ? "; " : "") + tried[i];
    return nullptr;
}

bool is_gpu(ggml_backend_dev_t dev) {
    auto t = ggml_backend_dev_type(dev);
    return t == GGML_BACKEND_DEVICE_TYPE_GPU || t == GGML_BACKEND_DEVICE_TYPE_IGPU;
}

} // namespace

started_backend start_backend(const std::string & kind, const std::string & cpu_dir, const std::vector<std::string> & libs, int device, int threads) {
    std::lock_guard<std::mutex> lock(load_mutex);
    // node-llama-cpp may already have loaded the CPU backend into this process; loading twice would register it twice.
    if (!cpu_loaded) {
        if (ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) == nullptr) ggml_backend_load_all_from_path(cpu_dir.c_str());
        cpu_loaded = true;
    }
    started_backend out;
    ggml_backend_dev_t dev = nullptr;
    if (kind == "cpu") {
        dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
        if (!dev) throw trainer_error("backend-unavailable", "no CPU backend could be loaded from '" + cpu_dir + "'");
        out.kind = "cpu";
    } else if (kind == "auto") {
        for (const char * k : {"cuda", "metal", "vulkan"}) {
            std::string why;
            ggml_backend_reg_t reg = load_kind(k, libs, why);
            if (!reg) continue;
            for (size_t i = 0; i < ggml_backend_reg_dev_count(reg); ++i) {
                ggml_backend_dev_t d = ggml_backend_reg_dev_get(reg, i);
                if (is_gpu(d)) {
                    dev = d;
                    out.kind = k;
                    break;
                }
            }
            if (dev) break;
        }
        if (!dev) {
            dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
            out.kind = "cpu";
        }
        if (!dev) throw trainer_error("backend-unavailable", "no backend could be loaded from '" + cpu_dir + "'");
    } else if (kind == "cuda" || kind == "vulkan" || kind == "metal") {
        std::string why;
        ggml_backend_reg_t reg = load_kind(kind, libs, why);
        if (!reg) throw trainer_error("backend-unavailable", std::string("the ") + reg_name(kind) + " backend cannot be loaded: " + why);
        size_t n = ggml_backend_reg_dev_count(reg);
        if (n == 0) {
            std::string hint = kind == "vulkan" ? " (ggml hides software Vulkan devices such as llvmpipe unless GGML_VK_VISIBLE_DEVICES names them)" : "";
            throw trainer_error("backend-unavailable", std::string("the ") + reg_name(kind) + " backend loaded but found no device" + hint);
        }
        if (device < 0 || (size_t) device >= n) throw trainer_error("backend-unavailable", std::string("the ") + reg_name(kind) + " backend has " + std::to_string(n) + " device(s); there is no device " + std::to_string(device));
        dev = ggml_backend_reg_dev_get(reg, device);
        out.kind = kind;
    } else {
        throw trainer_error("bad-input", "unknown backend '" + kind + "' (use cpu, cuda, vulkan, metal or auto)");
    }
    out.backend = ggml_backend_dev_init(dev, nullptr);
    if (!out.backend) throw trainer_error("backend-unavailable", std::string("the device '") + ggml_backend_dev_description(dev) + "' could not be started");
    out.device = dev;
    out.name = ggml_backend_name(out.backend);
    out.description = ggml_backend_dev_description(dev);
    if (out.kind == "cpu") {
        int n = threads > 0 ? threads : (int) std::max(1u, std::thread::hardware_concurrency());
        ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(dev);
        auto set_threads = reg ? (ggml_backend_set_n_threads_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads") : nullptr;
        if (set_threads) set_threads(out.backend, n);
    }
    return out;
}

} // namespace polytune
