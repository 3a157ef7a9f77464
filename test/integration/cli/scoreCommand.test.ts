// `polytune score` end to end through the built CLI, for every suite, on real gold files from
// ../shared/data and on small files written here; the error cases name file, line or option.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SuiteScoreShape } from "../../../electron/shared/evalContract.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir("polytune-score-");
const home = join(tmp.dir, "home");

function polytune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function scoreJson(...args: string[]): SuiteScoreShape {
  const r = polytune("--json", ...args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as SuiteScoreShape;
}

function write(name: string, lines: unknown[]): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
  return path;
}

const overall = (s: SuiteScoreShape, metric: string) => s.aggregates.find((a) => a.language === null && a.metric === metric);

const xnliDev = join(sharedDataDir, "xnli_de_xglue", "dev.txt");
const xquadDe = join(sharedDataDir, "xquad", "xquad.de.first10articles.json");
const asset = join(sharedDataDir, "simplification_multisim_sources", "en_asset");
const chirkova = join(sharedDataDir, "chirkova2024_alpacaeval_subset");
const hasData = prerequisite(
  [xnliDev, xquadDe, join(asset, "asset.test.orig"), join(chirkova, "alpacaeval_test_subset.fr.jsonl")].every((f) => existsSync(f)),
  `XNLI, XQuAD, ASSET and the Chirkova prompts in ${sharedDataDir}`,
);

beforeAll(() => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "registerScoreCommand.js"))) throw new Error("Run `npm run build` before the CLI tests.");
});
afterAll(() => tmp.cleanup());

