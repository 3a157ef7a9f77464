// SARI (Xu et al. 2016) exactly as EASSE's `corpus_sari` computes it with its defaults (easse/sari.py,
// easse/utils/preprocessing.py; decision 0028): every sentence — source, output and references — is
// lowercased and tokenized with sacrebleu's 13a tokenizer; n-gram statistics (n = 1..4) are summed over
// the corpus; then, per n, add/keep/delete F1 (deletion by F1, not the original precision-only score),
// each averaged over n, and SARI = the mean of the three on 0–100. A sentence's SARI is the same
// computation on that one sentence. Because the statistics are sums, a corpus score is recomputable from
// per-sentence statistics, which is what the bootstrap over sentences does.
import { splitPythonWhitespace, tokenize13a } from "./tokenize13a.js";

/** EASSE's NGRAM_ORDER. */
export const sariNgramOrder = 4;

/** One operation's counts per n-gram order (index 0 = unigrams). */
export interface OperationCounts {
  /** n-grams the system got right for this operation. */
  correct: number[];
  /** n-grams the system performed this operation on (precision's denominator). */
  system: number[];
  /** n-grams the references performed it on (recall's denominator). */
  reference: number[];
}

/** EASSE's `compute_ngram_stats` output; additive over sentences. */
export interface SariStatistics {
  add: OperationCounts;
  keep: OperationCounts;
  delete: OperationCounts;
}

/** SARI and its three operation scores, all 0–100 (EASSE's `get_corpus_sari_operation_scores`). */
export interface SariScore {
  sari: number;
  add: number;
  keep: number;
  delete: number;
}

/** EASSE's `normalize(sentence, lowercase=True, tokenizer="13a")`: Python's `str.lower()` then 13a. */
export function normalizeForSari(sentence: string, options: { lowercase?: boolean } = {}): string {
  return tokenize13a(options.lowercase === false ? sentence : sentence.toLowerCase());
}

/** An empty set of statistics, to sum into. */
export function emptySariStatistics(): SariStatistics {
  const counts = (): OperationCounts => ({ correct: zeros(), system: zeros(), reference: zeros() });
  return { add: counts(), keep: counts(), delete: counts() };
}

/** Adds `from` into `into` (in place) `times` times; returns `into`. */
export function addSariStatistics(into: SariStatistics, from: SariStatistics, times = 1): SariStatistics {
  for (const op of ["add", "keep", "delete"] as const) {
    for (const field of ["correct", "system", "reference"] as const) {
      const target = into[op][field];
      const source = from[op][field];
      for (let n = 0; n < sariNgramOrder; n++) target[n] = (target[n] ?? 0) + (source[n] ?? 0) * times;
    }
  }
  return into;
}

/**
 * EASSE's `compute_ngram_stats` for one sentence whose texts are already normalized (tokens separated by
 * whitespace). Additions count distinct n-grams (sets); keeps and deletions count n-gram occurrences,
 * the source's and the output's multiplied by the number of references so they weigh like the pooled
 * reference counts.
 */
export function sentenceSariStatistics(source: string, output: string, references: readonly string[]): SariStatistics {
  if (references.length === 0) throw new RangeError("SARI needs at least one reference per sentence.");
  const stats = emptySariStatistics();
  const sourceGrams = ngramCounts(source);
  const outputGrams = ngramCounts(output);
  const referenceGrams = Array.from({ length: sariNgramOrder }, () => new Map<string, number>());
  for (const reference of references) {
    for (const [n, counts] of ngramCounts(reference).entries()) {
      const pooled = referenceGrams[n]!;
      for (const [gram, count] of counts) pooled.set(gram, (pooled.get(gram) ?? 0) + count);
    }
  }
  const r = references.length;
  for (let n = 0; n < sariNgramOrder; n++) {
    const src = sourceGrams[n]!;
    const out = outputGrams[n]!;
    const refs = referenceGrams[n]!;

    // ADD: distinct n-grams new to the output / to the references, and those new to both.
    for (const gram of out.keys()) {
      if (src.has(gram)) continue;
      stats.add.system[n]! += 1;
      if (refs.has(gram)) stats.add.correct[n]! += 1;
    }
    for (const gram of refs.keys()) if (!src.has(gram)) stats.add.reference[n]! += 1;

    // KEEP and DELETE, over the source's n-grams (Counter `&` is a minimum, `-` a positive difference).
    for (const [gram, count] of src) {
      const srcR = count * r;
      const outR = (out.get(gram) ?? 0) * r;
      const refCount = refs.get(gram) ?? 0;
      const keptByOutput = Math.min(srcR, outR);
      const keptByReferences = Math.min(srcR, refCount);
      stats.keep.system[n]! += keptByOutput;
      stats.keep.reference[n]! += keptByReferences;
      stats.keep.correct[n]! += Math.min(keptByOutput, keptByReferences);
      const deletedByOutput = Math.max(0, srcR - outR);
      const deletedByReferences = Math.max(0, srcR - refCount);
      stats.delete.system[n]! += deletedByOutput;
      stats.delete.reference[n]! += deletedByReferences;
      stats.delete.correct[n]! += Math.min(deletedByOutput, deletedByReferences);
    }
  }
  return stats;
}

