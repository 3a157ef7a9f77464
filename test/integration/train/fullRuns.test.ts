// Full-parameter runs end to end with the real trainer: `polytune train --method full` through the
// built CLI and training process on a tiny model, the model it writes (and its quantized copy) loaded by
// node-llama-cpp, a kill -9 mid-run resumed to the uninterrupted run's weights, the refusals that leave
// no run behind, and an evaluation whose tuned system is the written model and whose base is its base.
import Database from "better-sqlite3";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { kvNumber, readGgufHeader } from "../../../electron/engine/gguf/readGgufHeader.js";
import { BatchedDecoder } from "../../../electron/engine/infer/BatchedDecoder.js";
import { getLlamaRuntime } from "../../../electron/engine/llamacpp/llamaRuntime.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { runLivenessPath } from "../../../electron/engine/train/runLiveness.js";
import type { Run, TrainConfigInput } from "../../../electron/shared/contract.js";
import { MixRecipeSchema } from "../../../electron/shared/mixContract.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const workerEntry = join(process.cwd(), "dist", "electron", "engine", "train", "trainWorker.js");
const demoData = join(process.cwd(), "assets", "demo", "demo-instructions.jsonl");
const chirkovaFiles = ["en", "fr"].map((l) => join(sharedDataDir, "chirkova2024_alpacaeval_subset", `alpacaeval_test_subset.${l}.jsonl`));
const hasEvalData = prerequisite(chirkovaFiles.every((f) => existsSync(f)), `the Chirkova set in ${sharedDataDir}`);
const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const model = join(tmp.dir, "tiny.gguf");
const started: ChildProcess[] = [];

const engineAt = (): PolytuneEngine => new PolytuneEngine({ home, trainWorkerEntry: workerEntry });

const fullArgs = (extra: string[] = []): string[] => [
  "train", "--model", model, "--method", "full", "--data", demoData, "--format", "alpaca", "--lr", "1e-3",
  "--batch", "2", "--seq-len", "128", "--threads", "1", "--seed", "7", ...extra,
];

function polytune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function rows(): Array<{ id: string; status: string; step: number; pid: number | null; model_path: string | null }> {
  if (!existsSync(join(home, "polytune.db"))) return [];
  const db = new Database(join(home, "polytune.db"), { readonly: true });
  try {
    return db.prepare("SELECT id, status, step, pid, model_path FROM runs ORDER BY created_at").all() as ReturnType<typeof rows>;
  } finally {
    db.close();
  }
}

async function until<T>(what: () => T | undefined, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every F32 tensor of a GGUF file, by name (the tiny model's and a full run's "source" output are all F32). */
function f32Tensors(path: string): Map<string, Float32Array> {
  const header = readGgufHeader(path);
  const bytes = readFileSync(path);
  const out = new Map<string, Float32Array>();
  for (const t of header.tensors) {
    if (t.type !== 0) continue;
    const n = t.dims.reduce((a, b) => a * Number(b), 1);
    const at = header.dataOffset + Number(t.offset);
    out.set(t.name, new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + 4 * n)));
  }
  return out;
}

function maxAbsDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  let max = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  }
  return max;
}

/** node-llama-cpp loads the file and tokenizes with it. */
async function loads(path: string): Promise<void> {
  const llama = await getLlamaRuntime("cpu");
  const m = await llama.loadModel({ modelPath: path });
  try {
    expect(m.tokenize("Hello world").length).toBeGreaterThan(0);
  } finally {
    await m.dispose();
  }
}

let fullRun: Run;

beforeAll(async () => {
  if (!existsSync(workerEntry)) throw new Error("Run `npm run build` before the full-parameter run tests.");
  await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 4 });
  const engine = engineAt();
  await engine.models.add(model);
  await engine.close();
}, 120_000);

afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null && p.pid) try { process.kill(-p.pid, "SIGKILL"); } catch { /* gone */ }
  if (existsSync(join(home, "polytune.db"))) {
    const db = new Database(join(home, "polytune.db"), { readonly: true });
    for (const { run_dir } of db.prepare("SELECT run_dir FROM runs").all() as Array<{ run_dir: string }>) rmSync(runLivenessPath(run_dir), { force: true });
    db.close();
  }
  tmp.cleanup();
});

