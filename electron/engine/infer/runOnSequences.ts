import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";

/**
 * Runs `count` pieces of work over `parallel` sequences of one context: each worker owns a sequence
 * and takes the next index when its last piece is done, so llama.cpp batches the tokens all sequences
 * queue in one event-loop cycle into one decode. Yields each result as it finishes (not in input
 * order). After the signal aborts, pieces in flight end as the work decides and no new ones start.
 */
export async function* runOnSequences<R>(
  context: LlamaContext,
  parallel: number,
  count: number,
  work: (sequence: LlamaContextSequence, index: number) => Promise<R>,
  signal?: AbortSignal,
): AsyncGenerator<R> {
  let next = 0;
  const finished: R[] = [];
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const worker = async (sequence: LlamaContextSequence): Promise<void> => {
    while (failure === null && next < count) {
      const index = next++;
      finished.push(await work(sequence, index));
      notify();
      if (signal?.aborted) return;
    }
  };
  const workers = Array.from({ length: Math.min(parallel, count) }, () =>
    worker(context.getSequence()).catch((error: unknown) => {
      failure ??= error;
    }),
  );
  let running = workers.length;
  for (const w of workers) void w.finally(() => { running--; notify(); });
  while (running > 0 || finished.length > 0) {
    if (finished.length > 0) {
      yield finished.shift()!;
      continue;
    }
    if (failure !== null) break;
    await new Promise<void>((resolve) => { wake = resolve; });
  }
  await Promise.all(workers);
  if (failure !== null) throw failure;
}
