// The trainer's files: the adapter (llama.cpp's LoRA GGUF layout), checkpoints, and a merged model.
// Each is written to a temporary file and moved into place, so a failed write leaves the old file.
#pragma once

#include <cstdint>
#include <string>

#include "ggml.h"

namespace polytune {

class backend_session;
class base_model;
class lora_adapters;

void save_adapter(const std::string & path, const std::string & arch, const lora_adapters & lora);
// The adapters with their AdamW moments and the step they were saved at.
void save_checkpoint(const std::string & path, const std::string & arch, const lora_adapters & lora, int64_t step);
// Restores the adapters and their moments; returns the checkpoint's step.
int64_t load_checkpoint(const std::string & path, lora_adapters & lora);
// Sets the adapters from an adapter file (targets and rank must match it).
void load_adapter(const std::string & path, lora_adapters & lora);
// base + adapter → a complete GGUF model; type "source" keeps each tensor's type, else f16 or f32.
void export_merged(const std::string & path, const std::string & type, const base_model & model, const lora_adapters & lora, const backend_session & backend);
// Types ggml_quantize_chunk can write without an importance matrix.
bool writable_type(ggml_type t);

} // namespace polytune
