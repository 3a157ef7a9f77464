import { copyFileSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolytuneErrorShape } from "../../../electron/shared/contract.js";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { hasSharedData, sharedLegacyV1, sharedTinyLlama } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
const modelsDir = join(tmp.dir, "models");
const badDir = join(tmp.dir, "bad");
const fakeHome = join(tmp.dir, "user-home");
let engine: PolytuneEngine;

beforeAll(async () => {
  mkdirSync(join(modelsDir, "nested"), { recursive: true });
  mkdirSync(badDir, { recursive: true });
  await writeTinyModel({ out: join(modelsDir, "a.gguf"), layers: 2, embd: 32, heads: 4, headsKv: 2, seed: 1 });
  await writeTinyModel({ out: join(modelsDir, "nested", "b.gguf"), vocab: "qwen2", arch: "qwen2", layers: 1, embd: 16, heads: 2, headsKv: 1, seed: 2, type: "f16" });
  writeFileSync(join(badDir, "random.gguf"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  const good = readFileSync(join(modelsDir, "a.gguf"));
  writeFileSync(join(badDir, "truncated.gguf"), good.subarray(0, Math.floor(good.length / 2)));
  // An architecture llama.cpp does not know: same file, renamed architecture key.
  const text = good.toString("latin1").replaceAll("llama.", "zorro.");
  const patched = Buffer.from(text.replace("\x05\x00\x00\x00\x00\x00\x00\x00llama", "\x05\x00\x00\x00\x00\x00\x00\x00zorro"), "latin1");
  writeFileSync(join(badDir, "unknown-arch.gguf"), patched);
  engine = new PolytuneEngine({ home: join(tmp.dir, "home"), discoveryEnv: { home: fakeHome, env: {}, platform: "linux" } });
});

afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe("model library", () => {
  it("adds every GGUF in a folder, recursively, with what was read from it", async () => {
    const result = await engine.call("models.add", { path: modelsDir });
    expect(result.scannedFiles).toBe(2);
    expect(result.added).toHaveLength(2);
    const a = result.added.find((m) => m.path.endsWith("a.gguf"))!;
    expect(a).toMatchObject({ architecture: "llama", layers: 2, embeddingSize: 32, vocabSize: 32000, tokenizer: "llama", hasChatTemplate: false, fileType: "F32", status: "ok", source: "folder" });
    expect(a.parameterCount).toBeGreaterThan(32000 * 32);
    expect(a.fingerprint).toMatch(/^fp1:/);
    const b = result.added.find((m) => m.path.endsWith("b.gguf"))!;
    expect(b).toMatchObject({ architecture: "qwen2", layers: 1, embeddingSize: 16, tokenizer: "gpt2", hasChatTemplate: true, fileType: "F16" });
    const detail = await engine.call("models.get", { model: a.id });
    expect(detail).toMatchObject({ headCount: 4, headCountKv: 2, feedForwardLength: 64 });
    expect(detail.tensorTypes.F32).toBeGreaterThan(0);
  });

  it("names a model by id, name or path, and adding twice updates instead of duplicating", async () => {
    const list = await engine.call("models.list", {});
    const a = list.find((m) => m.path.endsWith("a.gguf"))!;
    expect((await engine.call("models.get", { model: a.path })).id).toBe(a.id);
    expect((await engine.call("models.get", { model: a.name })).id).toBe(a.id);
    const again = await engine.call("models.add", { path: a.path });
    expect(again.updated).toHaveLength(1);
    expect(await engine.call("models.list", {})).toHaveLength(2);
  });

  it("records each bad file with what, where and what to do", async () => {
    const result = await engine.call("models.add", { path: badDir });
    const byName: Record<string, PolytuneErrorShape | null> = Object.fromEntries(result.failed.map((m) => [m.path.split("/").pop() ?? "", m.error]));
    expect(byName["random.gguf"]).toMatchObject({ code: "not-gguf" });
    expect(byName["truncated.gguf"]).toMatchObject({ code: "truncated" });
    expect(byName["unknown-arch.gguf"]).toMatchObject({ code: "unknown-architecture" });
    expect(byName["unknown-arch.gguf"]?.message).toContain("zorro");
    for (const error of Object.values(byName)) {
      expect(error?.where).toContain(badDir);
      expect(error?.hint).toBeTruthy();
    }
  });

  it.skipIf(!hasSharedData)("reads the shared tiny llama and explains GGUF v1", async () => {
    const result = await engine.call("models.add", { path: sharedTinyLlama });
    expect(result.added[0]).toMatchObject({ architecture: "llama", embeddingSize: 8, layers: 1, vocabSize: 32000, fileType: "F16" });
    const v1 = await engine.call("models.add", { path: sharedLegacyV1 });
    expect(v1.failed[0]?.error).toMatchObject({ code: "gguf-version" });
    expect(v1.failed[0]?.error?.message).toMatch(/version 1/);
  });

  it("greedy completion is deterministic and streams tokens", async () => {
    const a = (await engine.call("models.list", {})).find((m) => m.path.endsWith("a.gguf"))!;
    const streamed: string[] = [];
    const off = engine.onEvent((name, payload) => {
      if (name === "try.token") streamed.push((payload as { text: string }).text);
    });
    const first = await engine.call("models.try", { model: a.id, prompt: "Hello", maxTokens: 8, requestId: "t1", gpu: "cpu" });
    off();
    const second = await engine.call("models.try", { model: a.id, prompt: "Hello", maxTokens: 8, requestId: "t2", gpu: "cpu" });
    // llama.cpp may finish a split UTF-8 character with one token past the limit.
    expect(first.tokens).toBeGreaterThanOrEqual(8);
    expect(first.tokens).toBeLessThanOrEqual(9);
    expect(first.stopReason).toBe("maxTokens");
    expect(first.text).toBe(second.text);
    expect(streamed.join("")).toBe(first.text);
    expect(first.tokensPerSecond).toBeGreaterThan(0);
  });

  it("explains an adapter that does not fit the model, with llama.cpp's reason", async () => {
    const a = (await engine.call("models.list", {})).find((m) => m.path.endsWith("a.gguf"))!;
    const notAdapter = join(modelsDir, "nested", "b.gguf");
    const result = await engine.dispatch("models.try", { model: a.id, prompt: "Hi", maxTokens: 2, requestId: "ad1", gpu: "cpu", adapter: notAdapter }, "http");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("adapter-load-failed");
      expect(result.error.where).toBe(notAdapter);
      expect(result.error.message.length).toBeGreaterThan(40);
    }
  });

  it("wraps a prompt in the training formats for inference", async () => {
    const a = (await engine.call("models.list", {})).find((m) => m.path.endsWith("a.gguf"))!;
    const raw = await engine.call("models.try", { model: a.id, prompt: "Hi", maxTokens: 1, requestId: "f1", gpu: "cpu" });
    const alpaca = await engine.call("models.try", { model: a.id, prompt: "Hi", maxTokens: 1, requestId: "f2", gpu: "cpu", format: "alpaca" });
    expect(alpaca.promptTokens).toBeGreaterThan(raw.promptTokens + 10);
  });

  it("refuses to run a broken model with its reason", async () => {
    const broken = (await engine.call("models.list", {})).find((m) => m.path.endsWith("/bad/random.gguf"))!;
    const result = await engine.dispatch("models.try", { model: broken.id, prompt: "x", requestId: "t3" }, "http");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("not-gguf");
  });

  it("estimates memory for inference and LoRA training", async () => {
    const a = (await engine.call("models.list", {})).find((m) => m.path.endsWith("a.gguf"))!;
    const small = await engine.call("models.estimate", { model: a.id, rank: 8, seqLen: 128, batch: 1 });
    const large = await engine.call("models.estimate", { model: a.id, rank: 64, seqLen: 1024, batch: 8 });
    expect(small.inference.totalBytes).toBeGreaterThan(a.fileSize * 0.5);
    expect(small.training.baseF32Bytes).toBe((a.parameterCount ?? 0) * 4);
    expect(large.training.loraBytes).toBe(small.training.loraBytes * 8);
    expect(large.training.activationBytes).toBeGreaterThan(small.training.activationBytes);
    // Kept as stored: the file's matrices twice (with the transposed copy), never more than F32.
    const kept = await engine.call("models.estimate", { model: a.id, rank: 8, seqLen: 128, batch: 1, baseWeights: "as-stored" });
    expect(kept.training.baseBytes).toBeLessThanOrEqual(Math.min(kept.training.baseF32Bytes, 2 * a.fileSize));
    expect(kept.training.totalBytes - kept.training.baseBytes).toBe(small.training.totalBytes - small.training.baseBytes);
    // LoRA dropout keeps masks and masked inputs for the backward pass, and says so.
    const dropped = await engine.call("models.estimate", { model: a.id, rank: 8, seqLen: 128, batch: 1, dropout: 0.05 });
    expect(dropped.training.activationBytes).toBeGreaterThan(small.training.activationBytes);
    expect(dropped.notes.join(" ")).toMatch(/LoRA dropout 0.05/);
  });

  it("notices a moved file, and finds it again by fingerprint when its folder is added", async () => {
    const a = (await engine.call("models.list", {})).find((m) => m.path.endsWith("a.gguf"))!;
    const moved = join(tmp.dir, "moved");
    mkdirSync(moved);
    renameSync(a.path, join(moved, "a-renamed.gguf"));
    const afterMove = await engine.call("models.recheck", {});
    expect(afterMove.find((m) => m.id === a.id)?.status).toBe("missing");
    const found = await engine.call("models.add", { path: moved });
    expect(found.updated[0]?.id).toBe(a.id);
    expect(found.updated[0]?.status).toBe("ok");
    expect(found.updated[0]?.path).toBe(join(moved, "a-renamed.gguf"));
  });

  it("notices a changed file and re-reads it", async () => {
    const b = (await engine.call("models.list", {})).find((m) => m.path.endsWith("b.gguf"))!;
    await writeTinyModel({ out: b.path, vocab: "qwen2", arch: "qwen2", layers: 2, embd: 16, heads: 2, headsKv: 1, seed: 9, type: "f16" });
    const list = await engine.call("models.recheck", {});
    const changed = list.find((m) => m.id === b.id)!;
    expect(changed.status).toBe("changed");
    expect(changed.layers).toBe(2);
    expect(changed.fingerprint).not.toBe(b.fingerprint);
  });

  it("computes the full SHA-256 on demand", async () => {
    const { createHash } = await import("node:crypto");
    const m = (await engine.call("models.list", {})).find((x) => x.status !== "error" && x.status !== "missing")!;
    const hashed = await engine.call("models.hash", { model: m.id });
    expect(hashed.sha256).toBe(createHash("sha256").update(readFileSync(m.path)).digest("hex"));
  });

  it("discovers LM Studio, Ollama (named from manifests) and Hugging Face cache models", async () => {
    const lms = join(fakeHome, ".lmstudio", "models", "pub", "repo");
    mkdirSync(lms, { recursive: true });
    await writeTinyModel({ out: join(lms, "lm.gguf"), layers: 1, embd: 16, heads: 2, headsKv: 1, seed: 11 });
    const ollama = join(fakeHome, ".ollama", "models");
    mkdirSync(join(ollama, "blobs"), { recursive: true });
    mkdirSync(join(ollama, "manifests", "registry.ollama.ai", "library", "tiny"), { recursive: true });
    const digest = "sha256:" + "ab".repeat(32);
    await writeTinyModel({ out: join(ollama, "blobs", digest.replace(":", "-")), layers: 1, embd: 16, heads: 2, headsKv: 1, seed: 12 });
    writeFileSync(
      join(ollama, "manifests", "registry.ollama.ai", "library", "tiny", "q4"),
      JSON.stringify({ schemaVersion: 2, layers: [{ mediaType: "application/vnd.ollama.image.model", digest, size: 1 }] }),
    );
    const hf = join(fakeHome, ".cache", "huggingface", "hub", "models--org--tiny-gguf");
    mkdirSync(join(hf, "blobs"), { recursive: true });
    mkdirSync(join(hf, "snapshots", "rev1"), { recursive: true });
    await writeTinyModel({ out: join(hf, "blobs", "deadbeef"), layers: 1, embd: 16, heads: 2, headsKv: 1, seed: 13 });
    symlinkSync(join(hf, "blobs", "deadbeef"), join(hf, "snapshots", "rev1", "tiny-f32.gguf"));
    if (hasSharedData) copyFileSync(sharedTinyLlama, join(lms, "shared.gguf"));

    const locations = await engine.call("models.discoveryLocations", {});
    expect(locations.filter((l) => l.exists).map((l) => l.kind).sort()).toEqual(["huggingface", "lmstudio", "ollama"]);
    const result = await engine.call("models.discover", {});
    const names = result.added.map((m) => `${m.source}:${m.name}`);
    expect(names).toContain("ollama:tiny:q4");
    expect(names).toContain("huggingface:org/tiny-gguf/tiny-f32.gguf");
    expect(result.added.filter((m) => m.source === "lmstudio").length).toBe(hasSharedData ? 2 : 1);
  });

  it("removes a model from the library without touching its file", async () => {
    const m = (await engine.call("models.list", {})).find((x) => x.source === "lmstudio")!;
    expect((await engine.call("models.remove", { model: m.id })).removed).toBe(true);
    expect(readFileSync(m.path).length).toBe(m.fileSize);
    const gone = await engine.dispatch("models.get", { model: m.id }, "ipc");
    expect(gone.ok).toBe(false);
    if (!gone.ok) expect(gone.error.code).toBe("model-not-found");
  });

  it("validates every payload against the contract", async () => {
    const bad = await engine.dispatch("models.add", { path: 42 }, "http");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe("invalid-input");
    const extra = await engine.dispatch("models.list", { sneaky: true }, "http");
    expect(extra.ok).toBe(false);
  });
});
