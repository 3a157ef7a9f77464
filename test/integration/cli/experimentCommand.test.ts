// `polytune experiment run|resume|list|show` as a user runs them: the built CLI in its own process group
// on a temp data folder, killed outright (SIGKILL to the whole group, training process included) once
// the first item has finished, then resumed: the finished item keeps its run, its evaluation job and
// every stored output; the rest completes. A bad experiment file is refused before anything is created.
import Database from "better-sqlite3";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Experiment } from "../../../electron/shared/experimentContract.js";
import { makeTempDir } from "../../support/tempDir.js";
import { prepareHome, smallExperiment, trainWorkerEntry } from "../experiments/experimentFixtures.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");
let fixture: { model: string; prompts: string };

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function polytune(...args: string[]): Result {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readDb = <T>(f: (db: Database.Database) => T): T => {
  const db = new Database(join(home, "polytune.db"), { readonly: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
};

/** `experiment run FILE` in a process group of its own, killed with SIGKILL once an item line says done. */
function runAndKill(file: string): Promise<Result> {
  const child = spawn(process.execPath, [bin, "--home", home, "experiment", "run", file], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let killed = false;
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (!killed && /\[done\]/.test(stderr)) {
      killed = true;
      process.kill(-child.pid!, "SIGKILL");
    }
  });
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

beforeAll(async () => {
  if (!existsSync(trainWorkerEntry)) throw new Error("Run `npm run build` before the experiment CLI tests.");
  fixture = await prepareHome(tmp.dir, home);
}, 120_000);
afterAll(() => tmp.cleanup());

describe("polytune experiment", () => {
  it("refuses a bad experiment file with its field path and line, creating nothing", () => {
    const file = join(tmp.dir, "bad.json");
    const spec = smallExperiment("bad", fixture.model, fixture.prompts, ["Mono"], [1e-3]);
    writeFileSync(file, `// a comment is allowed\n${JSON.stringify({ ...spec, grid: { lr: { lora: [-1] } } }, null, 2)}\n`);
    const r = polytune("experiment", "run", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("grid.lr.lora[0]");
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+`));
    const notJson = join(tmp.dir, "broken.json");
    writeFileSync(notJson, '{ "name": "x", ');
    expect(polytune("experiment", "run", notJson).stderr).toContain(`${notJson}:1`);
    expect(JSON.parse(polytune("--json", "experiment", "list").stdout)).toEqual([]);
    expect(readDb((db) => (db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n)).toBe(0);
  });

  it("prints the plan with --dry-run and creates nothing", () => {
    const file = join(tmp.dir, "plan.json");
    writeFileSync(file, JSON.stringify(smallExperiment("planned", fixture.model, fixture.prompts, ["Mono", "Multi-2"], [1e-3, 1e-2])));
    const r = polytune("experiment", "run", file, "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("planned: 4 items");
    expect(r.stdout).toContain("Multi-2 · lora r4 · lr 1e-2");
    expect(JSON.parse(polytune("--json", "experiment", "list").stdout)).toEqual([]);
  });

  it("resumes after a kill mid-queue without touching the finished item", async () => {
    const file = join(tmp.dir, "study.json");
    writeFileSync(file, JSON.stringify({ ...smallExperiment("killed study", fixture.model, fixture.prompts, ["Mono"], [1e-3, 1e-2, 2e-2]), train: { ...smallExperiment("", "", "", [], []).train, steps: 4 } }));
    const killed = await runAndKill(file);
    expect(killed.code).toBeNull();
    const [before] = JSON.parse(polytune("--json", "experiment", "list").stdout) as Experiment[];
    // Read by a later process: the kill left it interrupted, the first item done.
    expect(before!.status).toBe("interrupted");
    const first = before!.items[0]!;
    expect(first.state).toBe("done");
    expect(before!.items.slice(1).some((i) => i.state !== "done")).toBe(true);
    const outputs = (job: string) => readDb((db) => db.prepare("SELECT ordinal, system, response, decoded_at FROM eval_items WHERE job_id = ? ORDER BY ordinal").all(job));
    const firstOutputs = outputs(first.evalJob!);
    expect(firstOutputs).toHaveLength(4);

    const resumed = polytune("experiment", "resume", before!.id);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`Resuming experiment ${before!.id}`);
    // The printed summary: items, the decision with its reason, the per-language table.
    expect(resumed.stdout).toContain("learning-rate choice:");
    expect(resumed.stdout).toMatch(/per language \(the chosen run of each configuration\):\nopen · language_correctness: mean \[95% CI\]/);
    expect(resumed.stdout).toMatch(/^all evaluated /m);

    const after = JSON.parse(polytune("--json", "experiment", "show", before!.id).stdout) as Experiment;
    expect(after.status).toBe("completed");
    expect(after.items.map((i) => i.state)).toEqual(["done", "done", "done"]);
    expect(after.items[0]).toMatchObject({ run: first.run, evalJob: first.evalJob });
    expect(outputs(first.evalJob!)).toEqual(firstOutputs);
    // Items interrupted mid-way kept their run (resumed, not started again) where one had begun.
    for (const [k, item] of before!.items.entries()) if (item.run) expect(after.items[k]!.run).toBe(item.run);
    expect(readDb((db) => (db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n)).toBe(3);
    expect(after.decisions).toHaveLength(1);
    expect(after.items.filter((i) => i.chosen)).toHaveLength(1);

    // The report is written where asked, self-contained (E2's writer; here only that it names the experiment).
    const reportPath = join(tmp.dir, "study.html");
    const report = polytune("experiment", "report", before!.id, "--out", reportPath);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`Wrote ${reportPath}`);
    expect(readFileSync(reportPath, "utf8")).toContain("killed study");
  }, 600_000);
});
