// N-API surface of the trainer. Slow work (loading, forward/backward) runs on the libuv thread pool in
// AsyncWorkers that resolve promises; every C++ exception becomes a JS Error with its message.
#include <algorithm>
#include <napi.h>

#include "addon_args.h"
#include "lora_trainer.h"

#include <memory>
#include <stdexcept>

namespace {

using namespace polytune::addon;
using polytune::lora_trainer;

Napi::Float32Array to_f32(Napi::Env env, const std::vector<float> & v) {
    auto out = Napi::Float32Array::New(env, v.size());
    std::copy(v.begin(), v.end(), out.Data());
    return out;
}

// Runs `work` off the JS thread and resolves with `done(env)`.
class task : public Napi::AsyncWorker {
public:
    task(Napi::Env env, std::function<void()> work, std::function<Napi::Value(Napi::Env)> done)
        : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)), done_(std::move(done)) {}
    Napi::Promise promise() { return deferred_.Promise(); }
    void Execute() override {
        try {
            work_();
        } catch (const polytune::trainer_error & e) {
            code_ = e.code;
            SetError(e.what());
        } catch (const std::bad_alloc &) {
            code_ = "out-of-memory";
            SetError("out of host memory");
        } catch (const std::exception & e) {
            SetError(e.what());
        }
    }
    void OnOK() override { deferred_.Resolve(done_(Env())); }
    void OnError(const Napi::Error & e) override {
        if (!code_.empty()) e.Value().Set("code", code_);
        deferred_.Reject(e.Value());
    }

private:
    std::string code_;
    Napi::Promise::Deferred deferred_;
    std::function<void()> work_;
    std::function<Napi::Value(Napi::Env)> done_;
};

// A synchronous call's C++ error as a JS error with the same code.
[[noreturn]] void rethrow(Napi::Env env, const std::exception & e) {
    Napi::Error err = Napi::Error::New(env, e.what());
    if (auto * te = dynamic_cast<const polytune::trainer_error *>(&e)) err.Value().Set("code", te->code);
    throw err;
}

Napi::Object loss_object(Napi::Env env, const polytune::step_result & r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("lossSum", r.loss_sum);
    o.Set("tokens", (double) r.tokens);
    return o;
}

class Trainer : public Napi::ObjectWrap<Trainer> {
public:
    static Napi::FunctionReference constructor;

    static Napi::Object Init(Napi::Env env, Napi::Object exports) {
        Napi::Function fn = DefineClass(env, "Trainer", {
            InstanceMethod("info", &Trainer::Info),
            InstanceMethod("memory", &Trainer::Memory),
            InstanceMethod("accumulate", &Trainer::Accumulate),
            InstanceMethod("evalLoss", &Trainer::EvalLoss),
            InstanceMethod("update", &Trainer::Update),
            InstanceMethod("logits", &Trainer::Logits),
            InstanceMethod("gradients", &Trainer::Gradients),
            InstanceMethod("matmulRate", &Trainer::MatmulRate),
            InstanceMethod("paramNames", &Trainer::ParamNames),
            InstanceMethod("getParam", &Trainer::GetParam),
            InstanceMethod("setParam", &Trainer::SetParam),
            InstanceMethod("saveAdapter", &Trainer::SaveAdapter),
            InstanceMethod("saveCheckpoint", &Trainer::SaveCheckpoint),
            InstanceMethod("loadCheckpoint", &Trainer::LoadCheckpoint),
            InstanceMethod("exportMerged", &Trainer::ExportMerged),
            InstanceMethod("loadAdapter", &Trainer::LoadAdapter),
            InstanceMethod("dispose", &Trainer::Dispose),
        });
        constructor = Napi::Persistent(fn);
        exports.Set("Trainer", fn);
        return exports;
    }

    explicit Trainer(const Napi::CallbackInfo & info) : Napi::ObjectWrap<Trainer>(info) {
        if (info.Length() != 1 || !info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "use openTrainer() to create a trainer");
        trainer_.reset(info[0].As<Napi::External<lora_trainer>>().Data());
    }

private:
    std::shared_ptr<lora_trainer> trainer_;

    std::shared_ptr<lora_trainer> live(Napi::Env env) {
        if (!trainer_) throw Napi::Error::New(env, "the trainer was disposed");
        return trainer_;
    }

    // Queues `work` (under the trainer's lock) and returns a promise of `done`.
    Napi::Value Queue(Napi::Env env, std::shared_ptr<lora_trainer> t, std::function<void(lora_trainer &)> work, std::function<Napi::Value(Napi::Env)> done) {
        auto * w = new task(env, [t, work] {
            std::lock_guard<std::mutex> lock(t->mutex);
            work(*t);
        }, std::move(done));
        auto p = w->promise();
        w->Queue();
        return p;
    }