describe.skipIf(!hasData)("polytune score, every suite", () => {
  const devLabels = hasData ? readFileSync(xnliDev, "utf8").split("\n").filter((l) => l !== "").map((l) => l.split("\t")[2]!) : [];

  it("nli: per-item and aggregate tables on the terminal, left-out items listed", { timeout: 300_000 }, () => {
    // The first 100 dev pairs answered with their gold label; ids are line numbers; one id not in the gold.
    const predictions = write("xnli.jsonl", [...devLabels.slice(0, 100).map((label, i) => ({ id: String(i + 1), prediction: label })), { id: "9999", prediction: "neutral" }]);
    const r = polytune("score", "--suite", "nli", "--data", xnliDev, "--predictions", predictions, "--language", "de");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Items \(100; per-item values/m);
    expect(r.stdout).toMatch(/^id\s+language\s+accuracy$/m);
    expect(r.stdout).toMatch(/^1\s+de\s+1$/m);
    expect(r.stdout).toMatch(/^all\s+accuracy\s+100\s+100\.00\s+\[100\.00, 100\.00\]$/m);
    expect(r.stdout).toMatch(/^de\s+accuracy\s+100\s+100\.00/m);
    // 150 gold pairs without prediction + 1 unknown id, never scored.
    expect(r.stdout).toMatch(/^Left out \(151\):$/m);
    expect(r.stdout).toContain(`9999: ${predictions}:101: this id is not in the gold data`);
    expect(r.stdout).toContain(`101: ${xnliDev}:101: no prediction for this item`);
  });

  it("nli --json: accuracy on 0–100, rank classification, constant answers", { timeout: 300_000 }, () => {
    // Every dev pair answered "contradiction" (as its numeric id 2): accuracy = the share of contradictions.
    const predictions = write("xnli-2.jsonl", devLabels.map((_, i) => ({ id: String(i + 1), prediction: 2 })));
    const s = scoreJson("score", "--suite", "nli", "--data", xnliDev, "--predictions", predictions);
    const share = (100 * devLabels.filter((l) => l === "contradiction").length) / devLabels.length;
    expect(s.suite).toBe("nli");
    expect(overall(s, "accuracy")).toMatchObject({ n: 250, mean: share });
    expect(s.items).toHaveLength(250);
    expect(s.excluded).toEqual([]);
  });

  it("mcq --json: X-CSQA letters per language", { timeout: 300_000 }, () => {
    const q = (id: string, lang: string, answerKey: string) => ({ id, lang, question: { stem: "?", choices: ["A", "B", "C", "D", "E"].map((label) => ({ label, text: label })) }, answerKey });
    const data = write("xcsqa.jsonl", [q("1", "de", "A"), q("2", "de", "B"), q("3", "zh", "C"), q("4", "zh", "E")]);
    const predictions = write("xcsqa-pred.jsonl", [{ id: "1", prediction: "A)" }, { id: "2", prediction: "Answer: B" }, { id: "3", prediction: "(d)" }, { id: "4", prediction: "E" }]);
    const s = scoreJson("score", "--suite", "mcq", "--data", data, "--predictions", predictions);
    // all 3/4 = 75; de 2/2 = 100; zh 1/2 = 50.
    expect(s.aggregates.map((a) => [a.language, a.metric, a.n, a.mean])).toEqual([[null, "accuracy", 4, 75], ["de", "accuracy", 2, 100], ["zh", "accuracy", 2, 50]]);
  });

  it("qa --json: XQuAD German with gold answers scores 100; a missing prediction and an unknown id are reported", { timeout: 300_000 }, () => {
    const json = JSON.parse(readFileSync(xquadDe, "utf8")) as { data: Array<{ paragraphs: Array<{ qas: Array<{ id: string; answers: Array<{ text: string }> }> }> }> };
    const qas = json.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas));
    const predictions = write("xquad.jsonl", [...qas.slice(1).map((x) => ({ id: x.id, prediction: x.answers[0]!.text })), { id: "not-a-question", prediction: "x" }]);
    const s = scoreJson("score", "--suite", "qa", "--data", xquadDe, "--predictions", predictions);
    for (const metric of ["exact_match", "f1"]) expect(overall(s, metric)).toMatchObject({ n: qas.length - 1, mean: 100 });
    expect(s.items.find((i) => i.id === qas[0]!.id)).toBeUndefined();
    const reported = JSON.stringify([s.excluded, s.notes]);
    expect(reported).toContain(qas[0]!.id);
    expect(reported).toContain("not-a-question");
  });

  it("simplification --json: SARI on ASSET with a reference as the output, on 0–100", { timeout: 300_000 }, () => {
    const refs = Array.from({ length: 10 }, (_, k) => join(asset, `asset.test.simp.${k}`));
    // Output = reference 0, scored against references 1–9: a good system, far above the source-copy baseline.
    const s = scoreJson("score", "--suite", "simplification", "--sources", join(asset, "asset.test.orig"), "--references", ...refs.slice(1), "--predictions", refs[0]!, "--language", "en");
    const copy = scoreJson("score", "--suite", "simplification", "--sources", join(asset, "asset.test.orig"), "--references", ...refs.slice(1), "--predictions", join(asset, "asset.test.orig"), "--language", "en");
    const sari = overall(s, "sari")!;
    const copySari = overall(copy, "sari")!;
    const lines = readFileSync(join(asset, "asset.test.orig"), "utf8").split(/\r?\n/);
    expect(sari.n).toBe(lines.at(-1) === "" ? lines.length - 1 : lines.length); // 359 sentences; the file has no final newline
    expect(s.items).toHaveLength(sari.n);
    expect(sari.mean).toBeGreaterThan(0);
    expect(sari.mean).toBeLessThan(100);
    expect(sari.ci95![0]).toBeLessThanOrEqual(sari.mean);
    expect(sari.ci95![1]).toBeGreaterThanOrEqual(sari.mean);
    expect(sari.mean).toBeGreaterThan(copySari.mean);
  });

  it("open --json: the Chirkova French prompts as answers are in French", { timeout: 300_000 }, () => {
    const prompts = readFileSync(join(chirkova, "alpacaeval_test_subset.fr.jsonl"), "utf8").split("\n").filter((l) => l !== "").slice(0, 12);
    const predictions = write("open.jsonl", prompts.map((line, i) => ({ id: `fr-${i + 1}`, language: "fr", prediction: (JSON.parse(line) as Array<{ content: string }>)[0]!.content })));
    const s = scoreJson("score", "--suite", "open", "--predictions", predictions);
    expect(s.items).toHaveLength(12);
    const lc = overall(s, "language_correctness")!;
    expect(lc.n).toBe(12);
    expect(lc.mean).toBeGreaterThanOrEqual(75);
    expect(lc.mean).toBeLessThanOrEqual(100);
    expect(s.aggregates.some((a) => a.language === "fr")).toBe(true);
  });
});

