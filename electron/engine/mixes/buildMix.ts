// The mix builder: a pure function of a recipe and the rows of its sources. The same recipe over the
// same datasets gives the same examples in the same order on every machine (seeded RNG, stored order,
// no clock, no Map iteration over unordered keys), which is what lets a run name its data by recipe.
import type { Provenance } from "../../shared/datasetContract.js";
import { languagesDisagree } from "../data/languageCodes.js";
import type { MixCounts, MixRecipe, MixStrategy } from "../../shared/mixContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { seededRandom, seededShuffle } from "../random/seededRandom.js";
import { cappedShares, largestRemainder } from "./allocateCounts.js";
import type { ExampleCandidate } from "../datasets/DatasetStore.js";
import { hasTemplates, translationInstruction, templateCount } from "./translationTemplates.js";

/** What the builder needs of a stored example: DatasetStore.candidates's rows, in stored order. */
export type MixCandidate = ExampleCandidate;

/** What the builder needs of a stored sentence pair (DatasetStore.pairs gives it, in stored order). */
export interface MixPair {
  id: number;
  ordinal: number;
  source: string;
  target: string;
  sourceLanguage: string;
  targetLanguage: string;
  sourceConfidence: number;
  targetConfidence: number;
}

/** One dataset a recipe names, as it is now. */
export interface MixSourceData {
  id: string;
  name: string;
  kind: "instructions" | "parallel";
  fingerprint: string;
  candidates: readonly MixCandidate[];
  pairs: readonly MixPair[];
}

export type MixItem =
  | { kind: "example"; id: number; datasetId: string; language: string; provenance: Provenance }
  | {
      kind: "demo";
      datasetId: string;
      pairId: number;
      /** "en-de": from the pivot into x; "de-en": from x into the pivot. */
      direction: string;
      /** The language of the expected output. */
      language: string;
      provenance: "translation-demo";
      instructionLanguage: string;
      instruction: string;
      input: string;
      output: string;
    };

export interface MixPlan {
  items: MixItem[];
  counts: MixCounts;
  /** Per language, what the sources offer after the filters (and how many were under the threshold). */
  available: Array<{ language: string; examples: number; lowConfidence: number }>;
  lowConfidenceExcluded: number;
  duplicatesDropped: number;
  warnings: string[];
}

/** A seed for one part of the build, from the recipe's seed and a label: parts do not share a stream. */
export function subSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function tooFew(what: string, needed: number, available: number, lowConfidence: number, where: string): PolytuneError {
  const low = lowConfidence > 0 ? ` (${lowConfidence} more are under the confidence threshold)` : "";
  return new PolytuneError("mix-too-few", `${what}: the mix needs ${needed}, the sources have ${available}${low}.`, {
    where,
    hint: `Lower the count, add data${lowConfidence > 0 ? ", or include low-confidence examples" : ""}.`,
  });
}

function invalid(message: string, where: string, hint?: string): PolytuneError {
  return new PolytuneError("mix-recipe-invalid", message, { where, ...(hint ? { hint } : {}) });
}

/** Refuses a source that changed since the recipe was written, or that the recipe names but was not given. */
function checkSources(recipe: MixRecipe, data: readonly MixSourceData[]): MixSourceData[] {
  const byId = new Map(data.map((d) => [d.id, d]));
  const seen = new Set<string>();
  return recipe.sources.map((s, i) => {
    const where = `sources[${i}]`;
    if (seen.has(s.dataset)) throw invalid(`Dataset ${s.dataset} is listed twice in the recipe's sources.`, where);
    seen.add(s.dataset);
    const d = byId.get(s.dataset);
    if (!d) throw new PolytuneError("dataset-not-found", `The recipe's dataset ${s.dataset} is not in the library.`, { where, hint: "Import it again, or take it out of the recipe." });
    if (d.fingerprint !== s.fingerprint) {
      throw new PolytuneError("mix-source-changed", `Dataset "${d.name}" (${d.id}) changed since the recipe was written: its fingerprint is ${d.fingerprint}, the recipe expects ${s.fingerprint}.`, {
        where,
        hint: "Build the mix from the dataset as it is now (save the recipe again with the new fingerprint), or import the data the recipe was written for.",
      });
    }
    return d;
  });
}

interface Pools {
  /** Per language, the usable examples in source order then stored order. */
  byLanguage: Map<string, MixCandidate[]>;
  bySource: Map<string, MixCandidate[]>;
  lowByLanguage: Map<string, number>;
  lowConfidenceExcluded: number;
  duplicatesDropped: number;
}

