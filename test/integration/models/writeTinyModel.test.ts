import { join } from "node:path";
import { getLlama, readGgufFileInfo } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import { toHalf, writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe("writeTinyModel", () => {
  it("converts floats to IEEE half precision", () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(0.5)).toBe(0x3800);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(toHalf(5.960464477539063e-8)).toBe(0x0001);
  });

  it("writes a llama GGUF that node-llama-cpp reads, loads and generates from", async () => {
    const out = join(tmp.dir, "tiny-llama.gguf");
    const info = await writeTinyModel({ out, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 7 });
    expect(info.vocabSize).toBe(32000);
    const file = await readGgufFileInfo(out);
    expect(file.metadata.general.architecture).toBe("llama");
    const arch = file.architectureMetadata as { block_count?: number; embedding_length?: number; attention?: { head_count_kv?: number } };
    expect(arch.block_count).toBe(2);
    expect(arch.embedding_length).toBe(64);
    expect(arch.attention?.head_count_kv).toBe(2);

    const llama = await getLlama({ gpu: false });
    const model = await llama.loadModel({ modelPath: out });
    try {
      expect(model.tokenize("Hello world").length).toBeGreaterThan(1);
      const context = await model.createContext({ contextSize: 128 });
      const sequence = context.getSequence();
      const generated: number[] = [];
      for await (const token of sequence.evaluate(model.tokenize("Hello"), { temperature: 0 })) {
        generated.push(token);
        if (generated.length >= 5) break;
      }
      expect(generated).toHaveLength(5);
      await context.dispose();
    } finally {
      await model.dispose();
    }
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const { readFileSync } = await import("node:fs");
    const a = join(tmp.dir, "a.gguf");
    const b = join(tmp.dir, "b.gguf");
    const c = join(tmp.dir, "c.gguf");
    await writeTinyModel({ out: a, seed: 3, layers: 1, embd: 16, heads: 2, headsKv: 1 });
    await writeTinyModel({ out: b, seed: 3, layers: 1, embd: 16, heads: 2, headsKv: 1 });
    await writeTinyModel({ out: c, seed: 4, layers: 1, embd: 16, heads: 2, headsKv: 1 });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });

  it("writes qwen2 and qwen3 models with the qwen2 vocabulary and a chat template", async () => {
    for (const arch of ["qwen2", "qwen3"] as const) {
      const out = join(tmp.dir, `tiny-${arch}.gguf`);
      await writeTinyModel({ out, vocab: "qwen2", arch, layers: 1, embd: 32, heads: 4, headsKv: 2, type: "f16" });
      const llama = await getLlama({ gpu: false });
      const model = await llama.loadModel({ modelPath: out });
      expect(model.fileInfo.metadata.general.architecture).toBe(arch);
      expect(model.fileInfo.metadata.tokenizer.chat_template).toContain("im_start");
      await model.dispose();
    }
  });

  it("refuses an impossible shape with a clear message", async () => {
    await expect(writeTinyModel({ out: join(tmp.dir, "x.gguf"), embd: 30, heads: 4 })).rejects.toThrow(/embd 30 is not divisible by heads 4/);
  });
});
