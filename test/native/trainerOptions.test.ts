// The addon checks every numeric option it is given before it opens anything: a missing or out-of-range
// learning rate, rank, seed or dropout key is a plain-words error naming the field, never a default.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../electron/engine/models/writeTinyModel.js";
import { loadTrainerAddon, trainerBackendsDir, type AdamWOptions, type NativeTrainer, type TrainerOpenOptions } from "../../electron/engine/train/TrainerAddon.js";
import { makeTempDir } from "../support/tempDir.js";

const tmp = makeTempDir();
let modelPath = "";

const options = (extra: Record<string, unknown> = {}): TrainerOpenOptions =>
  ({ modelPath, backendsDir: trainerBackendsDir(), backend: "cpu", targets: ["q", "v"], rank: 2, alpha: 4, seed: 3, threads: 2, ...extra }) as TrainerOpenOptions;

const without = (key: keyof TrainerOpenOptions): TrainerOpenOptions => {
  const o: Record<string, unknown> = { ...options() };
  delete o[key];
  return o as unknown as TrainerOpenOptions;
};

beforeAll(async () => {
  modelPath = join(tmp.dir, "tiny.gguf");
  await writeTinyModel({ out: modelPath, layers: 1, embd: 16, heads: 2, headsKv: 1, seed: 4 });
});
afterAll(() => tmp.cleanup());

describe("trainer addon options", () => {
  it("refuses a missing or out-of-range rank, alpha, seed, dropout, device or thread count at open, naming the field and its range", async () => {
    const addon = loadTrainerAddon();
    const refused = (o: TrainerOpenOptions, message: RegExp): Promise<void> => expect(addon.openTrainer(o)).rejects.toMatchObject({ code: "bad-input", message: expect.stringMatching(message) });
    await refused(without("rank"), /^openTrainer\(\): rank is required \(an integer from 1 to 65536\)$/);
    await refused(options({ rank: 0 }), /^openTrainer\(\): rank must be an integer from 1 to 65536, not 0$/);
    await refused(options({ rank: 2.5 }), /rank must be an integer from 1 to 65536, not 2\.5$/);
    await refused(options({ rank: "8" }), /rank must be an integer from 1 to 65536$/);
    await refused(without("alpha"), /alpha is required \(a number above 0\)/);
    await refused(options({ alpha: Number.NaN }), /alpha must be a number above 0, not a non-finite number/);
    await refused(without("seed"), /seed is required \(an integer from 0 to 4294967295\)/);
    await refused(options({ seed: -1 }), /seed must be an integer from 0 to 4294967295, not -1/);
    await refused(options({ dropout: Number.NaN }), /the LoRA dropout must be at least 0 and below 1/);
    await refused(options({ dropout: "0.1" }), /dropout must be a number/);
    await refused(options({ device: -1 }), /device must be an integer from 0 to 64, not -1/);
    await refused(options({ threads: 1e6 }), /threads must be an integer from 0 to 512, not 1000000/);
    await refused(options({ rslora: 1 }), /rslora must be true or false/);
    await refused(options({ targets: [] }), /targets is required/);
    // Checked before anything is opened: a model that does not exist is not even looked at.
    await refused({ ...options({ rank: 0 }), modelPath: join(tmp.dir, "missing.gguf") }, /rank must be/);
  });

  it("refuses an update without a learning rate or with hyperparameters out of range, and the usual ones are the app's defaults", async () => {
    const open = (): Promise<NativeTrainer> => loadTrainerAddon().openTrainer(options());
    const [plain, explicit] = await Promise.all([open(), open()]);
    try {
      const tokens = Int32Array.from([5, 9, 14, 3, 22, 7]);
      const target = Uint8Array.from([0, 0, 1, 1, 1, 1]);
      for (const t of [plain, explicit]) {
        for (const name of t.paramNames().filter((n) => n.endsWith(".lora_b"))) t.setParam(name, t.getParam(name).map((_, i) => 0.01 * ((i % 7) - 3)));
        await t.accumulate(tokens, target);
      }
      const update = (o: Record<string, unknown>): number => plain.update(o as unknown as AdamWOptions);
      expect(() => update({})).toThrow(/^update\(\): lr is required \(a number above 0 and at most 1\)$/);
      expect(() => update({ lr: 0 })).toThrow(/^update\(\): lr must be a number above 0 and at most 1, not 0$/);
      expect(() => update({ lr: Number.POSITIVE_INFINITY })).toThrow(/lr must be a number above 0 and at most 1, not a non-finite number/);
      expect(() => update({ lr: 1e-3, beta1: 1 })).toThrow(/beta1 must be a number at least 0 and below 1, not 1/);
      expect(() => update({ lr: 1e-3, eps: 0 })).toThrow(/eps must be a number above 0, not 0/);
      expect(() => update({ lr: 1e-3, gradClip: -1 })).toThrow(/gradClip must be a number at least 0, not -1/);
      expect(() => update({ lr: 1e-3, weightDecay: "0.1" })).toThrow(/weightDecay must be a number at least 0 and at most 1/);
      // Nothing was applied by the refused calls: the step is still 0 and the gradients are still there.
      expect(plain.info().step).toBe(0);
      // The learning rate alone takes AdamW's usual hyperparameters: those of the app's settings.
      expect(plain.update({ lr: 1e-2 })).toBe(1);
      expect(explicit.update({ lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, gradClip: 1 })).toBe(1);
      for (const name of plain.paramNames()) expect(Array.from(plain.getParam(name))).toEqual(Array.from(explicit.getParam(name)));
      // Other hyperparameters later in a run are taken, as before.
      await plain.accumulate(tokens, target);
      expect(plain.update({ lr: 1e-2, gradClip: 0, weightDecay: 0.1 })).toBe(2);
      expect(() => void plain.evalLoss(tokens, target, undefined, -1)).toThrow(/the dropout key must be an integer from 0/);
      expect(() => void plain.matmulRate(16, 0, 4, 1)).toThrow(/matmulRate\(\): nOut must be an integer from 1 to 1048576/);
    } finally {
      plain.dispose();
      explicit.dispose();
    }
  });
});
