// The Compare area as a person uses it: in Chromium against a real `polytune serve`. Two LoRA runs are
// trained on a generated tiny model through the engine's own calls, on two mixes of the shipped demo data
// (Mono: English only; Multi-2: English and French), and each is evaluated on the open suite with two
// prompts in English and in French — French is absent from Mono's tuning (zero-shot). Compare then draws
// them: French hatched for Mono in the per-language figure, a table whose numbers are compare.runs' own,
// the items side by side with both runs' responses, and SVG and CSV exports that hold the numbers.
// Assumes `npm run build` ran; it builds nothing.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../electron/engine/createEngine.js";
import type { CallOutput } from "../../electron/shared/contract.js";
import type { CompareRunsResult } from "../../electron/shared/compareContract.js";
import { formatDifference, formatMeanCi, formatP } from "../../electron/shared/formatStatistics.js";
import { makeTempDir } from "../support/tempDir.js";
import { PolytuneInBrowser, repoRoot, requireBuilt, shotsDir, type Served } from "./support/PolytuneInBrowser.js";
import { unlabeledControls } from "./support/unlabeledControls.js";

const demo = join(repoRoot, "assets/demo");
const dist = join(repoRoot, "dist/electron/engine");

/** The first `n` demo instructions of a language as open-suite items ("id", "language", "prompt"). */
function demoPrompts(language: string, n: number): string[] {
  return readFileSync(join(demo, `instructions.${language}.jsonl`), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .slice(0, n)
    .map((l) => {
      const row = JSON.parse(l) as { id: string; instruction: string; input: string };
      return JSON.stringify({ id: row.id, language, prompt: row.input ? `${row.instruction}\n\n${row.input}` : row.instruction });
    });
}

async function download(page: Page, button: ReturnType<Page["getByRole"]>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, "utf8") };
}

