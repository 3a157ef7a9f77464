import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInstructionData } from "../../../electron/engine/data/loadInstructionData.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { encodeExample } from "../../../electron/engine/train/encodeExample.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
let vocab: LlamaModel;

beforeAll(async () => {
  const model = join(tmp.dir, "tiny.gguf");
  await writeTinyModel({ out: model, layers: 1, embd: 16, heads: 2, headsKv: 1 });
  vocab = await (await getLlama({ gpu: false })).loadModel({ modelPath: model, vocabOnly: true });
});
afterAll(async () => {
  await vocab.dispose();
  tmp.cleanup();
});

function file(name: string, bytes: Buffer | string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, bytes);
  return path;
}

function refusal(fn: () => unknown): PolytuneError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PolytuneError) return error;
    throw error;
  }
  throw new Error("not refused");
}

const good = JSON.stringify({ instruction: "Say hi", output: "Hi" });

describe("training data that is not UTF-8", () => {
  it("refuses a Windows-1252 file, naming the line and the byte", () => {
    // "Grüße" in Windows-1252: ü = 0xFC, ß = 0xDF, neither valid UTF-8 here.
    const path = file("cp1252.jsonl", Buffer.concat([Buffer.from(`${good}\n`), Buffer.from('{"instruction":"Gr\xfc\xdfe","output":"Hallo"}\n', "latin1")]));
    const e = refusal(() => loadInstructionData(path));
    expect(e.code).toBe("data-encoding");
    expect(e.where).toBe(`${path}:2`);
    expect(e.message).toBe("Line 2 is not valid UTF-8 (byte 19 of the line, 0xfc); the file may be in another encoding such as Windows-1252 or Latin-1.");
    expect(e.hint).toMatch(/Save the file as UTF-8/);
  });

  it("refuses invalid bytes inside a string (a cut multi-byte character)", () => {
    const bad = Buffer.concat([Buffer.from('{"instruction":"caf'), Buffer.from([0xc3]), Buffer.from('","output":"x"}')]);
    const path = file("cut.jsonl", Buffer.concat([Buffer.from(`${good}\n${good}\r\n`), bad]));
    const e = refusal(() => loadInstructionData(path));
    expect(e.where).toBe(`${path}:3`);
    expect(e.message).toMatch(/^Line 3 is not valid UTF-8 \(byte 20 of the line, 0xc3\)/);
  });

  it("refuses lone surrogate escapes, naming the field", () => {
    const path = file("surrogate.jsonl", `${good}\n{"instruction":"Say hi","output":"Hi \\ud800 there"}\n`);
    const e = refusal(() => loadInstructionData(path));
    expect(e.where).toBe(`${path}:2`);
    expect(e.message).toBe('Line 2: the field "output" holds a lone surrogate escape (such as \\ud800), which is not valid Unicode text.');
    // A proper pair is a character, and accepted.
    const pair = file("pair.jsonl", '{"instruction":"Smile","output":"\\ud83d\\ude00"}\n');
    expect(loadInstructionData(pair).examples[0]!.turns[1]!.content).toBe("😀");
  });

  it("refuses a UTF-16 file with a plain message, with or without its byte order mark", () => {
    const withBom = file("utf16.jsonl", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${good}\n`, "utf16le")]));
    const e = refusal(() => loadInstructionData(withBom));
    expect(e.message).toBe("The training data file is UTF-16 text (it starts with a UTF-16 byte order mark); JSONL must be UTF-8.");
    expect(e.where).toBe(`${withBom}:1`);
    const noBom = file("utf16-nobom.jsonl", Buffer.from(`${good}\n`, "utf16le"));
    const e2 = refusal(() => loadInstructionData(noBom));
    expect(e2.message).toBe("Line 1 contains NUL bytes: the file looks like UTF-16 or binary, not UTF-8 text.");
    for (const m of [e.message, e2.message, e.hint ?? "", e2.hint ?? ""]) expect(m.includes("\u0000") || m.includes("\ufffd")).toBe(false);
  });

  it("still reads UTF-8 with a byte order mark and CRLF line ends", () => {
    const path = file("bom.jsonl", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${good}\r\n{"instruction":"Grüße","output":"Hallo"}\r\n`)]));
    const { examples } = loadInstructionData(path);
    expect(examples.map((e) => e.turns[0]!.content)).toEqual(["Say hi", "Grüße"]);
  });
});

describe("a very long example", () => {
  it("is refused as too long, quickly, instead of overflowing the stack", () => {
    const answer = "lorem ipsum dolor sit amet ".repeat(Math.ceil((8 << 20) / 27));
    const path = file("long.jsonl", `${good}\n${JSON.stringify({ instruction: "Repeat", output: answer })}\n`);
    const { examples } = loadInstructionData(path);
    const started = performance.now();
    const e = refusal(() => encodeExample(vocab, examples[1]!, { format: "alpaca", maskPrompt: true, maxLength: 2048 }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(e.code).toBe("sequence-too-long");
    expect(e.where).toBe(`${path}:2`);
    expect(e.message).toMatch(/^Line 2 is at least \d+ tokens long; the maximum sequence length is 2048\.$/);
    expect(() => encodeExample(vocab, examples[1]!, { format: "chat", maskPrompt: true, maxLength: 2048 })).toThrow(/Line 2 is at least/);
  });

  it("that fits the lower bound is still tokenised in full and measured exactly", () => {
    // 20k tokens of text: far more than a spread into push() takes on some stacks, under the bound of the check.
    const answer = "a b c d ".repeat(5000);
    const path = file("medium.jsonl", `${JSON.stringify({ instruction: "Repeat", output: answer })}\n`);
    const { examples } = loadInstructionData(path);
    const e = refusal(() => encodeExample(vocab, examples[0]!, { format: "alpaca", maskPrompt: true, maxLength: 2048 }));
    expect(e.message).toMatch(/^Line 1 is \d+ tokens long/);
    const ok = encodeExample(vocab, examples[0]!, { format: "alpaca", maskPrompt: true, maxLength: 100_000 });
    expect(ok.tokens.length).toBeGreaterThan(10_000);
    expect(ok.target.length).toBe(ok.tokens.length);
  });
});