/**
 * EASSE's default scoring of summed statistics (`compute_macro_sari`, `use_f1_for_deletion=True`): F1 per
 * n-gram order, averaged over orders, per operation. The sums run in EASSE's order so the floating-point
 * result is the same.
 */
export function sariFromStatistics(stats: SariStatistics): SariScore {
  let add = 0;
  let keep = 0;
  let del = 0;
  for (let n = 0; n < sariNgramOrder; n++) {
    add += f1(stats.add, n) / sariNgramOrder;
    keep += f1(stats.keep, n) / sariNgramOrder;
    del += f1(stats.delete, n) / sariNgramOrder;
  }
  const scores = { add: 100 * add, keep: 100 * keep, delete: 100 * del };
  return { sari: (scores.add + scores.keep + scores.delete) / 3, ...scores };
}

/** Normalized per-sentence statistics for a corpus; `references[k][i]` is reference k of sentence i (EASSE's shape). */
export function corpusSariStatistics(sources: readonly string[], outputs: readonly string[], references: readonly (readonly string[])[], options: { lowercase?: boolean } = {}): SariStatistics[] {
  if (outputs.length !== sources.length) throw new RangeError(`SARI needs one output per source: ${sources.length} sources, ${outputs.length} outputs.`);
  if (references.length === 0) throw new RangeError("SARI needs at least one reference set.");
  for (const [k, set] of references.entries()) {
    if (set.length !== sources.length) throw new RangeError(`SARI needs one reference per source: ${sources.length} sources, ${set.length} in reference set ${k + 1}.`);
  }
  const normalize = (text: string): string => normalizeForSari(text, options);
  return sources.map((source, i) =>
    sentenceSariStatistics(
      normalize(source),
      normalize(outputs[i]!),
      references.map((set) => normalize(set[i]!)),
    ),
  );
}

/** EASSE's `corpus_sari(orig_sents, sys_sents, refs_sents)` with its defaults, plus the operation scores. */
export function corpusSari(sources: readonly string[], outputs: readonly string[], references: readonly (readonly string[])[], options: { lowercase?: boolean } = {}): SariScore {
  const total = emptySariStatistics();
  for (const stats of corpusSariStatistics(sources, outputs, references, options)) addSariStatistics(total, stats);
  return sariFromStatistics(total);
}

/** EASSE's `corpus_sari` on a single sentence (its sentence-level SARI with the corpus defaults). */
export function sentenceSari(source: string, output: string, references: readonly string[], options: { lowercase?: boolean } = {}): SariScore {
  return corpusSari([source], [output], references.map((reference) => [reference]), options);
}

/** EASSE's `compute_precision_recall_f1`: 0 unless both precision and recall are positive. */
function f1(counts: OperationCounts, n: number): number {
  const correct = counts.correct[n]!;
  const system = counts.system[n]!;
  const reference = counts.reference[n]!;
  const precision = system > 0 ? correct / system : 0;
  const recall = reference > 0 ? correct / reference : 0;
  return precision > 0 && recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** EASSE's `extract_ngrams`: n-grams of whitespace-split tokens (Python `str.split()`), joined by one space. */
function ngramCounts(line: string): Map<string, number>[] {
  const tokens = splitPythonWhitespace(line);
  const orders: Map<string, number>[] = [];
  for (let n = 1; n <= sariNgramOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const gram = tokens.slice(i, i + n).join(" ");
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
    orders.push(counts);
  }
  return orders;
}

function zeros(): number[] {
  return new Array<number>(sariNgramOrder).fill(0);
}
