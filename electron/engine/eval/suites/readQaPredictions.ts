// Reads QA predictions made by any system: JSONL with one {"id", "prediction"} per line (the issue's
// format), or, for a .json file, the official SQuAD scripts' {"id": "prediction", …} object.
import { readFileSync } from "node:fs";
import { PolytuneError } from "../../../shared/PolytuneError.js";

export interface QaPrediction {
  prediction: string;
  /** file:line, for messages. */
  where: string;
}

function bad(message: string, where: string, hint?: string): never {
  throw new PolytuneError("qa-predictions", message, { where, hint });
}

export function readQaPredictions(file: string): Map<string, QaPrediction> {
  let text: string;
  try {
    text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    throw new PolytuneError("not-found", "The predictions file cannot be read.", { where: file, details: (error as Error).message, cause: error });
  }
  const out = new Map<string, QaPrediction>();
  if (file.toLowerCase().endsWith(".json")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new PolytuneError("qa-predictions", "The predictions file is not valid JSON.", { where: file, details: (error as Error).message, cause: error });
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) bad('A .json predictions file must be one object {"id": "prediction", …}.', file, "Or write JSONL (.jsonl), one {\"id\", \"prediction\"} per line.");
    for (const [id, prediction] of Object.entries(json)) {
      if (typeof prediction !== "string") bad(`The prediction for "${id}" is not a string.`, `${file}: ${id}`);
      out.set(id, { prediction, where: `${file}: ${id}` });
    }
    return out;
  }
  text.split(/\r?\n/).forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (line.trim() === "") return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new PolytuneError("qa-predictions", "This line is not valid JSON.", { where, details: (error as Error).message, hint: 'Each line must be one {"id", "prediction"} object.', cause: error });
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) bad('This line is not a {"id", "prediction"} object.', where);
    const { id, prediction } = record as Record<string, unknown>;
    if (typeof id !== "string" || id === "") bad('Field "id" is missing or not a non-empty string.', `${where}: id`);
    if (typeof prediction !== "string") bad(`Field "prediction" is missing or not a string (id "${id}").`, `${where}: prediction`, "An empty answer is written as \"\".");
    const earlier = out.get(id);
    if (earlier) bad(`Id "${id}" has a second prediction (first at ${earlier.where}).`, where);
    out.set(id, { prediction, where });
  });
  return out;
}
