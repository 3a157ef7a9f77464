// Comparing trainers' gradients: the same LoRA B values in each, and the worst difference to a reference.
import type { NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";

/** Gives every LoRA B the same deterministic values in each trainer, so every path carries gradient. */
export function setSameB(trainers: NativeTrainer[], amplitude: number): void {
  for (const name of trainers[0]!.paramNames().filter((n) => n.endsWith(".lora_b"))) {
    const b = Float32Array.from(trainers[0]!.getParam(name), (_, i) => Math.sin(i * 1.7 + name.length) * amplitude);
    for (const t of trainers) t.setParam(name, b);
  }
}

/** Zeroes every LoRA B again (training starts from the base model). */
export function zeroB(trainer: NativeTrainer): void {
  for (const name of trainer.paramNames().filter((n) => n.endsWith(".lora_b"))) trainer.setParam(name, new Float32Array(trainer.getParam(name).length));
}

/**
 * The largest |g − ref| over all tensors, each relative to its reference's largest entry (F32 sums in
 * another order, or quantization, move small entries by more than their own size). Fails a tensor whose
 * reference is all zero: every targeted module must get a gradient.
 */
export function worstRelativeDifference(grads: Record<string, Float32Array>, reference: Record<string, ArrayLike<number>>): number {
  let worst = 0;
  for (const [name, ref] of Object.entries(reference)) {
    const g = grads[name];
    if (!g) throw new Error(`no gradient for ${name}`);
    let scale = 0;
    for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]!));
    if (scale === 0) throw new Error(`${name} has no gradient`);
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(g[i]! - ref[i]!) / scale);
  }
  return worst;
}
