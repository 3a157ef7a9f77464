// Out of memory is a clear error, not a crash: a micro-batch whose compute buffer cannot be allocated is
// refused with what to do, nothing of it stays held, and training goes on from where it was, or from the
// last checkpoint, exactly as if the micro-batch had never been tried.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PolytuneError } from "../../electron/shared/PolytuneError.js";
import { writeTinyModel } from "../../electron/engine/models/writeTinyModel.js";
import { fromNativeError, loadTrainerAddon, trainerBackendsDir, type NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";
import { makeTempDir } from "../support/tempDir.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const tokens = Int32Array.from([1, 450, 7483, 310, 3444, 338, 3681, 29889]);
const target = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1]);

describe("out of memory", () => {
  it("an impossible micro-batch is a clear error; the trainer carries on, and a run resumed from its checkpoint reproduces the uninterrupted one", async () => {
    const path = join(tmp.dir, "oom.gguf");
    // A context long enough that only memory limits the sequence.
    await writeTinyModel({ out: path, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 8, contextLength: 1 << 20 });
    const open = (): Promise<NativeTrainer> => loadTrainerAddon().openTrainer({ modelPath: path, backendsDir: trainerBackendsDir(), backend: "cpu", targets: ["q", "v"], rank: 2, alpha: 4, seed: 7, threads: 2 });
    const steps = async (trainer: NativeTrainer, n: number): Promise<number[]> => {
      const losses: number[] = [];
      for (let i = 0; i < n; i++) {
        losses.push((await trainer.accumulate(tokens, target)).lossSum);
        trainer.update({ lr: 5e-3 });
      }
      return losses;
    };
    const straight = await open();
    const reference = await steps(straight, 6);
    straight.dispose();

    const trainer = await open();
    const checkpoint = join(tmp.dir, "oom-step-3.gguf");
    try {
      const head = await steps(trainer, 3);
      await trainer.saveCheckpoint(checkpoint);
      // One 200,000-token sequence (its last 8 tokens supervised): its attention mask alone (200,000² in
      // F32) needs 160 GB, more than this machine has, so allocating the compute buffer fails.
      const huge = Int32Array.from({ length: 200_000 }, (_, i) => 100 + (i % 1000));
      const error = await trainer.accumulate(huge, Uint8Array.from(huge, (_, i) => (i >= huge.length - 8 ? 1 : 0))).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(error?.code).toBe("out-of-memory");
      // Naming the device, the micro-batch, what to do, and what the device has free.
      expect(error?.message).toMatch(/^out of memory on .+ for a micro-batch of 1 × 200000 tokens; lower the batch size, token budget or sequence length \(the device has \d+ MiB free of \d+ MiB\)$/);
      // As the engine reports it: a coded error whose hint says the run resumes from its last checkpoint.
      const reported = fromNativeError(error);
      expect(reported).toBeInstanceOf(PolytuneError);
      expect(reported).toMatchObject({ code: "trainer-out-of-memory", hint: expect.stringMatching(/resumes from its last checkpoint/) });
      // Nothing of the refused micro-batch is held or accumulated: the next steps are the uninterrupted run's.
      expect(trainer.memory().compute).toBeLessThan(1 << 26);
      const tail = await steps(trainer, 3);
      expect([...head, ...tail]).toEqual(reference);
    } finally {
      trainer.dispose();
    }
    // And a fresh trainer resumed from the checkpoint saved before the failure continues the same way.
    const resumed = await open();
    try {
      await resumed.loadCheckpoint(checkpoint);
      expect(resumed.info().step).toBe(3);
      expect(await steps(resumed, 3)).toEqual(reference.slice(3));
    } finally {
      resumed.dispose();
    }
  });
});
