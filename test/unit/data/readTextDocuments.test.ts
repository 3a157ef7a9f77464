import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readTextDocuments } from "../../../electron/engine/data/readTextDocuments.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

function file(name: string, content: string | Buffer): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, content);
  return path;
}

function refusal(files: string[]): { code: string; where?: string; message: string } {
  try {
    readTextDocuments(files);
  } catch (error) {
    return error as { code: string; where?: string; message: string };
  }
  throw new Error("not refused");
}

describe("readTextDocuments", () => {
  it("reads a .txt file as one document, kept byte for byte, and .jsonl as one document per line", () => {
    const txt = file("story.txt", "\ufeffEs war einmal.\r\nЖили-были.\n\n你好。\n");
    const jsonl = file("docs.jsonl", [JSON.stringify({ text: "first" }), "", JSON.stringify({ text: "second\nline", id: 7 }), JSON.stringify({ text: "  " })].join("\n"));
    expect(readTextDocuments([txt, jsonl])).toEqual([
      { text: "Es war einmal.\r\nЖили-были.\n\n你好。\n", source: { file: txt, line: 1 } },
      { text: "first", source: { file: jsonl, line: 1 } },
      { text: "second\nline", source: { file: jsonl, line: 3 } },
    ]);
  });

  it("names file and line of a malformed record, and the field", () => {
    const bad = file("bad.jsonl", [JSON.stringify({ text: "ok" }), "{not json"].join("\n"));
    expect(refusal([bad])).toMatchObject({ code: "data-malformed", where: `${bad}:2`, message: expect.stringMatching(/Line 2 is not valid JSON/) });
    const missing = file("missing.jsonl", [JSON.stringify({ text: "ok" }), JSON.stringify({ body: "x" })].join("\n"));
    expect(refusal([missing])).toMatchObject({ code: "data-malformed", where: `${missing}:2 (text)`, message: 'Line 2: the field "text" is missing.' });
    const number = file("number.jsonl", JSON.stringify({ text: 5 }));
    expect(refusal([number])).toMatchObject({ where: `${number}:1 (text)`, message: 'Line 1: the field "text" is a number, not a string.' });
    const array = file("array.jsonl", "[1]");
    expect(refusal([array])).toMatchObject({ where: `${array}:1`, message: "Line 1 is not a JSON object." });
    const surrogate = file("surrogate.jsonl", '{"text": "a\\ud800b"}');
    expect(refusal([surrogate])).toMatchObject({ code: "data-encoding", where: `${surrogate}:1` });
  });

  it("refuses text that is not UTF-8 at the line and byte where it goes wrong", () => {
    const latin1 = file("latin1.txt", Buffer.concat([Buffer.from("fine\nalso fine\ncaf"), Buffer.from([0xe9]), Buffer.from("\n")]));
    expect(refusal([latin1])).toMatchObject({ code: "data-encoding", where: `${latin1}:3`, message: "Line 3 is not valid UTF-8 (byte 4 of the line, 0xe9); the file may be in another encoding such as Windows-1252 or Latin-1." });
    const utf16 = file("utf16.txt", Buffer.from("\ufeffhello", "utf16le"));
    expect(refusal([utf16])).toMatchObject({ code: "data-encoding", where: `${utf16}:1` });
    const nul = file("nul.jsonl", Buffer.from('{"text":"a"}\n{"te\0xt":"b"}'));
    expect(refusal([nul])).toMatchObject({ code: "data-encoding", where: `${nul}:2` });
  });

  it("refuses missing files, other extensions and files without text", () => {
    expect(refusal([join(tmp.dir, "absent.txt")])).toMatchObject({ code: "data-unreadable" });
    expect(refusal([file("data.csv", "a,b")])).toMatchObject({ code: "data-format" });
    expect(refusal([file("blank.txt", " \n\n")])).toMatchObject({ code: "data-empty" });
    expect(refusal([file("blank.jsonl", JSON.stringify({ text: "" }))])).toMatchObject({ code: "data-empty" });
  });
});
