// N-API surface of the trainer. Slow work (loading, forward/backward) runs on the libuv thread pool in
// AsyncWorkers that resolve promises; every C++ exception becomes a JS Error with its message.
#include <algorithm>
#include <napi.h>

#include "addon_args.h"
#include "batched_decoder.h"
#include "lora_trainer.h"
#include "model_quantizer.h"

#include <memory>
#include <stdexcept>
#include <thread>

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
        o.Set("method", t->method());
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

// quantizeModel(inPath, outPath, type, threads?) → Promise<void>: llama.cpp's quantizer on the thread pool.
Napi::Value QuantizeModel(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString() || !info[1].IsString() || !info[2].IsString()) bad_input(env, "quantizeModel() takes (inPath, outPath, type[, threads])", true);
    int threads = 0;
    if (info.Length() > 3 && !info[3].IsUndefined()) {
        if (!info[3].IsNumber()) bad_input(env, "quantizeModel(): threads must be an integer from 0 to 512", true);
        const double d = info[3].As<Napi::Number>().DoubleValue();
        if (!(d >= 0 && d <= 512 && d == (double) (int) d)) bad_input(env, "quantizeModel(): threads must be an integer from 0 to 512");
        threads = (int) d;
    }
    const std::string in = info[0].As<Napi::String>().Utf8Value(), out = info[1].As<Napi::String>().Utf8Value(), type = info[2].As<Napi::String>().Utf8Value();
    auto * w = new task(env, [in, out, type, threads] { polytune::quantize_model(in, out, type, threads); }, [](Napi::Env e) { return e.Undefined(); });
    auto p = w->promise();
    w->Queue();
    return p;
}

