// What the addon's JavaScript callers pass, read and checked before any work starts: a missing or
// out-of-range value is a plain-words error (code bad-input) naming the field and its range.
#pragma once

#include <napi.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "lora_trainer.h"

namespace polytune::addon {

[[noreturn]] void bad_input(Napi::Env env, const std::string & message, bool type = false);

std::vector<int32_t> to_tokens(const Napi::Value & v);
// (tokens, target[, lengths]): one sequence, or several concatenated with their lengths.
batch to_batch(const Napi::CallbackInfo & info);
// The optional 4th argument of evalLoss/gradients: whose dropout masks to apply (-1: none).
int64_t dropout_key(const Napi::CallbackInfo & info);
// openTrainer()'s options object.
trainer_options read_trainer_options(Napi::Env env, const Napi::Object & o);
// update()'s options object.
adam_options read_adam_options(Napi::Env env, const Napi::Object & o);
// matmulRate(nIn, nOut, tokens, iterations)
std::array<int, 4> read_matmul_shape(const Napi::CallbackInfo & info);

} // namespace polytune::addon
