#include "lora_trainer.h"
#include "adamw.h"
#include "backend_session.h"
#include "base_model.h"
#include "batch_layout.h"
#include "full_files.h"
#include "full_parameters.h"
#include "graph_lowering.h"
#include "llama_graph.h"
#include "lora_adapters.h"
#include "lora_files.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace polytune {

namespace {
size_t graph_size_for(int n_layer) { return std::max<size_t>(4096, (size_t) n_layer * 800 + 2048); }
} // namespace

lora_trainer::parts::~parts() = default;

lora_trainer::lora_trainer(const trainer_options & opts) : opts_(opts) {
    if (opts_.method != "lora" && opts_.method != "full") throw trainer_error("bad-input", "unknown training method '" + opts_.method + "' (use lora or full)");
    if (opts_.full()) full_parameters::check(opts_);
    else lora_adapters::check(opts_.lora);
    try {
        open(opts_.backend);
    } catch (const trainer_error & e) {
        // `auto` found a GPU whose backend lacks an operation training needs (Metal lacks the backward's
        // OUT_PROD, for one): train on the CPU instead, and say so, rather than fail at the first step.
        // Nothing of the GPU's is kept: every part is built afresh on the CPU.
        p_.reset();
        if (opts_.backend != "auto" || e.code != "unsupported-op") throw;
        backend_note_ = std::string(e.what()) + "; training on the CPU instead";
        opts_.backend = "cpu";
        open(opts_.backend);
    }
}

lora_trainer::~lora_trainer() = default;

void lora_trainer::open(const std::string & kind) {
    p_.reset();
    p_ = std::make_unique<parts>();
    p_->backend = std::make_unique<backend_session>(kind, opts_.backends_dir, opts_.backend_libs, opts_.device, opts_.threads);
    p_->model = std::make_unique<base_model>(opts_.model_path, opts_.keep_base_type, opts_.full(), *p_->backend);
    if (opts_.full()) p_->full = std::make_unique<full_parameters>(*p_->model, *p_->backend);
    else p_->lora = std::make_unique<lora_adapters>(opts_.lora, *p_->model, *p_->backend);
    adamw::check_supported(*p_->backend, trainables());
    p_->galloc.reset(ggml_gallocr_new(p_->backend->buffer_type()));
    // The graphs of a two-token micro-batch, checked (not run) on the backend: an operation it lacks shows
    // here, at open, as what it is; later refusals can then only be a micro-batch beyond the device's limits.
    batch b;
    b.tokens = {0, 0};
    b.target = {0, 1};
    b.lengths = {2};
    run_loss(b, true, !opts_.full() && opts_.lora.dropout > 0.0f ? 0 : -1, true);
    run_loss(b, false, -1, true);
}

const hparams & lora_trainer::hp() const { return p_->model->hp(); }
int64_t lora_trainer::trainable_parameters() const { return p_->full ? p_->full->parameters() : p_->lora->parameters(); }
int64_t lora_trainer::base_bytes() const { return p_->model->bytes(); }
const std::string & lora_trainer::backend_name() const { return p_->backend->name(); }
const std::string & lora_trainer::device_description() const { return p_->backend->description(); }

std::vector<trainable_tensor> lora_trainer::trainables() const { return p_->full ? p_->full->tensors() : p_->lora->tensors(); }

void lora_trainer::clear_grads() {
    if (p_->full) p_->full->clear_grads();
    else p_->lora->clear_grads();
}

memory_report lora_trainer::memory() const {
    memory_report m;
    const adamw * opt = p_->optimizer.get();
    m.weights = p_->model->bytes();
    // Full: the weights are the parameters (counted in `weights`); gradients and moments are the optimizer's.
    m.lora = p_->lora ? trainable_parameters() * 4 + p_->lora->dropout_bytes() : 0;
    m.optimizer = (p_->full ? p_->full->optimizer_bytes() : p_->lora->optimizer_bytes()) + (opt ? opt->bytes() : 0);
    m.compute = (int64_t) ggml_gallocr_get_buffer_size(p_->galloc.get(), 0) + (opt ? opt->compute_bytes() : 0);
    p_->backend->device_memory(m.device_free, m.device_total);
    return m;
}

// After a failed graph: give its (possibly huge) compute buffer back and start the next one afresh.
void lora_trainer::release_compute() {
    p_->galloc.reset(ggml_gallocr_new(p_->backend->buffer_type()));
    if (acc_tokens_ == 0) clear_grads();
}