    Napi::Value Info(const Napi::CallbackInfo & info) {
        auto t = live(info.Env());
        const auto & hp = t->hp();
        Napi::Object o = Napi::Object::New(info.Env());
        o.Set("architecture", hp.arch);
        o.Set("layers", hp.n_layer);
        o.Set("embeddingSize", hp.n_embd);
        o.Set("feedForwardSize", hp.n_ff);
        o.Set("heads", hp.n_head);
        o.Set("headsKv", hp.n_head_kv);
        o.Set("vocabSize", hp.n_vocab);
        o.Set("tiedOutput", hp.tied_output);
        o.Set("trainableParameters", (double) t->trainable_parameters());
        o.Set("baseBytes", (double) t->base_bytes());
        o.Set("step", (double) t->step());
        o.Set("rank", t->lora().rank);
        o.Set("alpha", t->lora().alpha);
        o.Set("rslora", t->lora().rslora);
        o.Set("keepBaseType", t->keeps_base_type());
        o.Set("dropout", t->lora().dropout);
        o.Set("backend", t->backend_name());
        o.Set("device", t->device_description());
        o.Set("backendNote", t->backend_note().empty() ? info.Env().Null() : Napi::String::New(info.Env(), t->backend_note()));
        return o;
    }

    Napi::Value Memory(const Napi::CallbackInfo & info) {
        auto t = live(info.Env());
        polytune::memory_report m;
        {
            std::lock_guard<std::mutex> lock(t->mutex);
            m = t->memory();
        }
        Napi::Object o = Napi::Object::New(info.Env());
        o.Set("weights", (double) m.weights);
        o.Set("lora", (double) m.lora);
        o.Set("optimizer", (double) m.optimizer);
        o.Set("compute", (double) m.compute);
        o.Set("deviceFree", m.device_free < 0 ? info.Env().Null() : Napi::Number::New(info.Env(), (double) m.device_free));
        o.Set("deviceTotal", m.device_total < 0 ? info.Env().Null() : Napi::Number::New(info.Env(), (double) m.device_total));
        return o;
    }

    Napi::Value Accumulate(const Napi::CallbackInfo & info) { return LossTask(info, true); }
    Napi::Value EvalLoss(const Napi::CallbackInfo & info) { return LossTask(info, false); }

    Napi::Value LossTask(const Napi::CallbackInfo & info, bool train) {
        auto t = live(info.Env());
        auto b = std::make_shared<polytune::batch>(to_batch(info));
        const int64_t key = dropout_key(info);
        auto result = std::make_shared<polytune::step_result>();
        return Queue(info.Env(), t, [b, result, train, key](lora_trainer & tr) { *result = train ? tr.accumulate(*b) : tr.eval(*b, key); },
                     [result](Napi::Env e) { return loss_object(e, *result).As<Napi::Value>(); });
    }

    Napi::Value Update(const Napi::CallbackInfo & info) {
        Napi::Env env = info.Env();
        auto t = live(env);
        if (!info[0].IsObject()) throw Napi::TypeError::New(env, "update() takes {lr, beta1, beta2, eps, weightDecay, gradClip}");
        const polytune::adam_options a = read_adam_options(env, info[0].As<Napi::Object>());
        try {
            std::lock_guard<std::mutex> lock(t->mutex);
            t->update(a);
        } catch (const std::exception & e) {
            rethrow(env, e);
        }
        return Napi::Number::New(env, (double) t->step());
    }

    Napi::Value Logits(const Napi::CallbackInfo & info) {
        auto t = live(info.Env());
        std::vector<int32_t> tokens;
        try {
            tokens = to_tokens(info[0]);
        } catch (const std::exception & e) {
            throw Napi::TypeError::New(info.Env(), e.what());
        }
        auto out = std::make_shared<std::vector<float>>();
        return Queue(info.Env(), t, [tokens, out](lora_trainer & tr) { *out = tr.logits(tokens); },
                     [out](Napi::Env e) { return to_f32(e, *out).As<Napi::Value>(); });
    }

    Napi::Value Gradients(const Napi::CallbackInfo & info) {
        auto t = live(info.Env());
        auto b = std::make_shared<polytune::batch>(to_batch(info));
        const int64_t key = dropout_key(info);
        auto grads = std::make_shared<std::map<std::string, std::vector<float>>>();
        auto result = std::make_shared<polytune::step_result>();
        return Queue(info.Env(), t, [b, grads, result, key](lora_trainer & tr) { *result = tr.gradients(*b, *grads, key); },
                     [grads, result](Napi::Env e) {
                         Napi::Object o = loss_object(e, *result);
                         Napi::Object g = Napi::Object::New(e);
                         for (const auto & [name, values] : *grads) g.Set(name, to_f32(e, values));
                         o.Set("grads", g);
                         return o.As<Napi::Value>();
                     });
    }

