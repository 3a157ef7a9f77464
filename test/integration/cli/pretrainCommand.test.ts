// `polytune pretrain` as a user runs it: refusals before anything is written, a model trained from
// scratch on multilingual text that llama.cpp loads with the trainer's log-probabilities, and a
// repeated text learned well enough that greedy decoding reproduces it.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama, type Llama, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Run } from "../../../electron/shared/contract.js";
import { GgufType } from "../../../electron/engine/gguf/GgufValue.js";
import { kvNumber, kvString, readGgufHeader } from "../../../electron/engine/gguf/readGgufHeader.js";
import { loadTrainerAddon, trainerBackendsDir } from "../../../electron/engine/train/TrainerAddon.js";
import { tokensOf, worstLogProbDifference } from "../../support/llamaReference.js";
import { runPolytune } from "../../support/runPolytune.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const outDir = join(tmp.dir, "out");
let llama: Llama;

/** The first answers of the demo data in four scripts' languages, one {"text"} document each. */
function multilingualText(): string {
  const file = join(tmp.dir, "multilingual.jsonl");
  const docs = ["de", "en", "ru", "zh"].flatMap((lang) =>
    readFileSync(join("assets", "demo", `instructions.${lang}.jsonl`), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(0, 12)
      .map((l) => (JSON.parse(l) as { output: string }).output),
  );
  writeFileSync(file, docs.map((text) => JSON.stringify({ text })).join("\n"));
  return file;
}

const shape = ["--layers", "2", "--embd", "64", "--heads", "4", "--heads-kv", "2", "--threads", "1"];

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
  mkdirSync(outDir, { recursive: true });
});
afterAll(() => tmp.cleanup());

