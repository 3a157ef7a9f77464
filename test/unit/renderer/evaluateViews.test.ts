// The Evaluate area's pure parts: the form becomes exactly the request eval.start accepts (parsed with
// the contract's own schema) or names the wrong field; results become language × metric rows with the
// mean and its 95% CI, tuned beside base; an item's detail is read defensively for the drill-down.
import { describe, expect, it } from "vitest";
import { EvalJobSchema, EvalStartSchema, type EvalJob } from "../../../electron/shared/evalContract.js";
import { strings } from "../../../renderer/src/i18n/strings.js";
import { applyEvalProgress, canResumeEval, evalRequest, freshEvalDraft, type EvalDraft } from "../../../renderer/src/views/evaluate/evalDraft.js";
import { evalLiveOf, evalPhaseText } from "../../../renderer/src/views/evaluate/evalLive.js";
import { detailIdentified, detailLines, detailMisspelled, goldFacts, judgeEntries, misspelledSegments, outputDetail } from "../../../renderer/src/views/evaluate/itemDetail.js";
import { itemScoreSummary } from "../../../renderer/src/views/evaluate/itemRows.js";
import { formatDifference, formatMeanCi, formatP } from "../../../electron/shared/formatStatistics.js";
import { chartPoints, metricScaleTop, resultRows, resultsCsv, rowMetrics, suitesWithResults } from "../../../renderer/src/views/evaluate/resultRows.js";

const check = strings.evaluate.check;
const draft = (patch: Partial<EvalDraft> = {}): EvalDraft => ({ ...freshEvalDraft(), model: "m1", suites: [{ suite: "open", data: "/d/a.en.jsonl\n/d/a.fr.jsonl\n", crossLingual: false, language: "" }], ...patch });

const job = (patch: Partial<EvalJob> = {}): EvalJob =>
  EvalJobSchema.parse({
    id: "e1",
    name: "tiny on Chirkova",
    status: "completed",
    phase: "done",
    run: null,
    model: { id: "m1", name: "tiny", fingerprint: "f".repeat(64) },
    adapters: [],
    baseline: true,
    format: "raw",
    decoding: { mode: "greedy", repeatPenalty: 1.1, temperature: 0.8, topP: 0.9, seeds: 3, maxTokens: 16, stop: [], parallel: 2 },
    suites: [{ suite: "open", data: ["/d/a.en.jsonl"], crossLingual: false, items: 4 }],
    languages: [
      { language: "en", tuning: "supervised", examples: 10 },
      { language: "fr", tuning: "zero-shot", examples: 0 },
    ],
    judge: null,
    total: 8,
    done: 8,
    results: [
      {
        suite: "open",
        system: "tuned",
        aggregates: [
          { language: "fr", metric: "language_correctness", n: 2, mean: 50, ci95: [0, 100] },
          { language: null, metric: "language_correctness", n: 4, mean: 62.5, ci95: [41.666, 83.333] },
          { language: "en", metric: "language_correctness", n: 2, mean: 75, ci95: [50, 100] },
          { language: "en", metric: "spelling", n: 2, mean: 90, ci95: null },
        ],
        excluded: [{ id: "fr-3", reason: "no output" }],
        notes: ["fr has no dictionary"],
        comparisons: [{ language: "en", metric: "language_correctness", n: 2, baseline: 50, system: 75, difference: 25, ci95: [0, 50], p: 0.0004, mcnemar: null }],
      },
      {
        suite: "open",
        system: "base",
        aggregates: [{ language: "en", metric: "language_correctness", n: 2, mean: 50, ci95: [0, 100] }],
        excluded: [],
        notes: [],
      },
    ],
    error: null,
    createdAt: "2026-01-01T00:00:00Z",
    finishedAt: null,
    seconds: 3,
    tokens: 100,
    ...patch,
  });

