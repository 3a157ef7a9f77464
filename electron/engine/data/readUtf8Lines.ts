// The lines of a training file, read strictly as UTF-8: shared by the readers of instruction data and of raw text.
import { readFileSync, statSync } from "node:fs";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { firstInvalidByte } from "./decodeText.js";

const saveAsUtf8 = "Save the file as UTF-8 (in most editors: Save As → Encoding: UTF-8) and try again.";

function readBytes(file: string): Buffer {
  try {
    if (!statSync(file).isFile()) throw new Error("not a regular file");
    return readFileSync(file);
  } catch (error) {
    throw new PolytuneError("data-unreadable", "The training data file cannot be read.", { where: file, hint: "Check the path: it must name a file you can read.", details: String(error) });
  }
}

/**
 * The file's lines (a trailing \r kept), refusing anything that is not UTF-8 at the line where it goes
 * wrong: decoding leniently would put U+FFFD into the training text without anyone noticing. `format`
 * names what the file must be in the UTF-16 refusal ("JSONL", "training text").
 */
export function readUtf8Lines(file: string, format: string): string[] {
  const bytes = readBytes(file);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new PolytuneError("data-encoding", `The training data file is UTF-16 text (it starts with a UTF-16 byte order mark); ${format} must be UTF-8.`, { where: `${file}:1`, hint: saveAsUtf8 });
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const lines: string[] = [];
  let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (at <= bytes.length) {
    let end = bytes.indexOf(0x0a, at);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(at, end);
    const lineNo = lines.length + 1;
    if (line.includes(0)) {
      throw new PolytuneError("data-encoding", `Line ${lineNo} contains NUL bytes: the file looks like UTF-16 or binary, not UTF-8 text.`, { where: `${file}:${lineNo}`, hint: saveAsUtf8 });
    }
    try {
      lines.push(decoder.decode(line));
    } catch {
      const column = firstInvalidByte(line);
      throw new PolytuneError("data-encoding", `Line ${lineNo} is not valid UTF-8 (byte ${column + 1} of the line, 0x${line[column]!.toString(16).padStart(2, "0")}); the file may be in another encoding such as Windows-1252 or Latin-1.`, {
        where: `${file}:${lineNo}`,
        hint: saveAsUtf8,
      });
    }
    at = end + 1;
  }
  return lines;
}
