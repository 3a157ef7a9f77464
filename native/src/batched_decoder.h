// Batched greedy or sampled decoding over llama.cpp's C API (libllama of node-llama-cpp's prebuilt
// package): many prompts in parallel sequences of one context, one llama_decode per step for every
// busy sequence, nothing per token but the decode and one sampler call per sequence. The JS side
// tokenizes (so the prompt format lives in one place) and detokenizes the results.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "trainer_types.h"

namespace polytune {

// A decode failure with the file at fault (the model or one adapter), for the JS error's `where`.
struct decode_error : trainer_error {
    std::string where;
    decode_error(std::string code, const std::string & message, std::string at) : trainer_error(std::move(code), message), where(std::move(at)) {}
};

struct decode_prompt {
    std::vector<int32_t> tokens;   // BOS, formatted prompt and response prefix, as the sequence evaluates them
    std::vector<int32_t> prefix;   // the response prefix alone: the text a stop string is searched in follows it
    int max_tokens = 1;
    std::vector<std::string> stop; // UTF-8; empty: no text is built while decoding
};

struct decode_options {
    std::string model_path;
    std::vector<std::string> adapter_paths;  // applied together, scale 1 each
    std::vector<decode_prompt> prompts;
    int parallel = 1;
    int context_size = 0;   // per sequence
    int threads = 0;        // 0: every hardware thread
    float repeat_penalty = 1.1f;
    int repeat_last_n = 64;
    float temperature = 0.0f;  // 0: greedy
    float top_p = 1.0f;
    uint32_t seed = 0;
};

struct decode_result {
    int index = 0;                  // the prompt's position in decode_options::prompts
    std::vector<int32_t> tokens;    // generated, end-of-generation token excluded
    std::string stop_reason;        // eos | stop | maxTokens | cancelled
    double seconds = 0;             // from the step the prompt started to its last token
};

// Decodes every prompt, calling on_result (on the calling thread) as each one finishes. Once `cancel`
// is set, the sequences in flight end with stop_reason "cancelled" and no prompt starts. Throws
// trainer_error or decode_error (codes model-load-failed, adapter-load-failed, out-of-memory, decode-failed, bad-input).
void run_batched_decode(const decode_options & options, const std::atomic<bool> & cancel, const std::function<void(decode_result &&)> & on_result);

} // namespace polytune
