// Owning pointers for ggml and gguf contexts.
#pragma once

#include <memory>

#include "ggml.h"
#include "gguf.h"

namespace polytune {

struct gguf_deleter { void operator()(gguf_context * c) const { gguf_free(c); } };
struct ggml_ctx_deleter { void operator()(ggml_context * c) const { ggml_free(c); } };
using gguf_ptr = std::unique_ptr<gguf_context, gguf_deleter>;
using ggml_ctx_ptr = std::unique_ptr<ggml_context, ggml_ctx_deleter>;

} // namespace polytune
