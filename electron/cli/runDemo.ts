// `polytune demo`: the main job, the experiment the engine's `experiments.demo` creates (the shipped
// micro-polyglot model, Mono vs Multi-3, one short LoRA run each, the base model evaluated once),
// followed item by item, then the per-language comparison, what it says in words, and the HTML report.
import type { PolytuneEngine } from "../engine/createEngine.js";
import type { CompareRunsResult } from "../shared/compareContract.js";
import type { EventPayload } from "../shared/contract.js";
import type { Experiment } from "../shared/experimentContract.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { formatDuration } from "../shared/formatQuantities.js";
import { demoFindings, demoLanguageRows, pText, type DemoLanguageRow, type DemoMeasure } from "./demoFindings.js";

export interface DemoOptions {
  json: boolean;
}

const cell = (m: DemoMeasure | null, zeroShot: boolean): string => (m ? `${m.mean.toFixed(1)}${zeroShot ? "†" : ""} [${m.ci95 ? `${m.ci95[0].toFixed(1)}, ${m.ci95[1].toFixed(1)}` : "—"}]` : "—");
const deltaText = (r: DemoLanguageRow): string => (r.delta ? `${r.delta.difference >= 0 ? "+" : ""}${r.delta.difference.toFixed(1)}` : "—");

/** The per-language table: language correctness (%) with 95% CIs, † where a run was not tuned on the language. */
export function formatDemoTable(rows: readonly DemoLanguageRow[]): string[] {
  const table = rows.map((r) => [r.language, String(r.multi?.n ?? r.mono?.n ?? r.base?.n ?? 0), cell(r.base, false), cell(r.mono, r.tuning.mono === "zero-shot"), cell(r.multi, r.tuning.multi === "zero-shot"), deltaText(r), pText(r.delta?.p ?? null)]);
  const header = ["language", "n", "base", "Mono", "Multi-3", "Δ Multi-3 − Mono", "p"];
  const widths = header.map((h, k) => Math.max(h.length, ...table.map((row) => row[k]!.length)));
  return [header, ...table].map((row) => `  ${row.map((v, k) => (k === 0 ? v.padEnd(widths[k]!) : v.padStart(widths[k]!))).join("  ")}`);
}

/** One line per item state change and per quarter of each job's progress, on stdout. */
function follow(engine: PolytuneEngine, experiment: Experiment, say: (line: string) => void): () => void {
  const labels = new Map(experiment.items.map((i) => [i.id, i.label]));
  const states = new Map(experiment.items.map((i) => [i.id, i.state as string]));
  const quarters = new Map<string, number>();
  const progress = (key: string, label: string, what: string, done: number, total: number, eta: number | null): void => {
    const q = total > 0 ? Math.floor((4 * done) / total) : 0;
    if (q <= (quarters.get(key) ?? 0)) return;
    quarters.set(key, q);
    say(`  ${label}: ${what} ${done}/${total}${eta !== null && done < total ? `, ETA ${formatDuration(eta)}` : ""}`);
  };
  let stopped = false;
  const off = engine.onEvent((name, payload) => {
    if (name === "experiments.progress") {
      const p = payload as EventPayload<"experiments.progress">;
      if (p.experiment === experiment.id) progress(`${p.item}:${p.state}`, labels.get(p.item) ?? p.item, p.state === "training" ? "training, step" : "evaluating, output", p.done, p.total, p.etaSeconds);
    } else if (name === "eval.progress") {
      // The base model's evaluation belongs to no item; its job is the only one running before the first item.
      const p = payload as EventPayload<"eval.progress">;
      if (p.phase === "decoding" && [...states.values()].every((s) => s === "queued")) progress(`base:${p.job}`, "base model", "evaluating, output", p.done, p.total, p.etaSeconds);
    } else if (name === "experiments.changed") {
      const p = payload as EventPayload<"experiments.changed">;
      if (p.experiment !== experiment.id) return;
      void engine.call("experiments.get", { experiment: experiment.id }).then((e) => {
        // A reply that arrives after the experiment ended would print below the results.
        if (stopped) return;
        for (const i of e.items) {
          if (states.get(i.id) === i.state) continue;
          states.set(i.id, i.state);
          say(`  ${i.label}: ${i.state}${i.state === "training" && i.run ? ` (run ${i.run})` : ""}${i.state === "evaluating" && i.evalJob ? ` (evaluation ${i.evalJob})` : ""}${i.error ? ` — ${i.error.code}: ${i.error.message}` : ""}`);
        }
      }, () => undefined);
    }
  });
  return () => {
    stopped = true;
    off();
  };
}

