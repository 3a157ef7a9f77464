// `polytune data translate` as a user runs it: the built CLI in its own process, killed with SIGKILL
// half-way (as a crash or a closed laptop would), then `--resume`d; and Ctrl+C, which cancels after
// the item in flight. The resumed process must decode only the items without a result.
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TranslationJob } from "../../../electron/shared/translateContract.js";
import { createEngine } from "../../../electron/engine/createEngine.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { runPolytune, runPolytuneAndSignal, type PolytuneResult } from "../../support/runPolytune.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const model = join(tmp.dir, "tiny.gguf");
let datasetId: string;

const polytune = (...args: string[]): PolytuneResult => runPolytune(home, args, 300_000);

/** The `done` counts of the progress lines (one per item when stderr is not a terminal). */
const progressDone = (stderr: string): number[] => [...stderr.matchAll(/\] (\d+)\/(\d+) {2}flagged/g)].map((m) => Number(m[1]));

const translateArgs = ["data", "translate", "--model", model, "--to", "es,de", "--limit", "6", "--cpu", "--threads", "1", "--context", "512"];

/** Starts a translation and sends `signal` to it once `after` items are reported. */
function translateAndSignal(signal: NodeJS.Signals, after: number): Promise<PolytuneResult> {
  return runPolytuneAndSignal(home, [...translateArgs, "--dataset", datasetId], signal, (stderr) => progressDone(stderr).some((n) => n >= after), 300_000);
}

function itemRows(job: string): Array<{ ordinal: number; status: string; raw_output: string | null }> {
  const db = new Database(join(home, "polytune.db"), { readonly: true });
  try {
    return db.prepare("SELECT ordinal, status, raw_output FROM translation_items WHERE job_id = ? ORDER BY ordinal").all(job) as Array<{ ordinal: number; status: string; raw_output: string | null }>;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "main.js"))) throw new Error("Run `npm run build` before the CLI tests.");
  await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 11 });
  // Eight short English conversations, stored as an import stores them.
  const engine = await createEngine({ home });
  try {
    const store = engine.datasets;
    datasetId = store.beginDataset({ name: "chat", kind: "instructions", format: "sharegpt", files: [], encoding: "utf-8", notes: [] });
    const topics = ["the weather today", "a good book to read", "how to cook rice", "the history of Rome", "learning to swim", "planting tomatoes", "saving money each month", "writing a short poem"];
    store.insertExamples(
      datasetId,
      topics.map((topic, i) => ({
        turns: [
          { role: "user" as const, content: `Can you tell me something about ${topic}?` },
          { role: "assistant" as const, content: `Certainly. Here is a short answer about ${topic}, written in plain English.` },
        ],
        language: "en",
        confidence: 0.95,
        claimedLanguage: null,
        provenance: "native" as const,
        category: null,
        file: "chat.jsonl",
        line: i + 1,
        recordId: null,
        translation: null,
      })),
    );
    store.finishDataset(datasetId, { skipped: 0, errors: [], errorCount: 0 });
  } finally {
    await engine.close();
  }
}, 180_000);
afterAll(() => tmp.cleanup());

describe("polytune data translate", () => {
  it("a job killed mid-way reads as interrupted, and --resume decodes only the items without a result", async () => {
    const killed = await translateAndSignal("SIGKILL", 3);
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    const id = /Translation job (\w+) started: 12 items \(es, de\)/.exec(killed.stderr)?.[1];
    expect(id, killed.stderr).toBeDefined();

    const listed = JSON.parse(polytune("--json", "data", "translate", "--list").stdout) as TranslationJob[];
    const job = listed.find((j) => j.id === id)!;
    expect(job).toMatchObject({ status: "interrupted", total: 12 });
    const before = itemRows(id!);
    const finished = before.filter((r) => r.status !== "pending");
    expect(job.done).toBe(finished.length);
    expect(job.done).toBeGreaterThanOrEqual(3);
    expect(job.done).toBeLessThan(12);
    // Results are written in order: the finished items are the first ones.
    expect(finished.map((r) => r.ordinal)).toEqual(Array.from({ length: job.done }, (_, i) => i));

    const resumed = polytune("data", "translate", "--resume", id!);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`Resuming translation job ${id}: ${12 - job.done} of 12 items left.`);
    // The resumed process decoded exactly the items after those with a result.
    expect(progressDone(resumed.stderr)).toEqual(Array.from({ length: 12 - job.done }, (_, i) => job.done + 1 + i));
    expect(resumed.stdout).toMatch(new RegExp(`Translation job ${id} completed: 12/12 items, 0 kept, 12 flagged`));
    expect(resumed.stdout).toContain("No output dataset: every output was flagged.");

    const after = itemRows(id!);
    expect(after.every((r) => r.status === "flagged" && r.raw_output !== null)).toBe(true);
    // What the killed process wrote was kept as it was.
    expect(after.slice(0, job.done)).toEqual(finished);

    const shown = JSON.parse(polytune("--json", "data", "translate", "--show", id!).stdout) as { job: TranslationJob; itemsTotal: number };
    expect(shown.job).toMatchObject({ status: "completed", done: 12, kept: 0, flagged: 12, outputDataset: null, threads: 1 });
    expect(shown.itemsTotal).toBe(12);

    const again = polytune("data", "translate", "--resume", id!);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toContain(`Translation job ${id} is complete; there is nothing to resume.`);
  }, 600_000);

  it("Ctrl+C cancels after the item in flight and says how to continue", async () => {
    const interrupted = await translateAndSignal("SIGINT", 2);
    expect(interrupted.code, interrupted.stderr).toBe(0);
    expect(interrupted.stderr).toContain("Cancelling the translation (finished items are kept)");
    const id = /Translation job (\w+) cancelled: (\d+)\/12 items/.exec(interrupted.stdout);
    expect(id, interrupted.stdout).not.toBeNull();
    expect(interrupted.stdout).toContain(`Continue with \`polytune data translate --resume ${id![1]}\`.`);
    const rows = itemRows(id![1]!);
    expect(rows.filter((r) => r.status !== "pending")).toHaveLength(Number(id![2]));
    expect(Number(id![2])).toBeLessThan(12);
  }, 600_000);

  it("refuses a missing --to with one clear line", () => {
    const r = polytune("data", "translate", "--dataset", datasetId, "--model", model);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("polytune: --to: Name the target languages with --to (e.g. --to es,de).");
  });
});
