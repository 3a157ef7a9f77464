// The demo's findings in words, from hand-made numbers: each sentence says what its numbers show and
// nothing more (a difference only at p < 0.05; "in English" only where Mono's answers were identified so).
import { describe, expect, it } from "vitest";
import { demoFindings, demoLanguageRows, type DemoLanguageRow } from "../../../electron/cli/demoFindings.js";
import type { CompareRunsResult } from "../../../electron/shared/compareContract.js";

const m = (mean: number, n = 20): DemoLanguageRow["mono"] => ({ mean, ci95: [Math.max(0, mean - 20), Math.min(100, mean + 20)], n });

function row(language: string, tuned: "multi" | "both" | "neither", mono: number, multi: number, p: number, monoEnglish: number | null = null): DemoLanguageRow {
  return {
    language,
    tuning: { mono: tuned === "both" ? "supervised" : "zero-shot", multi: tuned === "neither" ? "zero-shot" : "supervised" },
    base: m(10),
    mono: m(mono),
    multi: m(multi),
    delta: { difference: multi - mono, ci95: null, p, n: 20 },
    monoEnglish,
  };
}

describe("demoFindings", () => {
  it("says Mono answers in English and Multi-3 in the prompt's language only where both numbers show it", () => {
    const [line] = demoFindings([row("es", "multi", 5, 85, 0.0001, 90)]);
    expect(line).toBe("es: Mono, tuned on English only, answers 90% of the es prompts in English; Multi-3, tuned on es too, answers in es (Multi-3 85% vs Mono 5%, Δ +80 points, p = 1.0e-4, n = 20; base model 10%).");
  });

  it("says only 'more often' where Mono did not answer mostly in English, or Multi-3 stayed under half", () => {
    expect(demoFindings([row("de", "multi", 5, 45, 0.001, 90)])[0]).toBe("de: Multi-3, tuned on de, answers in de more often than Mono (Multi-3 45% vs Mono 5%, Δ +40 points, p = 0.001, n = 20; base model 10%).");
    expect(demoFindings([row("de", "multi", 5, 85, 0.001, 30)])[0]).toMatch(/^de: Multi-3, tuned on de, answers in de more often than Mono/);
    expect(demoFindings([row("de", "multi", 5, 85, 0.001, null)])[0]).toMatch(/^de: Multi-3, tuned on de, answers in de more often than Mono/);
  });

  it("reports a tuned language that got worse, and one that did not change significantly", () => {
    expect(demoFindings([row("es", "multi", 60, 20, 0.01)])[0]).toBe("es: Multi-3 answers in es less often than Mono although it was tuned on es (Multi-3 20% vs Mono 60%, Δ −40 points, p = 0.010, n = 20; base model 10%).");
    expect(demoFindings([row("es", "multi", 20, 35, 0.3)])[0]).toBe("es: tuning on es made no significant difference here (Multi-3 35% vs Mono 20%, Δ +15 points, p = 0.300, n = 20; base model 10%).");
  });

  it("says whether a zero-shot language follows, with Mono's English answers where most were English", () => {
    expect(demoFindings([row("fr", "neither", 0, 40, 0.002, 80)])[0]).toBe("fr, in neither mix: it follows — Multi-3 answers in fr more often than Mono (Multi-3 40% vs Mono 0%, Δ +40 points, p = 0.002, n = 20; base model 10%); Mono answers 80% of them in English.");
    expect(demoFindings([row("ru", "neither", 5, 10, 0.6, 20)])[0]).toBe("ru, in neither mix: it does not follow — no significant difference between Multi-3 and Mono (Multi-3 10% vs Mono 5%, Δ +5 points, p = 0.600, n = 20; base model 10%).");
    expect(demoFindings([row("pt", "neither", 50, 10, 0.004)])[0]).toMatch(/^pt, in neither mix: it does not follow — Multi-3 answers in pt less often than Mono \(/);
  });

  it("compares English without claiming a difference the test does not show", () => {
    expect(demoFindings([row("en", "both", 80, 70, 0.4)])[0]).toBe("en: Multi-3 and Mono answer English prompts in English about equally often (Multi-3 70% vs Mono 80%, Δ −10 points, p = 0.400, n = 20; base model 10%; no significant difference).");
    expect(demoFindings([row("en", "both", 80, 40, 0.001)])[0]).toMatch(/^en: Multi-3 answers English prompts in English less often than Mono/);
  });

  it("falls back to the bare numbers where both runs were tuned on a non-English language, and names a language that was not compared", () => {
    expect(demoFindings([row("es", "both", 50, 55, 0.8)])[0]).toBe("es: Multi-3 55% vs Mono 50%, Δ +5 points, p = 0.800, n = 20; base model 10% (no significant difference).");
    expect(demoFindings([{ ...row("zh", "neither", 0, 0, 1), multi: null, delta: null }])[0]).toBe("zh: not compared (no scored answers from Multi-3).");
    // Without the base model's evaluation, its share is left out rather than guessed.
    expect(demoFindings([{ ...row("pt", "neither", 0, 0, 1), base: null }])[0]).toBe("pt, in neither mix: it does not follow — no significant difference between Multi-3 and Mono (Multi-3 0% vs Mono 0%, Δ +0 points, p = 1.000, n = 20).");
  });

  it("builds its rows from compare.runs: cells, the shared baseline, the pair against Mono, each run's zero-shot mark", () => {
    const cell = (run: string, language: string, system: "base" | "tuned", mean: number) => ({ run, suite: "open" as const, metric: "language_correctness", language, system, mean, ci95: [mean - 5, mean + 5] as [number, number], n: 20 });
    const c = {
      runs: [{ id: "mono" }, { id: "multi" }],
      languages: [{ language: "es", tuning: ["zero-shot", "supervised"] }],
      cells: [cell("mono", "es", "tuned", 10), cell("multi", "es", "tuned", 70), cell("mono", "es", "base", 30), cell("multi", "es", "base", 30), { ...cell("multi", "es", "tuned", 99), metric: "spelling" }],
      pairs: [{ run: "multi", reference: "mono", suite: "open", metric: "language_correctness", language: "es", n: 20, difference: 60, ci95: [40, 80], p: 0.0002, test: "McNemar (exact)" }],
    } as unknown as CompareRunsResult;
    expect(demoLanguageRows(c, "mono", "multi", new Map([["es", 85]]))).toEqual([
      {
        language: "es",
        tuning: { mono: "zero-shot", multi: "supervised" },
        base: { mean: 30, ci95: [25, 35], n: 20 },
        mono: { mean: 10, ci95: [5, 15], n: 20 },
        multi: { mean: 70, ci95: [65, 75], n: 20 },
        delta: { difference: 60, ci95: [40, 80], p: 0.0002, n: 20 },
        monoEnglish: 85,
      },
    ]);
  });
});
