import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import iconv from "iconv-lite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImportRecord, ReaderOptions } from "../../../electron/engine/data/ImportRecord.js";
import { inspectFiles } from "../../../electron/engine/data/inspectFiles.js";
import { openReader } from "../../../electron/engine/data/openReader.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { makeTempDir } from "../../support/tempDir.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir("polytune-readers-")));
afterEach(() => cleanup());

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const jsonl = (...records: unknown[]): string => records.map((r) => JSON.stringify(r)).join("\n") + "\n";

async function readAll(files: string[], options: ReaderOptions = {}) {
  const reader = await openReader(files, options);
  const records: ImportRecord[] = [];
  for await (const r of reader.records()) records.push(r);
  const kept = records.filter((r) => r.kind === "conversation");
  const skipped = records.filter((r): r is Extract<ImportRecord, { kind: "skip" }> => r.kind === "skip");
  return { reader, records, kept, skipped };
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

function noStrayText(records: ImportRecord[]): void {
  for (const r of records) {
    if (r.kind !== "conversation") continue;
    for (const t of r.turns) {
      expect(t.content).not.toMatch(/[\r\ufffd]/);
      if (t.input !== undefined) expect(t.input).not.toMatch(/[\r\ufffd]/);
    }
  }
}

describe("instruction formats", () => {
  it("Alpaca JSONL with CRLF endings: instruction, input apart, output; no stray \\r", async () => {
    const path = write("alpaca.jsonl", jsonl({ instruction: "Translate", input: "Hallo", output: "Hello" }, { instruction: "Name a colour", input: "", output: "Blue" }).replace(/\n/g, "\r\n"));
    const { reader, kept } = await readAll([path]);
    expect(reader.format).toBe("alpaca");
    expect(reader.kind).toBe("instructions");
    expect(reader.encoding).toBe("utf-8");
    expect(kept).toEqual([
      { kind: "conversation", file: path, line: 1, turns: [{ role: "user", content: "Translate", input: "Hallo" }, { role: "assistant", content: "Hello" }] },
      { kind: "conversation", file: path, line: 2, turns: [{ role: "user", content: "Name a colour" }, { role: "assistant", content: "Blue" }] },
    ]);
  });

  it("Alpaca JSON array, pretty-printed: each record keeps the line it starts on", async () => {
    const records = [
      { instruction: "First, with [brackets] and {braces} and \"quotes\"", output: "one" },
      { instruction: "Second", input: "x", output: "two" },
      { instruction: "Third", output: "three" },
    ];
    const path = write("alpaca.json", JSON.stringify(records, null, 2));
    const { reader, kept } = await readAll([path]);
    expect(reader.format).toBe("alpaca");
    expect(kept.map((r) => r.line)).toEqual([2, 6, 11]);
    expect(kept.map((r) => (r.kind === "conversation" ? r.turns[1]!.content : ""))).toEqual(["one", "two", "three"]);
    expect(kept[0]!.kind === "conversation" && kept[0]!.turns[0]!.content).toBe(records[0]!.instruction);
  });

  it("a truncated JSON array keeps the complete records and names the cut record", async () => {
    const full = JSON.stringify([{ instruction: "a", output: "1" }, { instruction: "b", output: "2" }, { instruction: "c", output: "3" }], null, 2);
    const path = write("cut.json", full.slice(0, full.lastIndexOf('"c"') + 5));
    const { kept, skipped } = await readAll([path]);
    expect(kept).toHaveLength(2);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.line).toBe(10);
    expect(skipped[0]!.reason).toBe("the JSON array is cut off: the file ends inside record 3, which starts on line 10 (the 2 records before it were read)");
  });

  it("a broken element inside a JSON array is skipped; the elements after it keep their lines", async () => {
    const path = write("broken.json", '[\n  {"instruction": "a", "output": "1"},\n  {"instruction": "b", "output": 2 3},\n  {"instruction": "c", "output": "3"}\n]\n');
    const { kept, skipped } = await readAll([path]);
    expect(kept.map((r) => r.line)).toEqual([2, 4]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.line).toBe(3);
    expect(skipped[0]!.reason).toMatch(/^record 2 \(line 3\) is not valid JSON/);
  });

  it("Dolly: context becomes the input, category kept", async () => {
    const path = write("dolly.jsonl", jsonl({ instruction: "Who wrote it?", context: "Faust is a play by Goethe.", response: "Goethe.", category: "closed_qa" }));
    const { reader, kept } = await readAll([path]);
    expect(reader.format).toBe("dolly");
    expect(kept[0]).toMatchObject({ category: "closed_qa", turns: [{ role: "user", content: "Who wrote it?", input: "Faust is a play by Goethe." }, { role: "assistant", content: "Goethe." }] });
  });

  it("ShareGPT with a system turn and several exchanges stays one conversation", async () => {
    const conversations = [
      { from: "system", value: "Be brief." },
      { from: "human", value: "Hi" },
      { from: "gpt", value: "Hello!" },
      { from: "human", value: "Capital of France?" },
      { from: "gpt", value: "Paris." },
    ];
    const { reader, kept } = await readAll([write("sg.jsonl", jsonl({ id: "c-17", conversations }))]);
    expect(reader.format).toBe("sharegpt");
    expect(kept[0]).toMatchObject({ recordId: "c-17" });
    expect(kept[0]!.kind === "conversation" && kept[0]!.turns.map((t) => `${t.role}:${t.content}`)).toEqual(["system:Be brief.", "user:Hi", "assistant:Hello!", "user:Capital of France?", "assistant:Paris."]);
  });

  it("OpenAI messages with multipart text content; an image part is a skip naming it", async () => {
    const path = write(
      "openai.jsonl",
      jsonl(
        { messages: [{ role: "user", content: [{ type: "text", text: "Describe" }, { type: "text", text: "briefly." }] }, { role: "assistant", content: "Done." }] },
        { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x.png" } }] }, { role: "assistant", content: "A cat." }] },
      ),
    );
    const { reader, kept, skipped } = await readAll([path]);
    expect(reader.format).toBe("openai");
    expect(kept[0]).toMatchObject({ line: 1, turns: [{ role: "user", content: "Describe\nbriefly." }, { role: "assistant", content: "Done." }] });
    expect(skipped[0]).toMatchObject({ line: 2, reason: 'message 1 has a content part of type "image_url"; only text parts can be imported' });
  });

  it("Guanaco text in a JSONL text field, multi-turn", async () => {
    const text = "### Human: Hola ### Assistant: ¡Hola! ¿Qué tal? ### Human: Bien. ### Assistant: Me alegro.";
    const { reader, kept } = await readAll([write("guanaco.jsonl", jsonl({ text }))]);
    expect(reader.format).toBe("guanaco");
    expect(kept[0]!.kind === "conversation" && kept[0]!.turns).toEqual([
      { role: "user", content: "Hola" },
      { role: "assistant", content: "¡Hola! ¿Qué tal?" },
      { role: "user", content: "Bien." },
      { role: "assistant", content: "Me alegro." },
    ]);
  });

  it("Guanaco plain text: a blank line and ### Human: start a new conversation; answers keep their paragraphs", async () => {
    const path = write("guanaco.txt", "### Human: Write two lines.\n### Assistant: Line one.\n\nLine two.\n### Human: Thanks!\n### Assistant: You're welcome.\n\n### Human: Next?\n### Assistant: Yes.\n");
    const { reader, kept } = await readAll([path]);
    expect(reader.format).toBe("guanaco");
    expect(kept.map((r) => r.line)).toEqual([1, 8]);
    expect(kept[0]!.kind === "conversation" && kept[0]!.turns).toEqual([
      { role: "user", content: "Write two lines." },
      { role: "assistant", content: "Line one.\n\nLine two." },
      { role: "user", content: "Thanks!" },
      { role: "assistant", content: "You're welcome." },
    ]);
  });

  it("LIMA: a list of strings alternates user and assistant", async () => {
    const { reader, kept } = await readAll([write("lima.jsonl", jsonl({ conversations: ["Q1", "A1", "Q2", "A2"], source: "multi_turn" }))]);
    expect(reader.format).toBe("lima");
    expect(kept[0]).toMatchObject({ category: "multi_turn", turns: [{ role: "user", content: "Q1" }, { role: "assistant", content: "A1" }, { role: "user", content: "Q2" }, { role: "assistant", content: "A2" }] });
  });

  it("JSON Lines whose lines are bare message lists read as OpenAI messages", async () => {
    const { reader, kept } = await readAll([write("bare.jsonl", jsonl([{ role: "user", content: "Hi" }, { role: "assistant", content: "Hey" }]))]);
    expect(reader.format).toBe("openai");
    expect(kept).toHaveLength(1);
  });
});

describe("records that cannot be used are skipped with a reason; the others keep their lines", () => {
  it("conversation checks", async () => {
    const path = write(
      "checks.jsonl",
      jsonl(
        { messages: [{ role: "user", content: "ok" }, { role: "assistant", content: "fine" }] },
        { messages: [{ role: "tool", content: "x" }, { role: "assistant", content: "y" }] },
        { messages: [{ role: "assistant", content: "I speak first" }, { role: "user", content: "hm" }, { role: "assistant", content: "yes" }] },
        { messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a" }, { role: "user", content: "unanswered" }] },
        { messages: [{ role: "user", content: "q" }, { role: "assistant", content: "   " }] },
        { messages: [{ role: "user", content: "q" }, { role: "user", content: "q again" }, { role: "assistant", content: "a" }] },
        { messages: [{ role: "user" }, { role: "assistant", content: "a" }] },
      ),
    );
    const { kept, skipped } = await readAll([path]);
    expect(kept.map((r) => r.line)).toEqual([1]);
    expect(skipped.map((s) => [s.line, s.reason])).toEqual([
      [2, 'message 1 has an unknown role "tool"'],
      [3, "the conversation cannot be used: it starts with an assistant turn, before any user turn"],
      [4, "the conversation cannot be used: it ends with a user turn that has no answer"],
      [5, "the conversation cannot be used: turn 2 (assistant) has no text"],
      [6, "the conversation cannot be used: turns 1 and 2 are both user turns"],
      [7, "message 1 has no text"],
    ]);
  });

  it("numbers, null, lists and objects where text belongs", async () => {
    const path = write(
      "types.jsonl",
      jsonl(
        { instruction: "ok", output: "fine" },
        { instruction: 42, output: "x" },
        { instruction: "x", output: null },
        { instruction: ["a", "b"], output: "x" },
        { instruction: "x", output: { text: "nested" } },
        { instruction: "x", input: 7, output: "y" },
      ),
    );
    const { kept, skipped } = await readAll([path], { format: "alpaca" });
    expect(kept.map((r) => r.line)).toEqual([1]);
    expect(skipped.map((s) => [s.line, s.reason])).toEqual([
      [2, 'the field "instruction" holds a number (42) where text belongs'],
      [3, 'the field "output" holds null where text belongs'],
      [4, 'the field "instruction" holds a list where text belongs'],
      [5, 'the field "output" holds an object where text belongs'],
      [6, 'the field "input" holds a number (7) where text belongs'],
    ]);
  });

  it("one broken line among good ones, invalid UTF-8 in a string, a NUL byte and a lone surrogate escape", async () => {
    const good = (n: number): string => JSON.stringify({ instruction: `q${n}`, output: `Antwort Nr. ${n} – schön` });
    const path = write(
      "mixed.jsonl",
      Buffer.concat([
        Buffer.from(`${good(1)}\n{"instruction": "broken", "output": \n${good(3)}\n`),
        Buffer.from('{"instruction": "bad '),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`", "output": "x"}\n${good(5)}\n{"instruction": "nul\u0000", "output": "x"}\n`),
        Buffer.from(`{"instruction": "half \\ud800 pair", "output": "x"}\n${good(8)}\n`),
      ]),
    );
    const { kept, skipped } = await readAll([path]);
    expect(kept.map((r) => r.line)).toEqual([1, 3, 5, 8]);
    expect(kept.map((r) => (r.kind === "conversation" ? r.turns[0]!.content : ""))).toEqual(["q1", "q3", "q5", "q8"]);
    expect(skipped.map((s) => s.line)).toEqual([2, 4, 6, 7]);
    expect(skipped[0]!.reason).toMatch(/^line 2 is not valid JSON/);
    expect(skipped[1]!.reason).toBe("line 4 is not valid UTF-8 (byte 22 of the line, 0xc3); if the file is in another encoding, save it as UTF-8");
    expect(skipped[2]!.reason).toBe("line 6 holds a NUL byte (byte 21 of the line); it is not text");
    expect(skipped[3]!.reason).toBe('the field "instruction" holds a lone surrogate escape (such as \\ud800), which is not valid Unicode text');
  });

  it("nesting 100,000 levels deep is a record error, in JSON Lines and in a JSON array, without a stack overflow", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const lines = write("deep.jsonl", `{"instruction": "q", "output": "a"}\n{"instruction": "q", "output": "a", "extra": ${deep}}\n{"instruction": "q2", "output": "a2"}\n`);
    const a = await readAll([lines]);
    expect(a.kept.map((r) => r.line)).toEqual([1, 3]);
    expect(a.skipped[0]).toMatchObject({ line: 2, reason: "line 2 nests more than 100 levels deep; it is not an instruction record" });
    const array = write("deep.json", `[\n{"instruction": "q", "output": "a"},\n${deep},\n{"instruction": "q2", "output": "a2"}\n]\n`);
    const b = await readAll([array], { format: "alpaca" });
    expect(b.kept.map((r) => r.line)).toEqual([2, 4]);
    expect(b.skipped[0]).toMatchObject({ line: 3, reason: "record 2 (line 3) nests more than 100 levels deep; it is not an instruction record" });
  });

  it("a single line of several MB is kept", async () => {
    const answer = "Lorem ipsum dolor sit amet. ".repeat(200_000);
    const { kept } = await readAll([write("long.jsonl", jsonl({ instruction: "Write a lot.", output: answer }, { instruction: "short", output: "ok" }))]);
    expect(kept).toHaveLength(2);
    expect(kept[0]!.kind === "conversation" && kept[0]!.turns[1]!.content.length).toBe(answer.length);
  });
});