// startDecode(options, onResult) → {cancel(), done}: batched decoding on its own thread (a whole job,
// not a pool task, so it never waits behind or blocks node-llama-cpp's work on the libuv pool). Each
// finished prompt reaches onResult on the JS thread as soon as it is done; `done` settles at the end.
struct decode_job {
    std::atomic<bool> cancel{false};
    Napi::Promise::Deferred deferred;
    Napi::FunctionReference on_result;
    Napi::ObjectReference callback_error;  // what onResult threw: `done` rejects with it
    explicit decode_job(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

// What the decode thread hands to the JS thread: one result, or the end (with an error when it failed).
struct decode_message {
    bool end = false;
    polytune::decode_result result;
    std::string error, code, where;
};

polytune::decode_options read_decode_options(Napi::Env env, const Napi::Object & o) {
    polytune::decode_options d;
    auto num = [&](const char * k, double fallback) { return o.Get(k).IsNumber() ? o.Get(k).As<Napi::Number>().DoubleValue() : fallback; };
    if (!o.Get("modelPath").IsString()) bad_input(env, "startDecode: modelPath is required", true);
    d.model_path = o.Get("modelPath").As<Napi::String>().Utf8Value();
    if (o.Get("adapterPaths").IsArray()) {
        auto a = o.Get("adapterPaths").As<Napi::Array>();
        for (uint32_t i = 0; i < a.Length(); i++) d.adapter_paths.push_back(a.Get(i).As<Napi::String>().Utf8Value());
    }
    if (!o.Get("prompts").IsArray()) bad_input(env, "startDecode: prompts is required", true);
    auto prompts = o.Get("prompts").As<Napi::Array>();
    try {
        for (uint32_t i = 0; i < prompts.Length(); i++) {
            Napi::Object p = prompts.Get(i).As<Napi::Object>();
            polytune::decode_prompt dp;
            dp.tokens = to_tokens(p.Get("tokens"));
            if (p.Get("prefix").IsTypedArray()) dp.prefix = to_tokens(p.Get("prefix"));
            dp.max_tokens = p.Get("maxTokens").IsNumber() ? p.Get("maxTokens").As<Napi::Number>().Int32Value() : 0;
            if (p.Get("stop").IsArray()) {
                auto s = p.Get("stop").As<Napi::Array>();
                for (uint32_t j = 0; j < s.Length(); j++) dp.stop.push_back(s.Get(j).As<Napi::String>().Utf8Value());
            }
            d.prompts.push_back(std::move(dp));
        }
    } catch (const std::runtime_error & e) {
        bad_input(env, std::string("startDecode: ") + e.what(), true);
    }
    d.parallel = (int) num("parallel", 1);
    d.context_size = (int) num("contextSize", 0);
    d.threads = (int) num("threads", 0);
    d.repeat_penalty = (float) num("repeatPenalty", 1.1);
    d.repeat_last_n = (int) num("repeatLastN", 64);
    d.temperature = (float) num("temperature", 0);
    d.top_p = (float) num("topP", 1);
    d.seed = (uint32_t) num("seed", 0);
    return d;
}

Napi::Value StartDecode(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject() || !info[1].IsFunction()) throw Napi::TypeError::New(env, "startDecode() takes an options object and a result callback");
    auto options = std::make_shared<polytune::decode_options>(read_decode_options(env, info[0].As<Napi::Object>()));
    auto job = std::make_shared<decode_job>(env);
    job->on_result = Napi::Persistent(info[1].As<Napi::Function>());
    auto deliver = [job](Napi::Env e, Napi::Function, decode_message * m) {
        std::unique_ptr<decode_message> msg(m);
        if (e == nullptr) return;  // the environment is going away
        if (!msg->end) {
            const auto & r = msg->result;
            Napi::Object o = Napi::Object::New(e);
            o.Set("index", r.index);
            auto tokens = Napi::Int32Array::New(e, r.tokens.size());
            std::copy(r.tokens.begin(), r.tokens.end(), tokens.Data());
            o.Set("tokens", tokens);
            o.Set("stopReason", r.stop_reason);
            o.Set("seconds", r.seconds);
            try {
                job->on_result.Call({o});
            } catch (const Napi::Error & thrown) {
                job->cancel = true;  // a throwing callback ends the job
                if (job->callback_error.IsEmpty() && thrown.Value().IsObject()) job->callback_error = Napi::Persistent(thrown.Value().As<Napi::Object>());
            }
            return;
        }
        // The end: JS references are dropped here, on the JS thread, whichever thread frees the job.
        job->on_result.Reset();
        if (!job->callback_error.IsEmpty()) {
            job->deferred.Reject(job->callback_error.Value());
            job->callback_error.Reset();
        } else if (msg->error.empty()) {
            job->deferred.Resolve(e.Undefined());
        } else {
            Napi::Error err = Napi::Error::New(e, msg->error);
            if (!msg->code.empty()) err.Value().Set("code", msg->code);
            if (!msg->where.empty()) err.Value().Set("where", msg->where);
            job->deferred.Reject(err.Value());
        }
    };
    auto tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo &) {}), "polytune-decode", 0, 1);
    std::thread([options, job, tsfn, deliver]() mutable {
        auto end = std::make_unique<decode_message>();
        end->end = true;
        try {
            polytune::run_batched_decode(*options, job->cancel, [&](polytune::decode_result && r) {
                auto m = std::make_unique<decode_message>();
                m->result = std::move(r);
                if (tsfn.BlockingCall(m.get(), deliver) == napi_ok) m.release();
            });
        } catch (const polytune::trainer_error & e) {
            end->code = e.code;
            end->error = e.what();
            if (auto * d = dynamic_cast<const polytune::decode_error *>(&e)) end->where = d->where;
        } catch (const std::bad_alloc &) {
            end->code = "out-of-memory";
            end->error = "out of host memory";
        } catch (const std::exception & e) {
            end->error = e.what();
        }
        if (tsfn.BlockingCall(end.get(), deliver) == napi_ok) end.release();
        tsfn.Release();
    }).detach();
    Napi::Object handle = Napi::Object::New(env);
    handle.Set("cancel", Napi::Function::New(env, [job](const Napi::CallbackInfo & i) {
        job->cancel = true;
        return i.Env().Undefined();
    }));
    handle.Set("done", job->deferred.Promise());
    return handle;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Trainer::Init(env, exports);
    exports.Set("openTrainer", Napi::Function::New(env, OpenTrainer));
    exports.Set("startDecode", Napi::Function::New(env, StartDecode));
    exports.Set("quantizeModel", Napi::Function::New(env, QuantizeModel));
    return exports;
}

} // namespace

NODE_API_MODULE(polytune_trainer, Init)
