import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspectFiles } from "../../../electron/engine/data/inspectFiles.js";
import { sniffFormat } from "../../../electron/engine/data/sniffFormat.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { makeTempDir } from "../../support/tempDir.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir("polytune-sniff-")));
afterEach(() => cleanup());

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function refusal(promise: Promise<unknown>): Promise<PolytuneError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PolytuneError);
    return error as PolytuneError;
  }
  throw new Error("expected a refusal");
}

describe("sniffFormat tells a file by its content", () => {
  it.each([
    ["a.json", '[\n  {"instruction": "q", "output": "a"}\n]\n', "json-array"],
    ["a.json", '[{"instruction": "q", "output": "a"}, {"instruction": "q2", "output": "a2"}]', "json-array"],
    ["a.jsonl", '[{"role": "user", "content": "q"}]\n[{"role": "user", "content": "r"}]\n', "json-lines"],
    ["a.jsonl", '{"a": 1}\n{"a": 2}\n', "json-lines"],
    ["a.jsonl", '{"a": \n{"a": 2}\n', "json-lines"],
    ["a.csv", 'instruction,output\n"q, with comma",a\n', "csv"],
    ["a.tsv", "instruction\toutput\nq\ta\n", "tsv"],
    ["a.txt", "### Human: hi\n### Assistant: hello\n", "guanaco-text"],
    ["a.tmx", '<?xml version="1.0"?>\n<tmx version="1.4"></tmx>\n', "xml"],
    ["a.txt", "Just a sentence.\nAnother sentence.\n", "text"],
    ["a.de", "Am Montag, so heißt es, kam er.\nEr sagte, dass er, wie immer, zu spät sei.\nNein.\n", "text"],
  ])("%s holding %j is %s", async (name, content, container) => {
    expect((await sniffFormat(write(name, content))).container).toBe(container);
  });

  it("Parquet by its PAR1 magic, whatever the name", async () => {
    const sniffed = await sniffFormat(write("table.jsonl", Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(32)])));
    expect(sniffed.container).toBe("parquet");
    expect(sniffed.notes).toEqual(["table.jsonl is a Parquet file, whatever its name says; it was read as such."]);
  });

  it.each([
    [[0x1f, 0x8b, 0x08, 0x00], "data.jsonl is gzip-compressed, not a data file Polytune can read."],
    [[0x25, 0x50, 0x44, 0x46, 0x2d], "data.jsonl is a PDF document, not a data file Polytune can read."],
    [[0x50, 0x4b, 0x05, 0x06], "data.jsonl is a ZIP archive, not a data file Polytune can read."],
  ])("refuses binary containers by their magic bytes (%j)", async (magic, message) => {
    const error = await refusal(sniffFormat(write("data.jsonl", Buffer.concat([Buffer.from(magic), Buffer.alloc(40, 7)]))));
    expect(error.code).toBe("data-wrong-format");
    expect(error.message).toBe(message);
  });

  it("refuses one JSON object spread over several lines, saying what it reads instead", async () => {
    const error = await refusal(sniffFormat(write("obj.json", '{\n  "data": [\n    {"instruction": "q"}\n  ]\n}\n')));
    expect(error.code).toBe("data-wrong-format");
    expect(error.where).toMatch(/obj\.json:1$/);
    expect(error.message).toMatch(/single JSON object spread over several lines/);
  });
});

describe("inspectFiles", () => {
  it("a CSV with known column names needs no mapping and shows rows as text", async () => {
    const inspection = await inspectFiles([write("d.csv", "instruction,input,output,category\nq1,,a1,qa\nq2,in,a2,qa\n")]);
    expect(inspection).toMatchObject({
      format: "csv",
      kind: "instructions",
      mappingRequired: false,
      fields: ["instruction", "input", "output", "category"],
      suggestedMapping: { instruction: "instruction", input: "input", output: "output", category: "category" },
    });
    expect(inspection.sample).toEqual([
      { instruction: "q1", input: "", output: "a1", category: "qa" },
      { instruction: "q2", input: "in", output: "a2", category: "qa" },
    ]);
  });

  it("a CSV with unknown column names requires a mapping", async () => {
    const inspection = await inspectFiles([write("d.csv", "Frage,Antwort\nq1,a1\n")]);
    expect(inspection.mappingRequired).toBe(true);
    expect(inspection.suggestedMapping).toEqual({});
    expect(inspection.fields).toEqual(["Frage", "Antwort"]);
  });

  it("a file that cannot be read at all is refused as the import would refuse it", async () => {
    const error = await refusal(inspectFiles([write("empty.csv", "")]));
    expect(error.code).toBe("data-empty");
  });
});