describe("field mapping", () => {
  it("misspelt field names: inspect offers the closest names and says a mapping is required; import without one refuses; with one it reads", async () => {
    const path = write("typos.jsonl", jsonl({ instrution: "q1", ouput: "a1", lang: "de" }, { instrution: "q2", ouput: "a2", lang: "de" }));
    const inspection = await inspectFiles([path]);
    expect(inspection).toMatchObject({ format: "jsonl", kind: "instructions", mappingRequired: true, fields: ["instrution", "ouput", "lang"] });
    expect(inspection.suggestedMapping).toEqual({ instruction: "instrution", output: "ouput", language: "lang" });
    expect(inspection.sample[0]).toEqual({ instrution: "q1", ouput: "a1", lang: "de" });

    const error = await refusal(openReader([path]));
    expect(error.code).toBe("data-mapping-required");
    expect(error.message).toContain('typos.jsonl does not name its fields the way a known format does (its fields are "instrution", "ouput", "lang")');
    expect(error.hint).toContain('instruction ← "instrution"');

    const { kept } = await readAll([path], { mapping: inspection.suggestedMapping });
    expect(kept).toHaveLength(2);
    expect(kept[0]).toMatchObject({ claimedLanguage: "de", turns: [{ role: "user", content: "q1" }, { role: "assistant", content: "a1" }] });
  });

  it("unknown field names with a chosen format refuse rather than import empty examples", async () => {
    const path = write("unknown.jsonl", jsonl({ frage: "q", antwort: "a" }));
    const error = await refusal(openReader([path], { format: "alpaca" }));
    expect(error.code).toBe("data-mapping-required");
    const mapped = await readAll([path], { mapping: { instruction: "frage", output: "antwort" } });
    expect(mapped.kept).toHaveLength(1);
    const wrong = await refusal(openReader([path], { mapping: { instruction: "frage", output: "answer" } }));
    expect(wrong.code).toBe("data-mapping");
    expect(wrong.message).toContain('"answer" (for output)');
  });
});