/** Per language, the share of Mono's answers identified as English (the item-level view's detected language). */
async function monoEnglishShares(engine: PolytuneEngine, mono: string, multi: string, languages: readonly string[]): Promise<Map<string, number>> {
  const shares = new Map<string, number>();
  for (const language of languages.filter((l) => l !== "en")) {
    const { items } = await engine.call("compare.items", { runs: [mono, multi], suite: "open", language, limit: 500 });
    const answers = items.flatMap((i) => (i.responses[0]?.response != null ? [i.responses[0]] : []));
    if (answers.length > 0) shares.set(language, (100 * answers.filter((a) => a.detectedLanguage === "en").length) / answers.length);
  }
  return shares;
}

/**
 * The main job: `experiments.demo` creates the demo experiment and the queue runs it; this follows it,
 * then prints the per-language comparison of Mono and Multi-3 against the base model, what the numbers
 * say, and the report's path.
 */
export async function runDemo(engine: PolytuneEngine, options: DemoOptions): Promise<void> {
  const say = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  say("Setting up: the shipped micro-polyglot model, the demo data (its held-out prompts set aside), the Mono and Multi-3 mixes…");
  const created = await engine.call("experiments.demo", {});
  const spec = created.spec;
  say(`Experiment ${created.id} (${created.name}): ${created.items.map((i) => i.label).join("; ")}; the base model evaluated once first.`);
  say(`  ${spec.description ?? ""}`);
  const off = follow(engine, created, say);
  const e = await engine.call("experiments.wait", { experiment: created.id }).finally(off);
  if (e.status !== "completed" || e.items.some((i) => i.state !== "done")) {
    const failed = e.items.find((i) => i.error)?.error ?? e.error;
    throw new PolytuneError(failed?.code ?? "demo-incomplete", `The demo experiment ended ${e.status}${failed ? `: ${failed.message}` : ""}.`, {
      where: `experiment ${e.id}`,
      hint: failed?.hint ?? `Continue it with \`polytune experiment resume ${e.id}\`, or see \`polytune experiment show ${e.id}\`.`,
    });
  }
  const [mono, multi] = e.items;
  const comparison: CompareRunsResult = await engine.call("compare.runs", { runs: [mono!.run!, multi!.run!], reference: mono!.run!, suites: ["open"] });
  const report = await engine.call("experiments.report", { experiment: e.id });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ experiment: e, comparison, report: report.path })}\n`);
    return;
  }
  const rows = demoLanguageRows(comparison, mono!.run!, multi!.run!, await monoEnglishShares(engine, mono!.run!, multi!.run!, comparison.languages.map((l) => l.language)));
  const tuned = (k: "mono" | "multi"): string => rows.filter((r) => r.tuning[k] === "supervised").map((r) => r.language).join(", ");
  say("");
  say(`Answers in the prompt's language (language correctness, % [95% CI]) on held-out prompts; base: the model before tuning;`);
  say(`Mono tuned on ${tuned("mono")}, Multi-3 on ${tuned("multi")}; † = the run was not tuned on that language (zero-shot);`);
  say("Δ and p: Multi-3 − Mono on the same prompts, McNemar's exact test.");
  for (const line of formatDemoTable(rows)) say(line);
  say("");
  say("What these numbers say (a difference counts at p < 0.05):");
  for (const line of demoFindings(rows)) say(`  ${line}`);
  say("");
  say(`Report: ${report.path} (figures, tables, configurations, data recipes; opens offline in any browser).`);
  say(`Items: \`polytune experiment show ${e.id}\`; every prompt and answer: \`polytune compare ${mono!.run!} ${multi!.run!}\` or the Compare area of \`polytune serve\`.`);
  say("");
  say("Read with care: micro-polyglot is a toy model pretrained on Debian manuals; its text is not meaningful, only the language it answers in is measured.");
  say("Judge-based metrics (relevance, fluency) need a real judge model, so the demo uses the surface metrics only.");
  say("The same experiment on a real base model: put its path in assets/demo/experiment.example.json (it trains on the two mixes this demo saved and asks the same held-out prompts), then `polytune experiment run my-experiment.json` with that file.");
}
