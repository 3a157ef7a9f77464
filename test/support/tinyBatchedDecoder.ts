// The decoder tests' common ground: one tiny model the project writes (ff = 2 × embd, the shape
// writeTinyAdapter targets at width 64), a BatchedDecoder on it, and a decode's results in one array.
import { BatchedDecoder } from "../../electron/engine/infer/BatchedDecoder.js";
import { disposeLlamaRuntimes } from "../../electron/engine/llamacpp/llamaRuntime.js";
import { writeTinyModel } from "../../electron/engine/models/writeTinyModel.js";

/** Writes the tiny model (2 blocks, embd 64, seed 11) at `modelPath` and opens a CPU decoder on it. */
export async function openTinyBatchedDecoder(modelPath: string): Promise<{ decoder: BatchedDecoder; vocabSize: number }> {
  const { vocabSize } = await writeTinyModel({ out: modelPath, layers: 2, embd: 64, heads: 4, headsKv: 2, ff: 128, seed: 11 });
  return { decoder: await BatchedDecoder.open({ modelPath, gpu: "cpu" }), vocabSize };
}

/** Disposes the decoder (if it opened) and the llama.cpp runtimes behind it. */
export async function closeTinyBatchedDecoder(decoder: BatchedDecoder | undefined): Promise<void> {
  await decoder?.dispose();
  await disposeLlamaRuntimes();
}

/** Every result of a decode (or scoring) in arrival order. */
export async function collectResults<T>(results: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of results) out.push(r);
  return out;
}
