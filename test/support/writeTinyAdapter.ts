import { GgufType, type GgufValue } from "../../electron/engine/gguf/GgufValue.js";
import { writeGguf } from "../../electron/engine/gguf/writeGguf.js";

/**
 * A llama.cpp LoRA adapter (GGUF, rank 4) for a one-block tiny model of `width` (its embedding size) on
 * attn_q and ffn_up (ffn width 2 × embd, as writeTinyModel makes it), with seeded values large enough to
 * change the model's outputs. A `width` other than the model's makes an adapter llama.cpp refuses.
 * `sign` -1 writes the same adapter with B negated, so the two cancel when applied together.
 */
export function writeTinyAdapter(path: string, seed: number, width = 32, sign: 1 | -1 = 1): void {
  let state = seed;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  const f32 = (values: number, scale = 1): Uint8Array => {
    const data = new Float32Array(values);
    for (let i = 0; i < values; i++) data[i] = scale * random();
    return new Uint8Array(data.buffer);
  };
  const rank = 4;
  const kv = new Map<string, GgufValue>([
    ["general.architecture", { type: GgufType.STRING, value: "llama" }],
    ["general.type", { type: GgufType.STRING, value: "adapter" }],
    ["adapter.type", { type: GgufType.STRING, value: "lora" }],
    ["adapter.lora.alpha", { type: GgufType.F32, value: 8 }],
  ]);
  const out = { attn_q: width, ffn_up: width * 2 };
  const tensors = Object.entries(out).flatMap(([name, rows]) => [
    { name: `blk.0.${name}.weight.lora_a`, dims: [width, rank], type: 0, data: f32(width * rank) },
    { name: `blk.0.${name}.weight.lora_b`, dims: [rank, rows], type: 0, data: f32(rank * rows, sign) },
  ]);
  writeGguf(path, kv, tensors);
}