describe("evalRequest", () => {
  it("turns the papers' default draft into exactly what eval.start accepts", () => {
    const { request, errors } = evalRequest(draft({ languages: "en, fr fr", limit: "2", maxTokens: "16", parallel: "2", name: " quick ", stop: "\n\nQ:\n###" }));
    expect(errors).toBeNull();
    expect(request).toEqual({
      model: "m1",
      adapters: [],
      suites: [{ suite: "open", data: ["/d/a.en.jsonl", "/d/a.fr.jsonl"] }],
      languages: ["en", "fr"],
      limit: 2,
      decoding: { mode: "greedy", repeatPenalty: 1.1, temperature: 0.8, topP: 0.9, seeds: 3, maxTokens: 16, parallel: 2, stop: ["Q:", "###"] },
      name: "quick",
    });
    expect(EvalStartSchema.safeParse(request).success).toBe(true);
  });

  it("sends a run without model or adapters, the baseline, a judge, and cross-lingual only where the suite has it", () => {
    const { request } = evalRequest(
      draft({
        source: "run",
        run: "r1",
        adapters: "/ignored.gguf",
        baseline: true,
        judge: "j1",
        judgements: ["relevance"],
        suites: [
          { suite: "qa", data: "/d/xquad.json", crossLingual: true, language: "de" },
          { suite: "open", data: "/d/a.jsonl", crossLingual: true, language: "" },
        ],
      }),
    );
    expect(request).toMatchObject({ run: "r1", baseline: true, judge: { model: "j1", judgements: ["relevance"] } });
    expect(request).not.toHaveProperty("model");
    expect(request).not.toHaveProperty("adapters");
    expect(request!.suites).toEqual([
      { suite: "qa", data: ["/d/xquad.json"], crossLingual: true, language: "de" },
      { suite: "open", data: ["/d/a.jsonl"] },
    ]);
  });

  it("names each wrong field with its sentence, the schema's own where the schema decides", () => {
    const { errors } = evalRequest(
      draft({ model: "", suites: [{ suite: "open", data: " \n", crossLingual: false, language: "" }], limit: "two", maxTokens: "0", topP: "x", languages: "en 7", judge: "j", judgements: [] }),
    );
    expect(errors).toMatchObject({ model: check.model, "suites.0.data": check.data, limit: check.wholeNumber, "decoding.topP": check.number, "judge.judgements": check.judgements });
    // maxTokens 0 is a whole number but below the schema's minimum: the schema's message.
    expect(errors!["decoding.maxTokens"]).toBe(check.atLeast(1));
    expect(evalRequest(draft({ mode: "sampling", topP: "0" })).errors).toEqual({ "decoding.topP": check.above(0) });
    expect(evalRequest(draft({ stop: "x".repeat(65) })).errors).toEqual({ "decoding.stop": expect.any(String) });
    expect(evalRequest(draft({ repeatPenalty: "2.5" })).errors).toEqual({ "decoding.repeatPenalty": check.atMost(2) });
    expect(errors!.languages).toBe(check.language("7"));
    expect(evalRequest(draft({ source: "run" })).errors).toEqual({ run: check.run });
  });

  it("moves a job with its progress events and offers resume only to stopped jobs", () => {
    const jobs = applyEvalProgress([job({ status: "running", done: 1 }), job({ id: "other", done: 1 })], { job: "e1", phase: "decoding", done: 5, total: 8, etaSeconds: 3, tokensPerSecond: 40 });
    expect(jobs.map((j) => [j.id, j.done, j.phase])).toEqual([
      ["e1", 5, "decoding"],
      ["other", 1, "done"],
    ]);
    expect(["running", "completed", "cancelled", "interrupted", "failed"].map((status) => canResumeEval(job({ status: status as EvalJob["status"] })))).toEqual([false, false, true, true, true]);
  });

  it("while judging shows the verdicts beside the job's outputs, never in their place", () => {
    const judging = { job: "e1", phase: "judging" as const, done: 8, total: 8, etaSeconds: null, tokensPerSecond: null, judged: 3, judgeTotal: 12 };
    const [moved] = applyEvalProgress([job({ status: "running", phase: "decoding" })], judging);
    expect([moved!.done, moved!.total, moved!.phase]).toEqual([8, 8, "judging"]);
    const live = evalLiveOf(judging);
    expect(live).toEqual({ etaSeconds: null, tokensPerSecond: null, judged: 3, judgeTotal: 12 });
    expect(evalPhaseText(moved!, live)).toBe("· judging · 3 of 12 verdicts");
    // Before the first verdict count arrives: the phase alone.
    expect(evalPhaseText(moved!, evalLiveOf({ ...judging, judged: undefined, judgeTotal: undefined }))).toBe("· judging");

    const decoding = evalLiveOf({ job: "e1", phase: "decoding", done: 5, total: 8, etaSeconds: 65, tokensPerSecond: 40, judged: 1, judgeTotal: 2 });
    // Verdict counts belong to the judging phase only.
    expect(decoding).toEqual({ etaSeconds: 65, tokensPerSecond: 40, judged: null, judgeTotal: null });
    expect(evalPhaseText({ phase: "decoding" }, decoding)).toBe("· decoding · about 1 min 5 s left · 40.0 tokens/s");
    expect(evalPhaseText({ phase: "loading" }, undefined)).toBe("· loading");
  });
});

