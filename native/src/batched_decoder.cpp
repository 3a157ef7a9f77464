#include "batched_decoder.h"

#include "ggml-backend.h"
#include "llama-cpp.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#ifndef _WIN32
#include <dlfcn.h>
#endif

namespace polytune {

namespace {

using clock_type = std::chrono::steady_clock;

// node-llama-cpp usually loaded the CPU backend into this process already (it tokenized the prompts);
// otherwise it is loaded from the folder of the ggml library this addon is linked to.
void ensure_cpu_backend() {
    static std::mutex m;
    static bool done = false;
    std::lock_guard<std::mutex> lock(m);
    if (done) return;
    if (ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) == nullptr) {
#ifndef _WIN32
        Dl_info info{};
        if (dladdr(reinterpret_cast<void *>(&ggml_backend_dev_by_type), &info) && info.dli_fname) {
            std::string dir = info.dli_fname;
            dir = dir.substr(0, dir.find_last_of('/'));
            ggml_backend_load_all_from_path(dir.c_str());
        }
#endif
        if (ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) == nullptr) ggml_backend_load_all();
    }
    llama_backend_init();
    done = true;
}

// node-llama-cpp's padSafeContextSize(…, "up"): the context it creates for the same settings.
uint32_t pad_context(uint32_t n) { return (n + 255u) & ~255u; }

// The text of `tokens` as node-llama-cpp's detokenize(tokens, false, lastTokens) returns it: after the
// last 3 tokens of the prefix, so a continuing token keeps its leading space.
std::string detokenize(const llama_vocab * vocab, const std::vector<llama_token> & tokens, const std::vector<llama_token> & prefix) {
    auto plain = [vocab](const std::vector<llama_token> & t) {
        if (t.empty()) return std::string();
        std::string out(t.size() * 8 + 16, '\0');
        int32_t n = llama_detokenize(vocab, t.data(), (int32_t) t.size(), out.data(), (int32_t) out.size(), false, false);
        if (n < 0) {
            out.resize((size_t) -n);
            n = llama_detokenize(vocab, t.data(), (int32_t) t.size(), out.data(), (int32_t) out.size(), false, false);
        }
        out.resize(n < 0 ? 0 : (size_t) n);
        return out;
    };
    if (tokens.empty()) return "";
    if (prefix.empty()) return plain(tokens);
    std::vector<llama_token> added(prefix.end() - (long) std::min<size_t>(3, prefix.size()), prefix.end());
    const std::string added_text = plain(added);
    if (added_text.empty()) return plain(tokens);
    std::vector<llama_token> both = added;
    both.insert(both.end(), tokens.begin(), tokens.end());
    const std::string text = plain(both);
    if (text.compare(0, added_text.size(), added_text) == 0) return text.substr(added_text.size());
    return plain(tokens);
}

// The sampler chain node-llama-cpp builds for BatchedDecoder's settings: penalties over the last N of
// prompt + output, then greedy; or top-k (whole vocabulary) → top-p → temperature → dist(seed).
llama_sampler_ptr make_sampler(const llama_vocab * vocab, const decode_options & o) {
    llama_sampler_ptr chain(llama_sampler_chain_init(llama_sampler_chain_default_params()));
    const int32_t n_vocab = llama_vocab_n_tokens(vocab);
    if (o.repeat_penalty > 1.0f && o.repeat_last_n > 0) {
        llama_sampler_chain_add(chain.get(), llama_sampler_init_penalties(n_vocab, o.repeat_last_n, o.repeat_penalty, 0.0f, 0.0f));
    }
    if (o.temperature > 0.0f) {
        llama_sampler_chain_add(chain.get(), llama_sampler_init_top_k(n_vocab));
        llama_sampler_chain_add(chain.get(), llama_sampler_init_top_p(o.top_p, 1));
        llama_sampler_chain_add(chain.get(), llama_sampler_init_temp(o.temperature));
        llama_sampler_chain_add(chain.get(), llama_sampler_init_dist(o.seed));
    } else {
        llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
    }
    return chain;
}

struct batch_owner {
    llama_batch batch;
    explicit batch_owner(int32_t n) : batch(llama_batch_init(n, 0, 1)) {}
    ~batch_owner() { llama_batch_free(batch); }
    batch_owner(const batch_owner &) = delete;
    batch_owner & operator=(const batch_owner &) = delete;
};

