// The shipped demo model (assets/models/micro-polyglot.gguf, built by `npm run build:demo-model`): the
// file is the one its recipe records, node-llama-cpp loads it with the recipe's shape, and it has really
// learnt its languages: greedy continuations of a prompt stay in the prompt's script.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { getLlama, LlamaCompletion, readGgufFileInfo, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const modelPath = join(process.cwd(), "assets", "models", "micro-polyglot.gguf");

interface Recipe {
  shape: { arch: string; layers: number; embd: number; heads: number; headsKv: number; ff: number; ctx: number; vocabSize: number };
  output: { file: string; sha256: string; bytes: number; parameters: number; tensorType: string };
}
const recipe = JSON.parse(readFileSync(join(process.cwd(), "assets", "models", "micro-polyglot.recipe.json"), "utf8")) as Recipe;

let model: LlamaModel;
beforeAll(async () => {
  const llama = await getLlama({ gpu: false });
  model = await llama.loadModel({ modelPath });
});
afterAll(async () => {
  await model?.dispose();
});

/** Share of the text's letters written in `script`. */
function scriptShare(text: string, script: RegExp): number {
  const letters = [...text].filter((c) => /\p{L}/u.test(c));
  return letters.filter((c) => script.test(c)).length / Math.max(1, letters.length);
}

describe("the demo model", () => {
  it("is the file its recipe records", () => {
    expect(recipe.output.file).toBe("micro-polyglot.gguf");
    expect(statSync(modelPath).size).toBe(recipe.output.bytes);
    expect(createHash("sha256").update(readFileSync(modelPath)).digest("hex")).toBe(recipe.output.sha256);
  });

  it("has the recipe's shape, tensor type and parameter count", async () => {
    const info = await readGgufFileInfo(modelPath, { readTensorInfo: true });
    expect(info.metadata.general.architecture).toBe(recipe.shape.arch);
    expect(info.metadata.llama).toMatchObject({
      block_count: recipe.shape.layers,
      embedding_length: recipe.shape.embd,
      feed_forward_length: recipe.shape.ff,
      context_length: recipe.shape.ctx,
      attention: { head_count: recipe.shape.heads, head_count_kv: recipe.shape.headsKv },
    });
    expect(info.metadata.tokenizer.ggml.tokens.length).toBe(recipe.shape.vocabSize);
    const tensors = info.fullTensorInfo ?? [];
    expect(tensors.reduce((a, t) => a + t.dimensions.reduce<number>((p, d) => p * Number(d), 1), 0)).toBe(recipe.output.parameters);
    // The matrices are stored in the recipe's type (GGML's type numbers); norms stay F32.
    const ggmlTypes: Record<string, number> = { f32: 0, f16: 1, q8_0: 8 };
    expect(tensors.find((t) => t.name === "blk.0.attn_q.weight")?.ggmlType).toBe(ggmlTypes[recipe.output.tensorType]);
    expect(tensors.find((t) => t.name === "blk.0.attn_norm.weight")?.ggmlType).toBe(0);
  });

  it("continues a prompt in the prompt's script (Latin, Cyrillic, Han)", async () => {
    const context = await model.createContext({ contextSize: recipe.shape.ctx, threads: 1 });
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const cases = [
      { prompt: "To install a package, you", script: /\p{Script=Latin}/u },
      { prompt: "Чтобы установить пакет,", script: /\p{Script=Cyrillic}/u },
      { prompt: "要安装软件包，", script: /\p{Script=Han}/u },
    ];
    try {
      for (const { prompt, script } of cases) {
        await sequence.clearHistory();
        const text = await completion.generateCompletion(prompt, { maxTokens: 40, temperature: 0 });
        expect([...text].filter((c) => /\p{L}/u.test(c)).length, `${prompt} → ${JSON.stringify(text)}`).toBeGreaterThan(5);
        expect(scriptShare(text, script), `${prompt} → ${JSON.stringify(text)}`).toBeGreaterThan(0.6);
      }
    } finally {
      completion.dispose();
      await context.dispose();
    }
  });
});
