// What the demo's numbers say, in words computed from them and nothing else: per language, Multi-3
// against Mono on the same held-out prompts (language correctness, McNemar's p), with Mono's share of
// answers in English where that explains a difference. A difference is called one only at p < 0.05.
import type { CompareRunsResult } from "../shared/compareContract.js";

type Tuning = CompareRunsResult["languages"][number]["tuning"][number];
export interface DemoMeasure {
  mean: number;
  ci95: [number, number] | null;
  n: number;
}

/** One language of the demo's comparison. */
export interface DemoLanguageRow {
  language: string;
  tuning: { mono: Tuning; multi: Tuning };
  /** Language correctness (% of answers in the prompt's language) of the base model, Mono and Multi-3. */
  base: DemoMeasure | null;
  mono: DemoMeasure | null;
  multi: DemoMeasure | null;
  /** Multi-3 − Mono on the same prompts, in points, with the paired test's p. */
  delta: { difference: number; ci95: [number, number] | null; p: number | null; n: number } | null;
  /** Share (%) of Mono's answers to this language's prompts identified as English; null for English. */
  monoEnglish: number | null;
}

export const significance = 0.05;
const metric = "language_correctness";

/** The rows, from `compare.runs` over [Mono, Multi-3] (Mono the reference) and Mono's English shares. */
export function demoLanguageRows(c: CompareRunsResult, mono: string, multi: string, monoEnglish: ReadonlyMap<string, number>): DemoLanguageRow[] {
  const at = (run: string, language: string, system: "base" | "tuned"): DemoMeasure | null => {
    const cell = c.cells.find((x) => x.run === run && x.language === language && x.metric === metric && x.suite === "open" && x.system === system);
    return cell ? { mean: cell.mean, ci95: cell.ci95, n: cell.n } : null;
  };
  const k = { mono: c.runs.findIndex((r) => r.id === mono), multi: c.runs.findIndex((r) => r.id === multi) };
  return c.languages.map(({ language, tuning }) => {
    const pair = c.pairs.find((p) => p.run === multi && p.reference === mono && p.language === language && p.metric === metric && p.suite === "open");
    return {
      language,
      tuning: { mono: tuning[k.mono] ?? "unknown", multi: tuning[k.multi] ?? "unknown" },
      base: at(mono, language, "base") ?? at(multi, language, "base"),
      mono: at(mono, language, "tuned"),
      multi: at(multi, language, "tuned"),
      delta: pair ? { difference: pair.difference, ci95: pair.ci95, p: pair.p, n: pair.n } : null,
      monoEnglish: language === "en" ? null : (monoEnglish.get(language) ?? null),
    };
  });
}

const pct = (v: number): string => `${v.toFixed(0)}%`;
const signed = (v: number): string => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(0)}`;
export const pText = (p: number | null): string => (p === null ? "—" : p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/** One sentence per language: what Multi-3 against Mono shows there, and only that. */
export function demoFindings(rows: readonly DemoLanguageRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const l = r.language;
    if (!r.mono || !r.multi || !r.delta) {
      out.push(`${l}: not compared (no scored answers from ${[!r.mono ? "Mono" : "", !r.multi ? "Multi-3" : ""].filter(Boolean).join(" and ") || "both runs on the same prompts"}).`);
      continue;
    }
    // The base model's share is stated, never tested: the paired test is Multi-3 against Mono only.
    const versus = `Multi-3 ${pct(r.multi.mean)} vs Mono ${pct(r.mono.mean)}, Δ ${signed(r.delta.difference)} points, p = ${pText(r.delta.p)}, n = ${r.delta.n}${r.base ? `; base model ${pct(r.base.mean)}` : ""}`;
    const sig = r.delta.p !== null && r.delta.p < significance;
    const up = sig && r.delta.difference > 0;
    const down = sig && r.delta.difference < 0;
    const monoInEnglish = r.monoEnglish !== null && r.monoEnglish >= 50;
    if (l === "en") {
      out.push(up || down ? `en: Multi-3 answers English prompts in English ${up ? "more" : "less"} often than Mono (${versus}).` : `en: Multi-3 and Mono answer English prompts in English about equally often (${versus}; no significant difference).`);
    } else if (r.tuning.multi === "supervised" && r.tuning.mono !== "supervised") {
      if (up && monoInEnglish && r.multi.mean >= 50) out.push(`${l}: Mono, tuned on English only, answers ${pct(r.monoEnglish!)} of the ${l} prompts in English; Multi-3, tuned on ${l} too, answers in ${l} (${versus}).`);
      else if (up) out.push(`${l}: Multi-3, tuned on ${l}, answers in ${l} more often than Mono (${versus}).`);
      else if (down) out.push(`${l}: Multi-3 answers in ${l} less often than Mono although it was tuned on ${l} (${versus}).`);
      else out.push(`${l}: tuning on ${l} made no significant difference here (${versus}).`);
    } else if (r.tuning.multi !== "supervised" && r.tuning.mono !== "supervised") {
      const english = monoInEnglish ? `; Mono answers ${pct(r.monoEnglish!)} of them in English` : "";
      if (up) out.push(`${l}, in neither mix: it follows — Multi-3 answers in ${l} more often than Mono (${versus})${english}.`);
      else if (down) out.push(`${l}, in neither mix: it does not follow — Multi-3 answers in ${l} less often than Mono (${versus})${english}.`);
      else out.push(`${l}, in neither mix: it does not follow — no significant difference between Multi-3 and Mono (${versus})${english}.`);
    } else {
      out.push(`${l}: ${versus}${sig ? "" : " (no significant difference)"}.`);
    }
  }
  return out;
}