describe("comparing runs in the browser", () => {
  let temp: { dir: string; cleanup: () => void };
  let app: PolytuneInBrowser | undefined;
  let served: Served;
  let page: Page;
  let pageErrors: string[];
  let runs: { mono: string; multi: string };
  let expected: CompareRunsResult;
  let againstMulti: CompareRunsResult;
  let expectedItems: CallOutput<"compare.items">;

  beforeAll(async () => {
    requireBuilt();
    temp = makeTempDir("polytune-e2e-compare-");
    const home = join(temp.dir, "home");
    // The setup is the engine's own calls, as the CLI and the other areas make them; the server opens the same home after.
    const engine = new PolytuneEngine({ home, trainWorkerEntry: join(dist, "train/trainWorker.js"), importWorkerEntry: join(dist, "datasets/importWorker.js") });
    try {
      const modelPath = join(temp.dir, "tiny-compare.gguf");
      await engine.call("models.makeTiny", { out: modelPath, layers: 1, embd: 32, seed: 11 });
      const model = (await engine.call("models.add", { path: modelPath })).added[0]!;
      const data = await engine.call("data.import", { importId: "compare-e2e", files: [join(demo, "instructions.en.jsonl"), join(demo, "instructions.fr.jsonl")], name: "demo en fr" });
      const ladder = await engine.call("mixes.series", { kind: "multi-ladder", sources: [{ dataset: data.id, fingerprint: data.fingerprint }], total: 16, perLanguage: 8, languages: ["fr"], prefix: "Cmp", seed: 1, save: true });
      const [mono, multi] = ladder.mixes;
      expect([mono?.name, multi?.name]).toEqual(["Cmp Mono", "Cmp Multi-2"]);
      const prompts = join(temp.dir, "prompts.jsonl");
      writeFileSync(prompts, [...demoPrompts("en", 2), ...demoPrompts("fr", 2)].join("\n") + "\n");
      const trainAndEvaluate = async (mix: string, name: string): Promise<string> => {
        const started = await engine.call("runs.start", { model: model.id, mix, name, format: "alpaca", steps: 2, rank: 4, alpha: 8, lr: 1e-3, batchSize: 2, seqLen: 128, threads: 1 });
        const run = await engine.call("runs.wait", { run: started.id });
        expect(run.status, JSON.stringify(run.error)).toBe("completed");
        const job = await engine.call("eval.start", { run: run.id, suites: [{ suite: "open", data: [prompts] }], languages: ["en", "fr"], limit: 2, decoding: { maxTokens: 8, parallel: 2 }, threads: 1, name: `eval ${name}` });
        const done = await engine.call("eval.wait", { job: job.id });
        expect(done.status, JSON.stringify(done.error)).toBe("completed");
        return run.id;
      };
      runs = { mono: await trainAndEvaluate(mono!.id, "mono run"), multi: await trainAndEvaluate(multi!.id, "multi run") };
      expected = await engine.call("compare.runs", { runs: [runs.mono, runs.multi] });
      againstMulti = await engine.call("compare.runs", { runs: [runs.mono, runs.multi], reference: runs.multi });
      expectedItems = await engine.call("compare.items", { runs: [runs.mono, runs.multi], suite: "open", offset: 0, limit: 20 });
    } finally {
      await engine.close();
    }
    app = await PolytuneInBrowser.start(home, { viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    ({ served, page, pageErrors } = app);
  }, 900_000);

  afterAll(async () => {
    await app?.close("compare-last");
    temp?.cleanup();
  });

  it("lists both evaluated runs and compares them: French is zero-shot for Mono only", async () => {
    expect(expected.runs.map((r) => r.id)).toEqual([runs.mono, runs.multi]);
    expect(expected.languages.find((l) => l.language === "fr")?.tuning).toEqual(["zero-shot", "supervised"]);

    await page.goto(served.url);
    await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Compare" }).click();
    await page.getByRole("heading", { level: 1, name: "Compare" }).waitFor();
    expect(new URL(page.url()).hash).toBe("#/compare");
    const picker = page.getByTestId("compare-picker");
    await expect.poll(() => picker.getByTestId("compare-runs-table").locator("tbody tr").count()).toBe(2);
    await picker.getByLabel("Compare mono run").check();
    await picker.getByLabel("Compare multi run").check();
    expect(await picker.getByTestId("compare-selected").textContent()).toBe("2 runs selected");
    await picker.getByRole("button", { name: "Compare", exact: true }).click();
    await page.getByTestId("compare-table").waitFor({ timeout: 60_000 });
    expect(await unlabeledControls(page)).toEqual([]);
  });

  it("draws the per-language figure with French hatched for Mono, and a legend that says what hatching means", async () => {
    const figure = page.getByTestId("compare-figure-languages");
    await figure.locator("svg").first().waitFor();
    const svg = figure.locator("svg").first();
    // One hatched bar: Mono's French (every other run × language was tuned on), drawn with the hatch pattern.
    const hatched = await svg.evaluate((el) => [...el.querySelectorAll(".zero-shot-hatch rect")].map((r) => r.getAttribute("fill")));
    expect(hatched).toHaveLength(1);
    expect(hatched[0]).toMatch(/^url\(#.+\)$/);
    expect(await svg.locator(`pattern[id="${hatched[0]!.slice(5, -1)}"]`).count()).toBe(1);
    expect(await svg.locator(".zero-shot-hatch title, .run-bars title").allTextContents()).toContain(`fr · ${expected.runs[0]!.label}: ${expected.cells.find((c) => c.run === runs.mono && c.language === "fr" && c.metric === "language_correctness" && c.system === "tuned")!.mean.toFixed(1)} (zero-shot)`);
    // The legend, inside the figure (so an exported file keeps it), says what hatching means.
    expect(await svg.locator(".figure-legend text").allTextContents()).toContain("zero-shot (absent from tuning)");
    await page.screenshot({ path: join(shotsDir, "compare-light-1366.png"), fullPage: true });
  });

  it("shows a table whose numbers equal compare.runs' result, run by run and language by language", async () => {
    const table = page.getByTestId("compare-table");
    expect(await table.getAttribute("data-metric")).toBe("language_correctness");
    const cells = expected.cells.filter((c) => c.suite === "open" && c.metric === "language_correctness" && c.system === "tuned");
    expect(cells.length).toBe(6);
    for (const c of cells) {
      const cell = table.locator(`tr[data-language="${c.language ?? "all"}"] td[data-run="${c.run}"]`);
      expect(await cell.getByTestId("compare-mean").textContent()).toBe(formatMeanCi(c.mean, c.ci95));
      expect(await cell.getByTestId("compare-n").textContent()).toBe(`n ${c.n}`);
    }
    // The reference (Mono) has no Δ; Multi-2 carries its paired test against it.
    const pair = expected.pairs.find((p) => p.run === runs.multi && p.language === null && p.metric === "language_correctness");
    expect(await table.locator(`tr[data-language="all"] td[data-run="${runs.mono}"]`).getByTestId("compare-delta").count()).toBe(0);
    if (pair) expect(await table.locator(`tr[data-language="all"] td[data-run="${runs.multi}"]`).getByTestId("compare-delta").textContent()).toMatch(/^Δ (0\.0|[+−]\d+\.\d)( · p (< 0\.001|[01]\.\d{3}))?$/);
    // The settings that differ include the mix, each run's value in its column.
    const mixRow = page.getByTestId("compare-settings").locator("tbody tr").filter({ hasText: "Cmp Multi-2" });
    expect(await mixRow.count()).toBeGreaterThan(0);
  });

  it("redraws from the same result for another metric and a chosen language, and tests against another reference", async () => {
    const controls = page.getByTestId("compare-controls");
    const table = page.getByTestId("compare-table");
    await controls.getByLabel("Metric", { exact: true }).selectOption("line_pass_rate");
    await expect.poll(() => table.getAttribute("data-metric")).toBe("line_pass_rate");
    for (const c of expected.cells.filter((x) => x.suite === "open" && x.metric === "line_pass_rate" && x.system === "tuned")) {
      expect(await table.locator(`tr[data-language="${c.language ?? "all"}"] td[data-run="${c.run}"]`).getByTestId("compare-mean").textContent()).toBe(formatMeanCi(c.mean, c.ci95));
    }
    await controls.getByLabel("fr · français").check();
    await expect.poll(() => table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-language")))).toEqual(["all", "fr"]);
    await controls.getByLabel("fr · français").uncheck();
    await controls.getByLabel("Metric", { exact: true }).selectOption("language_correctness");

    // Multi-2 as the reference: Mono now carries the Δ and p of compare.runs with that reference.
    await page.getByTestId("compare-picker").getByLabel("Reference run", { exact: true }).selectOption({ label: "multi run" });
    await expect.poll(() => table.locator(`thead th[data-run="${runs.multi}"]`).textContent()).toContain("(reference)");
    const pair = againstMulti.pairs.find((p) => p.run === runs.mono && p.language === null && p.metric === "language_correctness");
    expect(pair?.reference).toBe(runs.multi);
    expect(await table.locator(`tr[data-language="all"] td[data-run="${runs.multi}"]`).getByTestId("compare-delta").count()).toBe(0);
    expect(await table.locator(`tr[data-language="all"] td[data-run="${runs.mono}"]`).getByTestId("compare-delta").textContent()).toBe(
      pair!.p === null ? `Δ ${formatDifference(pair!.difference)}` : `Δ ${formatDifference(pair!.difference)} · p ${formatP(pair!.p)}`,
    );
    await page.getByTestId("compare-picker").getByLabel("Reference run", { exact: true }).selectOption({ label: "mono run" });
    await expect.poll(() => table.locator(`thead th[data-run="${runs.mono}"]`).textContent()).toContain("(reference)");
  });

  it("exports the per-language figure as SVG and the table as CSV, both holding the numbers", async () => {
    const figure = page.getByTestId("compare-figure-languages");
    const svg = await download(page, figure.getByRole("button", { name: /^Export SVG/ }));
    expect(svg.name).toMatch(/\.svg$/);
    expect(svg.text).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.text).toContain("<pattern");
    const cells = expected.cells.filter((c) => c.suite === "open" && c.metric === "language_correctness" && c.system === "tuned" && c.language !== null);
    for (const c of cells) expect(svg.text).toContain(c.mean.toFixed(1));

    const [png] = await Promise.all([page.waitForEvent("download"), figure.getByRole("button", { name: /^Export PNG/ }).click()]);
    expect(png.suggestedFilename()).toBe("compare-open-language_correctness-languages.png");
    expect(readFileSync((await png.path())!).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    const csv = await download(page, page.getByTestId("compare-table-card").getByRole("button", { name: "Export table (CSV)" }));
    expect(csv.name).toBe("compare-open-language_correctness.csv");
    const [header, ...lines] = csv.text.trim().split("\n");
    const names = header!.split(",");
    const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i]!, v])));
    for (const c of expected.cells.filter((x) => x.suite === "open" && x.metric === "language_correctness" && x.system === "tuned")) {
      const row = rows.find((r) => r.run === c.run && r.language === (c.language ?? "all"))!;
      expect([Number(row.mean), Number(row.n)]).toEqual([c.mean, c.n]);
      expect(row.ci_low === "" ? null : Number(row.ci_low)).toBe(c.ci95?.[0] ?? null);
    }
    expect(rows.find((r) => r.run === runs.mono && r.language === "fr")!.tuning).toBe("zero-shot");
  });

  it("lists the items side by side with both runs' responses, and filters them", async () => {
    const items = page.getByTestId("compare-items");
    await expect.poll(() => items.getByTestId("compare-items-showing").textContent()).toBe(`Items 1–${expectedItems.total} of ${expectedItems.total}`);
    expect(expectedItems.total).toBe(4);
    for (const item of expectedItems.items) {
      const card = items.locator(`[data-testid="compare-item"][data-item-id="${item.id}"][data-language="${item.language}"]`);
      expect(await card.getByTestId("compare-item-prompt").textContent()).toBe(item.prompt);
      const shown = await card.getByTestId("compare-response").evaluateAll((els) => els.map((el) => [el.getAttribute("data-run"), el.querySelector("[data-testid=compare-response-text]")?.textContent ?? null]));
      expect(shown).toEqual(item.responses.map((r, i) => [[runs.mono, runs.multi][i], r?.response ? r.response : r ? "(empty response)" : null]));
    }
    await items.getByLabel("Language", { exact: true }).selectOption("fr");
    await expect.poll(() => items.getByTestId("compare-items-showing").textContent()).toBe("Items 1–2 of 2");
    expect(new Set(await items.getByTestId("compare-item").evaluateAll((els) => els.map((el) => el.getAttribute("data-language"))))).toEqual(new Set(["fr"]));
    await items.getByLabel("Show", { exact: true }).selectOption("language");
    await expect.poll(() => items.getByTestId("compare-items-showing").textContent()).toMatch(/^(No items match\.|Items 1–[12] of [12])$/);
    expect(pageErrors).toEqual([]);
  });
});