describe("polytune pretrain", () => {
  it("refuses a bad shape, size or file before it writes anything", () => {
    const text = multilingualText();
    const refusals: Array<[string[], RegExp]> = [
      [["--layers", "2", "--embd", "60", "--heads", "8"], /--embd 60 is not divisible by --heads 8/],
      [["--layers", "2", "--embd", "64", "--heads", "4", "--heads-kv", "3"], /--heads 4 is not divisible by --heads-kv 3/],
      [[...shape, "--vocab-size", "200"], /--vocab-size 200 is too small/],
      [[...shape, "--vocab", "qwen2", "--vocab-size", "600"], /Only the llama-spm vocabulary can be trimmed/],
      [[...shape, "--ctx", "64", "--tokens", "63"], /--tokens 63 is less than one window of 64 tokens/],
      [[...shape, "--ctx", "64", "--seq-len", "128"], /--seq-len 128 is longer than the model's context/],
      [[...shape, "--data", join(tmp.dir, "absent.txt")], /absent\.txt does not exist/],
      [[...shape, "--out", join(tmp.dir, "no-such-folder", "m.gguf")], /The folder of --out .* does not exist/],
      [[...shape, "--lr", "2"], /lr: /],
    ];
    for (const [args, message] of refusals) {
      const r = runPolytune(home, ["pretrain", "--data", text, "--tokens", "1000", "--ctx", "64", "--out", join(outDir, "never.gguf"), ...args], 60_000);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    expect(existsSync(join(outDir, "never.gguf"))).toBe(false);
    const models = join(home, "models");
    expect(existsSync(models) ? readdirSync(models) : []).toEqual([]);
  });

  it("reads the text before it writes the initial model, and leaves nothing behind when the run cannot start", () => {
    const bad = join(tmp.dir, "bad.jsonl");
    writeFileSync(bad, [JSON.stringify({ text: "Es war einmal." }), "{not json"].join("\n"));
    const short = join(tmp.dir, "short.txt");
    writeFileSync(short, "Kurz.");
    // The message, and where: the file and line of a bad document.
    const refusals: Array<[string[], RegExp, string?]> = [
      [["--data", bad], /Line 2 is not valid JSON/, `${bad}:2`],
      [["--data", short], /too short for one window of 64 tokens: 1 document of 5 bytes in all make at most 8 tokens/],
    ];
    // Metal cannot load off a Mac: the run is refused after the initial model was written and added.
    if (process.platform !== "darwin") refusals.push([["--data", multilingualText(), "--backend", "metal"], /Metal backend cannot be loaded/]);
    for (const [args, message, where] of refusals) {
      const r = runPolytune(home, ["pretrain", ...shape, "--tokens", "1000", "--ctx", "64", "--out", join(outDir, "never.gguf"), ...args], 120_000);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
      if (where) expect(r.stderr).toContain(where);
    }
    const models = join(home, "models");
    expect(existsSync(models) ? readdirSync(models) : []).toEqual([]);
    expect(JSON.parse(runPolytune(home, ["--json", "models", "list"], 60_000).stdout)).toEqual([]);
  });

  it("trains a model from scratch on multilingual text that llama.cpp loads with the trainer's log-probabilities", async () => {
    const out = join(outDir, "multilingual.gguf");
    const r = runPolytune(home, ["--json", "pretrain", ...shape, "--vocab-size", "600", "--ctx", "64", "--batch", "2", "--lr", "3e-3", "--data", multilingualText(), "--tokens", "2560", "--out", out, "--seed", "3"], 600_000);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { run: string; status: string; steps: number; method: string; modelPath: string };
    // 2560 tokens in steps of 2 windows of 64.
    expect(result).toMatchObject({ status: "completed", steps: 20, method: "full", modelPath: out });

    const header = readGgufHeader(out);
    expect(kvString(header, "general.name")).toBe("multilingual");
    // Both are in the library; by name each is one model, the trained one and the initial weights.
    const byName = (name: string): { path: string } => JSON.parse(runPolytune(home, ["--json", "models", "show", name], 60_000).stdout) as { path: string };
    expect(byName("multilingual").path).toBe(out);
    expect(byName("multilingual (initial weights)").path).toMatch(/multilingual-[0-9a-z]+\.init\.gguf$/);
    const tokens = header.kv.get("tokenizer.ggml.tokens");
    expect(tokens?.type === GgufType.ARRAY ? tokens.items.length : 0).toBe(600);
    expect(kvNumber(header, "llama.context_length")).toBe(64);
    expect(header.tensors.find((t) => t.name === "token_embd.weight")?.dims).toEqual([64, 600]);
    expect(header.tensors.every((t) => t.type === 0)).toBe(true);

    const shown = runPolytune(home, ["--json", "runs", "show", result.run], 60_000);
    const run = JSON.parse(shown.stdout) as Run & { metrics: Array<{ step: number; loss: number }> };
    expect(run.config).toMatchObject({ method: "full", schedule: "cosine", seqLen: 64, steps: 20 });
    expect(run.metrics).toHaveLength(20);
    const mean = (ms: Array<{ loss: number }>): number => ms.reduce((n, m) => n + m.loss, 0) / ms.length;
    // From about ln(600) = 6.4 at a scaled random init.
    expect(mean(run.metrics.slice(0, 3))).toBeGreaterThan(5.8);
    expect(mean(run.metrics.slice(-3))).toBeLessThan(mean(run.metrics.slice(0, 3)) - 0.5);

    const model = await llama.loadModel({ modelPath: out });
    const trainer = await loadTrainerAddon().openTrainer({ modelPath: out, backendsDir: trainerBackendsDir(), backend: "cpu", method: "full", targets: [], rank: 0, alpha: 0, seed: 0, threads: 1 });
    try {
      const prompt = tokensOf(model, "Jupiter ist der größte Planet. Юпитер — самая большая планета. 木星");
      const ours = await trainer.logits(Int32Array.from(prompt));
      // F32 throughout, as the full-training parity test (measured there: 2e-6).
      expect(await worstLogProbDifference(model, prompt, ours, 600)).toBeLessThan(2e-5);
    } finally {
      trainer.dispose();
      await model.dispose();
    }
  });

  it("learns a repeated text well enough that greedy decoding reproduces it", async () => {
    const sentence = "the quick brown fox jumps over the lazy dog. ";
    const text = join(tmp.dir, "fox.txt");
    writeFileSync(text, sentence.repeat(60));
    const out = join(outDir, "fox.gguf");
    const r = runPolytune(home, ["pretrain", ...shape, "--vocab-size", "300", "--ctx", "64", "--batch", "2", "--lr", "3e-3", "--warmup", "5", "--data", text, "--tokens", "10240", "--out", out], 600_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/completed.*: 80 steps/);
    const model = await llama.loadModel({ modelPath: out });
    const context = await model.createContext({ contextSize: 64 });
    try {
      const sequence = context.getSequence();
      const generated: Token[] = [];
      for await (const token of sequence.evaluate(tokensOf(model, "the quick brown") as Token[], { temperature: 0 })) {
        generated.push(token);
        if (generated.length >= 12) break;
      }
      console.log(`greedy after "the quick brown": ${JSON.stringify(model.detokenize(generated))}`);
      expect(model.detokenize(generated)).toMatch(/^ ?fox jumps over the lazy dog\. the quick/);
    } finally {
      await context.dispose();
      await model.dispose();
    }
  });
});