step_result lora_trainer::run_loss(const batch & b, bool backward, int64_t dropout_key, bool probe) {
    const hparams & hp = p_->model->hp();
    const backend_session & backend = *p_->backend;
    const lora_adapters * lora = p_->lora.get();  // null in full-parameter training
    validate_batch(b, hp.n_vocab);
    const row_plan plan = plan_rows(b.lengths);
    const int C = plan.C, R = plan.R;
    // GPU kernels put heads × rows in a grid dimension capped at 65535 (CUDA's GQA backward refuses
    // from 32768, Metal's products assert below it); they would abort the process rather than refuse,
    // so the trainer refuses first.
    if (backend.on_gpu() && (int64_t) hp.n_head * R >= 32768) {
        throw trainer_error("bad-input", "the micro-batch packs " + std::to_string(R) + " rows of " + std::to_string(hp.n_head) + " heads, more than a GPU launch allows (under 32768 heads × rows); lower the batch size");
    }
    // Position i-1 predicts token i; a prediction is supervised when token i is a target.
    std::vector<int32_t> rows, labels;
    for (size_t s = 0; s < b.lengths.size(); ++s) {
        for (int i = 1; i < b.lengths[s]; ++i) {
            size_t at = plan.start[s] + (size_t) i;
            if (!b.target[at]) continue;
            rows.push_back(plan.row[s] * C + plan.offset[s] + i - 1);
            labels.push_back(b.tokens[at]);
        }
    }
    if (rows.empty()) throw trainer_error("bad-input", "the sequence has no supervised tokens");
    const int S = (int) rows.size();
    const int64_t V = hp.n_vocab;
    if (V * S >= INT32_MAX) throw trainer_error("bad-input", "the micro-batch has too many supervised tokens for one graph (" + std::to_string(S) + "); lower the batch size or token budget");
    std::vector<int32_t> picks(S);
    for (int s = 0; s < S; ++s) picks[s] = (int32_t) (s * V + labels[s]);

    const size_t gsize = graph_size_for(hp.n_layer) * (backward ? 3 : 1);
    // Room for a second graph, twice the size, and its new tensors: lowering may rebuild it.
    ggml_init_params ip = {ggml_tensor_overhead() * gsize * 3 + ggml_graph_overhead_custom(gsize, backward) + ggml_graph_overhead_custom(2 * gsize, backward), nullptr, true};
    ggml_context_ptr ctx(ggml_init(ip));
    ggml_tensor * t_tokens = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, C * R);
    ggml_tensor * t_pos = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, C * R);
    ggml_tensor * t_mask = ggml_new_tensor_4d(ctx.get(), GGML_TYPE_F32, C, C, 1, R);
    ggml_tensor * t_sel = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, S);
    ggml_tensor * t_picks = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, S);
    for (ggml_tensor * t : {t_tokens, t_pos, t_mask, t_sel, t_picks}) ggml_set_input(t);
    // Dropout: each pair's row choices are a view into one index input (the output head sees S tokens, the rest C·R).
    ggml_tensor * t_drop = nullptr;
    dropout_rows drop;
    const bool dropout = lora && lora->config().dropout > 0.0f && dropout_key >= 0;
    if (dropout) {
        int64_t total = 0;
        for (const auto & p : lora->pairs()) total += p.layer < 0 ? S : (int64_t) C * R;
        t_drop = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, total);
        ggml_set_input(t_drop);
        int64_t at = 0;
        for (const auto & p : lora->pairs()) {
            const int64_t n = p.layer < 0 ? S : (int64_t) C * R;
            drop[&p] = ggml_view_1d(ctx.get(), t_drop, n, (size_t) at * sizeof(int32_t));
            at += n;
        }
    }
    ggml_tensor * h = build_hidden(ctx.get(), *p_->model, lora, t_tokens, t_pos, t_mask, C, R, drop);
    ggml_tensor * hs = ggml_get_rows(ctx.get(), h, t_sel);  // [n_embd, S]: the head only where it counts
    ggml_tensor * logits = project(ctx.get(), p_->model->output(), hs, lora, lora ? lora->find(-1, "output") : nullptr, drop);  // [V, S]
    ggml_tensor * loss = masked_loss(ctx.get(), logits, t_picks, V, S);
    ggml_set_output(loss);
    ggml_cgraph * gf = ggml_new_graph_custom(ctx.get(), gsize, backward);
    ggml_build_forward_expand(gf, loss);
    ggml_tensor * loss_grad = nullptr;
    if (backward) {
        ggml_set_loss(loss);
        // Gradients go straight into the device accumulators: no host round trip per micro-batch.
        std::vector<ggml_tensor *> accs(ggml_graph_n_nodes(gf), nullptr);
        std::map<ggml_tensor *, ggml_tensor *> acc_of;
        for (const auto & t : trainables()) acc_of[t.param] = t.grad;
        for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
            auto it = acc_of.find(ggml_graph_node(gf, i));
            if (it != acc_of.end()) accs[i] = it->second;
        }
        ggml_build_backward_expand(ctx.get(), gf, accs.data());
        loss_grad = ggml_graph_get_grad_acc(gf, loss);
        use_transposed(gf, p_->model->transposed());
        gf = lower_graph_for_backend(ctx.get(), gf, gsize, backend, {t_tokens});
    }
    const char * what = backward ? "training graph" : "evaluation graph";
    backend.check_supported(gf, what, probe);  // before allocating: a refused graph must not leave its buffers behind
    if (probe) return {};
    if (!ggml_gallocr_alloc_graph(p_->galloc.get(), gf)) {
        release_compute();
        throw trainer_error("out-of-memory", "out of memory on " + backend.description() + " for a micro-batch of " + std::to_string(R) + " × " + std::to_string(C) + " tokens; lower the batch size, token budget or sequence length" + backend.free_memory_note());
    }
    if (backward) {
        // Not ggml_graph_reset: it would zero our accumulators. Only the loss's own gradient is seeded.
        const float one = 1.0f;
        ggml_backend_tensor_set(loss_grad, &one, 0, sizeof(float));
    }
    packed_inputs in = pack(b.tokens, b.lengths, plan);
    ggml_backend_tensor_set(t_tokens, in.tokens.data(), 0, in.tokens.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_pos, in.pos.data(), 0, in.pos.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_mask, in.mask.data(), 0, in.mask.size() * sizeof(float));
    ggml_backend_tensor_set(t_sel, rows.data(), 0, rows.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_picks, picks.data(), 0, picks.size() * sizeof(int32_t));
    if (dropout) {
        // The key decides every mask: a resumed run, or a test that repeats the key, draws the same ones.
        std::seed_seq seq{lora->config().seed, (uint32_t) dropout_key, (uint32_t) ((uint64_t) dropout_key >> 32), 0x64726f70u};
        std::mt19937 rng(seq);
        std::uniform_int_distribution<int32_t> pick(0, (int32_t) lora_adapters::dropout_table_rows - 1);
        std::vector<int32_t> choice((size_t) ggml_nelements(t_drop));
        for (auto & c : choice) c = pick(rng);
        ggml_backend_tensor_set(t_drop, choice.data(), 0, choice.size() * sizeof(int32_t));
    }
    try {
        backend.compute(gf, what);
    } catch (...) {
        release_compute();
        throw;
    }

    step_result res;
    float l = 0;
    ggml_backend_tensor_get(loss, &l, 0, sizeof(float));
    if (!std::isfinite(l)) throw trainer_error("non-finite", "the loss is not finite (learning rate too high?)");
    res.loss_sum = l;
    res.tokens = S;
    if (backward) acc_tokens_ += S;
    return res;
}

