// Import throughput, side by side in one run on this machine: the whole import job (`data.import`: the
// worker thread parsing, identifying every example's language with lid.176 and storing it in SQLite)
// and parsing alone (the same reader, records counted and dropped), on generated Alpaca JSONL. The
// stages are also timed on their own, in this thread, so the figures say where the time goes.
//
//   node bench/data/import.mjs [--rows 300000] [--json]
//
// Needs `npm run build:ts` first (it imports the engine from dist/). The rows are distinct, short
// instructions with answers in English, German, French and Spanish (a quarter each).
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: o } = parseArgs({ options: { rows: { type: "string", default: "300000" }, json: { type: "boolean", default: false } } });
const rows = Math.max(1000, Number(o.rows));
const log = (/** @type {string} */ line) => {
  if (!o.json) console.log(line);
};
const dist = (/** @type {string} */ path) => import(pathToFileURL(join(root, "dist", "electron", "engine", path)).href);

const { PolytuneEngine } = await dist("createEngine.js");
const { openReader } = await dist("data/openReader.js");
const { loadLanguageIdentifier } = await dist("langid/loadLanguageIdentifier.js");
const { identificationText } = await dist("datasets/runImport.js");
const { DatasetStore, tuneForImport } = await dist("datasets/DatasetStore.js");
const { openDatabase } = await dist("db/openDatabase.js");

const templates = [
  ["en", (/** @type {number} */ i) => [`Explain in one or two sentences why the number ${i} could matter to a curious student.`, `Every number, ${i} included, has properties worth discovering: its divisors, its digits and where it appears in everyday life.`]],
  ["de", (/** @type {number} */ i) => [`Erkläre in ein oder zwei Sätzen, warum die Zahl ${i} für neugierige Schüler wichtig sein könnte.`, `Jede Zahl, auch ${i}, hat Eigenschaften, die es zu entdecken lohnt: ihre Teiler, ihre Ziffern und wo sie im Alltag vorkommt.`]],
  ["fr", (/** @type {number} */ i) => [`Explique en une ou deux phrases pourquoi le nombre ${i} pourrait intéresser un élève curieux.`, `Chaque nombre, y compris ${i}, a des propriétés à découvrir : ses diviseurs, ses chiffres et sa place dans la vie quotidienne.`]],
  ["es", (/** @type {number} */ i) => [`Explica en una o dos frases por qué el número ${i} podría interesar a un estudiante curioso.`, `Cada número, incluido el ${i}, tiene propiedades que vale la pena descubrir: sus divisores, sus cifras y dónde aparece en la vida diaria.`]],
];

const dir = mkdtempSync(join(tmpdir(), "polytune-bench-import-"));
try {
  const file = join(dir, "alpaca.jsonl");
  const lines = [];
  for (let i = 0; i < rows; i++) {
    const [, make] = templates[i % templates.length];
    const [instruction, output] = make(i);
    lines.push(JSON.stringify({ instruction, input: "", output }));
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  const bytes = statSync(file).size;
  log(`${rows} Alpaca rows, ${(bytes / 2 ** 20).toFixed(1)} MiB; ${cpus().length} × ${cpus()[0]?.model ?? "?"} (available parallelism ${availableParallelism()}), load average ${loadavg()[0].toFixed(1)}`);

  // Wall time and CPU time (all threads of this process) of each stage: under load the second is the steadier.
  const cpuSeconds = (/** @type {NodeJS.CpuUsage} */ since) => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1e6;
  };
  // Parsing alone: the reader the import uses, records counted.
  let cpu = process.cpuUsage();
  let t = performance.now();
  const reader = await openReader([file], {});
  /** @type {Array<{kind: string, turns?: unknown[], file: string, line: number}>} */
  const records = [];
  for await (const r of reader.records()) records.push(r);
  const parseSeconds = (performance.now() - t) / 1000;
  const parseCpu = cpuSeconds(cpu);

  // The whole job, through the engine as the app and the CLI run it (worker thread, SQLite on disk).
  const engine = new PolytuneEngine({ home: join(dir, "home") });
  cpu = process.cpuUsage();
  t = performance.now();
  const dataset = await engine.call("data.import", { importId: "bench", files: [file] });
  const jobSeconds = (performance.now() - t) / 1000;
  const jobCpu = cpuSeconds(cpu);
  await engine.close();
  if (dataset.examples !== rows) throw new Error(`expected ${rows} examples, stored ${dataset.examples}`);

  // The stages on their own, in this thread: language identification, then storing (hash, insert, index).
  const identifier = await loadLanguageIdentifier();
  cpu = process.cpuUsage();
  t = performance.now();
  const labels = records.map((r) => identifier.identify(identificationText(r.turns)));
  const langidSeconds = (performance.now() - t) / 1000;
  const langidCpu = cpuSeconds(cpu);
  const db = openDatabase(join(dir, "stages.db"));
  // The import worker's connection settings and transaction size (runImport's batchSize).
  tuneForImport(db);
  const store = new DatasetStore(db);
  const id = store.beginDataset({ name: "bench", kind: "instructions", format: "alpaca", files: [], encoding: "utf-8", notes: [] });
  cpu = process.cpuUsage();
  t = performance.now();
  for (let i = 0; i < records.length; i += 10_000) {
    store.insertExamples(
      id,
      records.slice(i, i + 10_000).map((r, j) => ({ turns: r.turns, language: labels[i + j].language, confidence: labels[i + j].confidence, claimedLanguage: null, provenance: "native", category: null, file: r.file, line: r.line, recordId: null, translation: null })),
    );
  }
  store.finishDataset(id, { skipped: 0, errors: [], errorCount: 0 });
  const storeSeconds = (performance.now() - t) / 1000;
  const storeCpu = cpuSeconds(cpu);
  db.close();

  const correct = labels.filter((l, i) => l.language === templates[i % templates.length][0]).length;
  const rate = (/** @type {number} */ s) => Math.round(rows / s);
  const result = {
    rows,
    bytes,
    importRowsPerSecond: rate(jobSeconds),
    parseRowsPerSecond: rate(parseSeconds),
    langidRowsPerSecond: rate(langidSeconds),
    storeRowsPerSecond: rate(storeSeconds),
    importSeconds: jobSeconds,
    perCpuSecond: { import: rate(jobCpu), parse: rate(parseCpu), langid: rate(langidCpu), store: rate(storeCpu) },
    languages: dataset.languages,
    labelledAsWritten: correct / rows,
    loadAverage: loadavg()[0],
  };
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    log("");
    log(`| stage | rows/s | seconds | rows per CPU second |`);
    log(`|---|---:|---:|---:|`);
    log(`| whole import (data.import: parse + language ID + SQLite, worker thread) | ${result.importRowsPerSecond} | ${jobSeconds.toFixed(1)} | ${result.perCpuSecond.import} |`);
    log(`| parse only (openReader, records counted) | ${result.parseRowsPerSecond} | ${parseSeconds.toFixed(1)} | ${result.perCpuSecond.parse} |`);
    log(`| language ID only (lid.176, identificationText) | ${result.langidRowsPerSecond} | ${langidSeconds.toFixed(1)} | ${result.perCpuSecond.langid} |`);
    log(`| store only (DatasetStore.insertExamples + finishDataset) | ${result.storeRowsPerSecond} | ${storeSeconds.toFixed(1)} | ${result.perCpuSecond.store} |`);
    log("");
    log(`Labelled as written: ${(100 * result.labelledAsWritten).toFixed(2)}%  (${dataset.languages.map((l) => `${l.language} ${l.examples}`).join(", ")})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
