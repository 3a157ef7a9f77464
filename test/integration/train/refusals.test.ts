import Database from "better-sqlite3";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { runLivenessPath } from "../../../electron/engine/train/runLiveness.js";
import type { TrainConfigInput } from "../../../electron/shared/contract.js";
import { makeTempDir } from "../../support/tempDir.js";

// Refusals before a run exists, and runs whose process died with the one that started it. The CLI and
// the training process are the built ones, run as a user runs them.
const bin = join(process.cwd(), "bin", "polytune.js");
const workerEntry = join(process.cwd(), "dist", "electron", "engine", "train", "trainWorker.js");
const demoData = join(process.cwd(), "assets", "demo", "demo-instructions.jsonl");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const model = join(tmp.dir, "tiny.gguf");
const started: ChildProcess[] = [];

const engineAt = (): PolytuneEngine => new PolytuneEngine({ home, trainWorkerEntry: workerEntry });

const trainArgs = (data: string, extra: string[] = []): string[] => [
  "train", "--model", model, "--data", data, "--format", "alpaca", "--rank", "4", "--alpha", "8", "--lr", "5e-3",
  "--batch", "2", "--seq-len", "128", "--threads", "1", "--seed", "7", ...extra,
];

function polytune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function rows(): Array<{ id: string; status: string; step: number; pid: number | null }> {
  if (!existsSync(join(home, "polytune.db"))) return [];
  const db = new Database(join(home, "polytune.db"), { readonly: true });
  try {
    return db.prepare("SELECT id, status, step, pid FROM runs ORDER BY created_at").all() as Array<{ id: string; status: string; step: number; pid: number | null }>;
  } finally {
    db.close();
  }
}

const checkpointFolders = (): string[] => (existsSync(join(home, "checkpoints")) ? readdirSync(join(home, "checkpoints")) : []);

async function until<T>(what: () => T | undefined, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function childPids(pid: number): number[] {
  const r = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" });
  return r.stdout.split("\n").map((l) => Number(l.trim())).filter((n) => n > 0);
}

function procState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0] ?? null;
  } catch {
    return null;
  }
}

function threads(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

/** Dead, or a zombie whose threads have all exited: what is left holds no files. Linux-only detail; elsewhere a short wait. */
async function untilGone(pid: number): Promise<void> {
  if (process.platform !== "linux") return void (await new Promise((r) => setTimeout(r, 1000)));
  await until(() => (procState(pid) === null || (procState(pid) === "Z" && threads(pid) === 1) ? true : undefined), 20_000);
}

/** `polytune train` in its own process group, as a terminal runs it; resolves once its run has checkpointed. */
async function trainInBackground(steps: number): Promise<{ cli: ChildProcess; runId: string; workerPid: number }> {
  const before = new Set(rows().map((r) => r.id));
  const cli = spawn(process.execPath, [bin, "--home", home, "--json", ...trainArgs(demoData, ["--steps", String(steps), "--checkpoint-every", "2"])], { detached: true, stdio: "ignore" });
  started.push(cli);
  const run = await until(() => rows().find((r) => !before.has(r.id) && r.step >= 3));
  return { cli, runId: run.id, workerPid: run.pid! };
}

beforeAll(async () => {
  if (!existsSync(workerEntry)) throw new Error("Run `npm run build` before the training refusal tests.");
  await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 4 });
  // The data folder and its database, before anything reads them from outside.
  await engineAt().close();
});
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null && p.pid) try { process.kill(-p.pid, "SIGKILL"); } catch { /* gone */ }
  // A killed training process cannot remove its socket file; these tests killed some on purpose.
  const db = new Database(join(home, "polytune.db"), { readonly: true });
  for (const { run_dir } of db.prepare("SELECT run_dir FROM runs").all() as Array<{ run_dir: string }>) rmSync(runLivenessPath(run_dir), { force: true });
  db.close();
  tmp.cleanup();
});

