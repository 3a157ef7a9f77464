// A model file the user may not read, added from the CLI: listed as failed with the reason, the path
// and what to do. Root reads any file whatever its mode, so when the tests run as root (as in CI) the
// CLI runs as the unprivileged user `nobody`, for whom mode 000 does stop reads.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const model = join(tmp.dir, "locked.gguf");
const nobody = 65534;
const asRoot = process.getuid?.() === 0;

interface Added {
  added: Array<{ path: string }>;
  updated: Array<{ path: string; status: string; error: unknown }>;
  failed: Array<{ path: string; error: { code: string; message: string; where?: string; hint?: string } | null }>;
}

/** `polytune --json models add FILE`, as the current user, or as `nobody` when that is root. */
function addModel(): { code: number | null; result: Added; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, "--json", "models", "add", model], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, HOME: tmp.dir },
    ...(asRoot ? { uid: nobody, gid: nobody } : {}),
  });
  expect(r.stdout, r.stderr).not.toBe("");
  return { code: r.status, result: JSON.parse(r.stdout) as Added, stderr: r.stderr };
}

beforeAll(async () => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "main.js"))) throw new Error("Run `npm run build` before the CLI tests.");
  await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 4 });
  // `nobody` must reach the folder and write the data folder; only the model is locked.
  chmodSync(tmp.dir, 0o755);
  mkdirSync(home, { mode: 0o777 });
  chmodSync(home, 0o777);
});
afterAll(() => tmp.cleanup());

describe("an unreadable model file", () => {
  it("is listed as failed with 'Permission denied', its path and a hint, and added once it is readable", () => {
    chmodSync(model, 0o000);
    const locked = addModel();
    expect(locked.code).toBe(1);
    expect(locked.result.added).toEqual([]);
    expect(locked.result.failed).toHaveLength(1);
    expect(locked.result.failed[0]!.error).toMatchObject({ code: "unreadable", where: model, message: expect.stringMatching(/Permission denied/), hint: expect.stringMatching(/permissions/) });

    // The same file and the same user, readable: so it was the permission, not anything else, that failed.
    chmodSync(model, 0o644);
    const readable = addModel();
    expect(readable.code, readable.stderr).toBe(0);
    expect(readable.result.failed).toEqual([]);
    // The library kept the failed file; now readable, its entry is updated and usable.
    expect([...readable.result.added, ...readable.result.updated].map((m) => m.path)).toEqual([model]);
    expect(readable.result.updated.every((m) => m.error === null)).toBe(true);
  });
});
