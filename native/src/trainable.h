// A tensor the optimizer updates, with everything it keeps per tensor on the device. A parameter set
// (the LoRA adapters now; base weights for full-parameter training) hands these to the backward, the
// optimizer and the checkpoint, which need nothing else from it.
#pragma once

struct ggml_tensor;

namespace polytune {

struct trainable_tensor {
    ggml_tensor * param = nullptr;  // F32, named: the name is its key in checkpoints and gradient maps
    ggml_tensor * grad = nullptr;   // the accumulator the backward adds this tensor's gradients to
    ggml_tensor * m = nullptr;      // AdamW's first moment
    ggml_tensor * v = nullptr;      // AdamW's second moment
};

} // namespace polytune
