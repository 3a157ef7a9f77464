// scripts/summarize-tests.mjs, the closing line of `.ci/run`: in CI a skipped test fails the run, and
// so does a file that failed outside any test. The reports are written in Vitest's JSON report shape.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../support/tempDir.js";

const script = join(process.cwd(), "scripts", "summarize-tests.mjs");
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

type Status = "passed" | "failed" | "skipped" | "pending" | "todo";

/** A folder holding one report: one file with the given tests, the file's own status derived as Vitest does. */
function report(name: string, tests: Array<[string, Status]>, fileFailed = false): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const count = (s: Status[]) => tests.filter(([, t]) => s.includes(t)).length;
  const failed = fileFailed || tests.some(([, s]) => s === "failed");
  writeFileSync(
    join(dir, "unit.json"),
    JSON.stringify({
      numPassedTests: count(["passed"]),
      numFailedTests: count(["failed"]),
      numPendingTests: count(["skipped", "pending"]),
      numTodoTests: count(["todo"]),
      testResults: [{ name: join(process.cwd(), "test", "x.test.ts"), status: failed ? "failed" : "passed", assertionResults: tests.map(([fullName, status]) => ({ fullName, status })) }],
    }),
  );
  return dir;
}

function summarize(dir: string, ci: boolean): { code: number | null; out: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, POLYTUNE_TEST_RESULTS: dir };
  if (ci) env.CI = "true";
  else delete env.CI;
  const r = spawnSync(process.execPath, [script], { encoding: "utf8", env });
  return { code: r.status, out: r.stdout };
}

describe("summarize-tests", () => {
  it("passes a clean run, in CI and out of it", () => {
    const dir = report("clean", [["a", "passed"], ["b", "passed"]]);
    expect(summarize(dir, true)).toEqual({ code: 0, out: "Tests: 2 passed, 0 failed, 0 skipped\n" });
    expect(summarize(dir, false).code).toBe(0);
  });

  it("fails a run with a skipped test in CI, naming it; outside CI it only lists it", () => {
    const dir = report("skip", [["a", "passed"], ["needs data", "skipped"], ["later", "todo"]]);
    const ci = summarize(dir, true);
    expect(ci.code).toBe(1);
    expect(ci.out).toContain("Tests: 1 passed, 0 failed, 2 skipped");
    expect(ci.out).toContain(`skipped: ${join("test", "x.test.ts")} > needs data (not expected in CI)`);
    expect(ci.out).toMatch(/CI: 2 test\(s\) skipped that must run/);
    const local = summarize(dir, false);
    expect(local.code).toBe(0);
    expect(local.out).toContain("skipped: test/x.test.ts > needs data\n");
  });

  it("fails a file that failed outside any test (an import or beforeAll error), and a failed test", () => {
    expect(summarize(report("import", [["a", "passed"]], true), false)).toMatchObject({ code: 1, out: expect.stringContaining("1 file(s) failed to run") });
    expect(summarize(report("failed", [["a", "passed"], ["b", "failed"]]), false).code).toBe(1);
    expect(summarize(join(tmp.dir, "none"), false).code).toBe(1);
  });
});
