// The translation job for real: node-llama-cpp decoding greedily on a tiny model the project writes,
// fastText lid.176 reading the outputs, SQLite on a temp data folder. A random-weights model does not
// translate, so every output must be flagged for the reasons a reader can check in its raw text, and
// nothing flagged may become an example. The kept path is proven with outputs written by hand.
import Database from "better-sqlite3";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventPayload } from "../../../electron/shared/contract.js";
import type { TranslationJob } from "../../../electron/shared/translateContract.js";
import { createEngine, type PolytuneEngine } from "../../../electron/engine/createEngine.js";
import type { Turn } from "../../../electron/engine/data/Conversation.js";
import { loadLanguageIdentifier, type LanguageIdentifier } from "../../../electron/engine/langid/loadLanguageIdentifier.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { toPlaceholderText } from "../../../electron/engine/translate/conversationPlaceholders.js";
import { judgeTranslation, TranslationJobs } from "../../../electron/engine/translate/TranslationJobs.js";
import { templateHash, translationTemplates } from "../../../electron/engine/translate/translationPrompt.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const modelPath = join(tmp.dir, "tiny.gguf");
let engine: PolytuneEngine;
let identifier: LanguageIdentifier;
let datasetId: string;
let sourceIds: number[];

const conversations: Turn[][] = [
  [
    { role: "user", content: "Give me three tips for staying healthy." },
    { role: "assistant", content: "Eat a balanced diet, exercise regularly and get enough sleep every night." },
  ],
  [
    { role: "user", content: "What is the capital of France?" },
    { role: "assistant", content: "The capital of France is Paris, which is also its largest city." },
  ],
  [
    { role: "user", content: "Describe the colour of the sky on a clear day." },
    { role: "assistant", content: "On a clear day the sky looks blue, because air scatters blue light more than red light." },
  ],
  [
    { role: "user", content: "Translate the word 'house' into French." },
    { role: "assistant", content: "The French word for house is 'maison'." },
  ],
];

beforeAll(async () => {
  await writeTinyModel({ out: modelPath, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 7 });
  engine = await createEngine({ home });
  identifier = await loadLanguageIdentifier();
  // An English dataset stored as an import stores it, each example labelled by the real identifier.
  const store = engine.datasets;
  datasetId = store.beginDataset({ name: "health and trivia", kind: "instructions", format: "alpaca", files: [], encoding: "utf-8", notes: [] });
  store.insertExamples(
    datasetId,
    conversations.map((turns, i) => {
      const guess = identifier.identify(turns.map((t) => t.content).join("\n"));
      return { turns, language: guess.language, confidence: guess.confidence, claimedLanguage: null, provenance: "native", category: "open_qa", file: "trivia.jsonl", line: i + 1, recordId: null, translation: null };
    }),
  );
  const dataset = store.finishDataset(datasetId, { skipped: 0, errors: [], errorCount: 0 });
  expect(dataset.languages).toEqual([{ language: "en", examples: 4, lowConfidence: 0, mismatched: 0 }]);
  sourceIds = store.candidates(datasetId).map((c) => c.id);
}, 180_000);

afterAll(async () => {
  await engine?.close();
  tmp.cleanup();
});

/** Our placeholders in a text, read with the test's own pattern. */
const markersIn = (text: string): string[] => [...text.matchAll(/<\s*[Ss]\s*(\d+)\s*>/g)].map((m) => `S${m[1]}`);