/** Applies the filters and drops examples repeated across sources (the first source keeps it). */
function pools(recipe: MixRecipe, sources: readonly MixSourceData[]): Pools {
  const f = recipe.filters;
  const languages = f.languages ? new Set(f.languages) : null;
  const provenance = f.provenance ? new Set<string>(f.provenance) : null;
  const hashes = new Set<string>();
  const result: Pools = { byLanguage: new Map(), bySource: new Map(), lowByLanguage: new Map(), lowConfidenceExcluded: 0, duplicatesDropped: 0 };
  for (const source of sources) {
    const own: MixCandidate[] = [];
    for (const c of source.candidates) {
      if (languages && !languages.has(c.language)) continue;
      if (provenance && !provenance.has(c.provenance)) continue;
      if (f.excludeMismatched && languagesDisagree(c.claimedLanguage, c.language)) continue;
      if (!f.includeLowConfidence && c.confidence < f.minConfidence) {
        result.lowConfidenceExcluded++;
        result.lowByLanguage.set(c.language, (result.lowByLanguage.get(c.language) ?? 0) + 1);
        continue;
      }
      if (hashes.has(c.hash)) {
        result.duplicatesDropped++;
        continue;
      }
      hashes.add(c.hash);
      own.push(c);
      let list = result.byLanguage.get(c.language);
      if (!list) result.byLanguage.set(c.language, (list = []));
      list.push(c);
    }
    result.bySource.set(source.id, own);
  }
  return result;
}

/** Draws `n` examples of a language: the first n of its pool shuffled with the language's own seed. */
function draw(p: Pools, recipe: MixRecipe, language: string, n: number, what = `Language "${language}"`): MixCandidate[] {
  const pool = p.byLanguage.get(language) ?? [];
  if (pool.length < n) throw tooFew(what, n, pool.length, p.lowByLanguage.get(language) ?? 0, `language ${language}`);
  return seededShuffle(pool, subSeed(recipe.seed, `language:${language}`)).slice(0, n);
}

function checkLanguages(base: string, languages: readonly string[]): void {
  const seen = new Set<string>();
  for (const [i, l] of languages.entries()) {
    if (l === base) throw invalid(`The added languages include the base language "${base}".`, `strategy.languages[${i}]`, "List only the languages that replace base-language examples.");
    if (seen.has(l)) throw invalid(`Language "${l}" is listed twice.`, `strategy.languages[${i}]`);
    seen.add(l);
  }
}

const asItem = (c: MixCandidate): MixItem => ({ kind: "example", id: c.id, datasetId: c.datasetId, language: c.language, provenance: c.provenance });

/** Counts per language for the strategies that only say how many of each language. */
function languageCounts(strategy: MixStrategy, p: Pools): Array<[string, number]> | null {
  switch (strategy.kind) {
    case "mono":
      return [[strategy.language, strategy.total]];
    case "multi": {
      checkLanguages(strategy.base, strategy.languages);
      const base = strategy.total - strategy.perLanguage * strategy.languages.length;
      if (base < 0) {
        throw invalid(`${strategy.languages.length} languages × ${strategy.perLanguage} examples is more than the total of ${strategy.total}.`, "strategy.total", "Raise the total or lower the count per language.");
      }
      return [[strategy.base, base], ...strategy.languages.map((l): [string, number] => [l, strategy.perLanguage])];
    }
    case "fixed-budget": {
      checkLanguages(strategy.base, strategy.languages);
      if (strategy.budget > strategy.total) throw invalid(`The budget of ${strategy.budget} is more than the total of ${strategy.total}.`, "strategy.budget");
      // Even split; the remainder goes to the languages first in the list.
      const k = strategy.languages.length;
      const each = Math.floor(strategy.budget / k);
      const extra = strategy.budget % k;
      return [[strategy.base, strategy.total - strategy.budget], ...strategy.languages.map((l, i): [string, number] => [l, each + (i < extra ? 1 : 0)])];
    }
    case "ratios":
      if (strategy.by !== "language") return null;
      return largestRemainder(strategy.total, strategy.shares.map((s) => s.weight)).map((n, i): [string, number] => [strategy.shares[i]!.key, n]);
    case "temperature": {
      const languages = strategy.languages ?? [...p.byLanguage.keys()].sort();
      if (languages.length === 0) throw invalid("No language has examples that pass the filters.", "filters");
      const n = languages.map((l) => p.byLanguage.get(l)?.length ?? 0);
      // pᵢ ∝ nᵢ^(1/T): T = 1 keeps the data's proportions, larger T moves towards uniform.
      const weights = n.map((x) => (x > 0 ? Math.pow(x, 1 / strategy.temperature) : 0));
      return cappedShares(strategy.total, weights, n, languages).map((c, i): [string, number] => [languages[i]!, c]);
    }
    default:
      return null;
  }
}

