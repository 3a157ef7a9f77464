// `--backend auto` on a machine where no GPU can train: it takes the CPU and trains there, with every
// GPU backend library of node-llama-cpp's packages offered to it (each loads or fails to, finding no device).
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../electron/engine/models/writeTinyModel.js";
import { gpuBackendLibraries, loadTrainerAddon, trainerBackendsDir } from "../../electron/engine/train/TrainerAddon.js";
import { makeTempDir } from "../support/tempDir.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe("auto backend without a GPU", () => {
  it("trains on the CPU", async (ctx) => {
    const path = join(tmp.dir, "auto.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 16, heads: 2, headsKv: 1, seed: 3 });
    const trainer = await loadTrainerAddon().openTrainer({ modelPath: path, backendsDir: trainerBackendsDir(), backend: "auto", backendLibs: gpuBackendLibraries(), targets: ["q", "v"], rank: 2, alpha: 2, seed: 7, threads: 2 });
    try {
      // On a machine with a GPU the trainer sees (software Vulkan devices only when named), auto takes it: nothing to check here.
      if (trainer.info().backend !== "CPU") ctx.skip();
      expect(trainer.info()).toMatchObject({ backend: "CPU" });
      const tokens = Int32Array.from([1, 450, 7483, 310, 3444]);
      const target = Uint8Array.from([0, 0, 1, 1, 1]);
      const before = (await trainer.evalLoss(tokens, target)).lossSum;
      for (let step = 0; step < 5; step++) {
        await trainer.accumulate(tokens, target);
        trainer.update({ lr: 1e-2 });
      }
      expect((await trainer.evalLoss(tokens, target)).lossSum).toBeLessThan(before);
    } finally {
      trainer.dispose();
    }
  });
});
