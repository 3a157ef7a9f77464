// Language identification, side by side in one run on this machine: fastText lid.176 through
// fasttext.wasm.js (what Polytune uses, through its own wrapper in dist/) and eld, a pure-JS detector.
// Accuracy per language and sentences per second on the real sentences in ../shared/data:
// Tatoeba (every xx-eng pair: the xx side as xx, all the eng sides as en) and FLORES-101 devtest (de, en, ro, zh).
//
//   node bench/data/langid.mjs [DATA_DIR] [--eld large|medium|small|extrasmall] [--rounds 3] [--json]
//
// DATA_DIR defaults to ../shared/data beside the checkout. Needs `npm run build:ts` first (it imports the
// identifier from dist/). Speed: each library identifies every sentence once per round, the two alternating
// round by round, and the median round counts; model loading is timed apart.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    eld: { type: "string", default: "large" },
    rounds: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const dataDir = resolve(positionals[0] ?? join(root, "..", "shared", "data"));
const rounds = Math.max(1, Number(o.rounds));
const log = (/** @type {string} */ line) => {
  if (!o.json) console.log(line);
};

// Tatoeba's ISO 639-3 file names → the code each identifier answers with (ISO 639-1; Bokmål is "no" in both).
const tatoebaCodes = {
  ara: "ar", ben: "bn", bul: "bg", cat: "ca", ces: "cs", cmn: "zh", dan: "da", deu: "de", ell: "el", est: "et",
  fin: "fi", fra: "fr", heb: "he", hin: "hi", hun: "hu", ind: "id", isl: "is", ita: "it", jpn: "ja", kor: "ko",
  nld: "nl", nob: "no", pol: "pl", por: "pt", ron: "ro", rus: "ru", slk: "sk", slv: "sl", spa: "es", swe: "sv",
  swh: "sw", tha: "th", tur: "tr", ukr: "uk", vie: "vi",
};

const tatoebaDir = join(dataDir, "tatoeba_laser");
const floresDir = join(dataDir, "flores101_devtest_de_en_ro_zh");
if (!existsSync(tatoebaDir) || !existsSync(floresDir)) {
  console.error(`bench/data/langid: the shared data is not there: ${tatoebaDir} and ${floresDir} are needed.`);
  console.error("Pass the folder that holds tatoeba_laser/ and flores101_devtest_de_en_ro_zh/: node bench/data/langid.mjs /path/to/shared/data");
  process.exit(2);
}
const identifierModule = join(root, "dist/electron/engine/langid/loadLanguageIdentifier.js");
if (!existsSync(identifierModule)) {
  console.error(`bench/data/langid: ${identifierModule} is missing; run \`npm run build:ts\` first.`);
  process.exit(2);
}

/** @param {string} path */
const lines = (path) => readFileSync(path, "utf8").split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "");

/** @type {Array<{ set: string; language: string; text: string }>} */
const sentences = [];
for (const file of readdirSync(tatoebaDir).sort()) {
  const match = /^tatoeba\.([a-z]{3})-eng\.([a-z]{3})$/.exec(file);
  if (!match) continue;
  const side = match[2] === "eng" ? "en" : tatoebaCodes[match[2]];
  if (!side) {
    console.error(`bench/data/langid: no code for Tatoeba's ${match[2]} (${file}); add it to tatoebaCodes.`);
    process.exit(2);
  }
  for (const text of lines(join(tatoebaDir, file))) sentences.push({ set: "Tatoeba", language: side, text });
}
for (const language of ["de", "en", "ro", "zh"]) {
  for (const text of lines(join(floresDir, `flores101.devtest.${language}.txt`))) sentences.push({ set: "FLORES", language, text });
}

// Load both, timed, with the resident memory each adds (fastText first, so eld's growth is its own).
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
let rss = rssMiB();
let t = performance.now();
const { loadLanguageIdentifier, defaultMinConfidence } = await import(identifierModule);
const fasttext = await loadLanguageIdentifier();
fasttext.identify("warm up");
const fasttextLoadMs = performance.now() - t;
const fasttextMiB = rssMiB() - rss;
rss = rssMiB();
t = performance.now();
const { eld } = await import(`eld/${o.eld}`);
eld.detect("warm up");
const eldLoadMs = performance.now() - t;
const eldMiB = rssMiB() - rss;
const eldLanguages = new Set(Object.values(eld.info().Languages ?? {}));

