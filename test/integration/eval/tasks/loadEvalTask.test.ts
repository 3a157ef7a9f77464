// loadEvalTask on the shared copies of the suites' standard files, and on bad files written here: every
// refusal names the file and line (or field).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EvalSuiteInputSchema, type EvalSuiteInput } from "../../../../electron/shared/evalContract.js";
import { PolytuneError } from "../../../../electron/shared/PolytuneError.js";
import { loadEvalTask } from "../../../../electron/engine/eval/tasks/loadEvalTask.js";
import type { ModifierReference } from "../../../../electron/engine/eval/tasks/loadModifiersTask.js";
import { readQaData } from "../../../../electron/engine/eval/suites/readQaData.js";
import { answerPrefixes } from "../../../../electron/engine/eval/metrics/startMatch.js";
import { prerequisite, sharedDataDir } from "../../../support/sharedData.js";
import { makeTempDir } from "../../../support/tempDir.js";
import { existsSync } from "node:fs";

const chirkova = join(sharedDataDir, "chirkova2024_alpacaeval_subset");
const present = prerequisite(existsSync(chirkova), `the Chirkova et al. set (${chirkova})`);
const tmp = makeTempDir("polytune-tasks-");
afterAll(() => tmp.cleanup());
const load = (input: EvalSuiteInput, options?: Parameters<typeof loadEvalTask>[1]) => loadEvalTask(EvalSuiteInputSchema.parse(input), options);
const write = (name: string, text: string): string => {
  const file = join(tmp.dir, name);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  return file;
};
function refusal(run: () => unknown): PolytuneError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolytuneError);
    return error as PolytuneError;
  }
  throw new Error("expected a PolytuneError");
}

describe.runIf(present)("loading the shared suites", () => {
  const langs = ["en", "fr", "pt", "ru"];

  it("open: the Chirkova set, 113 prompts per language, ids language:line", () => {
    const task = load({ suite: "open", data: langs.map((l) => join(chirkova, `alpacaeval_test_subset.${l}.jsonl`)) });
    expect(task.items).toHaveLength(452);
    for (const l of langs) expect(task.items.filter((i) => i.language === l)).toHaveLength(113);
    const first = task.items.find((i) => i.id === "fr:1")!;
    expect(first.prompt).toMatch(/^Salut, ma sœur/);
    expect(first.kind).toBe("generate");
    expect(new Set(task.items.map((i) => i.id)).size).toBe(452);
    // Stable: a second load gives the same ids and prompts.
    expect(load({ suite: "open", data: langs.map((l) => join(chirkova, `alpacaeval_test_subset.${l}.jsonl`)) }).items).toEqual(task.items);
  });

  it("open: languages filter (normalised) and a per-language limit", () => {
    const task = load({ suite: "open", data: langs.map((l) => join(chirkova, `alpacaeval_test_subset.${l}.jsonl`)) }, { languages: ["pt-BR", "rus"], limit: 5 });
    expect(task.items.map((i) => i.id)).toEqual(["pt:1", "pt:2", "pt:3", "pt:4", "pt:5", "ru:1", "ru:2", "ru:3", "ru:4", "ru:5"]);
  });

  it("modifiers: 251 prompts per language, each with its .types line (the .types file only lacks a final newline)", () => {
    const task = load({ suite: "modifiers", data: langs.map((l) => join(chirkova, `modifiers.${l}.jsonl`)) });
    expect(task.items).toHaveLength(4 * 251);
    const en = task.items.filter((i) => i.language === "en");
    expect(en).toHaveLength(251);
    const refs = en.map((i) => i.reference as ModifierReference);
    expect(refs[0]).toMatchObject({ modifier: "short", expectedLanguage: "en" });
    expect(refs.at(-1)!.modifier).toBe("complex_inst");
    expect(refs.filter((r) => r.modifier === "lang_ru")).toHaveLength(37);
    // A lang_XX response is expected in XX; the item stays in its prompt's language.
    const langRu = en.find((i) => (i.reference as ModifierReference).modifier === "lang_ru")!;
    expect(langRu.language).toBe("en");
    expect((langRu.reference as ModifierReference).expectedLanguage).toBe("ru");
    expect(langRu.prompt).toMatch(/Answer in Russian language\.$/);
  });

  it("qa: XQuAD de, 10 articles, prompted with the German instruction and forced answer prefix", () => {
    const file = join(sharedDataDir, "xquad", "xquad.de.first10articles.json");
    const gold = readQaData(file);
    const task = load({ suite: "qa", data: [file] });
    expect(task.items).toHaveLength(gold.questions.length);
    expect(task.items.length + task.excluded.length).toBe(274);
    expect(task.greedy).toBe(true);
    const item = task.items[0]!;
    expect(item.id).toBe(`de:${gold.questions[0]!.id}`);
    expect(item.responsePrefix).toBe(`${answerPrefixes.de!.text} "`);
    expect(item.prompt).toContain(gold.questions[0]!.question!);
    expect(item.prompt).toMatch(/^Beantworte die Frage/);
    expect(item).toMatchObject({ maxTokens: 32, stop: ["\n"] });
    const cross = load({ suite: "qa", data: [file], crossLingual: true });
    expect(cross.items[0]!.responsePrefix).toBe(`${answerPrefixes.en!.text} "`);
    expect(cross.items[0]!.prompt).toMatch(/^Answer the question from the given passage\./);
  });

  it("qa: the MLQA datasets folder", () => {
    const task = load({ suite: "qa", data: [join(sharedDataDir, "mlqa_de_xglue")] });
    expect(task.items.length).toBeGreaterThan(0);
    expect(task.items.every((i) => i.language === "de" && i.id.startsWith("de:"))).toBe(true);
  });

  it("nli: XNLI de dev, 250 pairs ranked with lm-evaluation-harness's German words", () => {
    const task = load({ suite: "nli", data: [join(sharedDataDir, "xnli_de_xglue", "dev.txt")] });
    expect(task.items).toHaveLength(250);
    const item = task.items[0]!;
    // xnli_de.yaml: doc_to_text "{{premise}}, richtig?", doc_to_choice "Ja|Auch|Nein, {{hypothesis}}", each after target_delimiter " ".
    expect(item).toMatchObject({ id: "de:1", language: "de", kind: "rank", context: "und er hat gesagt, Mama ich bin daheim., richtig?" });
    expect(item.continuations).toEqual([
      " Ja, Er rief seine Mutter an, sobald er aus dem Schulbus stieg.",
      " Auch, Er rief seine Mutter an, sobald er aus dem Schulbus stieg.",
      " Nein, Er rief seine Mutter an, sobald er aus dem Schulbus stieg.",
    ]);
    expect(item.reference).toMatchObject({ gold: "neutral" });
  });

  it("simplification: ASSET test, 359 sentences (the file lacks a final newline) with 10 references each", () => {
    const task = load({ suite: "simplification", data: [join(sharedDataDir, "simplification_multisim_sources", "en_asset", "asset.test.orig")] });
    expect(task.items).toHaveLength(359);
    const ref = task.items[0]!.reference as { source: string; references: string[] };
    expect(ref.references).toHaveLength(10);
    expect(task.items[0]!.prompt).toMatch(/^Please rewrite the following complex sentence/);
    expect(task.items[0]!.prompt.endsWith(`Complex sentence: ${ref.source}`)).toBe(true);
  });
});

