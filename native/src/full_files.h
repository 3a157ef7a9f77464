// The files of full-parameter training: checkpoints (every weight, both AdamW moments and the step) and
// the trained model as a complete GGUF. Both stream tensor by tensor from the device (a model's worth
// of host memory is never needed) into a temporary file that is moved into place when complete.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trainable.h"

namespace polytune {

class base_model;

// Layout: general.type polytune.checkpoint, polytune.method full, polytune.step; per weight its GGUF
// name, name.adam_m and name.adam_v, all F32.
void save_full_checkpoint(const std::string & path, const std::string & arch, const std::vector<trainable_tensor> & tensors, int64_t step);
// Restores every weight and moment; returns the checkpoint's step.
int64_t load_full_checkpoint(const std::string & path, const std::vector<trainable_tensor> & tensors);
// The opened file with every weight replaced by its current device value: type f32, f16 (1-D tensors
// stay F32, as llama.cpp's converters keep them) or source (each tensor's type in the opened file,
// F16 where ggml cannot write that type). Tensors that are not weights (rope_freqs) are copied.
void export_full_model(const std::string & path, const std::string & type, const base_model & model, const std::vector<trainable_tensor> & tensors);

} // namespace polytune