describe("CSV and TSV", () => {
  it("quoted newlines, doubled quotes and ragged rows, reported per record with their lines", async () => {
    const path = write("data.csv", 'instruction,input,output\n"Write a poem","","Roses are red,\nviolets are blue"\nSay hi,,"He said ""hi"""\ntoo,few\nfine,,row\n');
    const { reader, kept, skipped } = await readAll([path]);
    expect(reader.format).toBe("csv");
    expect(kept.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(kept[0]!.kind === "conversation" && kept[0]!.turns[1]!.content).toBe("Roses are red,\nviolets are blue");
    expect(kept[1]!.kind === "conversation" && kept[1]!.turns[1]!.content).toBe('He said "hi"');
    expect(skipped).toEqual([{ kind: "skip", file: path, line: 5, reason: "line 5: the row has 2 fields; the header has 3" }]);
  });

  it("Excel's BOM + CRLF CSV: BOM gone from the first column name, no stray \\r even in quoted newlines", async () => {
    const body = 'prompt,response\r\n"Line one\r\nline two",Antwort mit Umlaut ä\r\n';
    const path = write("excel.csv", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
    const inspection = await inspectFiles([path]);
    expect(inspection.fields).toEqual(["prompt", "response"]);
    expect(inspection.encoding).toBe("utf-8 (BOM)");
    const { records, kept } = await readAll([path], { mapping: inspection.suggestedMapping });
    expect(kept[0]!.kind === "conversation" && kept[0]!.turns).toEqual([{ role: "user", content: "Line one\nline two" }, { role: "assistant", content: "Antwort mit Umlaut ä" }]);
    noStrayText(records);
  });

  it("TSV with a header", async () => {
    const { reader, kept } = await readAll([write("data.tsv", "instruction\toutput\tcategory\nq1\ta1\tqa\nq2\ta2\tqa\n")]);
    expect(reader.format).toBe("tsv");
    expect(kept).toHaveLength(2);
    expect(kept[1]).toMatchObject({ line: 3, category: "qa" });
  });
});

describe("Parquet (hyparquet)", () => {
  function writeParquet(name: string): string {
    const path = join(dir, name);
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: "instruction", data: ["Übersetze: cat", "Name a prime", "Broken"] },
        { name: "input", data: ["", null, ""] },
        { name: "output", data: ["Katze", "7", null] },
      ],
    });
    return path;
  }

  it("reads rows as examples; the row number is the line", async () => {
    const path = writeParquet("data.parquet");
    const { reader, kept, skipped } = await readAll([path]);
    expect(reader.format).toBe("parquet");
    expect(reader.encoding).toBe("binary");
    expect(kept.map((r) => r.line)).toEqual([1, 2]);
    expect(kept[0]!.kind === "conversation" && kept[0]!.turns).toEqual([{ role: "user", content: "Übersetze: cat" }, { role: "assistant", content: "Katze" }]);
    expect(skipped).toEqual([{ kind: "skip", file: path, line: 3, reason: 'the field "output" holds null where text belongs' }]);
  });

  it("a truncated Parquet file is refused clearly", async () => {
    const path = writeParquet("cut.parquet");
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    const error = await refusal(openReader([path]));
    expect(error.code).toBe("data-parquet");
    expect(error.message).toBe('cut.parquet cannot be read as Parquet: it does not end with the Parquet marker "PAR1", so it is truncated.');
    expect(error.where).toBe(path);
  });

  it("a footer claiming more metadata than the file holds is refused before any allocation", async () => {
    const path = writeParquet("huge-footer.parquet");
    const bytes = readFileSync(path);
    bytes.writeUInt32LE(0xfffffff0, bytes.length - 8);
    writeFileSync(path, bytes);
    const error = await refusal(openReader([path]));
    expect(error.code).toBe("data-parquet");
    expect(error.message).toContain(`its footer claims ${0xfffffff0} bytes of metadata, more than the whole file (${bytes.length} bytes)`);
  });
});