struct slot {
    int prompt = -1;            // the prompt this sequence decodes, -1 when idle
    int logits_at = -1;         // index of its logits within the whole step
    llama_pos pos = 0;
    llama_token pending = -1;   // the token it feeds next
    llama_sampler_ptr sampler;
    std::vector<llama_token> generated;
    clock_type::time_point started;
};

struct entry {
    llama_token token;
    llama_pos pos;
    int seq;
    bool logits;
};

void check_options(const decode_options & o) {
    if (o.prompts.empty()) throw trainer_error("bad-input", "no prompts to decode");
    if (o.parallel < 1) throw trainer_error("bad-input", "parallel must be at least 1");
    if (o.context_size < 2) throw trainer_error("bad-input", "the context size must be at least 2");
    for (const auto & p : o.prompts) {
        if (p.tokens.empty()) throw trainer_error("bad-input", "a prompt has no tokens");
        if (p.max_tokens < 1) throw trainer_error("bad-input", "maxTokens must be at least 1");
        if ((int) p.tokens.size() + 1 >= o.context_size) throw trainer_error("bad-input", "a prompt does not fit the context of its sequence");
    }
}

} // namespace

void run_batched_decode(const decode_options & o, const std::atomic<bool> & cancel, const std::function<void(decode_result &&)> & on_result) {
    check_options(o);
    ensure_cpu_backend();

    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model_ptr model(llama_model_load_from_file(o.model_path.c_str(), mp));
    if (!model) throw decode_error("model-load-failed", "llama.cpp could not load the model " + o.model_path, o.model_path);
    const llama_vocab * vocab = llama_model_get_vocab(model.get());
    const int32_t n_vocab = llama_vocab_n_tokens(vocab);
    for (const auto & p : o.prompts) {
        for (llama_token t : p.tokens) {
            if (t < 0 || t >= n_vocab) throw trainer_error("bad-input", "a prompt token (" + std::to_string(t) + ") is outside the model's vocabulary");
        }
    }

    std::vector<llama_adapter_lora_ptr> adapters;
    for (const auto & path : o.adapter_paths) {
        adapters.emplace_back(llama_adapter_lora_init(model.get(), path.c_str()));
        if (!adapters.back()) throw decode_error("adapter-load-failed", "the adapter " + path + " could not be applied to this model", path);
    }

    const int n_seq = std::min<int>(o.parallel, (int) o.prompts.size());
    llama_context_params cp = llama_context_default_params();
    // As node-llama-cpp creates BatchedDecoder's context, so both paths compute the same logits.
    cp.n_ctx = pad_context((uint32_t) o.context_size * (uint32_t) n_seq);
    cp.n_batch = (uint32_t) std::max(512, n_seq);
    cp.n_ubatch = cp.n_batch;
    cp.n_seq_max = (uint32_t) n_seq;
    const int threads = o.threads > 0 ? o.threads : (int) std::max(1u, std::thread::hardware_concurrency());
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.no_perf = true;
    cp.swa_full = false;
    cp.kv_unified = false;
    llama_context_ptr ctx(llama_init_from_model(model.get(), cp));
    if (!ctx) throw trainer_error("out-of-memory", "llama.cpp could not create a context of " + std::to_string(cp.n_ctx) + " tokens for " + std::to_string(n_seq) + " sequences");
    if (!adapters.empty()) {
        std::vector<llama_adapter_lora *> raw;
        for (auto & a : adapters) raw.push_back(a.get());
        std::vector<float> scales(raw.size(), 1.0f);
        if (llama_set_adapters_lora(ctx.get(), raw.data(), raw.size(), scales.data()) != 0) {
            throw trainer_error("adapter-load-failed", "the adapters could not be applied to the context");
        }
    }
    llama_memory_t memory = llama_get_memory(ctx.get());

    std::vector<slot> slots(n_seq);
    batch_owner owner((int32_t) cp.n_batch);
    llama_batch & batch = owner.batch;
    size_t next_prompt = 0;
    size_t finished = 0;
    std::vector<entry> step;
    std::vector<std::pair<size_t, size_t>> chunks;
    const bool sampling = o.temperature > 0.0f;

    auto finish = [&](int s, const char * reason) {
        slot & sl = slots[s];
        decode_result r;
        r.index = sl.prompt;
        r.tokens.assign(sl.generated.begin(), sl.generated.end());
        r.stop_reason = reason;
        r.seconds = std::chrono::duration<double>(clock_type::now() - sl.started).count();
        sl.prompt = -1;
        sl.generated.clear();
        finished++;
        on_result(std::move(r));
    };

    while (finished < o.prompts.size()) {
        if (cancel.load()) {
            for (int s = 0; s < n_seq; s++) {
                if (slots[s].prompt >= 0) finish(s, "cancelled");
            }
            return;
        }
        step.clear();
        for (int s = 0; s < n_seq; s++) {
            slot & sl = slots[s];
            if (sl.prompt < 0) {
                if (next_prompt >= o.prompts.size()) continue;
                // A fresh sequence per prompt: its result must not depend on the prompt decoded before.
                llama_memory_seq_rm(memory, s, -1, -1);
                sl.prompt = (int) next_prompt++;
                sl.pos = 0;
                sl.started = clock_type::now();
                sl.sampler = make_sampler(vocab, o);
                const auto & p = o.prompts[sl.prompt].tokens;
                for (size_t i = 0; i < p.size(); i++) {
                    llama_sampler_accept(sl.sampler.get(), p[i]);
                    step.push_back({p[i], sl.pos++, s, i + 1 == p.size()});
                }
            } else {
                step.push_back({sl.pending, sl.pos++, s, true});
            }
            sl.logits_at = (int) step.size() - 1;
        }
        if (step.empty()) break;
        // Greedy: one llama_decode for the whole step (unless new prompts make it larger than the batch).
        // Sampling: one per sequence. CPU matmuls round differently for one row and for several, and a
        // draw near a top-p or probability boundary flips on the last bit; a sequence decoded alone sees
        // the logits it sees at parallel 1, so a seed gives the same text whatever the parallelism.
        chunks.clear();
        for (size_t i = 0, from = 0; i < step.size(); i++) {
            if (i + 1 == step.size() || i + 1 - from == cp.n_batch || (sampling && step[i].logits)) {
                chunks.emplace_back(from, i + 1);
                from = i + 1;
            }
        }
        for (const auto & [from, to] : chunks) {
            batch.n_tokens = 0;
            for (size_t i = from; i < to; i++) {
                const int k = batch.n_tokens++;
                batch.token[k] = step[i].token;
                batch.pos[k] = step[i].pos;
                batch.n_seq_id[k] = 1;
                batch.seq_id[k][0] = step[i].seq;
                batch.logits[k] = step[i].logits;
            }
            const int32_t rc = llama_decode(ctx.get(), batch);
            if (rc == 1) throw trainer_error("out-of-memory", "the context has no room left for the sequences' tokens");
            if (rc == -2 || rc == -3) throw trainer_error("out-of-memory", "llama.cpp could not allocate the compute buffers for a step");
            if (rc != 0) throw trainer_error("decode-failed", "llama_decode failed with code " + std::to_string(rc));
            for (int s = 0; s < n_seq; s++) {
                slot & sl = slots[s];
                if (sl.prompt < 0 || sl.logits_at < (int) from || sl.logits_at >= (int) to) continue;
                const decode_prompt & p = o.prompts[sl.prompt];
                // Samples and accepts the token into the penalty window.
                const llama_token t = llama_sampler_sample(sl.sampler.get(), ctx.get(), sl.logits_at - (int) from);
                if (llama_vocab_is_eog(vocab, t)) {
                    finish(s, "eos");
                    continue;
                }
                sl.generated.push_back(t);
                if (!p.stop.empty()) {
                    const std::string text = detokenize(vocab, sl.generated, p.prefix);
                    if (std::any_of(p.stop.begin(), p.stop.end(), [&](const std::string & x) { return text.find(x) != std::string::npos; })) {
                        finish(s, "stop");
                        continue;
                    }
                }
                if ((int) sl.generated.size() >= p.max_tokens || sl.pos + 1 >= o.context_size) {
                    finish(s, "maxTokens");
                    continue;
                }
                sl.pending = t;
            }
        }
    }
}

} // namespace polytune
