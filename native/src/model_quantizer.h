// A GGUF model quantized by llama.cpp's own quantizer (llama_model_quantize in node-llama-cpp's prebuilt
// libllama), so the file is exactly what llama.cpp's llama-quantize would write.
#pragma once

#include <string>

namespace polytune {

// type: q8_0 | q6_k | q5_k_m | q4_k_m. threads 0: hardware concurrency. Written to out.tmp, then moved
// into place; a bad type, a missing or unreadable input and a failed write are trainer_errors.
void quantize_model(const std::string & in, const std::string & out, const std::string & type, int threads);

} // namespace polytune