describe("whole-file refusals and sniffing by content", () => {
  it("a ZIP archive under a .jsonl name", async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60, 1)]);
    const error = await refusal(openReader([write("data.jsonl", zip)]));
    expect(error.code).toBe("data-wrong-format");
    expect(error.message).toBe("data.jsonl is a ZIP archive, not a data file Polytune can read.");
    expect(error.hint).toMatch(/Unpack it/);
  });

  it("a JSON array under a .csv name and a CSV under a .jsonl name are named for what they are and read as such", async () => {
    const array = await readAll([write("actually.csv", JSON.stringify([{ instruction: "q", output: "a" }], null, 1))]);
    expect(array.reader.notes).toContain("actually.csv is a JSON array, whatever its name says; it was read as such.");
    expect(array.kept).toHaveLength(1);
    const csv = await readAll([write("x.jsonl", "instruction,output\nq,a\n")]);
    expect(csv.reader.notes).toContain("x.jsonl is a CSV file, whatever its name says; it was read as such.");
    expect(csv.reader.format).toBe("csv");
    expect(csv.kept).toHaveLength(1);
  });

  it("empty and whitespace-only files", async () => {
    expect((await refusal(openReader([write("e.jsonl", "")]))).message).toBe("e.jsonl is empty (0 bytes).");
    expect((await refusal(openReader([write("w.jsonl", "  \n \r\n")]))).message).toBe("w.jsonl holds only whitespace: there is nothing to import.");
  });

  it("a chosen format the content contradicts is refused", async () => {
    const error = await refusal(openReader([write("a.jsonl", jsonl({ instruction: "q", output: "a" }))], { format: "parquet" }));
    expect(error.code).toBe("data-wrong-format");
    expect(error.message).toBe('a.jsonl is a JSON Lines file, which cannot be read as "parquet".');
  });

  it("UTF-16 and Windows-1252 JSON Lines are converted with a note, text intact", async () => {
    const text = jsonl({ instruction: "Café crème, s'il vous plaît. Größe und Übermaß.", output: "Très bien, voilà." });
    const u16 = await readAll([write("u16.jsonl", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]))]);
    expect(u16.reader.encoding).toBe("utf-16le → utf-8");
    const cp = await readAll([write("cp.jsonl", iconv.encode(text, "windows-1252"))]);
    expect(cp.reader.encoding).toBe("windows-1252 → utf-8");
    expect(cp.reader.notes.join(" ")).toMatch(/windows-1252/);
    for (const r of [u16, cp]) {
      expect(r.kept[0]!.kind === "conversation" && r.kept[0]!.turns[0]!.content).toBe("Café crème, s'il vous plaît. Größe und Übermaß.");
      noStrayText(r.records);
    }
  });

  it("an import stops with data-cancelled when its signal is aborted mid-file", async () => {
    const path = write("big.jsonl", jsonl(...Array.from({ length: 50_000 }, (_, i) => ({ instruction: `q${i}`, output: `a${i}` }))));
    const controller = new AbortController();
    const reader = await openReader([path], { signal: controller.signal });
    let seen = 0;
    const error = await refusal((async () => {
      for await (const _ of reader.records()) if (++seen === 10) controller.abort();
    })());
    expect(error.code).toBe("data-cancelled");
    expect(seen).toBeLessThan(50_000);
  });

  it("several files read in order, each record naming its own file; progress counts bytes over all of them", async () => {
    const a = write("a.jsonl", jsonl({ instruction: "qa", output: "aa" }));
    const b = write("b.jsonl", jsonl({ instruction: "qb", output: "ab" }, { instruction: "qc", output: "ac" }));
    let last = 0;
    const { reader, kept } = await readAll([a, b], { onBytes: (n) => (last = n) });
    expect(kept.map((r) => [r.file, r.line])).toEqual([[a, 1], [b, 1], [b, 2]]);
    expect(last).toBe(reader.bytesTotal);
  });
});

