// A plain greedy decoding loop over llama.cpp's C API, the floor bench/decode.mjs compares Polytune
// with: no JS, no HTTP, nothing per token but llama_decode and one sampler call per sequence. With
// --parallel 1 it is the sequential loop of llama.cpp's own `simple` example (plus the repetition
// penalty); with --parallel N it decodes N sequences of one context in one llama_decode per step,
// each sequence taking the next prompt when its last one is done, as BatchedDecoder does.
//
// Prompts arrive already tokenized (one line of space-separated token ids each, BOS included), so
// every path of the bench decodes exactly the same tokens. Sampling is llama.cpp's penalties sampler
// (window over prompt + output, as llama-server and BatchedDecoder count it) followed by greedy.
//
//   greedyLoop MODEL PROMPTS_FILE N_PREDICT PARALLEL THREADS CTX_PER_SEQ REPEAT_PENALTY REPEAT_LAST_N
//
// Prints one JSON object: {"seconds":…, "cpuSeconds":…, "tokens":…, "outputs":[[ids…],…]} (outputs in
// input order). `seconds` is wall time from context creation to the last token, model loading left
// out; `cpuSeconds` is the CPU time of the whole process (all threads) over the same span.
#include "llama.h"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Slot {
    int prompt = -1;              // index of the prompt this sequence is decoding, -1 when idle
    int batchIndex = -1;          // where its logits are in the last batch
    llama_pos pos = 0;            // next position in its sequence
    llama_sampler * sampler = nullptr;
};

llama_sampler * makeSampler(const llama_vocab * vocab, float penalty, int lastN) {
    llama_sampler * chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
    if (penalty != 1.0f && lastN != 0) {
        llama_sampler_chain_add(chain, llama_sampler_init_penalties(llama_vocab_n_tokens(vocab), lastN, penalty, 0.0f, 0.0f));
    }
    llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    return chain;
}

}  // namespace

int main(int argc, char ** argv) {
    if (argc != 9) {
        std::fprintf(stderr, "usage: %s MODEL PROMPTS_FILE N_PREDICT PARALLEL THREADS CTX_PER_SEQ REPEAT_PENALTY REPEAT_LAST_N\n", argv[0]);
        return 2;
    }
    const std::string modelPath = argv[1];
    const int nPredict = std::atoi(argv[3]);
    const int parallel = std::atoi(argv[4]);
    const int threads = std::atoi(argv[5]);
    const int ctxPerSeq = std::atoi(argv[6]);
    const float penalty = static_cast<float>(std::atof(argv[7]));
    const int lastN = std::atoi(argv[8]);

    std::vector<std::vector<llama_token>> prompts;
    {
        std::ifstream in(argv[2]);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            std::istringstream ids(line);
            std::vector<llama_token> tokens;
            for (llama_token t; ids >> t;) tokens.push_back(t);
            prompts.push_back(std::move(tokens));
        }
    }
    if (prompts.empty() || parallel < 1 || nPredict < 1) {
        std::fprintf(stderr, "greedyLoop: no prompts, or PARALLEL/N_PREDICT below 1\n");
        return 2;
    }

    llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model * model = llama_model_load_from_file(modelPath.c_str(), mp);
    if (!model) {
        std::fprintf(stderr, "greedyLoop: could not load %s\n", modelPath.c_str());
        return 1;
    }
    const llama_vocab * vocab = llama_model_get_vocab(model);

    const auto started = std::chrono::steady_clock::now();
    const std::clock_t cpuStarted = std::clock();
    const int nSeq = parallel < static_cast<int>(prompts.size()) ? parallel : static_cast<int>(prompts.size());
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(ctxPerSeq * nSeq);
    cp.n_batch = cp.n_ctx > 512 ? cp.n_ctx : 512;  // room for every sequence's whole prompt in one step
    cp.n_seq_max = static_cast<uint32_t>(nSeq);
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        std::fprintf(stderr, "greedyLoop: could not create the context\n");
        return 1;
    }
    llama_memory_t memory = llama_get_memory(ctx);

    std::vector<std::vector<llama_token>> outputs(prompts.size());
    std::vector<Slot> slots(nSeq);
    for (auto & s : slots) s.sampler = makeSampler(vocab, penalty, lastN);
    llama_batch batch = llama_batch_init(static_cast<int32_t>(cp.n_batch), 0, 1);
    size_t nextPrompt = 0;
    size_t done = 0;
    long generated = 0;
    // The token each busy sequence feeds next; empty for a sequence that starts a prompt this step.
    std::vector<llama_token> pending(nSeq, -1);

    while (done < prompts.size()) {
        batch.n_tokens = 0;
        for (int s = 0; s < nSeq; s++) {
            Slot & slot = slots[s];
            if (slot.prompt < 0) {
                if (nextPrompt >= prompts.size()) continue;
                slot.prompt = static_cast<int>(nextPrompt++);
                slot.pos = 0;
                llama_memory_seq_rm(memory, s, -1, -1);
                llama_sampler_reset(slot.sampler);
                const auto & p = prompts[slot.prompt];
                for (size_t i = 0; i < p.size(); i++) {
                    llama_sampler_accept(slot.sampler, p[i]);
                    const int k = batch.n_tokens++;
                    batch.token[k] = p[i];
                    batch.pos[k] = slot.pos++;
                    batch.n_seq_id[k] = 1;
                    batch.seq_id[k][0] = s;
                    batch.logits[k] = i + 1 == p.size();
                }
            } else {
                const int k = batch.n_tokens++;
                batch.token[k] = pending[s];
                batch.pos[k] = slot.pos++;
                batch.n_seq_id[k] = 1;
                batch.seq_id[k][0] = s;
                batch.logits[k] = true;
            }
            slot.batchIndex = batch.n_tokens - 1;
        }
        if (batch.n_tokens == 0) break;
        if (llama_decode(ctx, batch) != 0) {
            std::fprintf(stderr, "greedyLoop: llama_decode failed\n");
            return 1;
        }
        for (int s = 0; s < nSeq; s++) {
            Slot & slot = slots[s];
            if (slot.prompt < 0) continue;
            // Samples and accepts the token into the penalty window.
            const llama_token t = llama_sampler_sample(slot.sampler, ctx, slot.batchIndex);
            auto & out = outputs[slot.prompt];
            const bool eog = llama_vocab_is_eog(vocab, t);
            if (!eog) {
                out.push_back(t);
                generated++;
            }
            if (eog || static_cast<int>(out.size()) >= nPredict || slot.pos + 1 >= ctxPerSeq) {
                slot.prompt = -1;
                done++;
            } else {
                pending[s] = t;
            }
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double cpuSeconds = static_cast<double>(std::clock() - cpuStarted) / CLOCKS_PER_SEC;

    std::printf("{\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"tokens\":%ld,\"outputs\":[", seconds, cpuSeconds, generated);
    for (size_t i = 0; i < outputs.size(); i++) {
        std::printf("%s[", i ? "," : "");
        for (size_t j = 0; j < outputs[i].size(); j++) std::printf("%s%d", j ? "," : "", outputs[i][j]);
        std::printf("]");
    }
    std::printf("]}\n");

    llama_batch_free(batch);
    for (auto & s : slots) llama_sampler_free(s.sampler);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