/** DT (002): base-language examples and their translations into every chosen language. */
function translatedAdd(strategy: Extract<MixStrategy, { kind: "translated" }>, recipe: MixRecipe, p: Pools, translations: Map<string, MixCandidate>): MixItem[] {
  const originals = (p.byLanguage.get(strategy.base) ?? []).filter((c) => c.translatedFrom === null);
  const eligible = originals.filter((c) => strategy.languages.every((l) => translations.has(`${c.id}:${l}`)));
  const wanted = strategy.english ?? eligible.length;
  if (eligible.length < wanted || wanted === 0) {
    const scarce = strategy.languages.map((l) => ({ l, n: originals.filter((c) => translations.has(`${c.id}:${l}`)).length })).sort((a, b) => a.n - b.n)[0]!;
    throw tooFew(`"${strategy.base}" examples translated into every one of ${strategy.languages.join(", ")} (fewest: "${scarce.l}", ${scarce.n})`, Math.max(wanted, 1), eligible.length, 0, `language ${scarce.l}`);
  }
  const chosen = seededShuffle(eligible, subSeed(recipe.seed, `language:${strategy.base}`)).slice(0, wanted);
  return chosen.flatMap((c) => [asItem(c), ...strategy.languages.map((l) => asItem(translations.get(`${c.id}:${l}`)!))]);
}

/** MT Multi-i (003 §5.1): a Mono in which some examples are replaced by their own translations. */
function translatedReplace(strategy: Extract<MixStrategy, { kind: "translated" }>, recipe: MixRecipe, p: Pools, translations: Map<string, MixCandidate>): MixItem[] {
  if (strategy.english === undefined) throw invalid('The "replace" mode needs `english`: the total, as in Mono.', "strategy.english");
  if (strategy.perLanguage === undefined) throw invalid('The "replace" mode needs `perLanguage`: how many examples each language replaces.', "strategy.perLanguage");
  checkLanguages(strategy.base, strategy.languages);
  const total = strategy.english;
  const per = strategy.perLanguage;
  if (per * strategy.languages.length > total) throw invalid(`${strategy.languages.length} languages × ${per} examples is more than the total of ${total}.`, "strategy.total");
  const originals = (p.byLanguage.get(strategy.base) ?? []).filter((c) => c.translatedFrom === null);
  if (originals.length < total) throw tooFew(`Language "${strategy.base}"`, total, originals.length, p.lowByLanguage.get(strategy.base) ?? 0, `language ${strategy.base}`);
  const mono = seededShuffle(originals, subSeed(recipe.seed, `language:${strategy.base}`)).slice(0, total);
  // Replaced from the end of Mono's order, one language after another, so Multi-k extends Multi-(k−1).
  const replaced = new Map<number, MixCandidate>();
  for (const l of strategy.languages) {
    let taken = 0;
    for (let i = mono.length - 1; i >= 0 && taken < per; i--) {
      const c = mono[i]!;
      const t = translations.get(`${c.id}:${l}`);
      if (replaced.has(c.id) || !t) continue;
      replaced.set(c.id, t);
      taken++;
    }
    if (taken < per) throw tooFew(`Examples of this Mono translated into "${l}"`, per, taken, 0, `language ${l}`);
  }
  return mono.map((c) => asItem(replaced.get(c.id) ?? c));
}

interface CrossAlpacaNotes {
  directions: NonNullable<MixCounts["directions"]>;
  warnings: string[];
}

