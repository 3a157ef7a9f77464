import { describe, expect, it } from "vitest";
import { counted, evalJobLine, evalProgressLine, formatEvalItems, formatEvalTables } from "../../../electron/cli/formatEvalTables.js";
import { comparisonTable, formatSuiteScore } from "../../../electron/cli/registerScoreCommand.js";
import { EvalJobSchema, type EvalJob } from "../../../electron/shared/evalContract.js";

const aggregates = [
  { language: null, metric: "language_correct", n: 4, mean: 75, ci95: [25, 100] as [number, number] },
  { language: "en", metric: "language_correct", n: 2, mean: 100, ci95: [100, 100] as [number, number] },
  { language: "fr", metric: "language_correct", n: 2, mean: 50, ci95: null },
];

const job: EvalJob = EvalJobSchema.parse({
  id: "e1",
  name: "quick",
  status: "completed",
  phase: "done",
  run: null,
  model: { id: "m1", name: "tiny", fingerprint: "f" },
  adapters: [{ path: "/a.gguf", fingerprint: "g" }],
  baseline: true,
  format: "alpaca",
  decoding: { mode: "greedy", repeatPenalty: 1.1, temperature: 0.8, topP: 0.9, seeds: 3, maxTokens: 8, stop: [], parallel: 8 },
  suites: [{ suite: "open", data: ["/x.en.jsonl"], crossLingual: false, items: 4 }],
  languages: [
    { language: "en", tuning: "supervised", examples: 1200 },
    { language: "fr", tuning: "zero-shot", examples: 0 },
  ],
  judge: null,
  total: 8,
  done: 8,
  results: [
    {
      suite: "open",
      system: "tuned",
      aggregates,
      excluded: [{ id: "fr:3", reason: "no output" }],
      notes: [],
      comparisons: [{ language: null, metric: "language_correct", n: 4, baseline: 50, system: 75, difference: 25, ci95: [-25, 75], p: 0.5, mcnemar: { b: 0, c: 1, p: 1, chiSquareP: null } }],
    },
    { suite: "open", system: "base", aggregates: aggregates.slice(0, 1), excluded: [], notes: ["a note"] },
  ],
  error: null,
  createdAt: "2026-01-01T00:00:00Z",
  finishedAt: "2026-01-01T00:01:00Z",
  seconds: 4,
  tokens: 64,
});

describe("formatEvalTables", () => {
  const text = formatEvalTables(job);

  it("prints per suite and system the tables `polytune score` prints", () => {
    const tuned = formatSuiteScore({ suite: "open — tuned", items: [], aggregates, excluded: [{ id: "fr:3", reason: "no output" }], notes: [] }, false);
    expect(text).toContain(tuned);
    expect(text).toMatch(/^all\s+language_correct\s+4\s+75\.00\s+\[25\.00, 100\.00\]$/m);
    expect(text).toMatch(/^fr\s+language_correct\s+2\s+50\.00\s+—$/m);
    expect(text).toContain("open — base model alone: aggregates");
    expect(text).toContain("· a note");
  });

  it("marks each language supervised or zero-shot", () => {
    expect(text).toMatch(/^ {2}en {2}supervised \(1\D?200 tuning examples\)$/m);
    expect(text).toMatch(/^ {2}fr {2}zero-shot \(not in the tuning mix\)$/m);
  });

  it("prints tuned − base with its p-values, once, on the tuned result", () => {
    expect(text.match(/tuned − base on the items both scored/g)).toHaveLength(1);
    expect(text).toMatch(/^all\s+language_correct\s+4\s+50\.00\s+75\.00\s+\+25\.00\s+\[-25\.00, 75\.00\]\s+0\.500\s+1\.000 \(b 0, c 1\)$/m);
    expect(text).not.toContain("System against baseline");
    // score's own table, header and rule included, not a copy of it.
    expect(text).toContain(comparisonTable(job.results[0]!.comparisons).join("\n"));
  });

  it("the header: outputs, system, decoding and throughput; a stopped job says how to resume", () => {
    expect(text.split("\n")[0]).toBe('Evaluation e1 "quick" completed: 8/8 outputs of tiny + 1 adapter (and the base model alone), alpaca prompt, greedy, repeat penalty 1.1, at most 8 tokens, 8 in parallel; 4 s decoding, 64 tokens (16.0 tokens/s).');
    expect(text).not.toContain("--resume");
    const interrupted = formatEvalTables({ ...job, status: "interrupted", done: 3, results: [] });
    expect(interrupted.split("\n").at(-1)).toBe("Continue with `polytune eval --resume e1`.");
  });
});

describe("the other lines", () => {
  it("counts read as English", () => {
    expect([counted(1, "output"), counted(0, "item"), counted(8, "output")]).toEqual(["1 output", "0 items", "8 outputs"]);
  });

  it("--list: one line per job", () => {
    expect(evalJobLine(job)).toBe('e1  completed   done     8/8 outputs  open×4  en,fr  tiny + 1 adapter (and the base model alone)  "quick"');
  });

  it("progress: phase, bar, done/total, ETA, tokens/s", () => {
    expect(evalProgressLine({ phase: "decoding", done: 3, total: 8, etaSeconds: 65, tokensPerSecond: 12.34 })).toBe("decoding [#########...............] 3/8  ETA 1 min 5 s  12.3 tokens/s");
    expect(evalProgressLine({ phase: "loading", done: 0, total: 0, etaSeconds: null, tokensPerSecond: null })).toBe("loading  [........................] 0/0  ETA —  — tokens/s");
  });

  it("progress while judging: the verdicts on the bar, the outputs made beside them", () => {
    expect(evalProgressLine({ phase: "judging", done: 8, total: 8, etaSeconds: null, tokensPerSecond: null, judged: 3, judgeTotal: 12 })).toBe("judging  [######..................] 3/12 verdicts  (8/8 outputs made)");
    // An engine that sends no verdict counts: the outputs, as in every other phase.
    expect(evalProgressLine({ phase: "judging", done: 8, total: 8, etaSeconds: null, tokensPerSecond: null })).toBe("judging  [########################] 8/8  ETA —  — tokens/s");
  });

  it("the drill-down of one output", () => {
    const text = formatEvalItems(
      [{ suite: "open", id: "fr:1", language: "fr", system: "base", seed: null, status: "done", prompt: "Bonjour,\n  ça va ?", response: "Oui.", stopReason: "maxTokens", tokens: 3, loglikelihoods: null, scores: { language_correct: 1, spelling: null }, detail: null }],
      10,
    );
    expect(text).toBe(["Items (1 of 10):", "open fr:1 fr base  done, 3 tokens  language_correct 1, spelling —", "  prompt:   Bonjour, ça va ?", "  response: Oui."].join("\n"));
  });
});