describe("refused before a run exists", () => {
  it("leaves no run row and no checkpoint folder for bad data, and names file and line", async () => {
    const engine = engineAt();
    try {
      const cp1252 = join(tmp.dir, "cp1252.jsonl");
      writeFileSync(cp1252, Buffer.concat([Buffer.from('{"instruction":"a","output":"b"}\n'), Buffer.from('{"instruction":"Gr\xfc\xdfe","output":"Hallo"}\n', "latin1")]));
      const long = join(tmp.dir, "long.jsonl");
      writeFileSync(long, `${JSON.stringify({ instruction: "Repeat", output: "lorem ipsum dolor ".repeat((8 << 20) / 18) })}\n`);
      const config = (data: string): TrainConfigInput => ({ model, data, format: "alpaca", steps: 2, seqLen: 128, threads: 1 });
      for (const [data, message, where] of [
        [cp1252, /^Line 2 is not valid UTF-8/, `${cp1252}:2`],
        [long, /^Line 1 is at least \d+ tokens long; the maximum sequence length is 128\.$/, `${long}:1`],
        [join(tmp.dir, "missing.jsonl"), /cannot be read/, join(tmp.dir, "missing.jsonl")],
      ] as const) {
        const r = await engine.dispatch("runs.start", config(data), "ipc");
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.message).toMatch(message);
          expect(r.error.where).toBe(where);
        }
      }
      expect(rows()).toHaveLength(0);
      expect(checkpointFolders()).toHaveLength(0);
    } finally {
      await engine.close();
    }
  });

  it("--json prints one document on stdout for a refused run and for a failed one", async () => {
    const bad = join(tmp.dir, "bad.jsonl");
    writeFileSync(bad, '{"instruction":"a","output":"b"}\n{not json\n');
    const refused = polytune("--json", ...trainArgs(bad, ["--steps", "2"]));
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: "data-malformed", where: `${bad}:2` } });
    expect(refused.stderr).toMatch(/Line 2 is not valid JSON/);
    expect(rows()).toHaveLength(0);

    // A run that fails while training (its process killed): the run, with its error, as the one document.
    const cli = spawn(process.execPath, [bin, "--home", home, "--json", ...trainArgs(demoData, ["--steps", "400", "--checkpoint-every", "1000"])], { stdio: ["ignore", "pipe", "pipe"] });
    started.push(cli);
    let stdout = "";
    cli.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => cli.on("exit", (code) => r(code)));
    const run = await until(() => rows().find((r) => r.step >= 1));
    process.kill(run.pid!, "SIGKILL");
    expect(await exited).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ run: run.id, status: "failed", error: { code: "trainer-crashed" } });
  });
});

describe("a run whose process is gone", () => {
  it("killed with its whole process group and looked at at once: interrupted, resumable, and ends with the uninterrupted adapter", async () => {
    const reference = polytune("--json", ...trainArgs(demoData, ["--steps", "40", "--checkpoint-every", "2"]));
    expect(reference.code, reference.stderr).toBe(0);
    const referenceAdapter = (JSON.parse(reference.stdout) as { adapterPath: string }).adapterPath;

    const { cli, runId, workerPid } = await trainInBackground(40);
    process.kill(-cli.pid!, "SIGKILL");
    await new Promise((r) => cli.once("exit", r));
    await untilGone(workerPid);
    // A stored PID that now belongs to another process (after a reboot, say) must not pass for the run.
    const db = new Database(join(home, "polytune.db"));
    db.prepare("UPDATE runs SET pid = ? WHERE id = ?").run(process.pid, runId);
    db.close();

    const engine = engineAt();
    try {
      const seen = await engine.call("runs.get", { run: runId });
      expect(seen.status).toBe("interrupted");
      const resumed = await engine.call("runs.resume", { run: runId });
      expect(resumed.status).toBe("running");
      const done = await engine.jobs.waitFor(runId);
      expect(done.status, JSON.stringify(done.error)).toBe("completed");
      expect(readFileSync(done.adapterPath!).equals(readFileSync(referenceAdapter))).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it.skipIf(process.platform !== "linux")("whose training process is a zombie (its parent alive but not reaping): resumable and cancellable", async () => {
    const { cli, runId, workerPid } = await trainInBackground(400);
    expect(childPids(cli.pid!)).toContain(workerPid);
    // Stopped, the CLI cannot reap its killed child: the worker stays a zombie and its PID still answers.
    process.kill(cli.pid!, "SIGSTOP");
    process.kill(workerPid, "SIGKILL");
    // A zombie once its other threads have exited too (the leader shows Z while they still close its files).
    await until(() => (procState(workerPid) === "Z" ? true : undefined), 10_000);
    await untilGone(workerPid);
    expect(() => process.kill(workerPid, 0)).not.toThrow();

    const engine = engineAt();
    try {
      expect((await engine.call("runs.list", {})).find((r) => r.id === runId)?.status).toBe("interrupted");
      await engine.call("runs.resume", { run: runId });
      await until(() => (engine.runs.get(runId).step > 10 ? true : undefined));
      await engine.call("runs.pause", { run: runId });
      expect((await engine.jobs.waitFor(runId)).status).toBe("paused");
      expect((await engine.call("runs.cancel", { run: runId })).status).toBe("cancelled");
    } finally {
      await engine.close();
      process.kill(-cli.pid!, "SIGKILL");
    }
  });

  it("is refused when it really is going in another process, and settles once that process ends", async () => {
    const { cli, runId, workerPid } = await trainInBackground(400);
    const engine = engineAt();
    try {
      const resume = await engine.dispatch("runs.resume", { run: runId }, "ipc");
      expect(resume.ok).toBe(false);
      if (!resume.ok) expect(resume.error).toMatchObject({ code: "run-active-elsewhere" });
      const cancel = await engine.dispatch("runs.cancel", { run: runId }, "ipc");
      expect(cancel.ok).toBe(false);
      process.kill(-cli.pid!, "SIGKILL");
      await new Promise((r) => cli.once("exit", r));
      // The kernel closes the worker's socket as it dies; a zombie or nothing at all is left.
      await untilGone(workerPid);
      expect((await engine.call("runs.cancel", { run: runId })).status).toBe("cancelled");
    } finally {
      await engine.close();
    }
  });
});