describe("resultRows", () => {
  it("writes a mean with its 95% CI to one decimal, signed differences and p as papers print them", () => {
    expect(formatMeanCi(62.5, [41.666, 83.333])).toBe("62.5 [41.7, 83.3]");
    expect(formatMeanCi(90, null)).toBe("90.0");
    expect(formatDifference(25)).toBe("+25.0");
    expect(formatDifference(-3)).toBe("−3.0");
    expect(formatDifference(0.01)).toBe("0.0");
    expect(formatP(0.0004)).toBe("< 0.001");
    expect(formatP(0.04567)).toBe("0.046");
  });

  it("puts the all-languages row first, then languages in code order, tuned beside base with the comparison and the tuning mark", () => {
    const rows = resultRows(job(), "open");
    expect(rows.map((r) => [r.language, r.metric, r.tuning, r.tuned?.mean ?? null, r.base?.mean ?? null, r.comparison?.difference ?? null])).toEqual([
      [null, "language_correctness", null, 62.5, null, null],
      ["en", "language_correctness", "supervised", 75, 50, 25],
      ["en", "spelling", "supervised", 90, null, null],
      ["fr", "language_correctness", "zero-shot", 50, null, null],
    ]);
    expect(suitesWithResults(job())).toEqual(["open"]);
    expect(resultRows(job(), "qa")).toEqual([]);
    expect(suitesWithResults(job({ results: [] }))).toEqual([]);
  });

  it("gives the chart one bar per language and system with its CI, zero-shot languages marked for hatching", () => {
    const rows = resultRows(job(), "open");
    expect(rowMetrics(rows)).toEqual(["language_correctness", "spelling"]);
    expect(chartPoints(rows, "language_correctness")).toEqual([
      { language: "en", system: "tuned", mean: 75, low: 50, high: 100, zeroShot: false },
      { language: "en", system: "base", mean: 50, low: 0, high: 100, zeroShot: false },
      { language: "fr", system: "tuned", mean: 50, low: 0, high: 100, zeroShot: true },
    ]);
    expect([metricScaleTop("helpfulness"), metricScaleTop("criterion_fluency"), metricScaleTop("spelling")]).toEqual([6, 2, 100]);
    expect(chartPoints(rows, "spelling")).toEqual([{ language: "en", system: "tuned", mean: 90, low: null, high: null, zeroShot: false }]);
  });

  it("exports the table as CSV, numbers unrounded and missing cells empty", () => {
    const lines = resultsCsv(resultRows(job(), "open")).trim().split("\n");
    expect(lines[0]).toBe("language,tuning,metric,n,tuned_mean,tuned_ci_low,tuned_ci_high,base_mean,base_ci_low,base_ci_high,difference,p");
    expect(lines[1]).toBe("all,,language_correctness,4,62.5,41.666,83.333,,,,,");
    expect(lines[2]).toBe("en,supervised,language_correctness,2,75,50,100,50,0,100,25,0.0004");
    expect(lines).toHaveLength(5);
  });

  it("marks a language the job does not list as unknown", () => {
    const rows = resultRows(job({ languages: [] }), "open");
    expect(rows.filter((r) => r.language !== null).every((r) => r.tuning === "unknown")).toBe(true);
  });
});