/** CrossAlpaca (004): the instruction examples plus translation demonstrations from the pairs. */
function crossAlpaca(strategy: Extract<MixStrategy, { kind: "crossalpaca" }>, recipe: MixRecipe, sources: readonly MixSourceData[], p: Pools, plan: CrossAlpacaNotes): MixItem[] {
  const f = recipe.filters;
  const instructionPool = sources.filter((s) => s.kind === "instructions").flatMap((s) => p.bySource.get(s.id) ?? []);
  const wanted = strategy.instructions ?? instructionPool.length;
  if (instructionPool.length < wanted) throw tooFew("Instruction examples", wanted, instructionPool.length, p.lowConfidenceExcluded, "strategy.instructions");
  const items: MixItem[] = seededShuffle(instructionPool, subSeed(recipe.seed, "instructions")).slice(0, wanted).map(asItem);

  // Each pair oriented as (pivot text, x text), grouped by x; pairs without the pivot are not used.
  const byLanguage = new Map<string, Array<{ datasetId: string; pair: MixPair; pivot: string; other: string }>>();
  const lowByLanguage = new Map<string, number>();
  let withoutPivot = 0;
  for (const s of sources.filter((d) => d.kind === "parallel")) {
    for (const pair of s.pairs) {
      const forward = pair.sourceLanguage === strategy.pivot;
      if (!forward && pair.targetLanguage !== strategy.pivot) {
        withoutPivot++;
        continue;
      }
      const x = forward ? pair.targetLanguage : pair.sourceLanguage;
      if (strategy.languages && !strategy.languages.includes(x)) continue;
      if (!f.includeLowConfidence && Math.min(pair.sourceConfidence, pair.targetConfidence) < f.minConfidence) {
        lowByLanguage.set(x, (lowByLanguage.get(x) ?? 0) + 1);
        continue;
      }
      let list = byLanguage.get(x);
      if (!list) byLanguage.set(x, (list = []));
      list.push({ datasetId: s.id, pair, pivot: forward ? pair.source : pair.target, other: forward ? pair.target : pair.source });
    }
  }
  if (withoutPivot > 0) plan.warnings.push(`${withoutPivot} sentence pairs do not involve "${strategy.pivot}" and were not used.`);
  const languages = strategy.languages ?? [...byLanguage.keys()].sort();
  if (languages.length === 0) throw invalid(`The parallel sources have no sentence pairs with "${strategy.pivot}".`, "sources", "Add a parallel dataset (two aligned files, TSV pairs or TMX) to the recipe's sources.");
  const templateLanguages = new Set<string>();
  for (const x of languages) {
    const pool = byLanguage.get(x) ?? [];
    const needed = strategy.perDirection * strategy.directions.length;
    if (pool.length < needed) {
      throw tooFew(`Sentence pairs "${strategy.pivot}"–"${x}" (${strategy.perDirection} per direction, ${strategy.directions.length} direction${strategy.directions.length > 1 ? "s" : ""}, each pair used once)`, needed, pool.length, lowByLanguage.get(x) ?? 0, `language ${x}`);
    }
    const shuffled = seededShuffle(pool, subSeed(recipe.seed, `pairs:${x}`));
    const rand = seededRandom(subSeed(recipe.seed, `templates:${x}`));
    strategy.directions.forEach((direction, d) => {
      const intoX = direction === "en-x";
      const from = intoX ? strategy.pivot : x;
      const into = intoX ? x : strategy.pivot;
      const name = `${from}-${into}`;
      const instructionLanguage = strategy.templateLanguage === "english" ? "en" : strategy.templateLanguage === "source" ? from : into;
      const written = hasTemplates(instructionLanguage) ? instructionLanguage : "en";
      if (written !== instructionLanguage) templateLanguages.add(instructionLanguage);
      for (const o of shuffled.slice(d * strategy.perDirection, (d + 1) * strategy.perDirection)) {
        const variant = Math.floor(rand() * templateCount(written));
        items.push({
          kind: "demo",
          datasetId: o.datasetId,
          pairId: o.pair.id,
          direction: name,
          language: into,
          provenance: "translation-demo",
          instructionLanguage: written,
          instruction: translationInstruction(written, into, variant),
          input: intoX ? o.pivot : o.other,
          output: intoX ? o.other : o.pivot,
        });
      }
      plan.directions.push({ direction: name, examples: strategy.perDirection });
    });
  }
  if (templateLanguages.size > 0) plan.warnings.push(`No instruction templates in ${[...templateLanguages].join(", ")}: those demonstrations are phrased in English.`);
  return items;
}

