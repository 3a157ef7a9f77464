#include "addon_args.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace polytune::addon {

namespace {

std::vector<uint8_t> to_mask(const Napi::Value & v) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw std::runtime_error("the target mask must be a Uint8Array");
    auto a = v.As<Napi::Uint8Array>();
    return std::vector<uint8_t>(a.Data(), a.Data() + a.ElementLength());
}

// 2.5, 1000000, 1e-08: as short as the value allows.
std::string format_number(double v) {
    if (!std::isfinite(v)) return "a non-finite number";
    char buf[32];
    if (std::floor(v) == v && std::fabs(v) < 1e15) std::snprintf(buf, sizeof(buf), "%.0f", v);
    else std::snprintf(buf, sizeof(buf), "%g", v);
    return buf;
}

// The range a numeric option must be in, said the way the error says it.
struct number_range {
    double lo, hi;
    bool lo_open, hi_open, integer;
    std::string text() const {
        std::string out = integer ? "an integer" : "a number";
        out += lo_open ? " above " + format_number(lo) : (integer ? " from " : " at least ") + format_number(lo);
        if (std::isfinite(hi)) out += hi_open ? " and below " + format_number(hi) : (integer ? " to " : " and at most ") + format_number(hi);
        return out;
    }
    bool holds(double v) const {
        return std::isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi) && (!integer || std::floor(v) == v);
    }
};

// `call`'s numeric option `key`: a number in `range`, or an error naming both. Absent, `fallback` (an
// optional option) or an error (a required one): nothing is silently defaulted.
double number_option(Napi::Env env, const Napi::Object & o, const char * call, const char * key, const number_range & range, std::optional<double> fallback = std::nullopt) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) {
        if (fallback) return *fallback;
        bad_input(env, std::string(call) + ": " + key + " is required (" + range.text() + ")", true);
    }
    if (!v.IsNumber()) bad_input(env, std::string(call) + ": " + key + " must be " + range.text(), true);
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!range.holds(d)) {
        bad_input(env, std::string(call) + ": " + key + " must be " + range.text() + ", not " + format_number(d));
    }
    return d;
}

bool bool_option(Napi::Env env, const Napi::Object & o, const char * call, const char * key) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return false;
    if (!v.IsBoolean()) bad_input(env, std::string(call) + ": " + key + " must be true or false", true);
    return v.As<Napi::Boolean>().Value();
}

constexpr double unbounded = INFINITY;

} // namespace

// A bad argument from JavaScript: a plain-words error with code bad-input, thrown before any work starts.
void bad_input(Napi::Env env, const std::string & message, bool type) {
    if (type) {
        Napi::TypeError err = Napi::TypeError::New(env, message);
        err.Value().Set("code", "bad-input");
        throw err;
    }
    Napi::RangeError err = Napi::RangeError::New(env, message);
    err.Value().Set("code", "bad-input");
    throw err;
}

std::vector<int32_t> to_tokens(const Napi::Value & v) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) throw std::runtime_error("tokens must be an Int32Array");
    auto a = v.As<Napi::Int32Array>();
    return std::vector<int32_t>(a.Data(), a.Data() + a.ElementLength());
}

batch to_batch(const Napi::CallbackInfo & info) {
    batch b;
    try {
        b.tokens = to_tokens(info[0]);
        b.target = to_mask(info[1]);
        if (info.Length() > 2 && !info[2].IsUndefined()) b.lengths = to_tokens(info[2]);
        else b.lengths = {(int32_t) b.tokens.size()};
    } catch (const std::exception & e) {
        throw Napi::TypeError::New(info.Env(), e.what());
    }
    return b;
}

int64_t dropout_key(const Napi::CallbackInfo & info) {
    if (info.Length() < 4 || info[3].IsUndefined()) return -1;
    const number_range keys{0, 9007199254740991.0, false, false, true};
    if (!info[3].IsNumber()) bad_input(info.Env(), "the dropout key must be " + keys.text(), true);
    const double key = info[3].As<Napi::Number>().DoubleValue();
    if (!keys.holds(key)) bad_input(info.Env(), "the dropout key must be " + keys.text());
    return (int64_t) key;
}