/** One pass of a library over every sentence: its answers, and how long the pass took. */
function pass(/** @type {(text: string) => string} */ identify) {
  const answers = new Array(sentences.length);
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < sentences.length; i++) answers[i] = identify(sentences[i].text);
  const used = process.cpuUsage(cpu);
  return { answers, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}
// lid.176 as is (no Han word segmentation; what native fastText answers), for accuracy only.
const { getLIDModel } = await import("fasttext.wasm.js");
const rawModel = await (await getLIDModel()).load();
const rawAnswers = sentences.map((s) => {
  const vector = rawModel.predict(s.text.replace(/\s+/gu, " ").trim(), 1, 0);
  const label = vector.size() > 0 ? vector.get(0)[1].replace("__label__", "") : "";
  vector.delete();
  return label;
});
/** @type {string[]} */ let ftAnswers = [];
/** @type {number[]} */ const ftConfidence = sentences.map((s) => fasttext.identify(s.text).confidence);
/** @type {string[]} */ let eldAnswers = [];
const ftTimes = [];
const eldTimes = [];
const ftCpu = [];
const eldCpu = [];
for (let round = 0; round < rounds; round++) {
  const ft = pass((text) => fasttext.identify(text).language);
  const el = pass((text) => eld.detect(text).language);
  ftAnswers = ft.answers;
  eldAnswers = el.answers;
  ftTimes.push(ft.ms);
  eldTimes.push(el.ms);
  ftCpu.push(ft.cpuMs);
  eldCpu.push(el.cpuMs);
  log(`round ${round + 1}/${rounds}: fastText ${ft.ms.toFixed(0)} ms (CPU ${ft.cpuMs.toFixed(0)} ms), eld ${el.ms.toFixed(0)} ms (CPU ${el.cpuMs.toFixed(0)} ms) for ${sentences.length} sentences`);
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ftRate = sentences.length / (median(ftTimes) / 1000);
const eldRate = sentences.length / (median(eldTimes) / 1000);
// Per CPU second too: on a shared machine, wall time also counts the time other processes held the core.
const ftCpuRate = sentences.length / (median(ftCpu) / 1000);
const eldCpuRate = sentences.length / (median(eldCpu) / 1000);

// Accuracy per (set, language), and by sentence length.
/** @type {Map<string, { set: string; language: string; n: number; chars: number; ft: number; raw: number; eld: number; kept: number; keptRight: number }>} */
const rows = new Map();
const lengthBuckets = [
  { name: "≤ 20 chars", max: 20 },
  { name: "21–50 chars", max: 50 },
  { name: "51–100 chars", max: 100 },
  { name: "> 100 chars", max: Infinity },
];
const byLength = lengthBuckets.map((b) => ({ ...b, n: 0, ft: 0, eld: 0, eldN: 0, eldRight: 0 }));
for (let i = 0; i < sentences.length; i++) {
  const s = sentences[i];
  const key = `${s.set}\t${s.language}`;
  const row = rows.get(key) ?? { set: s.set, language: s.language, n: 0, chars: 0, ft: 0, raw: 0, eld: 0, kept: 0, keptRight: 0 };
  const ftRight = ftAnswers[i] === s.language;
  row.n++;
  row.chars += [...s.text].length;
  if (ftRight) row.ft++;
  if (rawAnswers[i] === s.language) row.raw++;
  if (eldAnswers[i] === s.language) row.eld++;
  if (ftConfidence[i] >= defaultMinConfidence) {
    row.kept++;
    if (ftRight) row.keptRight++;
  }
  rows.set(key, row);
  const bucket = byLength.find((b) => [...s.text].length <= b.max);
  bucket.n++;
  if (ftRight) bucket.ft++;
  if (eldLanguages.has(s.language)) {
    bucket.eldN++;
    if (eldAnswers[i] === s.language) bucket.eldRight++;
  }
}
const table = [...rows.values()].sort((a, b) => (a.set === b.set ? a.language.localeCompare(b.language) : a.set === "FLORES" ? -1 : 1));
const total = (/** @type {(r: typeof table[number]) => boolean} */ keep) => {
  const picked = table.filter(keep);
  const n = picked.reduce((x, r) => x + r.n, 0);
  return { n, ft: picked.reduce((x, r) => x + r.ft, 0) / n, eld: picked.reduce((x, r) => x + r.eld, 0) / n };
};
const all = total(() => true);
const shared = total((r) => eldLanguages.has(r.language));
const pct = (/** @type {number} */ x) => `${(100 * x).toFixed(1)} %`;

const result = {
  date: new Date().toISOString().slice(0, 10),
  cpu: `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${cpus().length} cores`,
  node: process.version,
  sentences: sentences.length,
  eldSize: o.eld,
  load: { fasttextMs: fasttextLoadMs, eldMs: eldLoadMs, fasttextMiB, eldMiB },
  loadAverage: loadavg()[0],
  sentencesPerSecond: { fasttext: ftRate, eld: eldRate, ratio: ftRate / eldRate },
  sentencesPerCpuSecond: { fasttext: ftCpuRate, eld: eldCpuRate, ratio: ftCpuRate / eldCpuRate },
  accuracy: { all, languagesBothKnow: shared },
  languages: table.map((r) => ({
    set: r.set,
    language: r.language,
    sentences: r.n,
    meanChars: r.chars / r.n,
    fasttext: r.ft / r.n,
    lid176AsIs: r.raw / r.n,
    eld: eldLanguages.has(r.language) ? r.eld / r.n : null,
    fasttextKept: r.kept / r.n,
    fasttextKeptAccuracy: r.kept ? r.keptRight / r.kept : null,
  })),
  byLength: byLength.map((b) => ({ bucket: b.name, sentences: b.n, fasttext: b.ft / b.n, eld: b.eldN ? b.eldRight / b.eldN : null, eldSentences: b.eldN })),
};

if (o.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  log("");
  log(`${result.date} · ${result.cpu} · Node ${result.node} · ${sentences.length} sentences · eld ${o.eld}`);
  log("fastText (ours) = Polytune's identifier (Han text word-segmented first); lid.176 as is = the same model on the bare text");
  log(`kept = fastText confidence ≥ ${defaultMinConfidence}; "—" = eld does not know the language`);
  log("");
  log("| set | lang | sentences | mean chars | fastText (ours) | lid.176 as is | eld | fastText kept | kept accuracy |");
  log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of result.languages) {
    log(`| ${r.set} | ${r.language} | ${r.sentences} | ${r.meanChars.toFixed(0)} | ${pct(r.fasttext)} | ${pct(r.lid176AsIs)} | ${r.eld === null ? "—" : pct(r.eld)} | ${pct(r.fasttextKept)} | ${r.fasttextKeptAccuracy === null ? "—" : pct(r.fasttextKeptAccuracy)} |`);
  }
  log("");
  log("| length | sentences | fastText | eld (languages it knows) |");
  log("|---|---:|---:|---:|");
  for (const b of result.byLength) log(`| ${b.bucket} | ${b.sentences} | ${pct(b.fasttext)} | ${b.eld === null ? "—" : `${pct(b.eld)} of ${b.eldSentences}`} |`);
  log("");
  log(`accuracy, all ${all.n} sentences: fastText ${pct(all.ft)}, eld ${pct(all.eld)}`);
  log(`accuracy, the ${shared.n} sentences in languages eld knows: fastText ${pct(shared.ft)}, eld ${pct(shared.eld)}`);
  log(`load: fastText ${fasttextLoadMs.toFixed(0)} ms (+${fasttextMiB.toFixed(0)} MiB resident), eld (${o.eld}) ${eldLoadMs.toFixed(0)} ms (+${eldMiB.toFixed(0)} MiB resident)`);
  log(`speed (median of ${rounds} rounds, load average ${result.loadAverage.toFixed(1)}): fastText ${ftRate.toFixed(0)} sentences/s, eld ${eldRate.toFixed(0)} sentences/s, fastText / eld = ${(ftRate / eldRate).toFixed(2)}×`);
  log(`per CPU second: fastText ${ftCpuRate.toFixed(0)}, eld ${eldCpuRate.toFixed(0)}, fastText / eld = ${(ftCpuRate / eldCpuRate).toFixed(2)}×`);
}