describe("item detail", () => {
  it("cuts a response into plain runs and misspelled words, losing no character", () => {
    const text = "Le chatt est noir.\nIl dort — chatt!";
    const segments = misspelledSegments(text, ["chatt"]);
    expect(segments.map((x) => x.text).join("")).toBe(text);
    expect(segments.filter((x) => x.misspelled).map((x) => x.text)).toEqual(["chatt", "chatt"]);
    // A word containing a misspelled one is not marked ("chatte" is not "chatt").
    expect(misspelledSegments("chatte", ["chatt"])).toEqual([{ text: "chatte", misspelled: false }]);
    expect(misspelledSegments("", ["x"])).toEqual([]);
    expect(misspelledSegments("abc", [])).toEqual([{ text: "abc", misspelled: false }]);
  });

  it("reads lines, detected language and misspelled words, leaving out what is not in shape", () => {
    const detail = {
      identified: { language: "fr", confidence: 0.93 },
      lines: [{ line: 1, text: "un deux trois quatre cinq", tokens: 5, language: "fr", confidence: 0.9, correct: true }, { line: 2 }],
      misspelled: ["chatt", 3],
    };
    expect(detailLines(detail)).toEqual([{ line: 1, text: "un deux trois quatre cinq", tokens: 5, language: "fr", confidence: 0.9, correct: true }]);
    expect(detailIdentified(detail)).toEqual({ language: "fr", confidence: 0.93 });
    expect(detailMisspelled(detail)).toEqual(["chatt"]);
    expect(detailLines(null)).toEqual([]);
    expect(detailIdentified({ identified: "fr" })).toBeNull();
  });

  it("reads the judge's verdicts as judgeOpenItems writes them: values, explanations, raw answers, forced and excluded notes", () => {
    const attempt = (text: string) => ({ text, stopReason: "eos", parsed: true });
    const entries = judgeEntries({
      judge: {
        relevance: { value: 1, attempts: [attempt("garbage"), attempt('{"relevant": 1}')], model: "fp", prompt: "h" },
        helpfulness: { forced: "wrong language: helpfulness forced to 1 (paper 003)" },
        criteria: { value: { language: 3, fluency: 2 }, attempts: [], model: "fp", prompt: "h", excluded: "not in the prompt's language" },
        other: { value: { score: 4, explanation: "clear and complete" }, attempts: [], model: "fp", prompt: "h" },
      },
    });
    expect(entries).toEqual([
      { judgement: "relevance", value: "1", rationale: '{"relevant": 1}', note: null },
      { judgement: "helpfulness", value: null, rationale: null, note: "wrong language: helpfulness forced to 1 (paper 003)" },
      { judgement: "criteria", value: "language 3 · fluency 2", rationale: null, note: "not in the prompt's language" },
      { judgement: "other", value: "4", rationale: "clear and complete", note: null },
    ]);
    expect(judgeEntries({})).toEqual([]);
  });

  it("reads one output's own detail and scores out of the item's per-seed record, item-wide keys (the judge's) kept", () => {
    const detail = {
      judge: { relevance: { value: 1, attempts: [], model: "fp", prompt: "h" } },
      seeds: [
        { seed: 1, scores: { spelling: 50 }, detail: { misspelled: ["chatt"], golds: ["Paris"] } },
        { seed: 2, scores: { spelling: 100 }, detail: { misspelled: [] } },
      ],
    };
    const second = outputDetail(detail, 2);
    expect(second.scores).toEqual({ spelling: 100 });
    expect(second.detail).toEqual({ judge: detail.judge, misspelled: [] });
    expect(detailMisspelled(outputDetail(detail, 1).detail)).toEqual(["chatt"]);
    expect(goldFacts(outputDetail(detail, 1).detail)).toEqual([{ key: "golds", value: '["Paris"]' }]);
    // Greedy: one seed, null.
    expect(outputDetail({ seeds: [{ seed: null, scores: { f1: 40 }, detail: { gold: "B", predicted: "A" } }] }, null)).toEqual({ scores: { f1: 40 }, detail: { gold: "B", predicted: "A" } });
    expect(outputDetail(null, null)).toEqual({ detail: null, scores: null });
    expect(outputDetail({ identified: { language: "fr", confidence: 1 } }, null)).toEqual({ detail: { identified: { language: "fr", confidence: 1 } }, scores: null });
  });

  it("summarises an item's scores on one line, a missing metric as missing, never 0", () => {
    expect(itemScoreSummary({ language_correctness: 1, spelling: 87.456, word_pass_rate: null })).toBe("language correctness 1 · spelling 87.5 · word pass rate —");
    expect(itemScoreSummary(null)).toBe("");
  });
});
