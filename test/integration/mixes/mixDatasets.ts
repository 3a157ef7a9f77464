// Datasets for the mix tests, stored through the real DatasetStore: the Alpaca seed tasks in four
// languages (../shared/data, labelled by the real language identifier) and Tatoeba's German–English
// pairs, or small rows written here where a test needs exact control.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Dataset, Provenance, TurnShape } from "../../../electron/shared/datasetContract.js";
import type { MixRecipeInput } from "../../../electron/shared/mixContract.js";
import type { DatasetStore, NewExample, NewPair } from "../../../electron/engine/datasets/DatasetStore.js";
import { loadLanguageIdentifier } from "../../../electron/engine/langid/loadLanguageIdentifier.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";

export const seedDir = join(sharedDataDir, "alpaca_seed_tasks_multilingual");
export const tatoebaDir = join(sharedDataDir, "tatoeba_laser");
export const hasMixData = prerequisite(
  ["da", "en", "fi", "hu"].every((l) => existsSync(join(seedDir, `seed_tasks.${l}.jsonl`))) && existsSync(join(tatoebaDir, "tatoeba.deu-eng.deu")),
  `the Alpaca seed tasks and Tatoeba pairs in ${sharedDataDir}`,
);

export interface SeedTask {
  id: string;
  line: number;
  turns: TurnShape[];
}

/** The seed tasks of one language as conversations (the English, Danish and Finnish files nest them in `instances`). */
export function seedTasks(language: string): SeedTask[] {
  const file = join(seedDir, `seed_tasks.${language}.jsonl`);
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((text, i) => {
      if (text.trim() === "") return [];
      const r = JSON.parse(text) as { id: string; instruction: string; input?: string; output?: string; instances?: Array<{ input: string; output: string }> };
      const input = r.instances?.[0]?.input ?? r.input ?? "";
      const output = r.instances?.[0]?.output ?? r.output ?? "";
      if (output.trim() === "") return [];
      const user: TurnShape = input ? { role: "user", content: r.instruction, input } : { role: "user", content: r.instruction };
      return [{ id: r.id, line: i + 1, turns: [user, { role: "assistant", content: output }] }];
    });
}

/** Labels each example with the language identifier, as an import does. */
export async function labelled(tasks: SeedTask[], file: string, provenance: Provenance = "native", translatedFrom?: (t: SeedTask) => number | null): Promise<NewExample[]> {
  const lid = await loadLanguageIdentifier();
  return tasks.map((t) => {
    const guess = lid.identify(t.turns.map((x) => [x.content, x.input].filter(Boolean).join(" ")).join(" "));
    const from = translatedFrom?.(t) ?? null;
    return {
      turns: t.turns,
      language: guess.language,
      confidence: guess.confidence,
      claimedLanguage: null,
      provenance,
      category: null,
      file,
      line: t.line,
      recordId: t.id,
      translation: from !== null ? { model: "human translation (seed tasks)", modelFingerprint: "seed-tasks", prompt: "", fromExample: from } : null,
    };
  });
}

export function storeExamples(store: DatasetStore, name: string, rows: NewExample[]): Dataset {
  const id = store.beginDataset({ name, kind: "instructions", format: "alpaca", files: [{ path: `${name}.jsonl`, bytes: 0, sha256: "" }], encoding: "utf-8", notes: [] });
  store.insertExamples(id, rows);
  return store.finishDataset(id, { skipped: 0, errors: [], errorCount: 0 });
}

export function storePairs(store: DatasetStore, name: string, rows: NewPair[]): Dataset {
  const id = store.beginDataset({ name, kind: "parallel", format: "moses", files: [{ path: `${name}.src`, bytes: 0, sha256: "" }], encoding: "utf-8", notes: [] });
  store.insertPairs(id, rows);
  return store.finishDataset(id, { skipped: 0, errors: [], errorCount: 0 });
}

/** Tatoeba's German–English sentences as pairs (English the source side). */
export function tatoebaPairs(): NewPair[] {
  const read = (ext: string) => readFileSync(join(tatoebaDir, `tatoeba.deu-eng.${ext}`), "utf8").split("\n").filter((l, i, all) => i < all.length - 1 || l !== "");
  const de = read("deu");
  const en = read("eng");
  return en.map((source, i) => ({
    source,
    target: de[i]!,
    sourceLanguage: "en",
    targetLanguage: "de",
    sourceConfidence: 1,
    targetConfidence: 1,
    claimedSourceLanguage: "en",
    claimedTargetLanguage: "de",
    provenance: "native",
    file: "tatoeba.deu-eng.eng",
    line: i + 1,
    recordId: null,
  }));
}

/** Small hand-written examples: `n` per language, each distinct, all confidently labelled. */
export function writtenExamples(language: string, n: number, answer = (i: number) => `Answer ${i} in ${language}.`): NewExample[] {
  return Array.from({ length: n }, (_, i) => ({
    turns: [
      { role: "user", content: `Question ${i} in ${language}?` },
      { role: "assistant", content: answer(i) },
    ],
    language,
    confidence: 0.99,
    claimedLanguage: null,
    provenance: "native",
    category: null,
    file: `written.${language}.jsonl`,
    line: i + 1,
    recordId: null,
    translation: null,
  }));
}

export const recipeOver = (datasets: Dataset[], strategy: MixRecipeInput["strategy"], extra: Partial<MixRecipeInput> = {}): MixRecipeInput => ({
  version: 1,
  sources: datasets.map((d) => ({ dataset: d.id, fingerprint: d.fingerprint })),
  strategy,
  ...extra,
});
