// Comparing trainers' gradients: the same LoRA B values in each, and the worst difference to a reference.
import { expect } from "vitest";
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

/** Entries checked per tensor besides its largest-gradient one, evenly spread over it (each costs two losses). */
const spreadSamples = 7;

/**
 * Checks the trainer's gradients against central finite differences of its own loss at 8 entries of
 * every trainable tensor (its largest-gradient entry and 7 spread evenly across it), and returns the
 * worst error of each tensor, by name. Each entry's error is relative to its own gradient, or to a tenth
 * of the tensor's largest where it is smaller than that (there a finite difference is mostly F32
 * rounding of the loss). Each tensor must have a non-zero gradient. With `dropoutKey`, both the
 * gradients and the losses use that key's dropout masks.
 */
export async function finiteDifferenceErrors(trainer: NativeTrainer, tokens: Int32Array, target: Uint8Array, dropoutKey?: number): Promise<Record<string, number>> {
  const { grads } = await trainer.gradients(tokens, target, undefined, dropoutKey);
  const loss = async (): Promise<number> => (await trainer.evalLoss(tokens, target, undefined, dropoutKey)).lossSum;
  const errors: Record<string, number> = {};
  for (const name of trainer.paramNames()) {
    const g = grads[name]!;
    const p = trainer.getParam(name);
    let largest = 0;
    for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[largest]!)) largest = i;
    const scale = Math.abs(g[largest]!);
    expect(scale, `${name} has a gradient`).toBeGreaterThan(0);
    // The step: 3 % of the tensor's largest value (the loss is an F32 sum: smaller steps measure its rounding).
    const h = 3e-2 * Math.max(1e-2, p.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
    const entries = new Set([largest, ...Array.from({ length: spreadSamples }, (_, k) => Math.floor(((k + 0.5) * g.length) / spreadSamples))]);
    let worst = 0;
    for (const idx of entries) {
      const plus = Float32Array.from(p);
      plus[idx] = p[idx]! + h;
      trainer.setParam(name, plus);
      const lp = await loss();
      const minus = Float32Array.from(p);
      minus[idx] = p[idx]! - h;
      trainer.setParam(name, minus);
      const lm = await loss();
      trainer.setParam(name, p);
      const fd = (lp - lm) / (plus[idx]! - minus[idx]!);
      worst = Math.max(worst, Math.abs(fd - g[idx]!) / Math.max(Math.abs(g[idx]!), 0.1 * scale));
    }
    errors[name] = worst;
  }
  return errors;
}

/** The worst of finiteDifferenceErrors over every tensor. */
export async function worstFiniteDifferenceError(trainer: NativeTrainer, tokens: Int32Array, target: Uint8Array, dropoutKey?: number): Promise<number> {
  return Math.max(0, ...Object.values(await finiteDifferenceErrors(trainer, tokens, target, dropoutKey)));
}
