import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { demoLanguages } from "./demoAssets.js";

/** One held-out record as the open suite reads it ("id", "language", "prompt"). */
export interface DemoPrompt {
  id: string;
  language: string;
  prompt: string;
}

export interface DemoSplit {
  /** The shipped instruction files without the held-out records, one per language: what the demo imports. */
  tuningFiles: string[];
  /** The held-out prompts, every language, as the open suite's JSONL. */
  promptsPath: string;
  prompts: DemoPrompt[];
}

interface ShippedRecord {
  id: string;
  instruction: string;
  input: string;
}

/**
 * Splits the shipped instructions: the first `heldOut` records of every language (the same ids in each,
 * the files being aligned) become the evaluation's prompts, the rest the data mixes are drawn from, so no
 * prompt is ever trained on. The files are a function of the shipped data alone: written again, they
 * are byte for byte the same, and the import is reused.
 */
export function writeDemoSplit(dataDir: string, outDir: string, heldOut: number): DemoSplit {
  mkdirSync(join(outDir, "tuning"), { recursive: true });
  const prompts: DemoPrompt[] = [];
  const tuningFiles = demoLanguages.map((language) => {
    const file = join(dataDir, `instructions.${language}.jsonl`);
    const lines = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    if (lines.length <= heldOut) throw new PolytuneError("demo-data-short", `The demo data has ${lines.length} records in ${language}, too few to hold ${heldOut} out.`, { where: file, hint: "Reinstall Polytune." });
    for (const line of lines.slice(0, heldOut)) {
      const r = JSON.parse(line) as ShippedRecord;
      // The prompt as the open suite builds it from an Alpaca record: instruction, then the input.
      prompts.push({ id: r.id, language, prompt: r.input.trim() ? `${r.instruction}\n\n${r.input}` : r.instruction });
    }
    const tuning = join(outDir, "tuning", `instructions.${language}.jsonl`);
    writeFileSync(tuning, `${lines.slice(heldOut).join("\n")}\n`);
    return tuning;
  });
  const promptsPath = join(outDir, "prompts.jsonl");
  writeFileSync(promptsPath, `${prompts.map((p) => JSON.stringify(p)).join("\n")}\n`);
  return { tuningFiles, promptsPath, prompts };
}
