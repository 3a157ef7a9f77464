import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ImportRecord } from "../../../electron/engine/data/ImportRecord.js";
import { inspectFiles } from "../../../electron/engine/data/inspectFiles.js";
import { openReader } from "../../../electron/engine/data/openReader.js";
import { sniffFormat } from "../../../electron/engine/data/sniffFormat.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";

const lima = join(sharedDataDir, "lima", "lima.en.jsonl");
const seedDir = join(sharedDataDir, "alpaca_seed_tasks_multilingual");
const chirkovaDir = join(sharedDataDir, "chirkova2024_alpacaeval_subset");
const flores = join(sharedDataDir, "flores101_devtest_de_en_ro_zh");
const tatoeba = join(sharedDataDir, "tatoeba_laser");
const present = prerequisite(existsSync(lima) && existsSync(join(seedDir, "seed_tasks.en.jsonl")) && existsSync(join(chirkovaDir, "alpacaeval_test_subset.fr.jsonl")), `the shared instruction data (${lima}, ${seedDir}, ${chirkovaDir})`);

async function readAll(files: string[]): Promise<{ format: string; records: ImportRecord[] }> {
  const reader = await openReader(files);
  const records: ImportRecord[] = [];
  for await (const r of reader.records()) records.push(r);
  return { format: reader.format, records };
}

/** The file's records parsed independently of the readers, to compare with. */
function jsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!present)("readers on the real files in ../shared/data", () => {
  it("LIMA: every conversation kept with its turns, the one ending on an unanswered question skipped", async () => {
    const { format, records } = await readAll([lima]);
    expect(format).toBe("lima");
    const source = jsonLines(lima);
    expect(records).toHaveLength(source.length);
    const skipped = records.filter((r) => r.kind === "skip");
    expect(skipped).toEqual([{ kind: "skip", file: lima, line: 1022, reason: "the conversation cannot be used: it ends with a user turn that has no answer" }]);
    expect((source[1021]!.conversations as string[]).length).toBe(5);
    for (const [i, r] of records.entries()) {
      if (r.kind !== "conversation") continue;
      expect(r.line).toBe(i + 1);
      const turns = source[i]!.conversations as string[];
      expect(r.turns.map((t) => t.content)).toEqual(turns);
      expect(r.turns.map((t) => t.role)).toEqual(turns.map((_, k) => (k % 2 === 0 ? "user" : "assistant")));
      expect(r.category).toBe(source[i]!.source);
    }
    const multi = records.filter((r) => r.kind === "conversation" && r.turns.length > 2);
    expect(multi).toHaveLength(29);
  });

  it.each([
    ["en", 175],
    ["fi", 175],
    ["da", 176],
    ["hu", 137],
  ])("Alpaca seed tasks (%s): %i examples, instruction and answer as written", async (lang, count) => {
    const file = join(seedDir, `seed_tasks.${lang}.jsonl`);
    const { format, records } = await readAll([file]);
    expect(format).toBe("alpaca");
    expect(records.filter((r) => r.kind === "skip")).toEqual([]);
    expect(records).toHaveLength(count);
    const source = jsonLines(file);
    for (const [i, r] of records.entries()) {
      if (r.kind !== "conversation") throw new Error("expected a conversation");
      const s = source[i]!;
      const instance = (Array.isArray(s.instances) ? s.instances[0] : s) as { input: string; output: string };
      expect(r.recordId).toBe(s.id);
      expect(r.turns[0]).toEqual(instance.input.trim() === "" ? { role: "user", content: s.instruction } : { role: "user", content: s.instruction, input: instance.input });
      expect(r.turns[1]).toEqual({ role: "assistant", content: instance.output });
    }
  });

  it("the Danish seed file: inspect finds the Alpaca fields, needs no mapping, and shows the first records", async () => {
    const inspection = await inspectFiles([join(seedDir, "seed_tasks.da.jsonl")]);
    expect(inspection).toMatchObject({ format: "alpaca", kind: "instructions", encoding: "utf-8", mappingRequired: false });
    expect(inspection.fields).toEqual(expect.arrayContaining(["id", "name", "instruction", "instances", "is_classification"]));
    expect(inspection.suggestedMapping).toMatchObject({ instruction: "instruction", output: "output", id: "id" });
    expect(inspection.sample).toHaveLength(5);
    expect(inspection.sample[0]!.instruction).toBe("Generér en sætning til beskrivelse af hver af følgende personer.");
  });

  it.each(["en", "fr", "pt", "ru"])("Chirkova AlpacaEval prompts (%s): bare message lists read as OpenAI messages; each holds only a question, so each is skipped as unanswered", async (lang) => {
    const file = join(chirkovaDir, `alpacaeval_test_subset.${lang}.jsonl`);
    const { format, records } = await readAll([file]);
    expect(format).toBe("openai");
    expect(records).toHaveLength(113);
    expect(records.every((r) => r.kind === "skip" && r.reason === "the conversation cannot be used: it ends with a user turn that has no answer")).toBe(true);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 113 }, (_, i) => i + 1));
  });

  it("FLORES and Tatoeba sentence files are plain text, not CSV, though their sentences hold commas; two of them under auto are a line-aligned pair", async () => {
    const files = [
      join(flores, "flores101.devtest.de.txt"),
      join(flores, "flores101.devtest.ro.txt"),
      join(tatoeba, "tatoeba.deu-eng.deu"),
      join(tatoeba, "tatoeba.fra-eng.fra"),
      join(tatoeba, "tatoeba.rus-eng.rus"),
      join(tatoeba, "tatoeba.swe-eng.swe"),
    ];
    for (const file of files) {
      expect(readFileSync(file, "utf8").split("\n").slice(0, 20).some((l) => l.includes(","))).toBe(true);
      const sniffed = await sniffFormat(file);
      expect(sniffed).toMatchObject({ container: "text", encoding: "utf-8", notes: [] });
    }
    const reader = await openReader([join(flores, "flores101.devtest.en.txt"), join(flores, "flores101.devtest.de.txt")]);
    expect([reader.format, reader.kind]).toEqual(["moses", "parallel"]);
  });
});