step_result lora_trainer::accumulate(const batch & b) {
    step_result r = run_loss(b, true, step_ * 4096 + micro_);
    ++micro_;
    return r;
}

step_result lora_trainer::eval(const batch & b, int64_t dropout_key) { return run_loss(b, false, dropout_key); }

step_result lora_trainer::gradients(const batch & b, std::map<std::string, std::vector<float>> & out, int64_t dropout_key) {
    if (acc_tokens_ != 0) throw trainer_error("bad-input", "gradients() needs empty accumulators; call update() first");
    step_result res;
    try {
        res = run_loss(b, true, dropout_key);
    } catch (...) {
        clear_grads();
        acc_tokens_ = 0;
        throw;
    }
    for (const auto & t : trainables()) {
        std::vector<float> g(ggml_nelements(t.grad));
        ggml_backend_tensor_get(t.grad, g.data(), 0, g.size() * sizeof(float));
        out[ggml_get_name(t.param)] = std::move(g);
    }
    clear_grads();
    acc_tokens_ = 0;
    return res;
}

void lora_trainer::update(const adam_options & adam) {
    if (acc_tokens_ == 0) throw trainer_error("bad-input", "no gradients were accumulated before the update");
    // The optimizer's graphs do not depend on its hyperparameters' values, but they are fixed per
    // optimizer: other ones (which the app never sends within a run) get a fresh optimizer.
    if (!p_->optimizer || p_->optimizer->hparams() != adam.hp) {
        p_->optimizer.reset();
        p_->optimizer = std::make_unique<adamw>(*p_->backend, trainables(), adam.hp);
    }
    p_->optimizer->step(adam.lr, step_ + 1, acc_tokens_);
    ++step_;
    clear_grads();
    acc_tokens_ = 0;
    micro_ = 0;
}