describe("translating a dataset with a local model", () => {
  it("runs to the end with progress events; a random-weights model's outputs are all flagged, for the reasons their text shows, and none becomes an example", async () => {
    const progress: Array<EventPayload<"translate.progress">> = [];
    const off = engine.onEvent((name, payload) => {
      if (name === "translate.progress") progress.push(payload as EventPayload<"translate.progress">);
    });
    const started = await engine.call("translate.start", { dataset: datasetId, model: modelPath, languages: ["es", "de"], limit: 3, gpu: "cpu", threads: 1, contextSize: 512, maxTokensFactor: 1 });
    expect(started).toMatchObject({ status: "running", total: 6, done: 0, from: "en", languages: ["es", "de"], source: { kind: "dataset", id: datasetId }, format: "completion" });
    const job = await engine.call("translate.wait", { job: started.id });
    off();

    expect(job).toMatchObject({ status: "completed", total: 6, done: 6, kept: 0, flagged: 6, outputDataset: null, error: null });
    const model = await engine.call("models.get", { model: modelPath });
    expect(job.model).toEqual({ id: model.id, name: model.name, fingerprint: model.fingerprint });
    expect(job.prompt).toMatchObject({ template: "kew2024-fig10", hash: templateHash(translationTemplates["kew2024-fig10"]) });
    // One event per item, in order, language by language; the ETA counts down to zero.
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.map((p) => p.last?.language)).toEqual(["es", "es", "es", "de", "de", "de"]);
    expect(progress.every((p) => p.total === 6 && p.job === job.id && p.last?.kept === false)).toBe(true);
    expect(progress.map((p) => p.flagged)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.at(-1)!.etaSeconds).toBe(0);

    const { items, itemsTotal } = await engine.call("translate.get", { job: job.id, limit: 500 });
    expect(itemsTotal).toBe(6);
    expect(items.map((i) => i.sourceExample)).toEqual([...sourceIds.slice(0, 3), ...sourceIds.slice(0, 3)]);
    for (const item of items) {
      expect(item.status).toBe("flagged");
      expect(item.raw).not.toBeNull();
      const codes = item.flags.map((f) => f.code);
      // Each source has one <S1> and one <S2>: fewer of either in the output means a lost placeholder.
      const markers = markersIn(item.raw!);
      const lost = markers.filter((m) => m === "S1").length < 1 || markers.filter((m) => m === "S2").length < 1;
      expect(codes.includes("placeholder-missing")).toBe(lost);
      if (markers.length === 0) expect(item.identifiedLanguage).toBe(identifier.identify(item.raw!).language);
      expect(codes.includes("wrong-language")).toBe(item.identifiedLanguage !== item.language);
      expect(codes.length).toBeGreaterThan(0);
      expect(item.turns === null).toBe(codes.some((c) => c.startsWith("placeholder-")));
      expect(item.tokens).toBeGreaterThan(0);
    }
    expect(Object.values(job.flagCounts).reduce((a, b) => a + b, 0)).toBe(items.reduce((n, i) => n + i.flags.length, 0));

    // Nothing reached a dataset: the only one is the source.
    expect((await engine.call("data.list", {})).map((d) => d.id)).toEqual([datasetId]);
    const db = new Database(engine.databasePath, { readonly: true });
    try {
      expect(db.prepare("SELECT status, COUNT(*) AS n FROM translation_items WHERE job_id = ? GROUP BY status").all(job.id)).toEqual([{ status: "flagged", n: 6 }]);
      expect(db.prepare("SELECT COUNT(*) AS n FROM examples WHERE provenance = 'machine-translated'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it("builds the output dataset from the kept translations only: each records the model's fingerprint, the prompt and its source example", async () => {
    const model = await engine.call("models.get", { model: modelPath });
    const jobs = new TranslationJobs(engine.db, engine.datasets, engine.databasePath, () => undefined);
    const template = translationTemplates["kew2024-fig10"];
    // A job whose items an earlier session decoded (here: outputs written by hand, judged as the job judges them).
    const id = jobs.store.create({
      source: { kind: "dataset", id: datasetId, name: "health and trivia", fingerprint: engine.datasets.get(datasetId).fingerprint },
      from: "en",
      languages: ["es"],
      limit: null,
      model: { id: model.id, name: model.name, path: model.path, fingerprint: model.fingerprint! },
      template: template.id,
      promptHash: templateHash(template),
      format: "completion",
      maxTokensFactor: 3,
      contextSize: 512,
      gpu: "cpu",
      threads: 1,
      outputName: "trivia (es)",
      items: sourceIds.slice(0, 3).map((sourceExample) => ({ sourceExample, language: "es" })),
    });
    const outputs = [
      "<S1> Dame tres consejos para mantenerme saludable.\n\n<S2> Lleva una dieta equilibrada, haz ejercicio con regularidad y duerme lo suficiente cada noche.",
      "<S1> What is the capital of France?\n\n<S2> The capital of France is Paris, which is also its largest city.", // left in English
      "<S1> Describe el color del cielo en un día despejado.\n\n<S2> En un día despejado el cielo se ve azul, porque el aire dispersa la luz azul más que la roja.",
    ];
    outputs.forEach((output, ordinal) => {
      const result = judgeTranslation(output, toPlaceholderText(conversations[ordinal]!), "es", identifier, { truncatedAt: null, tokens: 30, seconds: 0.1 });
      jobs.store.recordItem(id, ordinal, result);
    });
    jobs.store.setStatus(id, "interrupted");

    const resumed = await engine.call("translate.resume", { job: id });
    expect(resumed.status).toBe("running");
    const job: TranslationJob = await engine.call("translate.wait", { job: id });
    expect(job).toMatchObject({ status: "completed", total: 3, done: 3, kept: 2, flagged: 1, flagCounts: { "wrong-language": 1 } });
    expect(job.outputDataset).not.toBeNull();

    const shown = await engine.call("data.show", { dataset: job.outputDataset!, limit: 500 });
    expect(shown.dataset).toMatchObject({ name: "trivia (es)", kind: "instructions", examples: 2, skipped: 1, errorCount: 1, provenance: { "machine-translated": 2, native: 0 } });
    expect(shown.dataset.languages.map((l) => l.language)).toEqual(["es"]);
    expect(shown.dataset.errors).toEqual([{ file: `translation job ${id}`, line: 1, reason: expect.stringMatching(/^es: The output is identified as en/) as string }]);
    const rows = shown.rows.map((r) => (r.kind === "example" ? r : null));
    expect(rows.map((r) => r?.translation)).toEqual([
      { model: model.name, modelFingerprint: model.fingerprint, prompt: `kew2024-fig10@${templateHash(template)}`, fromExample: sourceIds[0] },
      { model: model.name, modelFingerprint: model.fingerprint, prompt: `kew2024-fig10@${templateHash(template)}`, fromExample: sourceIds[2] },
    ]);
    expect(rows.map((r) => r?.turns)).toEqual([
      [
        { role: "user", content: "Dame tres consejos para mantenerme saludable." },
        { role: "assistant", content: "Lleva una dieta equilibrada, haz ejercicio con regularidad y duerme lo suficiente cada noche." },
      ],
      [
        { role: "user", content: "Describe el color del cielo en un día despejado." },
        { role: "assistant", content: "En un día despejado el cielo se ve azul, porque el aire dispersa la luz azul más que la roja." },
      ],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ language: "es", claimedLanguage: "es", provenance: "machine-translated", category: "open_qa", file: "trivia.jsonl" });
      expect(r!.confidence).toBeGreaterThan(0.8);
    }
    // The English output that was flagged is nowhere in the dataset.
    expect((await engine.call("data.show", { dataset: job.outputDataset!, search: "capital" })).total).toBe(0);
  });

  it("translates the English examples of a stored mix, in the mix's own order", async () => {
    const fingerprint = engine.datasets.get(datasetId).fingerprint;
    const mix = await engine.call("mixes.save", { recipe: { version: 1, name: "mono-3", sources: [{ dataset: datasetId, fingerprint }], seed: 5, strategy: { kind: "mono", language: "en", total: 3 } } });
    const built = await engine.call("mixes.build", { mix: mix.id, out: join(tmp.dir, "mono-3.jsonl") });
    expect(built).toBeDefined();
    const started = await engine.call("translate.start", { mix: mix.id, model: modelPath, languages: ["fr"], limit: 2, gpu: "cpu", threads: 1, contextSize: 512, maxTokensFactor: 1 });
    expect(started.source).toEqual({ kind: "mix", id: mix.id, name: mix.name, fingerprint: mix.fingerprint });
    const job = await engine.call("translate.wait", { job: started.id });
    expect(job).toMatchObject({ status: "completed", total: 2, done: 2 });
    const { items } = await engine.call("translate.get", { job: job.id });
    // The mix's first two examples, read back from the JSONL the mix wrote, by their English text.
    const { readFileSync } = await import("node:fs");
    const lines = readFileSync(join(tmp.dir, "mono-3.jsonl"), "utf8").trim().split("\n").slice(0, 2);
    const sources = engine.datasets.examplesByIds(items.map((i) => i.sourceExample));
    expect(sources.map((s) => s.turns[0]!.content)).toEqual(lines.map((l) => conversations.find((c) => l.includes(JSON.stringify(c[0]!.content).slice(1, -1)))![0]!.content));
  });

  it("refuses what cannot be translated with a clear message, creating no job", async () => {
    const before = (await engine.call("translate.list", {})).length;
    await expect(engine.call("translate.start", { dataset: datasetId, model: modelPath, languages: ["en"] })).rejects.toMatchObject({ code: "translate-same-language", where: "languages" });
    await expect(engine.call("translate.start", { dataset: datasetId, model: modelPath, languages: ["xx"] })).rejects.toMatchObject({ code: "translate-language-unknown", where: "languages[0]" });
    await expect(engine.call("translate.start", { dataset: datasetId, model: modelPath, languages: ["es"], from: "de" })).rejects.toMatchObject({ code: "translate-nothing", where: `dataset ${datasetId}`, hint: expect.stringContaining("Its languages: en") as string });
    await expect(engine.call("translate.start", { dataset: "nope", model: modelPath, languages: ["es"] })).rejects.toMatchObject({ code: "dataset-not-found" });
    await expect(engine.call("translate.start", { model: modelPath, languages: ["es"] })).rejects.toMatchObject({ code: "invalid-input" });
    expect(await engine.call("translate.list", {})).toHaveLength(before);
  });
});
