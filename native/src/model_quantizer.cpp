#include "model_quantizer.h"
#include "trainer_types.h"

#include "gguf.h"
#include "llama.h"

#include <cstdio>
#include <map>
#include <thread>

namespace polytune {

void quantize_model(const std::string & in, const std::string & out, const std::string & type, int threads) {
    static const std::map<std::string, llama_ftype> types = {
        {"q8_0", LLAMA_FTYPE_MOSTLY_Q8_0}, {"q6_k", LLAMA_FTYPE_MOSTLY_Q6_K}, {"q5_k_m", LLAMA_FTYPE_MOSTLY_Q5_K_M}, {"q4_k_m", LLAMA_FTYPE_MOSTLY_Q4_K_M},
    };
    auto ftype = types.find(type);
    if (ftype == types.end()) throw trainer_error("bad-input", "unknown quantization type '" + type + "' (use q8_0, q6_k, q5_k_m or q4_k_m)");
    // llama.cpp says why it failed only in its log: check what can be checked first, to say it here.
    if (std::FILE * f = std::fopen(in.c_str(), "rb")) std::fclose(f);
    else throw trainer_error("io", "cannot open '" + in + "' (no such file, or no permission)");
    {
        gguf_init_params params = {true, nullptr};
        gguf_context * g = gguf_init_from_file(in.c_str(), params);
        if (!g) throw trainer_error("bad-model", "'" + in + "' is not a readable GGUF model");
        gguf_free(g);
    }
    const std::string tmp = out + ".tmp";
    if (std::FILE * f = std::fopen(tmp.c_str(), "wb")) std::fclose(f);
    else throw trainer_error("io", "cannot create '" + tmp + "' (no such folder, or no permission)");
    llama_model_quantize_params params = llama_model_quantize_default_params();
    params.ftype = ftype->second;
    params.nthread = threads > 0 ? threads : (int) std::max(1u, std::thread::hardware_concurrency());
    if (llama_model_quantize(in.c_str(), tmp.c_str(), &params) != 0) {
        std::remove(tmp.c_str());
        throw trainer_error("io", "llama.cpp could not quantize '" + in + "' to " + type + " (disk full, or a model llama.cpp cannot read; its log says which)");
    }
    if (std::rename(tmp.c_str(), out.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw trainer_error("io", "cannot move the finished file to '" + out + "'");
    }
}

} // namespace polytune