    Napi::Value MatmulRate(const Napi::CallbackInfo & info) {
        auto t = live(info.Env());
        const std::array<int, 4> args = read_matmul_shape(info);
        const int n_in = args[0], n_out = args[1], tokens = args[2], iterations = args[3];
        auto rate = std::make_shared<double>(0);
        return Queue(info.Env(), t, [=](lora_trainer & tr) { *rate = tr.matmul_rate(n_in, n_out, tokens, iterations); },
                     [rate](Napi::Env e) { return Napi::Number::New(e, *rate).As<Napi::Value>(); });
    }

    Napi::Value ParamNames(const Napi::CallbackInfo & info) {
        auto names = live(info.Env())->param_names();
        auto arr = Napi::Array::New(info.Env(), names.size());
        for (size_t i = 0; i < names.size(); ++i) arr.Set((uint32_t) i, names[i]);
        return arr;
    }

    Napi::Value GetParam(const Napi::CallbackInfo & info) {
        auto t = live(info.Env());
        try {
            std::lock_guard<std::mutex> lock(t->mutex);
            return to_f32(info.Env(), t->get_param(info[0].As<Napi::String>().Utf8Value()));
        } catch (const std::exception & e) {
            rethrow(info.Env(), e);
        }
    }

    Napi::Value SetParam(const Napi::CallbackInfo & info) {
        auto t = live(info.Env());
        if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) throw Napi::TypeError::New(info.Env(), "values must be a Float32Array");
        auto a = info[1].As<Napi::Float32Array>();
        try {
            std::lock_guard<std::mutex> lock(t->mutex);
            t->set_param(info[0].As<Napi::String>().Utf8Value(), std::vector<float>(a.Data(), a.Data() + a.ElementLength()));
        } catch (const std::exception & e) {
            rethrow(info.Env(), e);
        }
        return info.Env().Undefined();
    }

    Napi::Value FileTask(const Napi::CallbackInfo & info, std::function<void(lora_trainer &, const std::string &)> work) {
        auto t = live(info.Env());
        if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "a file path is required");
        std::string path = info[0].As<Napi::String>().Utf8Value();
        return Queue(info.Env(), t, [path, work](lora_trainer & tr) { work(tr, path); },
                     [t](Napi::Env e) { return Napi::Number::New(e, (double) t->step()).As<Napi::Value>(); });
    }

    Napi::Value SaveAdapter(const Napi::CallbackInfo & info) { return FileTask(info, [](lora_trainer & t, const std::string & p) { t.save_adapter(p); }); }
    Napi::Value SaveCheckpoint(const Napi::CallbackInfo & info) { return FileTask(info, [](lora_trainer & t, const std::string & p) { t.save_checkpoint(p); }); }
    Napi::Value LoadCheckpoint(const Napi::CallbackInfo & info) { return FileTask(info, [](lora_trainer & t, const std::string & p) { t.load_checkpoint(p); }); }
    Napi::Value LoadAdapter(const Napi::CallbackInfo & info) { return FileTask(info, [](lora_trainer & t, const std::string & p) { t.load_adapter(p); }); }
    Napi::Value ExportMerged(const Napi::CallbackInfo & info) {
        std::string type = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "source";
        return FileTask(info, [type](lora_trainer & t, const std::string & p) { t.export_merged(p, type); });
    }

    // Idempotent; work already queued keeps its own reference and finishes first.
    Napi::Value Dispose(const Napi::CallbackInfo & info) {
        trainer_.reset();
        return info.Env().Undefined();
    }
};

Napi::FunctionReference Trainer::constructor;

Napi::Value OpenTrainer(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "openTrainer() takes an options object");
    // Bad options reject the promise, as the trainer's own checks do, with code bad-input.
    polytune::trainer_options opts;
    try {
        opts = read_trainer_options(env, info[0].As<Napi::Object>());
    } catch (const Napi::Error & e) {
        auto refused = Napi::Promise::Deferred::New(env);
        refused.Reject(e.Value());
        return refused.Promise();
    }
    auto made = std::make_shared<lora_trainer *>(nullptr);
    auto * w = new task(env, [opts, made] { *made = new lora_trainer(opts); }, [made](Napi::Env e) {
        return Trainer::constructor.New({Napi::External<lora_trainer>::New(e, *made)}).As<Napi::Value>();
    });
    auto p = w->promise();
    w->Queue();
    return p;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Trainer::Init(env, exports);
    exports.Set("openTrainer", Napi::Function::New(env, OpenTrainer));
    return exports;
}

} // namespace

NODE_API_MODULE(polytune_trainer, Init)