trainer_options read_trainer_options(Napi::Env env, const Napi::Object & o) {
    trainer_options opts;
    auto str = [&](const char * k) { return o.Get(k).IsString() ? o.Get(k).As<Napi::String>().Utf8Value() : std::string(); };
    auto strings = [&](const char * k) {
        std::vector<std::string> out;
        if (!o.Get(k).IsArray()) return out;
        auto arr = o.Get(k).As<Napi::Array>();
        for (uint32_t i = 0; i < arr.Length(); ++i) {
            if (!arr.Get(i).IsString()) throw Napi::TypeError::New(env, std::string(k) + " must be an array of strings");
            out.push_back(arr.Get(i).As<Napi::String>().Utf8Value());
        }
        return out;
    };
    opts.model_path = str("modelPath");
    opts.backends_dir = str("backendsDir");
    if (opts.model_path.empty() || opts.backends_dir.empty()) throw Napi::TypeError::New(env, "modelPath and backendsDir are required");
    if (!str("backend").empty()) opts.backend = str("backend");
    opts.backend_libs = strings("backendLibs");
    const Napi::Value method = o.Get("method");
    if (!method.IsUndefined()) {
        if (!method.IsString()) bad_input(env, "openTrainer(): method must be \"lora\" or \"full\"", true);
        opts.method = method.As<Napi::String>().Utf8Value();
        if (opts.method != "lora" && opts.method != "full") bad_input(env, "openTrainer(): method must be \"lora\" or \"full\", not \"" + opts.method + "\"");
    }
    const bool full = opts.full();
    opts.lora.targets = strings("targets");
    // Full-parameter training trains every weight: targets may be empty, rank and alpha are ignored.
    if (!full && opts.lora.targets.empty()) bad_input(env, "openTrainer(): targets is required (a non-empty array of q, k, v, o, gate, up, down, output)", true);
    // Ranges as the app's settings have them (electron/shared/contract.ts), except that rank and alpha
    // also take what adapters of other tools carry (a merge opens the trainer with the file's own).
    // Required ones have no default.
    const char * call = "openTrainer()";
    opts.device = (int) number_option(env, o, call, "device", {0, 64, false, false, true}, 0);
    opts.threads = (int) number_option(env, o, call, "threads", {0, 512, false, false, true}, 0);
    if (full) {
        opts.lora = lora_config{};
    } else {
        opts.lora.rank = (int) number_option(env, o, call, "rank", {1, 65536, false, false, true});
        opts.lora.alpha = (float) number_option(env, o, call, "alpha", {0, unbounded, true, false, false});
    }
    // The dropout's range is the trainer's own check (lora_adapters::check), which says it as the settings do.
    if (!o.Get("dropout").IsUndefined() && !o.Get("dropout").IsNumber()) bad_input(env, std::string(call) + ": dropout must be a number", true);
    if (o.Get("dropout").IsNumber() && !full) opts.lora.dropout = o.Get("dropout").As<Napi::Number>().FloatValue();
    opts.lora.seed = (uint32_t) number_option(env, o, call, "seed", {0, 4294967295.0, false, false, true}, full ? std::optional<double>(0) : std::nullopt);
    opts.lora.rslora = bool_option(env, o, call, "rslora") && !full;
    // Refused for full training by the trainer itself (full_parameters::check), in the same bad-input words.
    opts.keep_base_type = bool_option(env, o, call, "keepBaseType");
    return opts;
}

adam_options read_adam_options(Napi::Env env, const Napi::Object & o) {
    // The learning rate is required; the other hyperparameters may be left out for AdamW's usual
    // values (the same defaults as the app's settings).
    adam_options a;
    const adamw_hparams usual;
    const char * call = "update()";
    a.lr = (float) number_option(env, o, call, "lr", {0, 1, true, false, false});
    a.hp.beta1 = (float) number_option(env, o, call, "beta1", {0, 1, false, true, false}, usual.beta1);
    a.hp.beta2 = (float) number_option(env, o, call, "beta2", {0, 1, false, true, false}, usual.beta2);
    a.hp.eps = (float) number_option(env, o, call, "eps", {0, unbounded, true, false, false}, usual.eps);
    a.hp.weight_decay = (float) number_option(env, o, call, "weightDecay", {0, 1, false, false, false}, usual.weight_decay);
    a.hp.grad_clip = (float) number_option(env, o, call, "gradClip", {0, unbounded, false, false, false}, usual.grad_clip);
    return a;
}

std::array<int, 4> read_matmul_shape(const Napi::CallbackInfo & info) {
    std::array<int, 4> args{};
    const char * names[4] = {"nIn", "nOut", "tokens", "iterations"};
    const number_range sizes{1, 1 << 20, false, false, true};
    for (int i = 0; i < 4; ++i) {
        if (!info[i].IsNumber()) bad_input(info.Env(), std::string("matmulRate(): ") + names[i] + " must be " + sizes.text(), true);
        const double d = info[i].As<Napi::Number>().DoubleValue();
        if (!sizes.holds(d)) bad_input(info.Env(), std::string("matmulRate(): ") + names[i] + " must be " + sizes.text());
        args[i] = (int) d;
    }
    return args;
}

} // namespace polytune::addon
