// `polytune eval` as a user runs it: the built CLI in its own process, a generated tiny model with a
// LoRA adapter trained here, the Chirkova et al. prompts from ../shared/data. One evaluation against the
// base model checked against its SQLite rows; one killed with SIGKILL mid-decoding and `--resume`d,
// whose outputs must equal an uninterrupted run's without decoding any finished row twice; Ctrl+C; bad input.
// The signals go out on what a progress line says (a phase, a count short of the total), never on a count
// a fast machine could run past before the signal lands.
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvalItem, EvalJob } from "../../../electron/shared/evalContract.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { runPolytune, runPolytuneAndSignal, type PolytuneResult } from "../../support/runPolytune.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir("polytune-eval-cli-");
const home = join(tmp.dir, "home");
const model = join(tmp.dir, "tiny.gguf");
let adapter: string;

const chirkova = join(sharedDataDir, "chirkova2024_alpacaeval_subset");
const openEn = join(chirkova, "alpacaeval_test_subset.en.jsonl");
const openFr = join(chirkova, "alpacaeval_test_subset.fr.jsonl");
const hasData = prerequisite(existsSync(openEn) && existsSync(openFr), `the Chirkova et al. prompts in ${chirkova}`);

const polytune = (...args: string[]): PolytuneResult => runPolytune(home, args, 400_000);

interface ProgressLine {
  phase: string;
  done: number;
  total: number;
}
/** The progress lines (one line each when stderr is not a terminal); a line still being written does not match. */
const progressLines = (stderr: string): ProgressLine[] =>
  [...stderr.matchAll(/^(\w+) +\[[#.]+\] (\d+)\/(\d+) {2}ETA .*\n/gm)].map((m) => ({ phase: m[1]!, done: Number(m[2]), total: Number(m[3]) }));
const progressDone = (stderr: string): number[] => progressLines(stderr).map((p) => p.done);

/**
 * Both systems, 2 prompts per language, two sequences at a time: 8 outputs in 4 rounds of 128 tokens (a
 * random-weights model writes to the limit), long enough that a progress line comes mid-decoding (the
 * engine reports at most 4 times a second) with rounds still to go.
 */
const signalledArgs = (name: string): string[] => [
  "eval", "--model", model, "--adapter", adapter, "--baseline", "--format", "alpaca",
  "--suite", "open", "--data", openEn, openFr, "--languages", "en,fr", "--limit", "2",
  "--max-tokens", "128", "--parallel", "2", "--threads", "1", "--cpu", "--name", name,
];
const outputsTotal = 8;

/** Starts an evaluation and sends `signal` on the first progress line that `when` accepts. */
function evalAndSignal(signal: NodeJS.Signals, when: (p: ProgressLine) => boolean, name: string): Promise<PolytuneResult> {
  return runPolytuneAndSignal(home, signalledArgs(name), signal, (stderr) => progressLines(stderr).some(when), 400_000);
}

interface ItemRow {
  ordinal: number;
  suite: string;
  item_id: string;
  language: string;
  system: string;
  seed: number | null;
  status: string;
  response: string | null;
  tokens: number | null;
  decoded_at: string | null;
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(home, "polytune.db"), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
const itemRows = (job: string): ItemRow[] => query<ItemRow>("SELECT ordinal, suite, item_id, language, system, seed, status, response, tokens, decoded_at FROM eval_items WHERE job_id = ? ORDER BY ordinal", job);
const jobCount = (): number => (existsSync(join(home, "polytune.db")) ? query<{ n: number }>("SELECT count(*) AS n FROM eval_jobs")[0]!.n : 0);
const outputKey = (r: { suite: string; item_id: string; system: string; seed: number | null }): string => `${r.suite}/${r.item_id}/${r.system}/${r.seed ?? ""}`;
const startedId = (stderr: string): string | undefined => /Evaluation (\S+) started: /.exec(stderr)?.[1];

beforeAll(() => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "registerEvalCommand.js"))) throw new Error("Run `npm run build` before the CLI tests.");
}, 10_000);
beforeAll(async () => {
  if (!hasData) return;
  await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 11, name: "tiny" });
  // A few steps on the demo data: enough for the adapter to change what the model says.
  const data = join(process.cwd(), "assets", "demo", "demo-instructions.jsonl");
  const trained = polytune("--json", "train", "--model", model, "--data", data, "--format", "alpaca", "--steps", "6", "--rank", "4", "--alpha", "8", "--lr", "1e-2", "--batch", "4", "--seq-len", "128", "--threads", "1");
  expect(trained.code, trained.stderr).toBe(0);
  adapter = (JSON.parse(trained.stdout) as { adapterPath: string }).adapterPath;
}, 400_000);
afterAll(() => tmp.cleanup());