describe("polytune score --baseline compares two systems item by item", () => {
  it("prints the difference with the paired bootstrap and McNemar p-values (and --json)", { timeout: 300_000 }, () => {
    // 12 NLI items. Baseline right on a1–a2 only among a1–a12; system right on a3–a12 only: b = 2, c = 10.
    const labels = ["entailment", "neutral", "contradiction"];
    const data = write("cmp-gold.jsonl", Array.from({ length: 12 }, (_, i) => ({ id: `a${i + 1}`, label: labels[i % 3] })));
    const wrong = (i: number) => labels[(i + 1) % 3];
    const system = write("cmp-system.jsonl", Array.from({ length: 12 }, (_, i) => ({ id: `a${i + 1}`, prediction: i < 2 ? wrong(i) : labels[i % 3] })));
    const baseline = write("cmp-baseline.jsonl", Array.from({ length: 12 }, (_, i) => ({ id: `a${i + 1}`, prediction: i < 2 ? labels[i % 3] : wrong(i) })));
    const r = polytune("score", "--suite", "nli", "--data", data, "--predictions", system, "--baseline", baseline, "--no-items");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Baseline 2/12 = 16.67, system 10/12 = 83.33, difference +66.67; McNemar exact p = 158/4096 = 0.0386.
    expect(r.stdout).toMatch(/^all\s+accuracy\s+12\s+16\.67\s+83\.33\s+\+66\.67\s+\[[\d.]+, [\d.]+\]\s+[\d.e-]+\s+0\.039 \(b 2, c 10\)$/m);
    expect(r.stdout).not.toMatch(/^Items/m);
    const j = JSON.parse(polytune("--json", "score", "--suite", "nli", "--data", data, "--predictions", system, "--baseline", baseline).stdout) as { comparisons: Array<{ language: string | null; metric: string; mcnemar: { p: number } | null; p: number }> };
    const all = j.comparisons.find((c) => c.language === null && c.metric === "accuracy")!;
    expect(all.mcnemar!.p).toBeCloseTo(158 / 4096, 12);
    expect(all.p).toBeLessThan(0.01);
  });
});

describe("polytune score refuses bad input, naming what is wrong", () => {
  const gold = write("gold.jsonl", [{ id: "a", label: "entailment" }, { id: "b", label: 1 }]);

  it("a missing file", { timeout: 300_000 }, () => {
    const missing = join(tmp.dir, "no-such-file.jsonl");
    const r = polytune("score", "--suite", "nli", "--data", gold, "--predictions", missing);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toMatch(/does not exist/);
  });

  it("a malformed predictions line, by file:line (also as JSON)", { timeout: 300_000 }, () => {
    const predictions = write("broken.jsonl", [{ id: "a", prediction: "entailment" }, '{"id": "b", "prediction": ']);
    const r = polytune("score", "--suite", "nli", "--data", gold, "--predictions", predictions);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${predictions}:2`);
    const j = polytune("--json", "score", "--suite", "nli", "--data", gold, "--predictions", predictions);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: "jsonl-malformed", where: `${predictions}:2` } });
  });

  it("an option the suite needs, or one it does not take", { timeout: 300_000 }, () => {
    const r = polytune("score", "--suite", "qa", "--predictions", gold);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--suite qa needs --data/);
    const s = polytune("score", "--suite", "open", "--predictions", gold, "--data", gold);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/--suite open takes no --data/);
    const u = polytune("score", "--suite", "bleu", "--predictions", gold);
    expect(u.code).not.toBe(0);
    expect(u.stderr).toMatch(/bleu/);
  });

  it("ids on either side without a partner are reported, never scored as 0", { timeout: 300_000 }, () => {
    const predictions = write("partial.jsonl", [{ id: "a", prediction: "entailment" }, { id: "z", prediction: "neutral" }]);
    const s = scoreJson("score", "--suite", "nli", "--data", gold, "--predictions", predictions);
    expect(s.items.map((i) => [i.id, i.scores.accuracy])).toEqual([["a", 1]]);
    expect(overall(s, "accuracy")).toMatchObject({ n: 1, mean: 100, ci95: null });
    expect(s.excluded.map((e) => e.id).sort()).toEqual(["b", "z"]);
  });
});
