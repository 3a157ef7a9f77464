// Sentence simplification (issue 12 suite 6; paper 003 §4.2): SARI exactly as EASSE's corpus_sari
// (metrics/sari.ts), and SARI weighted by input/output language agreement — the share of outputs whose
// identified language is the input's — so a system that answers in English is not rewarded for
// keeping the English words of its references (decision 0028). Inputs are line-aligned plain text, as
// EASSE and the ASSET/MultiSim files have them.
import { readFileSync } from "node:fs";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { loadLanguageIdentifier, type LanguageIdentifier } from "../../langid/loadLanguageIdentifier.js";
import { aggregate } from "../aggregate.js";
import { languageCorrectness } from "../metrics/languageCorrectness.js";
import { addSariStatistics, corpusSariStatistics, emptySariStatistics, sariFromStatistics, type SariScore, type SariStatistics } from "../metrics/sari.js";
import type { ItemScore, SuiteScore } from "../SuiteScore.js";

export interface SimplificationSuiteInput {
  /** Plain text, one source sentence per line. */
  sources: string;
  /** One or more plain-text files, each line-aligned with the sources (reference k of every sentence). */
  references: readonly string[];
  /** Plain text, one system output per line. */
  predictions: string;
  /** The language of the sources (and so of the expected outputs); when absent it is identified line by line from each source. */
  language?: string;
  resamples?: number;
  seed?: number;
}

/**
 * One output's sentence-level scores (see scoreSimplificationSuite) from its SARI statistics (EASSE's
 * corpus_sari counts for that sentence) and whether its identified language is `expected`. The in-memory
 * core of scoreSimplificationSuite, shared with the evaluation job's scorer.
 */
export function scoreSimplificationOutput(identifier: LanguageIdentifier, source: string, prediction: string, statistics: SariStatistics, expected: string): { scores: Record<string, number | null>; detail: Record<string, unknown> } {
  const sentence = sariFromStatistics(statistics);
  const { correct, identified } = languageCorrectness(identifier, prediction, expected);
  return {
    scores: {
      sari: sentence.sari,
      sari_add: sentence.add,
      sari_keep: sentence.keep,
      sari_delete: sentence.delete,
      language_correctness: correct,
      sari_x_language_correctness: sentence.sari * correct,
    },
    detail: { source, prediction, expectedLanguage: expected, outputLanguage: identified.language, outputConfidence: identified.confidence },
  };
}

/** Corpus SARI over some sentences (with repeats, as in bootstrap resamples): their n-gram counts summed, then SARI. */
export function corpusSariOf(statistics: readonly SariStatistics[], indices: readonly number[]): SariScore {
  const total: SariStatistics = emptySariStatistics();
  for (const i of indices) addSariStatistics(total, statistics[i]!);
  return sariFromStatistics(total);
}

/**
 * Per-item scores (one item per line, id = its 1-based line number):
 * - `sari`, `sari_add`, `sari_keep`, `sari_delete`: the sentence's own SARI (EASSE's corpus_sari on that
 *   one sentence), 0–100;
 * - `language_correctness`: 0/1, the output's identified language equals the input's;
 * - `sari_x_language_correctness`: the sentence's SARI if its output is in the input's language, else 0.
 * Aggregates of the SARI metrics and of the product are CORPUS-level (n-gram statistics summed over the
 * sentences, as EASSE scores a corpus), not means of the per-item values; their 95% intervals resample
 * sentences and recompute the corpus statistic. `language_correctness` aggregates as a mean ×100.
 */
export async function scoreSimplificationSuite(input: SimplificationSuiteInput): Promise<SuiteScore> {
  if (input.references.length === 0) {
    throw new PolytuneError("simplification-data", "SARI needs at least one reference file.", { where: "--references", hint: "Give one or more plain-text files, line-aligned with the sources." });
  }
  const sources = readLines(input.sources, "sources");
  const predictions = readLines(input.predictions, "predictions");
  const references = input.references.map((file, k) => readLines(file, `reference ${k + 1}`));
  const mismatched = [{ file: input.predictions, lines: predictions }, ...input.references.map((file, k) => ({ file, lines: references[k]! }))].filter((f) => f.lines.length !== sources.length);
  if (mismatched.length > 0) {
    const counts = mismatched.map((f) => `${f.file} has ${f.lines.length}`).join("; ");
    throw new PolytuneError("simplification-data", `Every file must have one line per source sentence: ${input.sources} has ${sources.length} lines, but ${counts}.`, {
      where: mismatched[0]!.file,
      hint: "Sources, references and predictions are line-aligned plain text: line i of each file belongs to sentence i.",
    });
  }

  const statistics = corpusSariStatistics(sources, predictions, references);
  const identifier = await loadLanguageIdentifier();
  const items: ItemScore[] = sources.map((source, i) => {
    const expected = input.language ?? identifier.identify(source).language;
    return { id: String(i + 1), language: input.language ?? null, ...scoreSimplificationOutput(identifier, source, predictions[i]!, statistics[i]!, expected) };
  });

  // Corpus statistics over a (re)sample of item indices: sums of n-gram counts, then SARI.
  const corpusOf = (indices: readonly number[]): SariScore => corpusSariOf(statistics, indices);
  const agreementOf = (indices: readonly number[]): number => {
    let agreeing = 0;
    for (const i of indices) agreeing += items[i]!.scores.language_correctness!;
    return agreeing / indices.length;
  };
  const aggregates = aggregate(
    items,
    [
      { metric: "sari", perItem: "percent", corpus: (idx) => corpusOf(idx).sari },
      { metric: "sari_add", perItem: "percent", corpus: (idx) => corpusOf(idx).add },
      { metric: "sari_keep", perItem: "percent", corpus: (idx) => corpusOf(idx).keep },
      { metric: "sari_delete", perItem: "percent", corpus: (idx) => corpusOf(idx).delete },
      { metric: "language_correctness", perItem: "fraction" },
      // Resampled jointly: the same sentences give both the corpus SARI and the agreement rate.
      { metric: "sari_x_language_correctness", perItem: "percent", corpus: (idx) => corpusOf(idx).sari * agreementOf(idx) },
    ],
    { resamples: input.resamples, seed: input.seed, perLanguage: false },
  );
  const notes = [
    `SARI as EASSE's corpus_sari with its defaults (lowercased, sacrebleu 13a tokens, n-grams 1–4, deletion by F1) over ${sources.length} sentences and ${references.length} reference${references.length === 1 ? "" : "s"} each; aggregates are corpus-level, per-item values are sentence-level SARI.`,
    "sari_x_language_correctness = corpus SARI × the share of outputs identified (fastText lid.176) in the input's language (paper 003 §4.2).",
    input.language ? `Input language: ${input.language} for every sentence.` : "Input language identified from each source sentence (no --language given).",
  ];
  return { suite: "simplification", items, aggregates, excluded: [], notes };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * One entry per line of a UTF-8 text file: a BOM and CRs before newlines are dropped, and a final
 * newline does not open an extra (empty) line. Empty lines in between are kept, since they are sentences
 * (an empty output is a valid, if poor, simplification).
 */
export function readLines(file: string, role: string): string[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new PolytuneError("not-found", `The ${role} file cannot be read.`, { where: file, details: (error as Error).message, cause: error });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new PolytuneError("simplification-data", `The ${role} file is not UTF-8 text.`, { where: file, hint: "Save it as UTF-8 plain text, one sentence per line.", cause: error });
  }
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  if (text === "") throw new PolytuneError("simplification-data", `The ${role} file is empty.`, { where: file, hint: "It needs one sentence per line." });
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