describe.skipIf(!hasData)("polytune eval", () => {
  it("open suite, tuned against the base model: the printed tables and --json are the stored rows", () => {
    const r = polytune(
      "eval", "--model", model, "--adapter", adapter, "--baseline", "--format", "alpaca",
      "--suite", "open", "--data", openEn, openFr, "--languages", "en,fr", "--limit", "2",
      "--max-tokens", "8", "--threads", "1", "--cpu", "--name", "quick",
    );
    expect(r.code, r.stderr).toBe(0);
    const id = startedId(r.stderr);
    expect(id, r.stderr).toBeDefined();
    // 2 prompts × 2 languages × 2 systems, greedy (one output each).
    expect(r.stderr).toContain(`Evaluation ${id} started: 8 outputs (open 4 items; en, fr) with tiny, alpaca prompt.`);
    expect(progressDone(r.stderr)).toContain(8);
    expect(r.stdout.split("\n")[0]).toMatch(new RegExp(`^Evaluation ${id} "quick" completed: 8/8 outputs of tiny \\+ 1 adapter \\(and the base model alone\\), alpaca prompt, greedy, repeat penalty 1\\.1, at most 8 tokens`));
    expect(r.stdout).toMatch(/^Languages:\n {2}en {2}\S.*\n {2}fr {2}\S/m);

    const job = JSON.parse(polytune("--json", "eval", "--show", id!).stdout) as EvalJob;
    expect(job).toMatchObject({ id, status: "completed", phase: "done", total: 8, done: 8, baseline: true, format: "alpaca" });
    expect(job.decoding).toMatchObject({ mode: "greedy", repeatPenalty: 1.1, maxTokens: 8 });
    expect(job.languages.map((l) => l.language)).toEqual(["en", "fr"]);

    // The job row and its results, as SQLite has them.
    const [row] = query<{ status: string; decoding_json: string; threads: number | null }>("SELECT status, decoding_json, threads FROM eval_jobs WHERE id = ?", id);
    expect(row).toMatchObject({ status: "completed", threads: 1 });
    expect(JSON.parse(row!.decoding_json)).toEqual(job.decoding);
    const results = query<{ suite: string; system: string; aggregates_json: string; comparisons_json: string }>("SELECT suite, system, aggregates_json, comparisons_json FROM eval_results WHERE job_id = ? ORDER BY system DESC", id);
    expect(results.map((x) => x.system)).toEqual(["tuned", "base"]);
    for (const stored of results) {
      const result = job.results.find((x) => x.suite === stored.suite && x.system === stored.system)!;
      expect(result.aggregates).toEqual(JSON.parse(stored.aggregates_json));
      expect(result.comparisons).toEqual(JSON.parse(stored.comparisons_json));
      expect(r.stdout).toContain(`${stored.suite} — ${stored.system === "base" ? "base model alone" : "tuned"}: aggregates`);
      // Every aggregate is a row of the printed table, as `polytune score` prints it.
      for (const a of result.aggregates) {
        const ci = a.ci95 ? `\\[${a.ci95[0].toFixed(2)}, ${a.ci95[1].toFixed(2)}\\]` : "—";
        expect(r.stdout).toMatch(new RegExp(`^${a.language ?? "all"}\\s+${a.metric}\\s+${a.n}\\s+${a.mean.toFixed(2)}\\s+${ci}$`, "m"));
      }
    }
    const tuned = job.results.find((x) => x.system === "tuned")!;
    expect(tuned.aggregates.some((a) => a.language === "fr")).toBe(true);
    expect(tuned.comparisons.length).toBeGreaterThan(0);
    expect(r.stdout).toContain("open: tuned − base on the items both scored");
    for (const c of tuned.comparisons) {
      expect(r.stdout).toMatch(new RegExp(`^${c.language ?? "all"}\\s+${c.metric}\\s+${c.n}\\s+${c.baseline.toFixed(2)}\\s+${c.system.toFixed(2)}\\s+[+-]?${Math.abs(c.difference).toFixed(2)}`, "m"));
    }

    // Every output, through --show --items, is its stored row.
    const shown = JSON.parse(polytune("--json", "eval", "--show", id!, "--items").stdout) as { job: EvalJob; items: EvalItem[]; total: number };
    expect(shown.total).toBe(8);
    const rows = itemRows(id!);
    expect(rows).toHaveLength(8);
    expect(rows.every((x) => x.status === "done" && x.response !== null && x.decoded_at !== null)).toBe(true);
    const byKey = new Map(rows.map((x) => [outputKey(x), x]));
    for (const item of shown.items) {
      const stored = byKey.get(outputKey({ suite: item.suite, item_id: item.id, system: item.system, seed: item.seed }))!;
      expect(item).toMatchObject({ status: "done", language: stored.language, response: stored.response, tokens: stored.tokens });
      expect(item.scores).not.toBeNull();
    }
    const text = polytune("eval", "--show", id!, "--items", "--language", "fr");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Items \(4 of 4\):$/m);
    expect(text.stdout).not.toMatch(/^open \S+ en /m);

    const listed = polytune("eval", "--list");
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+completed\\s+done\\s+8/8 outputs\\s+open×4\\s+en,fr`, "m"));
  }, 600_000);

  it("killed mid-decoding reads as interrupted; --resume decodes only the rest and ends as an uninterrupted run", async () => {
    // Killed on the first line that counts outputs made while some are still to make.
    const killed = await evalAndSignal("SIGKILL", (p) => p.phase === "decoding" && p.done > 0 && p.done < p.total, "killed");
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    const id = startedId(killed.stderr);
    expect(id, killed.stderr).toBeDefined();

    const listed = JSON.parse(polytune("--json", "eval", "--list").stdout) as EvalJob[];
    const job = listed.find((j) => j.id === id)!;
    expect(job).toMatchObject({ status: "interrupted", total: outputsTotal });
    const before = itemRows(id!);
    const finished = before.filter((x) => x.status === "done");
    expect(job.done).toBe(finished.length);
    expect(job.done).toBeGreaterThanOrEqual(1);
    expect(job.done).toBeLessThan(outputsTotal);
    expect(polytune("eval", "--list").stdout).toMatch(new RegExp(`^${id}\\s+interrupted`, "m"));
    expect(polytune("eval", "--show", id!).stdout).toContain(`Continue with \`polytune eval --resume ${id}\`.`);

    const resumed = polytune("eval", "--resume", id!);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`Resuming evaluation ${id}: ${outputsTotal - job.done} of ${outputsTotal} outputs left.`);
    // The resumed process counts on from what the killed one stored.
    expect(Math.min(...progressDone(resumed.stderr))).toBeGreaterThanOrEqual(job.done);
    expect(resumed.stdout).toMatch(new RegExp(`^Evaluation ${id} "killed" completed: ${outputsTotal}/${outputsTotal} outputs`));
    const after = itemRows(id!);
    expect(after.every((x) => x.status === "done" && x.response !== null)).toBe(true);
    // The rows the killed process wrote were not decoded again: same text, same decoding time.
    const afterByOrdinal = new Map(after.map((x) => [x.ordinal, x]));
    for (const row of finished) expect(afterByOrdinal.get(row.ordinal)).toEqual(row);

    // An uninterrupted run of the same settings makes the same outputs on the same items, though the
    // resumed run paired its sequences differently.
    const whole = polytune(...signalledArgs("whole"));
    expect(whole.code, whole.stderr).toBe(0);
    const wholeId = startedId(whole.stderr)!;
    const outputs = (rows: ItemRow[]): Record<string, string | null> => Object.fromEntries(rows.map((x) => [outputKey(x), x.response]));
    expect(outputs(after)).toEqual(outputs(itemRows(wholeId)));
    const a = JSON.parse(polytune("--json", "eval", "--show", id!).stdout) as EvalJob;
    const b = JSON.parse(polytune("--json", "eval", "--show", wholeId).stdout) as EvalJob;
    expect(a.results).toEqual(b.results);

    const again = polytune("eval", "--resume", id!);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
  }, 900_000);

  it("Ctrl+C cancels, keeps what was decoded and says how to resume", async () => {
    // Ctrl+C on the line that says decoding began: the cancel lands before the last output whatever the machine's speed.
    const interrupted = await evalAndSignal("SIGINT", (p) => p.phase === "decoding", "interrupted");
    expect(interrupted.code, interrupted.stderr).toBe(0);
    expect(interrupted.stderr).toContain("Cancelling the evaluation after the outputs in flight (outputs made so far are kept)…");
    const m = new RegExp(`^Evaluation (\\S+) "interrupted" cancelled: (\\d+)/${outputsTotal} outputs`).exec(interrupted.stdout);
    expect(m, interrupted.stdout).not.toBeNull();
    expect(interrupted.stdout).toContain(`Continue with \`polytune eval --resume ${m![1]}\`.`);
    expect(itemRows(m![1]!).filter((x) => x.status === "done")).toHaveLength(Number(m![2]));
    expect(Number(m![2])).toBeLessThan(outputsTotal);
  }, 600_000);

  it("bad input: one clear line, a non-zero exit, no job created", () => {
    const jobs = jobCount();
    const missing = join(tmp.dir, "no-such-prompts.jsonl");
    const common = ["--model", model, "--max-tokens", "4", "--threads", "1", "--cpu"];
    const cases: Array<[string[], RegExp]> = [
      [["eval", ...common, "--suite", "open", "--data", missing], new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))],
      // The second suite's files are checked as well as the first's.
      [["eval", ...common, "--suite", "open", "--data", openEn, "--suite", "modifiers", "--data", missing], new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))],
      [["eval", ...common, "--suite", "poetry", "--data", openEn], /^polytune: --suite: Unknown suite "poetry"\. Suites: open, modifiers, qa, simplification, nli, mcq\.$/],
      [["eval", "--run", "no-such-run", "--suite", "open", "--data", openEn], /no-such-run/],
    ];
    for (const [args, message] of cases) {
      const r = polytune(...args);
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(1);
      expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(/^polytune: /);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stdout).toBe("");
    }
    expect(jobCount()).toBe(jobs);
  }, 300_000);
});
