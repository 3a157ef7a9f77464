// `polytune compare` through the built CLI on a database of hand-made evaluations (the compare unit
// fixtures under --home): the printed table carries the database's numbers, --out writes the CSV, the
// SVG and the JSON asked for, and a bad --out is refused before anything opens.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareRunsResult } from "../../../electron/shared/compareContract.js";
import { compareCsv, comparedMetrics } from "../../../electron/shared/figures/languageTableRows.js";
import { formatMeanCi } from "../../../electron/shared/formatStatistics.js";
import { reportContentSecurityPolicy } from "../../../electron/shared/reportContentSecurityPolicy.js";
import { makeTempDir } from "../../support/tempDir.js";
import { buildCompareFixture, type CompareFixture } from "../../unit/compare/compareFixture.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir("polytune-compare-");
const home = join(tmp.dir, "home");
let ids: CompareFixture["ids"];
let aggregates: Map<string, { mean: number; ci95: [number, number] | null; n: number }>;

function polytune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const fx = buildCompareFixture(home);
  ids = fx.ids;
  // The numbers as the evaluation stored them, read straight from eval_results.
  aggregates = new Map();
  for (const r of fx.db.prepare("SELECT j.run_id, r.system, r.aggregates_json FROM eval_results r JOIN eval_jobs j ON j.id = r.job_id WHERE j.status = 'completed'").all() as Array<{ run_id: string; system: string; aggregates_json: string }>) {
    for (const a of JSON.parse(r.aggregates_json) as Array<{ language: string | null; metric: string; mean: number; ci95: [number, number] | null; n: number }>) aggregates.set(`${r.run_id}:${r.system}:${a.metric}:${a.language ?? "all"}`, a);
  }
  fx.db.close();
});
afterAll(() => tmp.cleanup());

describe("polytune compare", () => {
  it("prints the per-language table with the database's numbers and writes the CSV", () => {
    const csv = join(tmp.dir, "out", "table.csv");
    const r = polytune("compare", "run-a", "run-b", "run-c", "--metric", "language_correctness", "--out", csv);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const row = (language: string) => lines.find((l) => l.startsWith(`${language} `))!;
    const shown = (run: string, language: string, system = "tuned") => {
      const a = aggregates.get(`${run}:${system}:language_correctness:${language}`)!;
      return formatMeanCi(a.mean, a.ci95);
    };
    expect(lines[0]).toMatch(/^open · language_correctness/);
    expect(lines[1]).toMatch(/^language\s+base\s+lr 1e-4 \(ref\)\s+lr 2e-4\s+lr 5e-5$/);
    expect(row("en")).toContain(`${shown(ids.A, "en", "base")}  ${shown(ids.A, "en")}`);
    expect(row("fr")).toContain(`${shown(ids.A, "fr")} †`);
    expect(row("fr")).toContain(`${shown(ids.B, "fr")} †  Δ +50.0 (p = 0.500)`);
    // The overall row is the stored aggregate over every evaluated language, and is named so.
    expect(row("all evaluated")).toContain(`${shown(ids.B, "all")}  Δ +37.5 (p = 0.250)`);
    expect(row("all evaluated").trimEnd().endsWith("—")).toBe(true);
    expect(r.stdout).toContain("Settings that differ:\n  lr: 1e-4 | 2e-4 | 5e-5");
    expect(r.stdout).toMatch(new RegExp(`Not compared:\\n  ${ids.C}: its evaluation \\w+ failed: the model file vanished`));
    expect(r.stdout).toContain(`Wrote ${csv}`);

    const rows = readFileSync(csv, "utf8").trimEnd().split("\n").map((l) => l.split(","));
    const header = rows[0]!;
    expect(header).toEqual(["suite", "metric", "language", "group", "tuning", "run", "run_name", "label", "mean", "ci_low", "ci_high", "n", "base_mean", "base_ci_low", "base_ci_high", "base_n", "reference", "difference", "difference_ci_low", "difference_ci_high", "p", "test"]);
    const pick = (x: string[], ...names: string[]) => names.map((name) => x[header.indexOf(name)]);
    const line = (language: string, run: string) => rows.find((x) => pick(x, "language", "run").join() === `${language},${run}`)!;
    const a = aggregates.get(`${ids.B}:tuned:language_correctness:fr`)!;
    expect(pick(line("fr", ids.B), "suite", "metric", "label", "mean", "ci_low", "ci_high", "n", "tuning", "reference", "difference", "p", "test")).toEqual(["open", "language_correctness", "lr 2e-4", String(a.mean), String(a.ci95![0]), String(a.ci95![1]), "4", "zero-shot", ids.A, "50", "0.5", "McNemar (exact)"]);
    const base = aggregates.get(`${ids.A}:base:language_correctness:en`)!;
    expect(pick(line("en", ids.A), "base_mean", "base_n")).toEqual([String(base.mean), String(base.n)]);
    // One line per language (and the overall row) × run; the run without an evaluation has empty cells, never 0.
    const languages = new Set([...aggregates.keys()].filter((k) => k.includes(":tuned:language_correctness:")).map((k) => k.split(":").at(-1)));
    expect(rows.length - 1).toBe(languages.size * 3);
    expect(rows.filter((x) => pick(x, "run")[0] === ids.C).every((x) => pick(x, "mean", "n").join() === ",")).toBe(true);

    // One CSV format: the CLI writes what the Compare area exports from the same result.
    const again = join(tmp.dir, "out", "again.csv");
    const json = polytune("--json", "compare", "run-a", "run-b", "run-c", "--metric", "language_correctness", "--out", again);
    const result = JSON.parse(json.stdout) as CompareRunsResult;
    expect(readFileSync(again, "utf8")).toBe(compareCsv(result, comparedMetrics(result), ids.A));

    // The standalone HTML carries the reports' own policy and the table as printed.
    const page = join(tmp.dir, "out", "comparison.html");
    expect(polytune("compare", "run-a", "run-b", "--metric", "language_correctness", "--out", page).code).toBe(0);
    const html = readFileSync(page, "utf8");
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${reportContentSecurityPolicy}">`);
    expect(html).toMatch(/\nall evaluated +\d/);
  });

  it("writes the figure as SVG and the whole result as JSON, and refuses an unknown --out kind first", () => {
    const svg = join(tmp.dir, "bars.svg");
    expect(polytune("compare", ids.A, ids.B, "--out", svg).code).toBe(0);
    const markup = readFileSync(svg, "utf8");
    expect(markup.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // The two French bars (zero-shot for both runs) and the legend's key.
    expect(markup.match(/<rect[^>]*fill="url\(#languages-hatch\)"/g)).toHaveLength(3);

    const json = join(tmp.dir, "result.json");
    const r = polytune("--json", "compare", "run-a", "run-b", "--reference", "run-b", "--out", json);
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(json, "utf8")) as CompareRunsResult;
    expect(JSON.parse(r.stdout)).toEqual(result);
    expect(result.pairs.every((p) => p.reference === ids.B && p.run === ids.A)).toBe(true);

    const bad = polytune("compare", "run-a", "--out", join(tmp.dir, "x.png"));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--out takes a \.svg, \.csv, \.json, \.html file/);
    expect(existsSync(join(tmp.dir, "x.png"))).toBe(false);
    const unknown = polytune("compare", "run-a", "nope");
    expect(unknown.stderr).toMatch(/There is no run "nope"/);
  });
});