std::vector<float> lora_trainer::logits(const std::vector<int32_t> & tokens) {
    const hparams & hp = p_->model->hp();
    batch b;
    b.tokens = tokens;
    b.target.assign(tokens.size(), 0);
    b.lengths = {(int32_t) tokens.size()};
    validate_batch(b, hp.n_vocab);
    const int T = (int) tokens.size();
    const size_t gsize = graph_size_for(hp.n_layer);
    ggml_init_params ip = {ggml_tensor_overhead() * gsize * 2 + ggml_graph_overhead_custom(gsize, false), nullptr, true};
    ggml_context_ptr ctx(ggml_init(ip));
    ggml_tensor * t_tokens = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, T);
    ggml_tensor * t_pos = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_I32, T);
    ggml_tensor * t_mask = ggml_new_tensor_4d(ctx.get(), GGML_TYPE_F32, T, T, 1, 1);
    for (ggml_tensor * t : {t_tokens, t_pos, t_mask}) ggml_set_input(t);
    const dropout_rows none;  // inference: no dropout
    const lora_adapters * lora = p_->lora.get();
    ggml_tensor * h = build_hidden(ctx.get(), *p_->model, lora, t_tokens, t_pos, t_mask, T, 1, none);
    ggml_tensor * out = project(ctx.get(), p_->model->output(), h, lora, lora ? lora->find(-1, "output") : nullptr, none);
    ggml_set_output(out);
    ggml_cgraph * gf = ggml_new_graph_custom(ctx.get(), gsize, false);
    ggml_build_forward_expand(gf, out);
    if (!ggml_gallocr_alloc_graph(p_->galloc.get(), gf)) throw trainer_error("out-of-memory", "out of memory on " + p_->backend->description() + " for the forward pass" + p_->backend->free_memory_note());
    packed_inputs in = pack(tokens, b.lengths, plan_rows(b.lengths));
    ggml_backend_tensor_set(t_tokens, in.tokens.data(), 0, in.tokens.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_pos, in.pos.data(), 0, in.pos.size() * sizeof(int32_t));
    ggml_backend_tensor_set(t_mask, in.mask.data(), 0, in.mask.size() * sizeof(float));
    p_->backend->compute(gf, "forward pass");
    std::vector<float> res((size_t) hp.n_vocab * T);
    ggml_backend_tensor_get(out, res.data(), 0, res.size() * sizeof(float));
    return res;
}

double lora_trainer::matmul_rate(int n_in, int n_out, int tokens, int iterations) { return p_->backend->matmul_rate(n_in, n_out, tokens, iterations); }

std::vector<std::string> lora_trainer::param_names() const {
    std::vector<std::string> names;
    for (const auto & t : trainables()) names.push_back(ggml_get_name(t.param));
    return names;
}

trainable_tensor lora_trainer::find_param(const std::string & name) const {
    for (const auto & t : trainables()) {
        if (name == ggml_get_name(t.param)) return t;
    }
    throw trainer_error("bad-input", std::string(opts_.full() ? "no weight" : "no LoRA tensor") + " named '" + name + "'");
}

std::vector<float> lora_trainer::get_param(const std::string & name) const {
    ggml_tensor * t = find_param(name).param;
    std::vector<float> data(ggml_nelements(t));
    ggml_backend_tensor_get(t, data.data(), 0, data.size() * sizeof(float));
    return data;
}

void lora_trainer::set_param(const std::string & name, const std::vector<float> & data) {
    ggml_tensor * t = find_param(name).param;
    if ((int64_t) data.size() != ggml_nelements(t)) throw trainer_error("bad-input", "wrong number of values for '" + name + "'");
    ggml_backend_tensor_set(t, data.data(), 0, data.size() * sizeof(float));
}

void lora_trainer::refuse_adapter_files(const char * what) const {
    if (opts_.full()) throw trainer_error("bad-input", std::string("full-parameter training has no adapter to ") + what + "; export the trained model instead (exportMerged)");
}

void lora_trainer::save_adapter(const std::string & path) const {
    refuse_adapter_files("save");
    polytune::save_adapter(path, hp().arch, *p_->lora);
}

void lora_trainer::save_checkpoint(const std::string & path) const {
    if (p_->full) polytune::save_full_checkpoint(path, hp().arch, p_->full->tensors(), step_);
    else polytune::save_checkpoint(path, hp().arch, *p_->lora, step_);
}

void lora_trainer::load_checkpoint(const std::string & path) {
    const int64_t step = p_->full ? polytune::load_full_checkpoint(path, p_->full->tensors()) : polytune::load_checkpoint(path, *p_->lora);
    clear_grads();
    step_ = step;
    acc_tokens_ = 0;
    micro_ = 0;
}

void lora_trainer::load_adapter(const std::string & path) {
    refuse_adapter_files("load");
    polytune::load_adapter(path, *p_->lora);
}

void lora_trainer::export_merged(const std::string & path, const std::string & type) {
    if (p_->full) polytune::export_full_model(path, type, *p_->model, p_->full->tensors());
    else polytune::export_merged(path, type, *p_->model, *p_->lora, *p_->backend);
}

} // namespace polytune