describe("parallel text under \"auto\" goes to the parallel readers", () => {
  it("a two-column TSV naming languages, two line-aligned files, and a TMX file", async () => {
    const tsv = await openReader([write("pairs.tsv", "en\tde\nHello\tHallo\nThank you\tDanke\n")]);
    expect([tsv.format, tsv.kind]).toEqual(["tsv-pairs", "parallel"]);
    const pairs: ImportRecord[] = [];
    for await (const r of tsv.records()) pairs.push(r);
    expect(pairs[0]).toMatchObject({ kind: "pair", line: 2, source: "Hello", target: "Hallo" });

    const moses = await openReader([write("corpus.en", "Hello\nThank you\n"), write("corpus.de", "Hallo\nDanke\n")]);
    expect([moses.format, moses.kind]).toEqual(["moses", "parallel"]);

    const tmx = await openReader([write("memory.tmx", '<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="t" creationtoolversion="1"/><body><tu><tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="de"><seg>Hallo</seg></tuv></tu></body></tmx>\n')]);
    expect([tmx.format, tmx.kind]).toEqual(["tmx", "parallel"]);

    const inspection = await inspectFiles([join(dir, "pairs.tsv")]);
    expect(inspection).toMatchObject({ format: "tsv-pairs", kind: "parallel", mappingRequired: false });
    expect(inspection.sample[0]).toMatchObject({ source: "Hello", target: "Hallo" });
  });

  it("two unnamed TSV columns that name no languages are instructions needing a mapping, not pairs", async () => {
    const path = write("qa.tsv", "Frage\tAntwort\nWie spät?\tZehn.\n");
    const inspection = await inspectFiles([path]);
    expect(inspection).toMatchObject({ format: "tsv", kind: "instructions", mappingRequired: true, fields: ["Frage", "Antwort"] });
    expect((await refusal(openReader([path]))).code).toBe("data-mapping-required");
    const { kept } = await readAll([path], { mapping: { instruction: "Frage", output: "Antwort" } });
    expect(kept[0]).toMatchObject({ line: 2, turns: [{ role: "user", content: "Wie spät?" }, { role: "assistant", content: "Zehn." }] });
  });

  it("one plain-text file is refused with what to choose instead", async () => {
    const error = await refusal(openReader([write("sentences.txt", "One sentence.\nAnother one.\n")]));
    expect(error.code).toBe("data-wrong-format");
    expect(error.hint).toMatch(/both files/);
  });
});
