// Prints one closing line over every Vitest JSON report of the run: "Tests: N passed, N failed, N skipped".
// Exits non-zero when a test or a whole file failed, when nothing passed, and, in CI (CI=true), when a
// test skipped that is not listed below as expected: in CI a missing prerequisite must fail, not skip.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

// Tests CI may skip, by file (relative to the project) and full name, each with the reason. Keep it empty
// unless a test truly cannot run on the CI machine.
const expectedSkips = new Map([
  // ["test/native/example.test.ts > suite test name", "why CI cannot run it"],
]);

const dir = process.env.POLYTUNE_TEST_RESULTS ?? "test-results";
const inCI = process.env.CI === "true";
let passed = 0;
let failed = 0;
let failedFiles = 0;
const skipped = [];
if (existsSync(dir)) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    for (const result of report.testResults ?? []) {
      // A file that failed outside any test (an import or beforeAll error) has no failed test to count.
      if (result.status === "failed" && !(result.assertionResults ?? []).some((t) => t.status === "failed")) failedFiles++;
      for (const test of result.assertionResults ?? []) {
        if (["skipped", "pending", "todo"].includes(test.status)) skipped.push(`${relative(process.cwd(), result.name)} > ${test.fullName}`);
      }
    }
  }
}
const unexpected = inCI ? skipped.filter((name) => !expectedSkips.has(name)) : [];
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped${failedFiles ? `, ${failedFiles} file(s) failed to run` : ""}`);
for (const name of skipped) {
  const reason = expectedSkips.get(name);
  console.log(`  skipped: ${name}${reason ? ` (expected: ${reason})` : inCI ? " (not expected in CI)" : ""}`);
}
if (unexpected.length > 0) console.log(`CI: ${unexpected.length} test(s) skipped that must run; a skip in CI is a missing prerequisite.`);
process.exit(failed > 0 || failedFiles > 0 || passed === 0 || unexpected.length > 0 ? 1 : 0);