describe("polytune train --method full", () => {
  it("trains every weight, writes model.gguf and its q8_0 copy, both loadable, recorded on the run and in the library", async () => {
    const r = polytune(...fullArgs(["--steps", "6", "--quantize", "q8_0", "--rank", "8", "--checkpoint-every", "2"]));
    expect(r.code, r.stderr).toBe(0);
    // Before it starts: the LoRA setting changed from its default named as not used, and the full-mode memory estimate part by part.
    expect(r.stderr).toContain("Full-parameter training: every weight is trained in F32, the base included. rank does not apply.\n");
    expect(r.stderr).toMatch(/Memory to train \(full, estimate\): about .+: weights .+ \+ gradients .+ \+ Adam moments .+ \+ activations .+, all F32\./);
    const run = rows().at(-1)!;
    expect(run.status).toBe("completed");
    const engine = engineAt();
    try {
      fullRun = await engine.call("runs.get", { run: run.id });
    } finally {
      await engine.close();
    }
    const written = join(home, "checkpoints", run.id, "model.gguf");
    expect(run.model_path).toBe(written);
    expect(fullRun).toMatchObject({ modelPath: written, adapterPath: null, config: { method: "full", baseWeights: "as-stored" } });
    expect(r.stdout).toContain(`Run ${run.id} completed: 6 steps (full)`);
    expect(r.stdout).toContain(`Model: ${written}`);
    const quantized = join(home, "checkpoints", run.id, "model.q8_0.gguf");
    expect(r.stdout).toContain(`Quantized: ${quantized}`);
    // baseWeights as-stored (the default) never reached the addon, which refuses keepBaseType in full mode;
    // the summary names only what was changed from its default.
    expect(fullRun.summary).toMatchObject({ method: "full", quantizedModel: quantized, mergedModel: null, methodNote: "Full-parameter training: every weight is trained in F32, the base included. rank does not apply." });
    // Its checkpoints (weights and both Adam moments each) went once the model was written.
    expect(existsSync(join(home, "checkpoints", run.id, "checkpoints"))).toBe(false);
    // Every tensor of the base is a trained parameter.
    expect(fullRun.summary!.trainableParameters).toBe(readGgufHeader(model).tensors.reduce((n, t) => n + t.dims.reduce((a, b) => a * Number(b), 1), 0));

    // Every tensor of the base is in the written model, and training moved them (norms and embeddings too).
    const base = f32Tensors(model);
    const trained = f32Tensors(written);
    expect(maxAbsDiff(base, trained)).toBeGreaterThan(1e-4);
    for (const name of ["token_embd.weight", "blk.0.attn_q.weight", "blk.0.ffn_down.weight", "output_norm.weight"]) {
      expect(trained.has(name), name).toBe(true);
      expect(trained.get(name)!.some((v, i) => v !== base.get(name)![i]), name).toBe(true);
    }
    await loads(written);
    await loads(quantized);
    expect(kvNumber(readGgufHeader(quantized), "general.file_type")).toBe(7); // LLAMA_FTYPE_MOSTLY_Q8_0

    const list = JSON.parse(polytune("--json", "models", "list").stdout) as Array<{ path: string; status: string }>;
    expect(list.find((m) => m.path === written)?.status).toBe("ok");
    expect(list.find((m) => m.path === quantized)?.status).toBe("ok");
    const estimate = polytune("models", "estimate", model, "--method", "full", "--seq-len", "128", "--batch", "2");
    expect(estimate.stdout).toMatch(/Full training \(seq 128 × batch 2, every weight in F32\): .+\n {2}weights .+, gradients .+, Adam moments .+, activations /);
    const show = polytune("runs", "show", run.id);
    expect(show.stdout).toMatch(new RegExp(`method full, status completed, step 6/6, model ${written.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
  }, 600_000);

  it("killed -9 mid-run and resumed, ends with the uninterrupted run's model", async () => {
    const reference = polytune("--json", ...fullArgs(["--steps", "10", "--checkpoint-every", "2", "--seed", "9"]));
    expect(reference.code, reference.stderr).toBe(0);
    const referenceModel = (JSON.parse(reference.stdout) as { modelPath: string }).modelPath;

    const before = new Set(rows().map((r) => r.id));
    const cli = spawn(process.execPath, [bin, "--home", home, "--json", ...fullArgs(["--steps", "10", "--checkpoint-every", "2", "--seed", "9"])], { detached: true, stdio: "ignore" });
    started.push(cli);
    const killed = await until(() => rows().find((r) => !before.has(r.id) && r.step >= 3 && r.step < 10));
    process.kill(-cli.pid!, "SIGKILL");
    await new Promise((r) => cli.once("exit", r));
    await until(() => {
      try {
        process.kill(killed.pid!, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 20_000);

    // Of the checkpoints every 2 steps, the two newest at most are on disk.
    const checkpointsDir = join(home, "checkpoints", killed.id, "checkpoints");
    expect(readdirSync(checkpointsDir).filter((f) => f.endsWith(".gguf")).length).toBeLessThanOrEqual(2);
    const engine = engineAt();
    try {
      expect((await engine.call("runs.get", { run: killed.id })).status).toBe("interrupted");
      await engine.call("runs.resume", { run: killed.id });
      const done = await engine.jobs.waitFor(killed.id);
      expect(done.status, JSON.stringify(done.error)).toBe("completed");
      expect(done.modelPath).toBe(join(home, "checkpoints", killed.id, "model.gguf"));
      expect(maxAbsDiff(f32Tensors(done.modelPath!), f32Tensors(referenceModel))).toBeLessThanOrEqual(1e-6);
      expect(existsSync(checkpointsDir)).toBe(false);
    } finally {
      await engine.close();
    }
  }, 600_000);
});

describe("refused before a full run exists", () => {
  it("names the fields at fault and leaves no run row", async () => {
    const before = rows().length;
    const text = join(tmp.dir, "book.txt");
    writeFileSync(text, "Once upon a time.\n");
    const engine = engineAt();
    try {
      const base: TrainConfigInput = { model, method: "full", steps: 2, seqLen: 128, threads: 1 };
      for (const [config, code, where] of [
        [base, "run-no-data", "data, mix, text"],
        [{ ...base, data: demoData, text: [text] }, "run-data-and-text", "data, text"],
        [{ ...base, text: [join(tmp.dir, "missing.txt")] }, "file-missing", join(tmp.dir, "missing.txt")],
        [{ ...base, data: demoData, mergedOut: join(tmp.dir, "merged.gguf") }, "run-full-merged-out", "mergedOut"],
        [{ ...base, method: "lora", data: demoData, quantize: "q8_0" }, "run-quantize-without-model", "quantize"],
      ] as const) {
        const r = await engine.dispatch("runs.start", config, "ipc");
        expect(r.ok, code).toBe(false);
        if (!r.ok) expect(r.error, code).toMatchObject({ code, where, hint: expect.any(String) });
      }
    } finally {
      await engine.close();
    }
    const cli = polytune(...fullArgs(["--steps", "2", "--merged-out", join(tmp.dir, "merged.gguf")]));
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/A full-parameter run writes a complete model itself/);
    expect(rows()).toHaveLength(before);
    expect(existsSync(join(tmp.dir, "merged.gguf"))).toBe(false);
  });
});

describe.runIf(hasEvalData)("evaluating a full run", () => {
  it("decodes the written model as tuned and the run's base model as base", async () => {
    expect(fullRun?.modelPath, "the first test's run").toBeTruthy();
    const engine = engineAt();
    try {
      // The run's mix decides supervised and zero-shot languages, as for a LoRA run.
      engine.runs.setMix(fullRun.id, {
        id: "mx1",
        name: "English only",
        fingerprint: "fp",
        recipe: MixRecipeSchema.parse({ version: 1, sources: [{ dataset: "d1", fingerprint: "f1" }], strategy: { kind: "mono", language: "en", total: 100 } }),
        counts: { total: 100, languages: [{ language: "en", examples: 100 }], provenance: [{ provenance: "native", examples: 100 }], sources: [{ dataset: "d1", examples: 100 }], directions: [] },
      });
      const started = await engine.call("eval.start", { run: fullRun.id, baseline: true, suites: [{ suite: "open", data: chirkovaFiles }], languages: ["en", "fr"], limit: 2, decoding: { maxTokens: 8, parallel: 2 }, gpu: "cpu", threads: 1, resamples: 100 });
      expect(started).toMatchObject({ run: fullRun.id, adapters: [], tunedModel: { path: fullRun.modelPath }, model: { id: fullRun.modelId }, format: "alpaca" });
      expect(started.languages).toEqual([
        { language: "en", tuning: "supervised", examples: 100 },
        { language: "fr", tuning: "zero-shot", examples: 0 },
      ]);
      const job = await engine.call("eval.wait", { job: started.id });
      expect(job.status, JSON.stringify(job.error)).toBe("completed");
      const all = (await engine.call("eval.items", { job: job.id, limit: 500 })).items;
      expect(all).toHaveLength(8);
      // Each system's outputs are exactly what its own model decodes from the stored prompts.
      for (const [system, path] of [["tuned", fullRun.modelPath!], ["base", model]] as const) {
        const mine = all.filter((i) => i.system === system);
        expect(mine).toHaveLength(4);
        const decoder = await BatchedDecoder.open({ modelPath: path, gpu: "cpu" });
        try {
          const direct = new Map<string, string>();
          for await (const r of decoder.decode(mine.map((i, k) => ({ id: String(k), prompt: i.prompt })), { parallel: 2, maxTokens: 8, repeatPenalty: 1.1, format: "alpaca", threads: 1, stop: [] })) direct.set(r.id, r.text);
          expect(mine.map((i) => i.response), system).toEqual(mine.map((_, k) => direct.get(String(k))));
        } finally {
          await decoder.dispose();
        }
      }
    } finally {
      await engine.close();
    }
  }, 600_000);
});

describe("deleting a full run", () => {
  it("removes the model it wrote into its folder, and that model's library entries", async () => {
    expect(fullRun?.modelPath, "the first test's run").toBeTruthy();
    const engine = engineAt();
    try {
      const quantized = String(fullRun.summary!.quantizedModel);
      expect((await engine.call("models.list", {})).filter((m) => m.path === fullRun.modelPath || m.path === quantized)).toHaveLength(2);
      const { deleted, removedFiles } = await engine.call("runs.delete", { run: fullRun.id });
      expect(deleted).toBe(true);
      expect(removedFiles).toEqual([join(home, "checkpoints", fullRun.id)]);
      expect(existsSync(fullRun.modelPath!)).toBe(false);
      expect((await engine.call("models.list", {})).filter((m) => m.path === fullRun.modelPath || m.path === quantized)).toEqual([]);
      // The base model stays.
      expect((await engine.call("models.list", {})).some((m) => m.path === model)).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