function tally(items: readonly MixItem[], directions: NonNullable<MixCounts["directions"]>): MixCounts {
  const languages = new Map<string, number>();
  const languageProvenance = new Map<string, Map<Provenance, number>>();
  const provenance = new Map<Provenance, number>();
  const sources = new Map<string, number>();
  for (const it of items) {
    languages.set(it.language, (languages.get(it.language) ?? 0) + 1);
    let own = languageProvenance.get(it.language);
    if (!own) languageProvenance.set(it.language, (own = new Map()));
    own.set(it.provenance, (own.get(it.provenance) ?? 0) + 1);
    provenance.set(it.provenance, (provenance.get(it.provenance) ?? 0) + 1);
    sources.set(it.datasetId, (sources.get(it.datasetId) ?? 0) + 1);
  }
  // Ties by code point, not localeCompare: stored counts must order alike under every locale and ICU version.
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byCount = <K>(m: Map<K, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || byCodePoint(String(a[0]), String(b[0])));
  return {
    total: items.length,
    languages: byCount(languages).map(([language, examples]) => ({ language, examples, provenance: byCount(languageProvenance.get(language)!).map(([p, n]) => ({ provenance: p, examples: n })) })),
    provenance: byCount(provenance).map(([p, examples]) => ({ provenance: p, examples })),
    sources: [...sources.entries()].map(([dataset, examples]) => ({ dataset, examples })),
    directions,
  };
}

/** Builds a recipe over its sources' rows: which examples, in which order, and what that adds up to. */
export function buildMix(recipe: MixRecipe, data: readonly MixSourceData[]): MixPlan {
  const sources = checkSources(recipe, data);
  const strategy = recipe.strategy;
  const plan: CrossAlpacaNotes = { directions: [], warnings: [] };
  if (strategy.kind !== "crossalpaca") {
    const parallel = sources.find((s) => s.kind === "parallel");
    if (parallel) throw invalid(`Dataset "${parallel.name}" holds sentence pairs; only the crossalpaca strategy uses them.`, `sources[${sources.indexOf(parallel)}]`, "Take it out of the sources, or choose the crossalpaca strategy.");
  }
  const p = pools(recipe, sources);
  let items: MixItem[];
  const counts = languageCounts(strategy, p);
  if (counts) {
    items = counts.flatMap(([language, n]) => draw(p, recipe, language, n).map(asItem));
  } else if (strategy.kind === "ratios") {
    const ids = new Set(sources.map((s) => s.id));
    const per = largestRemainder(strategy.total, strategy.shares.map((s) => s.weight));
    items = strategy.shares.flatMap((share, i) => {
      if (!ids.has(share.key)) throw invalid(`"${share.key}" is not one of the recipe's sources.`, `strategy.shares[${i}].key`, "By source, each key is the id of a dataset in `sources`.");
      const pool = p.bySource.get(share.key) ?? [];
      const name = sources.find((s) => s.id === share.key)!.name;
      if (pool.length < per[i]!) throw tooFew(`Dataset "${name}"`, per[i]!, pool.length, 0, `strategy.shares[${i}]`);
      return seededShuffle(pool, subSeed(recipe.seed, `source:${share.key}`)).slice(0, per[i]).map(asItem);
    });
  } else if (strategy.kind === "translated") {
    const translations = new Map<string, MixCandidate>();
    for (const list of p.byLanguage.values()) {
      for (const c of list) if (c.translatedFrom !== null && c.provenance === "machine-translated" && !translations.has(`${c.translatedFrom}:${c.language}`)) translations.set(`${c.translatedFrom}:${c.language}`, c);
    }
    items = strategy.mode === "add" ? translatedAdd(strategy, recipe, p, translations) : translatedReplace(strategy, recipe, p, translations);
  } else if (strategy.kind === "crossalpaca") {
    items = crossAlpaca(strategy, recipe, sources, p, plan);
  } else {
    throw invalid(`Unknown strategy "${(strategy as { kind: string }).kind}".`, "strategy.kind");
  }
  // One order for the whole mix (DT's "sampled uniformly"): languages interleaved, fixed by the seed.
  items = seededShuffle(items, subSeed(recipe.seed, "order"));
  const available = [...p.byLanguage.keys(), ...[...p.lowByLanguage.keys()].filter((l) => !p.byLanguage.has(l))]
    .map((language) => ({ language, examples: p.byLanguage.get(language)?.length ?? 0, lowConfidence: p.lowByLanguage.get(language) ?? 0 }))
    .sort((a, b) => b.examples - a.examples || a.language.localeCompare(b.language));
  if (p.duplicatesDropped > 0) plan.warnings.push(`${p.duplicatesDropped} examples appear in more than one source; each is used once.`);
  return { items, counts: tally(items, plan.directions), available, lowConfidenceExcluded: p.lowConfidenceExcluded, duplicatesDropped: p.duplicatesDropped, warnings: plan.warnings };
}
