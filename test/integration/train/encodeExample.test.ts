import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama, LlamaCompletion, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInstructionData } from "../../../electron/engine/data/loadInstructionData.js";
import { encodeCompletionPrompt } from "../../../electron/engine/infer/encodeCompletionPrompt.js";
import { encodeChatPrompt, promptText } from "../../../electron/engine/infer/promptFormats.js";
import { encodeExample } from "../../../electron/engine/train/encodeExample.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
let llamaModel: LlamaModel;
let qwenModel: LlamaModel;

beforeAll(async () => {
  const llama = await getLlama({ gpu: false });
  await writeTinyModel({ out: join(tmp.dir, "l.gguf"), layers: 1, embd: 16, heads: 2, headsKv: 1 });
  await writeTinyModel({ out: join(tmp.dir, "q.gguf"), vocab: "qwen2", arch: "qwen2", layers: 1, embd: 16, heads: 2, headsKv: 1 });
  llamaModel = await llama.loadModel({ modelPath: join(tmp.dir, "l.gguf") });
  qwenModel = await llama.loadModel({ modelPath: join(tmp.dir, "q.gguf") });
});
afterAll(async () => {
  await llamaModel.dispose();
  await qwenModel.dispose();
  tmp.cleanup();
});

function writeJsonl(name: string, lines: string[]): string {
  const file = join(tmp.dir, name);
  writeFileSync(file, lines.join("\n"));
  return file;
}

describe("instruction data", () => {
  it("reads Alpaca, prompt/response, chat and Guanaco records", () => {
    const file = writeJsonl("mix.jsonl", [
      JSON.stringify({ instruction: "Translate to German", input: "Good morning", output: "Guten Morgen", lang: "de" }),
      JSON.stringify({ prompt: "Hi", response: "Hello!" }),
      JSON.stringify({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "2+2?" }, { role: "assistant", content: "4" }] }),
      "",
      JSON.stringify({ text: "### Human: Bonjour ### Assistant: Salut ### Human: Ça va? ### Assistant: Oui." }),
    ]);
    const { examples } = loadInstructionData(file);
    expect(examples).toHaveLength(4);
    expect(examples[0]).toMatchObject({ lang: "de", turns: [{ role: "user", content: "Translate to German", input: "Good morning" }, { role: "assistant", content: "Guten Morgen" }] });
    expect(examples[3]?.turns.map((t) => t.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(examples[3]?.source.line).toBe(5);
  });

  it("names the line of a malformed record", () => {
    expect(() => loadInstructionData(writeJsonl("bad1.jsonl", ['{"instruction":"a","output":"b"}', "{not json"]))).toThrow(/Line 2 is not valid JSON/);
    expect(() => loadInstructionData(writeJsonl("bad2.jsonl", ['{"foo": 1}']))).toThrow(/Line 1: expected/);
    expect(() => loadInstructionData(writeJsonl("bad3.jsonl", ['{"messages":[{"role":"user","content":"x"}]}']))).toThrow(/does not end with an assistant answer/);
    expect(() => loadInstructionData(writeJsonl("empty.jsonl", ["", "  "]))).toThrow(/no examples/);
  });
});

describe("encodeExample", () => {
  const example = (turns: Array<{ role: "user" | "assistant"; content: string }>) => ({ turns, source: { file: "x.jsonl", line: 1 } });

  it("masks the Alpaca prompt and supervises the answer and EOS", () => {
    const enc = encodeExample(llamaModel, example([{ role: "user", content: "Say hello" }, { role: "assistant", content: "Hello there" }]), { format: "alpaca", maskPrompt: true, maxLength: 512 });
    expect(enc.tokens[0]).toBe(llamaModel.tokens.bos);
    expect(enc.tokens.at(-1)).toBe(llamaModel.tokens.eos);
    const supervised = enc.tokens.filter((_, i) => enc.target[i] === 1);
    expect(llamaModel.detokenize(supervised.slice(0, -1))).toBe("Hello there");
    // The prompt part is exactly what inference feeds after BOS.
    const prompt = encodeCompletionPrompt(llamaModel, promptText("alpaca", { role: "user", content: "Say hello" }, true));
    expect(enc.tokens.slice(1, 1 + prompt.length)).toEqual(prompt);
    expect(enc.promptLength).toBe(1 + prompt.length);
  });

  it("supervises every answer of a multi-turn Guanaco conversation", () => {
    const enc = encodeExample(
      llamaModel,
      example([{ role: "user", content: "A" }, { role: "assistant", content: "one" }, { role: "user", content: "B" }, { role: "assistant", content: "two" }]),
      { format: "guanaco", maskPrompt: true, maxLength: 512 },
    );
    const supervisedText = llamaModel.detokenize(enc.tokens.filter((t, i) => enc.target[i] === 1 && t !== llamaModel.tokens.eos));
    expect(supervisedText.replace(/\s+/g, " ").trim()).toBe("one two");
    expect(llamaModel.detokenize(enc.tokens)).toContain("### Human: A ### Assistant: one ### Human: B ### Assistant: two");
  });

  it("trains on every token when the mask is off", () => {
    const enc = encodeExample(llamaModel, example([{ role: "user", content: "x" }, { role: "assistant", content: "y" }]), { format: "guanaco", maskPrompt: false, maxLength: 512 });
    expect(enc.target[0]).toBe(0);
    expect([...enc.target.slice(1)].every((v) => v === 1)).toBe(true);
  });

  it("uses the model's own chat template and supervises the answer with its end-of-turn", () => {
    const turns = [{ role: "user" as const, content: "Hi" }, { role: "assistant" as const, content: "Hello!" }];
    const enc = encodeExample(qwenModel, example(turns), { format: "chat", maskPrompt: true, maxLength: 512 });
    const text = qwenModel.detokenize(enc.tokens, true);
    expect(text).toContain("<|im_start|>user\nHi<|im_end|>");
    const supervised = qwenModel.detokenize(enc.tokens.filter((_, i) => enc.target[i] === 1), true);
    expect(supervised).toContain("Hello!");
    expect(supervised).not.toContain("user");
    const prompt = encodeChatPrompt(qwenModel, turns.slice(0, 1));
    expect(enc.tokens.slice(0, prompt.length)).toEqual(prompt);
  });

  it("refuses an example longer than the maximum sequence length, naming its line", () => {
    expect(() => encodeExample(llamaModel, example([{ role: "user", content: "word ".repeat(100) }, { role: "assistant", content: "ok" }]), { format: "alpaca", maskPrompt: true, maxLength: 64 })).toThrow(/Line 1 is \d+ tokens long; the maximum sequence length is 64/);
  });

  it("inference with LlamaCompletion sees the same prompt tokens as training", async () => {
    const context = await llamaModel.createContext({ contextSize: 256 });
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const text = promptText("guanaco", { role: "user", content: "Hallo" }, true);
    await completion.generateCompletion(encodeCompletionPrompt(llamaModel, text), { maxTokens: 1, temperature: 0 });
    const trained = encodeExample(llamaModel, example([{ role: "user", content: "Hallo" }, { role: "assistant", content: "Hi" }]), { format: "guanaco", maskPrompt: true, maxLength: 512 });
    expect(sequence.contextTokens.slice(0, trained.promptLength)).toEqual(trained.tokens.slice(0, trained.promptLength));
    await context.dispose();
  });
});