describe("refusing bad files", () => {
  it("a malformed JSONL line: file:line", () => {
    const file = write("bad.fr.jsonl", '[{"role": "user", "content": "Bonjour"}]\n{not json\n');
    const error = refusal(() => load({ suite: "open", data: [file] }));
    expect(error.where).toBe(`${file}:2`);
  });

  it("a multi-turn conversation is refused, not cut", () => {
    const file = write("multi.en.jsonl", JSON.stringify([{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }, { role: "user", content: "More" }]) + "\n");
    expect(refusal(() => load({ suite: "open", data: [file] })).where).toBe(`${file}:1`);
  });

  it("no language anywhere: the error names the file", () => {
    const file = write("prompts.jsonl", '{"instruction": "Say hi."}\n');
    expect(refusal(() => load({ suite: "open", data: [file] })).where).toBe(`${file}:1`);
    // The suite's language fills in; a record's own language wins.
    const mixed = write("mixed.jsonl", '{"instruction": "Say hi."}\n{"prompt": "Dis bonjour.", "language": "fr-CA", "id": 7}\n');
    expect(load({ suite: "open", data: [mixed], language: "en" }).items.map((i) => [i.id, i.language])).toEqual([["en:1", "en"], ["fr:7", "fr"]]);
  });

  it("two files of one language: ids carry the file name; a language from one file keeps language:line", () => {
    const a = write("ids/a.jsonl", '{"instruction": "Say hi."}\n{"instruction": "Say bye."}\n');
    const b = write("ids/b.jsonl", '{"instruction": "Count to three."}\n');
    const fr = write("ids/prompts.fr.jsonl", '{"instruction": "Dis bonjour."}\n');
    const task = load({ suite: "open", data: [a, b, fr], language: "en" });
    expect(task.items.map((i) => i.id)).toEqual(["en:a.jsonl:1", "en:a.jsonl:2", "en:b.jsonl:1", "fr:1"]);
    // Stable across loads, and a single file keeps the short ids.
    expect(load({ suite: "open", data: [a, b, fr], language: "en" }).items.map((i) => i.id)).toEqual(task.items.map((i) => i.id));
    expect(load({ suite: "open", data: [a], language: "en" }).items.map((i) => i.id)).toEqual(["en:1", "en:2"]);
    // Two files of one name in different folders still clash, and the refusal names both places.
    const same = write("ids/other/a.jsonl", '{"instruction": "Other."}\n');
    const error = refusal(() => load({ suite: "open", data: [a, same], language: "en" }));
    expect(error.message).toContain(`${a}:1`);
    expect(error.where).toBe(`${same}:1`);
  });

  it("AlpacaEval JSON: a list of {instruction} records", () => {
    const file = write("alpaca_eval.json", JSON.stringify([{ instruction: "What is 2+2?", dataset: "x" }, { instruction: "Name a colour." }]));
    expect(load({ suite: "open", data: [file], language: "en" }).items.map((i) => [i.id, i.prompt])).toEqual([["en:1", "What is 2+2?"], ["en:2", "Name a colour."]]);
  });

  it("modifiers: a true mismatch between .jsonl and .types names both files", () => {
    const file = write("mods/modifiers.en.jsonl", '[{"role": "user", "content": "A. Be brief."}]\n[{"role": "user", "content": "B. Be brief."}]\n');
    const types = write("mods/modifiers.en.types", "short");
    const error = refusal(() => load({ suite: "modifiers", data: [file] }));
    expect(error.message).toContain(file);
    expect(error.message).toContain(types);
    writeFileSync(types, "short\nlong");
    expect(load({ suite: "modifiers", data: [file] }).items.map((i) => (i.reference as ModifierReference).modifier)).toEqual(["short", "long"]);
  });

  it("simplification: sources without references beside them", () => {
    const file = write("simp/news.de.orig", "Ein Satz.\n");
    expect(refusal(() => load({ suite: "simplification", data: [file] })).where).toBe(file);
    write("simp/news.de.simp.0", "Ein Satz.\nZu viel.\n");
    expect(refusal(() => load({ suite: "simplification", data: [file] })).where).toBe(join(tmp.dir, "simp/news.de.simp.0"));
  });

  it("simplification: a MultiSim-style CSV (UTF-8), and a CSV in another encoding refused by name", () => {
    const csv = write("simp/multisim.de.csv", 'original,simple_1,simple_2\n"Ein langer, komplexer Satz.",Ein Satz.,Kurzer Satz.\nNoch einer.,Einer.,Noch einer.\n');
    const task = load({ suite: "simplification", data: [csv] });
    expect(task.items.map((i) => [i.id, i.language, (i.reference as { references: string[] }).references])).toEqual([
      ["de:1", "de", ["Ein Satz.", "Kurzer Satz."]],
      ["de:2", "de", ["Einer.", "Noch einer."]],
    ]);
    expect(task.items[0]!.prompt).toMatch(/Komplexer Satz: Ein langer, komplexer Satz\.$/);
    const latin1 = join(sharedDataDir, "simplification_multisim_sources", "de_textcomplexityde", "parallel_corpus.csv");
    if (existsSync(latin1)) expect(refusal(() => load({ suite: "simplification", data: [latin1], language: "de" })).where).toBe(latin1);
  });

  it("mcq: X-CSQA JSONL with lettered choices; a bad answer key is left out by id", () => {
    const row = (id: string, answerKey: string) => JSON.stringify({ id, lang: "fr", question: { stem: "Où range-t-on le lait ?", choices: [{ label: "A", text: "frigo" }, { label: "B", text: "four" }] }, answerKey });
    const file = write("xcsqa.fr.jsonl", `${row("q1", "A")}\n${row("q2", "Z")}\n`);
    const task = load({ suite: "mcq", data: [file] });
    expect(task.items).toHaveLength(1);
    expect(task.items[0]).toMatchObject({ id: "fr:q1", language: "fr", kind: "generate", maxTokens: 8, reference: { gold: "A", choices: ["A", "B"] } });
    expect(task.items[0]!.prompt).toBe("Où range-t-on le lait ?\n\nA. frigo\nB. four\n\nAnswer with the letter of the correct choice (A, B) only.");
    expect(task.excluded.map((e) => e.id)).toEqual(["fr:q2"]);
  });
});
