// What a mix's training file holds, read back by the trainer's own reader: Alpaca lines for one
// exchange, {messages} for conversations, translation demonstrations, each with lang, provenance and id.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ExampleRow } from "../../../electron/shared/datasetContract.js";
import { loadInstructionData } from "../../../electron/engine/data/loadInstructionData.js";
import type { MixItem } from "../../../electron/engine/mixes/buildMix.js";
import { mixRecord } from "../../../electron/engine/mixes/mixJsonl.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const row = (id: number, turns: ExampleRow["turns"], language = "en"): ExampleRow => ({ kind: "example", id, ordinal: id, turns, language, confidence: 0.99, claimedLanguage: null, provenance: "native", category: null, file: "f.jsonl", line: id, translation: null });
const item = (r: ExampleRow): MixItem => ({ kind: "example", id: r.id, datasetId: "d", language: r.language, provenance: r.provenance });

describe("a mix's JSONL lines", () => {
  const single = row(1, [{ role: "user", content: "Translate to French.", input: "Good morning" }, { role: "assistant", content: "Bonjour" }]);
  const withSystem = row(2, [{ role: "system", content: "Be brief." }, { role: "user", content: "Name a colour." }, { role: "assistant", content: "Blue." }]);
  const chat = row(3, [
    { role: "user", content: "Hallo!" },
    { role: "assistant", content: "Hallo, wie kann ich helfen?" },
    { role: "user", content: "Fasse zusammen:", input: "Ein langer Text." },
    { role: "assistant", content: "Ein Text." },
  ], "de");
  const demo: MixItem = { kind: "demo", datasetId: "p", pairId: 9, direction: "en-de", language: "de", provenance: "translation-demo", instructionLanguage: "de", instruction: "Übersetze den folgenden Satz auf Deutsch.", input: "The cat sleeps.", output: "Die Katze schläft." };

  it("are written in the shapes the trainer reads, with the same turns", () => {
    const records = [mixRecord(item(single), single), mixRecord(item(withSystem), withSystem), mixRecord(item(chat), chat), mixRecord(demo, null)];
    expect(records[0]).toEqual({ instruction: "Translate to French.", input: "Good morning", output: "Bonjour", lang: "en", provenance: "native", id: 1 });
    expect(records[1]).toMatchObject({ instruction: "Name a colour.", input: "", output: "Blue.", system: "Be brief." });
    expect(records[2]).toMatchObject({ lang: "de", id: 3 });
    expect((records[2] as { messages: unknown[] }).messages).toHaveLength(4);
    expect(records[3]).toEqual({ instruction: "Übersetze den folgenden Satz auf Deutsch.", input: "The cat sleeps.", output: "Die Katze schläft.", lang: "de", provenance: "translation-demo", id: "pair:p:9:en-de" });

    const file = join(tmp.dir, "mix.jsonl");
    writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const { examples } = loadInstructionData(file);
    expect(examples.map((e) => e.lang)).toEqual(["en", "en", "de", "de"]);
    expect(examples.map((e) => e.provenance)).toEqual(["native", "native", "native", "translation-demo"]);
    expect(examples[0]!.turns).toEqual(single.turns);
    expect(examples[1]!.turns).toEqual(withSystem.turns);
    // A chat message has no separate input: it follows the instruction, as the Alpaca prompt shows it.
    expect(examples[2]!.turns[2]).toEqual({ role: "user", content: "Fasse zusammen:\n\nEin langer Text." });
    expect(examples[2]!.turns.filter((t) => t.role === "assistant")).toHaveLength(2);
    expect(examples[3]!.turns).toEqual([{ role: "user", content: demo.instruction, input: "The cat sleeps." }, { role: "assistant", content: "Die Katze schläft." }]);
  });
});
