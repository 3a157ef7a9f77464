import { writeFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTextFile, type TextLine } from "../../../electron/engine/data/decodeText.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { makeTempDir } from "../../support/tempDir.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir("polytune-decode-")));
afterEach(() => cleanup());

function write(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function allLines(path: string, maxLineBytes?: number): Promise<{ encoding: string; notes: string[]; lines: TextLine[] }> {
  const file = await openTextFile(path, maxLineBytes ? { maxLineBytes } : {});
  const lines: TextLine[] = [];
  for await (const l of file.lines()) lines.push(l);
  return { encoding: file.encoding, notes: file.notes, lines };
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

describe("openTextFile", () => {
  it("reads UTF-8 with a BOM and CRLF endings: BOM dropped with a note, no stray \\r", async () => {
    const path = write("bom.jsonl", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("première\r\nzweite Zeile\r\n")]));
    const { encoding, notes, lines } = await allLines(path);
    expect(encoding).toBe("utf-8 (BOM)");
    expect(notes[0]).toMatch(/byte order mark/);
    expect(lines).toEqual([
      { line: 1, text: "première" },
      { line: 2, text: "zweite Zeile" },
    ]);
  });

  it.each(["le", "be"] as const)("decodes UTF-16 %s with a BOM to the same text, with a note", async (endian) => {
    const text = "Grüße\r\n你好，世界\n😀 emoji\n";
    let body = Buffer.from(text, "utf16le");
    if (endian === "be") body = Buffer.from(body).swap16();
    const bom = endian === "le" ? [0xff, 0xfe] : [0xfe, 0xff];
    const { encoding, notes, lines } = await allLines(write(`u16${endian}.txt`, Buffer.concat([Buffer.from(bom), body])));
    expect(encoding).toBe(`utf-16${endian} → utf-8`);
    expect(notes[0]).toMatch(/UTF-16/);
    expect(lines).toEqual([
      { line: 1, text: "Grüße" },
      { line: 2, text: "你好，世界" },
      { line: 3, text: "😀 emoji" },
    ]);
  });

  it("converts a Windows-1252 file with a note naming the encoding, never leaving U+FFFD", async () => {
    const text = "Die Größe der Straße überrascht. Café, crème brûlée, naïve façade.\nÄrger über Öl und Übermaß.\n";
    const { encoding, notes, lines } = await allLines(write("latin.txt", iconv.encode(text, "windows-1252")));
    expect(encoding).toBe("windows-1252 → utf-8");
    expect(notes[0]).toMatch(/windows-1252/);
    expect(lines).toEqual([
      { line: 1, text: "Die Größe der Straße überrascht. Café, crème brûlée, naïve façade." },
      { line: 2, text: "Ärger über Öl und Übermaß." },
    ]);
  });

  it("converts a Windows-1251 (Cyrillic) file", async () => {
    const text = "Привет, как дела? Это пример текста на русском языке.\nВторая строка текста.\n";
    const { encoding, lines } = await allLines(write("ru.txt", iconv.encode(text, "windows-1251")));
    expect(encoding).toBe("windows-1251 → utf-8");
    expect(lines.map((l) => ("text" in l ? l.text : l.error))).toEqual(["Привет, как дела? Это пример текста на русском языке.", "Второй строка текста.".replace("Второй", "Вторая")]);
  });

  it("refuses a legacy file when the detector is unsure, naming the file", async () => {
    // Polish in Windows-1250: the detector rates windows-1252 and windows-1250 alike.
    const error = await refusal(openTextFile(write("unsure.txt", iconv.encode(`${JSON.stringify({ instruction: "Zażółć gęślą jaźń", output: "Dobrze." })}\n`, "windows-1250"))));
    expect(error.code).toBe("data-encoding");
    expect(error.message).toContain("unsure.txt is not UTF-8");
    expect(error.hint).toMatch(/UTF-8/);
  });

  it("reports a line of invalid UTF-8 inside a UTF-8 file as that line's error, with the byte position; other lines keep their numbers", async () => {
    const path = write("bad.jsonl", Buffer.concat([Buffer.from("ünïcödé fine\n"), Buffer.from([0x61, 0x62, 0xff, 0x63, 0x0a]), Buffer.from("third\n")]));
    const { lines } = await allLines(path);
    expect(lines[0]).toEqual({ line: 1, text: "ünïcödé fine" });
    expect(lines[1]).toEqual({ line: 2, error: "line 2 is not valid UTF-8 (byte 3 of the line, 0xff); if the file is in another encoding, save it as UTF-8" });
    expect(lines[2]).toEqual({ line: 3, text: "third" });
  });

  it("reports a stray NUL byte as that line's error", async () => {
    const { lines } = await allLines(write("nul.txt", Buffer.from("one\ntw\u0000o\nthree\n")));
    expect(lines[1]).toEqual({ line: 2, error: "line 2 holds a NUL byte (byte 3 of the line); it is not text" });
    expect(lines[2]).toEqual({ line: 3, text: "three" });
  });

  it("treats a file with too few non-ASCII bytes to tell an encoding as UTF-8, reporting the bad line", async () => {
    const { encoding, lines } = await allLines(write("one-bad.txt", Buffer.from([0x61, 0x0a, 0x62, 0xe9, 0x0a, 0x63, 0x0a])));
    expect(encoding).toBe("utf-8");
    expect(lines.map((l) => ("text" in l ? l.text : "error"))).toEqual(["a", "error", "c"]);
  });

  it("refuses random high bytes rather than decode them as a multi-byte legacy encoding", async () => {
    const bytes = Buffer.alloc(300);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 3 === 0 ? 0x80 + ((i * 37) % 128) : 0x61 + (i % 26);
    const error = await refusal(openTextFile(write("noise.txt", bytes)));
    expect(error.code).toBe("data-encoding");
  });

  it("refuses a binary file full of NUL bytes", async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i += 3) bytes[i] = (i * 7) % 251;
    const error = await refusal(openTextFile(write("blob.jsonl", bytes)));
    expect(error.code).toBe("data-binary");
    expect(error.where).toContain("blob.jsonl");
  });

  it("refuses UTF-16 without a BOM with what to do", async () => {
    const error = await refusal(openTextFile(write("nobom.txt", Buffer.from("hello world, plain text\n".repeat(20), "utf16le"))));
    expect(error.code).toBe("data-binary");
    expect(error.message).toMatch(/UTF-16 text without a byte order mark/);
    expect(error.hint).toMatch(/UTF-8/);
  });

  it("refuses an empty file and a whitespace-only file", async () => {
    const empty = await refusal(openTextFile(write("empty.jsonl", "")));
    expect(empty.code).toBe("data-empty");
    expect(empty.message).toContain("empty.jsonl is empty");
    const blank = await refusal(allLines(write("blank.jsonl", " \n\t\r\n  \n")));
    expect(blank.code).toBe("data-empty");
    expect(blank.message).toContain("holds only whitespace");
  });

  it("skips a line over the cap as that line's error, and reads the lines after it", async () => {
    const path = write("long.txt", `short\n${"x".repeat(300_000)}\nafter\n`);
    const { lines } = await allLines(path, 100_000);
    expect(lines).toEqual([
      { line: 1, text: "short" },
      { line: 2, error: "line 2 is longer than 0.1 MiB; it was skipped" },
      { line: 3, text: "after" },
    ]);
  });

  it("reads a single line of several MB whole", async () => {
    const long = "ä".repeat(3_000_000);
    const { lines } = await allLines(write("big.txt", `${long}\nend`));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ line: 1, text: long });
    expect(lines[1]).toEqual({ line: 2, text: "end" });
  });

  it("stops with data-cancelled when the signal is aborted", async () => {
    const controller = new AbortController();
    const file = await openTextFile(write("many.txt", "line\n".repeat(500_000)), { signal: controller.signal });
    controller.abort();
    const error = await refusal((async () => {
      for await (const _ of file.lines()) void _;
    })());
    expect(error.code).toBe("data-cancelled");
  });
});
