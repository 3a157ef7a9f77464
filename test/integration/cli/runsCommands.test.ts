// `polytune train`, Ctrl+C and `polytune runs show|resume|cancel`, run as a user runs them: the built
// CLI in its own process group, interrupted the way a terminal does it (SIGINT to the whole group,
// training process included), on a temp data folder. Each file it leaves is opened and checked.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kvNumber, kvString, readGgufHeader } from "../../../electron/engine/gguf/readGgufHeader.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const demoData = join(process.cwd(), "assets", "demo", "demo-instructions.jsonl");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const model = join(tmp.dir, "tiny.gguf");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function polytune(...args: string[]): Result {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const trainArgs = (steps: number): string[] =>
  ["train", "--model", model, "--data", demoData, "--format", "alpaca", "--steps", String(steps), "--rank", "4", "--alpha", "8", "--batch", "2", "--seq-len", "128", "--checkpoint-every", "4", "--threads", "1"];

/** The step numbers of the progress lines `train` and `runs resume` print (one per line when not a terminal). */
const progressSteps = (stderr: string): number[] => [...stderr.matchAll(/step (\d+)\/\d+/g)].map((m) => Number(m[1]));

/**
 * Starts `polytune train` in a process group of its own and presses Ctrl+C (SIGINT to the whole group,
 * as a terminal does) once it has reported step `after`. Resolves when the CLI exits.
 */
function trainAndInterrupt(steps: number, after: number): Promise<Result> {
  const child = spawn(process.execPath, [bin, "--home", home, ...trainArgs(steps)], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let pressed = false;
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (!pressed && progressSteps(stderr).some((s) => s >= after)) {
      pressed = true;
      process.kill(-child.pid!, "SIGINT");
    }
  });
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 300_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

beforeAll(async () => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "main.js"))) throw new Error("Run `npm run build` before the CLI tests.");
  await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 4 });
});
afterAll(() => tmp.cleanup());

describe("polytune runs", () => {
  it("Ctrl+C pauses `polytune train` at a checkpoint; `runs show` reports it and `runs resume` continues from that step", async () => {
    const interrupted = await trainAndInterrupt(24, 5);
    expect(interrupted.code, interrupted.stderr).toBe(0);
    expect(interrupted.stderr).toContain("Pausing at the next step (checkpoint)");
    const paused = /Run (\w+) paused at step (\d+)\./.exec(interrupted.stdout);
    expect(paused, interrupted.stdout).not.toBeNull();
    const [id, step] = [paused![1]!, Number(paused![2])];
    expect(step).toBeGreaterThanOrEqual(5);
    expect(step).toBeLessThan(24);

    const shown = JSON.parse(polytune("--json", "runs", "show", id).stdout) as { status: string; step: number; totalSteps: number; metrics: Array<{ step: number }> };
    expect(shown).toMatchObject({ status: "paused", step, totalSteps: 24 });
    expect(shown.metrics.map((m) => m.step)).toEqual(Array.from({ length: step }, (_, i) => i + 1));
    // The pause wrote a checkpoint at the step it stopped after: a Polytune checkpoint that says so.
    const checkpoint = join(home, "checkpoints", id, "checkpoints", `step-${step}.gguf`);
    const header = readGgufHeader(checkpoint);
    expect(kvString(header, "general.type")).toBe("polytune.checkpoint");
    expect(kvNumber(header, "polytune.step")).toBe(step);

    const text = polytune("runs", "show", id);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`status paused, step ${step}/24`);
    expect(text.stdout.match(/^ {2}step +\d+ +loss \d/gm)).toHaveLength(step);

    const resumed = polytune("runs", "resume", id);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`Run ${id} completed: 24 steps`));
    // The resumed process computed the steps after the checkpoint, and only those.
    expect(progressSteps(resumed.stderr)).toEqual(Array.from({ length: 24 - step }, (_, i) => step + 1 + i));

    const done = JSON.parse(polytune("--json", "runs", "show", id).stdout) as { status: string; step: number; adapterPath: string; metrics: unknown[] };
    expect(done).toMatchObject({ status: "completed", step: 24 });
    expect(done.metrics).toHaveLength(24);
    const adapter = readGgufHeader(done.adapterPath);
    expect(kvString(adapter, "adapter.type")).toBe("lora");
    expect(adapter.tensors.length).toBeGreaterThan(0);
  }, 600_000);

  it("`runs cancel` cancels a paused run, which then cannot be resumed; unknown runs are one clear line", async () => {
    const interrupted = await trainAndInterrupt(200, 2);
    const id = /Run (\w+) paused/.exec(interrupted.stdout)?.[1];
    expect(id, interrupted.stdout + interrupted.stderr).toBeDefined();

    const cancelled = polytune("runs", "cancel", id!);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout.trim()).toBe(`Run ${id} is cancelled.`);
    expect(JSON.parse(polytune("--json", "runs", "show", id!).stdout)).toMatchObject({ status: "cancelled", adapterPath: null });

    const again = polytune("runs", "resume", id!);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toMatch(/cancelled run cannot be resumed/);

    const twice = polytune("runs", "cancel", id!);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/cancelled/);

    for (const command of ["show", "resume", "cancel"]) {
      const unknown = polytune("runs", command, "nosuchrun");
      expect(unknown.code, command).toBe(1);
      expect(unknown.stderr.trim().split("\n"), command).toHaveLength(1);
      expect(unknown.stderr, command).toMatch(/No run "nosuchrun"/);
    }

    const list = JSON.parse(polytune("--json", "runs", "list").stdout) as Array<{ id: string; status: string }>;
    expect(list.find((r) => r.id === id)?.status).toBe("cancelled");
  }, 600_000);
});
