import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSharedData, sharedLegacyV1 } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

// The built CLI, run as a user runs it: `npm run build` comes first in `npm test`.
const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");

function polytune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "main.js"))) throw new Error("Run `npm run build` before the CLI tests.");
});
afterAll(() => tmp.cleanup());

describe("polytune CLI", () => {
  it("has --help everywhere", () => {
    for (const args of [["--help"], ["models", "--help"], ["models", "try", "--help"], ["serve", "--help"], ["demo", "--help"]]) {
      const r = polytune(...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Usage: polytune");
    }
  });

  it("makes a tiny model, adds it, lists, shows and greedy-completes it", () => {
    const model = join(tmp.dir, "tiny.gguf");
    // Heads wider than embd / heads, and biases, as some real files have: llama.cpp still runs it below.
    const made = polytune("--json", "models", "make-tiny", "--out", model, "--layers", "1", "--embd", "32", "--head-dim", "16", "--biases", "--seed", "5");
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ arch: "llama", layers: 1, embd: 32, heads: 4, headDim: 16, vocabSize: 32000 });

    const added = JSON.parse(polytune("--json", "models", "add", model).stdout) as { added: Array<{ id: string; name: string }> };
    expect(added.added).toHaveLength(1);
    const id = added.added[0]!.id;

    const list = JSON.parse(polytune("--json", "models", "list").stdout) as Array<{ id: string }>;
    expect(list.map((m) => m.id)).toEqual([id]);

    const shown = polytune("models", "show", id);
    expect(shown.stdout).toMatch(/architecture\s+llama/);
    expect(shown.stdout).toMatch(/layers\s+1/);

    const tried = polytune("--json", "models", "try", id, "--prompt", "Hello", "--max-tokens", "5", "--cpu");
    expect(tried.code).toBe(0);
    const result = JSON.parse(tried.stdout) as { tokens: number };
    expect(result).toMatchObject({ stopReason: "maxTokens", backend: "cpu" });
    // llama.cpp may finish a split UTF-8 character with one token past the limit.
    expect([5, 6]).toContain(result.tokens);

    const streamed = polytune("models", "try", model, "--prompt", "Hello", "--max-tokens", "5", "--cpu");
    expect(streamed.stdout).toContain(`tokens/s on cpu`);
  });

  it("fails with one clear line and a non-zero exit", () => {
    const missing = polytune("models", "show", "no-such-model");
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/No model "no-such-model"/);

    const corrupt = join(tmp.dir, "corrupt.gguf");
    writeFileSync(corrupt, "definitely not a model");
    const bad = polytune("models", "add", corrupt);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("Not a GGUF model");
    expect(bad.stdout).toContain(corrupt);

    const usage = polytune("models", "make-tiny", "--out", join(tmp.dir, "x.gguf"), "--layers", "two");
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain("--layers must be an integer");
  });

  it("trains a LoRA adapter from the command line, and `models try --adapter` answers as trained", () => {
    const model = join(tmp.dir, "train-base.gguf");
    expect(polytune("models", "make-tiny", "--out", model, "--layers", "2", "--embd", "64", "--seed", "9").code).toBe(0);
    const data = join(process.cwd(), "assets", "demo", "demo-instructions.jsonl");
    const trained = polytune("--json", "train", "--model", model, "--data", data, "--format", "alpaca", "--steps", "60", "--rank", "16", "--alpha", "32", "--lr", "1e-2", "--batch", "16", "--seq-len", "256");
    expect(trained.code, trained.stderr).toBe(0);
    const summary = JSON.parse(trained.stdout) as { status: string; steps: number; adapterPath: string };
    expect(summary).toMatchObject({ status: "completed", steps: 60 });
    expect(existsSync(summary.adapterPath)).toBe(true);

    const tried = polytune("--json", "models", "try", model, "--adapter", summary.adapterPath, "--format", "alpaca", "--prompt", "Sag hallo.", "--max-tokens", "24", "--repeat-penalty", "1", "--cpu");
    expect(tried.code, tried.stderr).toBe(0);
    expect((JSON.parse(tried.stdout) as { text: string }).text.trim()).toBe("Hallo! Wie kann ich dir heute helfen?");

    const runs = JSON.parse(polytune("--json", "runs", "list").stdout) as Array<{ status: string }>;
    expect(runs.map((r) => r.status)).toContain("completed");

    // The same adapter merged into the base: a plain model that answers as trained, without --adapter.
    const merged = join(tmp.dir, "train-merged.gguf");
    const merge = polytune("--json", "models", "merge", model, "--adapter", summary.adapterPath, "--out", merged, "--backend", "cpu", "--add");
    expect(merge.code, merge.stderr).toBe(0);
    expect(JSON.parse(merge.stdout)).toMatchObject({ out: merged, backend: "CPU", modelId: expect.any(String) });
    const plain = polytune("--json", "models", "try", merged, "--format", "alpaca", "--prompt", "Sag hallo.", "--max-tokens", "24", "--repeat-penalty", "1", "--cpu");
    expect(plain.code, plain.stderr).toBe(0);
    expect((JSON.parse(plain.stdout) as { text: string }).text.trim()).toBe("Hallo! Wie kann ich dir heute helfen?");
    // A file that is not an adapter: one clear line.
    const wrong = polytune("models", "merge", model, "--adapter", model, "--out", join(tmp.dir, "x.gguf"));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/not a LoRA adapter/);
  });

  it("refuses an incomplete or impossible training request with one clear line", () => {
    const missing = polytune("train", "--data", "x.jsonl");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/model: /);
    const model = join(tmp.dir, "tiny.gguf");
    const empty = join(tmp.dir, "empty.jsonl");
    writeFileSync(empty, "\n");
    const r = polytune("train", "--model", model, "--data", empty, "--steps", "2");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no examples/);
    const dropout = polytune("train", "--model", model, "--data", empty, "--dropout", "1");
    expect(dropout.code).toBe(1);
    expect(dropout.stderr.trim().split("\n")).toHaveLength(1);
    expect(dropout.stderr).toMatch(/dropout: Too big: expected number to be <1/);
  });

  it.skipIf(!hasSharedData)("explains a GGUF v1 file", () => {
    const r = polytune("models", "add", sharedLegacyV1);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/GGUF version 1 is no longer supported.*Convert it/);
  });
});
