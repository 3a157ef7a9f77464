// How `polytune eval` reads on a terminal: per suite and system the very tables `polytune score` prints
// (language × metric, n, mean, 95% CI), each language's tuning mark, tuned − base with its p-values,
// the one-line job list, progress lines and the item drill-down.
import type { EvalItem, EvalJob, EvalResult } from "../shared/evalContract.js";
import { formatErrorLine } from "../shared/PolytuneError.js";
import { formatDuration, formatInteger, formatRate } from "../shared/formatQuantities.js";
import { comparisonTable, formatSuiteScore } from "./registerScoreCommand.js";

/** How a stopped job is continued (printed when cancelled, interrupted or failed). */
export const resumeHint = (id: string): string => `Continue with \`polytune eval --resume ${id}\`.`;

const stopped = (j: EvalJob): boolean => j.status === "cancelled" || j.status === "interrupted" || j.status === "failed";

function decodingText(j: EvalJob): string {
  const d = j.decoding;
  const how = d.mode === "sampling" ? `sampling (T ${d.temperature}, top-p ${d.topP}, ${d.seeds} seeds)` : "greedy";
  return `${how}, repeat penalty ${d.repeatPenalty}, at most ${d.maxTokens} tokens, ${d.parallel} in parallel`;
}

/** "1 output", "8 outputs". */
export const counted = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

const systemText = (j: EvalJob): string => `${j.run !== null ? `run ${j.run}: ` : ""}${j.model.name}${j.adapters.length ? ` + ${j.adapters.length} adapter${j.adapters.length > 1 ? "s" : ""}` : ""}${j.baseline ? " (and the base model alone)" : ""}`;

/** One line per job, for `--list`. */
export function evalJobLine(j: EvalJob): string {
  const suites = j.suites.map((s) => `${s.suite}×${s.items}`).join(",");
  return `${j.id}  ${j.status.padEnd(11)} ${j.phase.padEnd(8)} ${j.done}/${j.total} outputs  ${suites}  ${j.languages.map((l) => l.language).join(",")}  ${systemText(j)}  "${j.name}"`;
}

/** A progress line: phase, bar, done/total outputs, ETA and aggregate tokens/s; while judging, the bar counts verdicts. */
export function evalProgressLine(p: { phase: string; done: number; total: number; etaSeconds: number | null; tokensPerSecond: number | null; judged?: number | undefined; judgeTotal?: number | undefined }): string {
  const width = 24;
  const bar = (done: number, total: number): string => {
    const filled = total > 0 ? Math.min(width, Math.round((width * done) / total)) : 0;
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  };
  if (p.phase === "judging" && p.judged !== undefined && p.judgeTotal !== undefined) {
    return `${p.phase.padEnd(8)} ${bar(p.judged, p.judgeTotal)} ${p.judged}/${p.judgeTotal} verdicts  (${p.done}/${p.total} outputs made)`;
  }
  return `${p.phase.padEnd(8)} ${bar(p.done, p.total)} ${p.done}/${p.total}  ETA ${formatDuration(p.etaSeconds)}  ${formatRate(p.tokensPerSecond)} tokens/s`;
}

/** Each language's mark: supervised (in the adapter's tuning mix), zero-shot, or unknown. */
export function formatLanguageMarks(j: EvalJob): string {
  if (j.languages.length === 0) return "Languages: none";
  const mark = (l: EvalJob["languages"][number]): string =>
    l.tuning === "supervised" ? `supervised (${formatInteger(l.examples)} tuning examples)` : l.tuning === "zero-shot" ? "zero-shot (not in the tuning mix)" : "unknown (no tuning mix recorded)";
  const width = Math.max(...j.languages.map((l) => l.language.length));
  return ["Languages:", ...j.languages.map((l) => `  ${l.language.padEnd(width)}  ${mark(l)}`)].join("\n");
}

const systemLabel = (j: EvalJob, r: EvalResult): string => (r.system === "base" ? "base model alone" : j.adapters.length > 0 || j.run !== null ? "tuned" : "model");

/** The whole report of a job: header, language marks, per suite and system the score tables, tuned − base. */
export function formatEvalTables(j: EvalJob): string {
  const out: string[] = [
    `Evaluation ${j.id} "${j.name}" ${j.status}: ${j.done}/${j.total} outputs of ${systemText(j)}, ${j.format} prompt, ${decodingText(j)}; ${formatDuration(j.seconds)} decoding, ${formatInteger(j.tokens)} tokens (${formatRate(j.seconds > 0 ? j.tokens / j.seconds : null)} tokens/s).`,
  ];
  if (j.judge) out.push(`Judge: ${j.judge.model} (${j.judge.judgements.join(", ")}).`);
  out.push(formatLanguageMarks(j));
  for (const r of j.results) {
    out.push("", formatSuiteScore({ suite: `${r.suite} — ${systemLabel(j, r)}`, items: [], aggregates: r.aggregates, excluded: r.excluded, notes: r.notes }, false));
    if (r.comparisons.length > 0) {
      // score's table names the two sides system and baseline: here the tuned model and the base model alone.
      out.push("", `${r.suite}: tuned − base on the items both scored (system = tuned, baseline = base; 0–100; paired bootstrap p; McNemar exact p for 0/1 metrics):`, ...comparisonTable(r.comparisons));
    }
  }
  if (j.status === "completed" && j.results.length === 0) out.push("", "(no results)");
  if (j.error) out.push("", `Error: ${formatErrorLine(j.error)}`);
  if (stopped(j)) out.push("", resumeHint(j.id));
  return out.join("\n");
}

const clip = (text: string, max = 240): string => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const value = (v: number | null | undefined): string => (v === null || v === undefined ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(2));

/** The drill-down of `--show JOB --items`: each output with its prompt, response and scores. */
export function formatEvalItems(items: readonly EvalItem[], total: number): string {
  if (items.length === 0) return "No items match.";
  const out = [`Items (${items.length} of ${total}):`];
  for (const i of items) {
    const scores = i.scores ? Object.entries(i.scores).map(([k, v]) => `${k} ${value(v)}`).join(", ") : "not scored yet";
    out.push(`${i.suite} ${i.id} ${i.language} ${i.system}${i.seed !== null ? ` seed ${i.seed}` : ""}  ${i.status}${i.tokens !== null ? `, ${i.tokens} tokens` : ""}  ${scores}`);
    out.push(`  prompt:   ${clip(i.prompt)}`);
    if (i.response !== null) out.push(`  response: ${clip(i.response)}`);
    if (i.loglikelihoods !== null) out.push(`  log-likelihoods: ${i.loglikelihoods.map((l) => l.toFixed(3)).join(", ")}`);
  }
  return out.join("\n");
}
