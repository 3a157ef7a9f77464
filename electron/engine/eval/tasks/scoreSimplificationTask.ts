// Scoring simplification outputs (paper 003 §4.2): SARI exactly as scoreSimplificationSuite (EASSE's
// corpus_sari, corpus-level n-gram statistics), the IO-language-agreement rate (share of outputs whose
// identified language is the input's), and their product `sari_io_weighted`, the paper's headline score.
// With several seeds each corpus statistic is computed per seed over the corpus, then averaged over seeds.
import { loadLanguageIdentifier } from "../../langid/loadLanguageIdentifier.js";
import type { MetricSpec } from "../aggregate.js";
import { corpusSariStatistics, type SariScore, type SariStatistics } from "../metrics/sari.js";
import { corpusSariOf, scoreSimplificationOutput } from "../suites/scoreSimplificationSuite.js";
import type { SeedScore } from "./averageSeeds.js";
import type { SimplificationReference } from "./loadSimplificationTask.js";
import type { Scorable, SuiteOutputScores } from "./scoreOpenTask.js";

const seedKey = (seed: number | null): string => String(seed);

export async function scoreSimplificationOutputs(scorable: readonly Scorable[]): Promise<SuiteOutputScores> {
  const identifier = await loadLanguageIdentifier();
  // statistics[seed][item index]; agreement[seed][item index] (0/1), undefined where that seed has no output.
  const statistics = new Map<string, Array<SariStatistics | undefined>>();
  const agreement = new Map<string, Array<number | undefined>>();
  const perSeed: SeedScore[][] = scorable.map(({ item, outputs }, i) => {
    const ref = item.reference as SimplificationReference;
    return outputs.map((o) => {
      const text = o.text ?? "";
      const stats = corpusSariStatistics([ref.source], [text], ref.references.map((r) => [r]))[0]!;
      const scored = scoreSimplificationOutput(identifier, ref.source, text, stats, item.language);
      const key = seedKey(o.seed);
      if (!statistics.has(key)) {
        statistics.set(key, new Array<SariStatistics | undefined>(scorable.length));
        agreement.set(key, new Array<number | undefined>(scorable.length));
      }
      statistics.get(key)![i] = stats;
      agreement.get(key)![i] = scored.scores.language_correctness!;
      const { language_correctness, sari_x_language_correctness, ...sari } = scored.scores;
      // The suite's per-item names, renamed for the job: io_language_agreement (0/1) and sari_io_weighted (sentence SARI × agreement).
      return { seed: o.seed, scores: { ...sari, io_language_agreement: language_correctness ?? null, sari_io_weighted: sari_x_language_correctness ?? null }, detail: { ...scored.detail, references: ref.references.length } };
    });
  });

  // Over a (re)sample of item indices: each seed's corpus statistic over the items that seed has, averaged over seeds.
  const overSeeds = (indices: readonly number[], f: (stats: ReadonlyArray<SariStatistics | undefined>, agree: ReadonlyArray<number | undefined>, idx: number[]) => number): number => {
    const values: number[] = [];
    for (const [key, stats] of statistics) {
      const idx = indices.filter((i) => stats[i] !== undefined);
      if (idx.length > 0) values.push(f(stats, agreement.get(key)!, idx));
    }
    return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  };
  const corpus = (stats: ReadonlyArray<SariStatistics | undefined>, idx: number[]): SariScore => corpusSariOf(stats as SariStatistics[], idx);
  const rate = (agree: ReadonlyArray<number | undefined>, idx: number[]): number => idx.reduce((s, i) => s + agree[i]!, 0) / idx.length;
  const metrics = (): MetricSpec[] => [
    { metric: "sari", perItem: "percent", corpus: (idx) => overSeeds(idx, (s, _a, i) => corpus(s, i).sari) },
    { metric: "sari_add", perItem: "percent", corpus: (idx) => overSeeds(idx, (s, _a, i) => corpus(s, i).add) },
    { metric: "sari_keep", perItem: "percent", corpus: (idx) => overSeeds(idx, (s, _a, i) => corpus(s, i).keep) },
    { metric: "sari_delete", perItem: "percent", corpus: (idx) => overSeeds(idx, (s, _a, i) => corpus(s, i).delete) },
    { metric: "io_language_agreement", perItem: "fraction", corpus: (idx) => 100 * overSeeds(idx, (_s, a, i) => rate(a, i)) },
    // Resampled jointly: the same sentences give both the corpus SARI and the agreement rate.
    { metric: "sari_io_weighted", perItem: "percent", corpus: (idx) => overSeeds(idx, (s, a, i) => corpus(s, i).sari * rate(a, i)) },
  ];
  const notes = (): string[] => [
    "sari: EASSE's corpus_sari with its defaults (lowercased, sacrebleu 13a tokens, n-grams 1–4, deletion by F1); aggregates are corpus-level (per language), per-item values sentence-level.",
    "io_language_agreement: share of outputs identified (fastText lid.176) in the input's language; sari_io_weighted = corpus SARI × that share (paper 003 §4.2).",
    ...(statistics.size > 1 ? [`Sampled over ${statistics.size} seeds: each corpus statistic is computed per seed, then averaged.`] : []),
  ];
  return { perSeed, metrics, notes };
}
