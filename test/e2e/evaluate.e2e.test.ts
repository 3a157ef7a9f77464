// The Evaluate area as a person uses it: in Chromium against a real `polytune serve`, a tiny
// random-weights model the project generates, and two Chirkova et al. prompts per language (en, fr)
// from the shared data. Start an open-suite evaluation from the form, follow its progress, read the
// results table (a mean with its 95% CI per language, tuned against the base model with Δ and p), and
// open an item: the response shown is the one the engine stored in its database. Assumes `npm run build`
// ran; it builds nothing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prerequisite, sharedDataDir } from "../support/sharedData.js";
import { makeTempDir } from "../support/tempDir.js";
import { writeTinyAdapter } from "../support/writeTinyAdapter.js";
import { addTinyModel, PolytuneInBrowser, requireBuilt, shotsDir, type Served } from "./support/PolytuneInBrowser.js";
import { unlabeledControls } from "./support/unlabeledControls.js";

const chirkova = join(sharedDataDir, "chirkova2024_alpacaeval_subset");
const dataFile = (language: string) => join(chirkova, `alpacaeval_test_subset.${language}.jsonl`);
const hasChirkova = prerequisite(existsSync(dataFile("en")) && existsSync(dataFile("fr")), `the Chirkova et al. prompts (${chirkova})`);

/** The first `n` prompts of a Chirkova file, as the user reads them (one chat message list per line). */
function firstPrompts(language: string, n: number): string[] {
  return readFileSync(dataFile(language), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .slice(0, n)
    .map((l) => (JSON.parse(l) as Array<{ role: string; content: string }>).find((m) => m.role === "user")!.content);
}

describe.runIf(hasChirkova)("evaluation in the browser", () => {
  let temp: { dir: string; cleanup: () => void };
  let home: string;
  let adapter: string;
  let app: PolytuneInBrowser | undefined;
  let served: Served;
  let page: Page;
  let pageErrors: string[];
  const form = () => page.getByTestId("eval-form");
  const jobRows = () => page.getByTestId("eval-jobs-table").locator("tbody tr");
  const detail = () => page.getByTestId("eval-detail");

  beforeAll(async () => {
    requireBuilt();
    temp = makeTempDir("polytune-e2e-evaluate-");
    home = join(temp.dir, "home");
    addTinyModel(home, join(temp.dir, "tiny-eval.gguf"), 7);
    adapter = join(temp.dir, "tiny-lora.gguf");
    writeTinyAdapter(adapter, 3);
    app = await PolytuneInBrowser.start(home, { viewport: { width: 1366, height: 900 } });
    ({ served, page, pageErrors } = app);
  });

  afterAll(async () => {
    await app?.close("evaluate-last");
    temp?.cleanup();
  });

  it("opens Evaluate from the areas, with an empty state, and names each missing field when started empty", async () => {
    await page.goto(served.url);
    await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Evaluate" }).click();
    await page.getByRole("heading", { level: 1, name: "Evaluate" }).waitFor();
    expect(new URL(page.url()).hash).toBe("#/evaluate");
    await page.getByText("No evaluations yet.", { exact: false }).waitFor();
    await form().getByRole("button", { name: "Start evaluation" }).click();
    expect(await form().locator("[data-field=model]").textContent()).toBe("Choose a model.");
    expect(await form().locator('[data-field="suites.0.data"]').textContent()).toBe("Give at least one data file.");
    // The message is tied to its field for screen readers.
    expect(await form().getByLabel("Model", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    // A value the contract's schema refuses gets the schema's own sentence, next to the field.
    await form().getByLabel("Max new tokens", { exact: true }).fill("0");
    expect(await form().locator('[data-field="decoding.maxTokens"]').textContent()).toBe("Write a number of at least 1.");
    expect(await page.getByTestId("eval-jobs-table").count()).toBe(0);
    // A reload keeps the area.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Evaluate" }).waitFor();
  });

  it("evaluates the tiny model with an adapter against the model alone on two Chirkova prompts in en and fr: progress, then results per language with a 95% CI, Δ and p", async () => {
    await form().getByLabel("Model", { exact: true }).selectOption({ index: 1 });
    await form().getByLabel("Extra adapters (optional, one path per line)", { exact: true }).fill(adapter);
    await form().getByLabel("Also evaluate the base model (for paired comparisons)").check();
    await form().getByLabel("Data files (one path per line)", { exact: true }).fill(`${dataFile("en")}\n${dataFile("fr")}`);
    await form().getByLabel("Only these languages (optional, codes)", { exact: true }).fill("en fr");
    await form().getByLabel("At most N items per language (optional)", { exact: true }).fill("2");
    await form().getByLabel("Max new tokens", { exact: true }).fill("8");
    await form().getByLabel("Sequences in parallel", { exact: true }).fill("2");
    await form().getByLabel("CPU threads (optional)", { exact: true }).fill("1");
    await form().getByLabel("Name (optional)", { exact: true }).fill("Tiny Chirkova");
    await form().getByRole("button", { name: "Start evaluation" }).click();
    await expect.poll(() => page.getByTestId("eval-started").textContent(), { timeout: 120_000 }).toBe("Started: 8 outputs to make. Follow it below.");

    await expect.poll(() => jobRows().count()).toBe(1);
    const row = jobRows().first();
    expect(await row.locator("td").first().textContent()).toBe("Tiny Chirkova");
    // Progress as the engine reports it: n of 4, a bar, and while running the phase.
    expect(await row.getByTestId("eval-progress-count").textContent()).toMatch(/^\d of 8$/);
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 400_000 }).toBe("completed");
    expect(await row.getByTestId("eval-progress-count").textContent()).toBe("8 of 8");
    expect(await row.getByTestId("eval-progress").locator("progress").evaluate((bar: HTMLProgressElement) => bar.position)).toBe(1);
    expect(await row.getByRole("button", { name: /^Resume/ }).count()).toBe(0);
    expect(await row.getByRole("button", { name: "Remove evaluation Tiny Chirkova" }).count()).toBe(1);

    // The started job's results are open below; "Results" brings them where the user looks.
    await expect.poll(() => detail().getAttribute("data-status")).toBe("completed");
    await row.getByRole("button", { name: "Show the results of Tiny Chirkova" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Evaluation Tiny Chirkova");
    const results = detail().getByTestId("eval-results");
    await results.first().waitFor({ timeout: 60_000 });
    const all = results.first().locator('tr[data-language="all"][data-metric="language_correctness"]');
    const cells = await all.locator("td").allTextContents();
    // Tuning (none for all), metric, n, tuned mean [CI], base mean [CI], Δ, p.
    expect(cells[2]).toBe("4");
    expect(cells[3]).toMatch(/^\d+\.\d \[\d+\.\d, \d+\.\d\]$/);
    expect(cells[4]).toMatch(/^\d+\.\d \[\d+\.\d, \d+\.\d\]$/);
    expect(await results.first().locator("thead th").allTextContents()).toEqual(["Language", "Tuning", "Metric", "n", "Tuned", "Base", "Δ tuned − base", "p"]);
    // The paired comparisons: a signed difference and its p-value where the engine compared the two.
    const pCells = (await results.first().locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[6]?.textContent ?? ""))).filter(Boolean);
    expect(pCells.length).toBeGreaterThan(0);
    for (const p of pCells) expect(p).toMatch(/^(< 0\.001|[01]\.\d{3})$/);
    for (const language of ["en", "fr"]) {
      const perLanguage = results.first().locator(`tr[data-language="${language}"][data-metric="language_correctness"]`);
      expect(await perLanguage.locator("td").nth(2).textContent()).toBe("2");
      // A model evaluated without a run has no tuning mix: its languages are marked unknown.
      expect(await perLanguage.locator("[data-tuning]").getAttribute("data-tuning")).toBe("unknown");
    }
    await page.screenshot({ path: join(shotsDir, "evaluate-results-light-1366.png"), fullPage: true });
  }, 600_000);

  it("pages through the items with filters and opens one: its prompt, and the response stored in the database", async () => {
    const items = page.getByTestId("eval-items");
    await expect.poll(() => items.getByTestId("eval-items-showing").textContent()).toBe("Items 1–8 of 8");
    await items.getByLabel("System", { exact: true }).selectOption("base");
    await expect.poll(() => items.getByTestId("eval-items-showing").textContent()).toBe("Items 1–4 of 4");
    expect(new Set(await items.getByTestId("eval-items-table").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-system"))))).toEqual(new Set(["base"]));
    await items.getByLabel("Only items that changed between tuned and base").check();
    await expect.poll(() => items.getByTestId("eval-items-showing").textContent()).toMatch(/^(No items match\.|Items 1–[1-4] of [1-4])$/);
    await items.getByLabel("Only items that changed between tuned and base").uncheck();
    await items.getByLabel("System", { exact: true }).selectOption("tuned");
    await items.getByLabel("Language", { exact: true }).selectOption("fr");
    await expect.poll(() => items.getByTestId("eval-items-showing").textContent()).toBe("Items 1–2 of 2");
    const rows = items.getByTestId("eval-items-table").locator("tbody tr");
    expect(await rows.count()).toBe(2);
    const first = rows.first();
    const itemId = (await first.getAttribute("data-item-id"))!;
    await first.getByRole("button", { name: `Open item ${itemId} (tuned)` }).click();

    const itemDetail = page.getByTestId("eval-item-detail");
    await itemDetail.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(`Item ${itemId}`);
    expect(firstPrompts("fr", 2)).toContain(await itemDetail.getByTestId("eval-item-prompt").textContent());

    const jobId = (await jobRows().first().getAttribute("data-job-id"))!;
    const db = new Database(join(home, "polytune.db"), { readonly: true });
    let stored: Array<{ system: string; response: string | null; detail_json: string | null }> = [];
    try {
      stored = db.prepare("SELECT system, response, detail_json FROM eval_items WHERE job_id = ? AND item_id = ? ORDER BY system DESC").all(jobId, itemId) as typeof stored;
    } finally {
      db.close();
    }
    // Both systems' responses, tuned first, each exactly as stored.
    expect(stored.map((r) => r.system)).toEqual(["tuned", "base"]);
    const outputs = itemDetail.getByTestId("eval-output");
    expect(await outputs.evaluateAll((els) => els.map((el) => el.getAttribute("data-system")))).toEqual(["tuned", "base"]);
    for (const [i, r] of stored.entries()) {
      expect(await outputs.nth(i).getByTestId("eval-output-response").textContent()).toBe(r.response ? r.response : "(empty response)");
      // What lid.176 said of each checked line, and the words the dictionary rejected, underlined.
      const seed = (JSON.parse(r.detail_json!) as { seeds: Array<{ detail: { lines?: unknown[]; misspelled?: string[] } }> }).seeds[0]!.detail;
      expect(await outputs.nth(i).getByTestId("eval-output-lines").locator("tbody tr").count()).toBe(seed.lines?.length ?? 0);
      const marked = await outputs.nth(i).locator("mark.misspelled").allTextContents();
      for (const word of marked) expect((seed.misspelled ?? []).map((w) => w.toLowerCase())).toContain(word.toLowerCase());
      if (seed.misspelled?.length) expect(marked.length).toBeGreaterThan(0);
    }
    // Scores as scoring wrote them, language correctness among them.
    expect(await itemDetail.getByTestId("eval-output-scores").first().textContent()).toContain("language correctness");
    await page.screenshot({ path: join(shotsDir, "evaluate-item-light-1366.png"), fullPage: true });

    // Escape closes the item and gives focus back to the items list.
    await page.keyboard.press("Escape");
    await expect.poll(() => itemDetail.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Items");
  });

  it("shows a running job's phase, time left and rate; cancels it mid-way, resumes it to its end, and removes it", async () => {
    await form().getByLabel("Extra adapters (optional, one path per line)", { exact: true }).fill("");
    await form().getByLabel("Also evaluate the base model (for paired comparisons)").uncheck();
    // 20 outputs of 160 tokens, two at a time (a random-weights model writes to the limit): 10 rounds, so
    // decoding lasts well past the first progress report that has a time left and a rate.
    await form().getByLabel("At most N items per language (optional)", { exact: true }).fill("10");
    await form().getByLabel("Max new tokens", { exact: true }).fill("160");
    await form().getByLabel("Name (optional)", { exact: true }).fill("Longer run");
    await form().getByRole("button", { name: "Start evaluation" }).click();
    await expect.poll(() => page.getByTestId("eval-started").textContent(), { timeout: 120_000 }).toBe("Started: 20 outputs to make. Follow it below.");
    const row = jobRows().filter({ hasText: "Longer run" });
    const done = async () => Number(/^(\d+) of 20$/.exec((await row.getByTestId("eval-progress-count").textContent()) ?? "")?.[1] ?? "0");
    // While it decodes: the phase, and once the engine has measured them, the time left and the rate.
    await expect.poll(async () => (await row.getByTestId("eval-phase").textContent().catch(() => "")) ?? "", { timeout: 300_000 }).toMatch(/· decoding · about \d+ (s|min).* · [\d.]+ tokens\/s/);
    await row.getByRole("button", { name: "Cancel evaluation Longer run" }).click();
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 120_000 }).toBe("cancelled");
    const stoppedAt = await done();
    expect(stoppedAt).toBeLessThan(20);
    expect(await row.getByRole("button", { name: /^Cancel/ }).count()).toBe(0);
    await row.getByRole("button", { name: "Resume evaluation Longer run" }).click();
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 120_000 }).not.toBe("cancelled");
    // Never back to zero: the outputs already made are kept.
    expect(await done()).toBeGreaterThanOrEqual(stoppedAt);
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 600_000 }).toBe("completed");
    expect(await done()).toBe(20);

    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: "Remove evaluation Longer run" }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await jobRows().count()).toBe(1);
  }, 900_000);

  it("saves screenshots in light and dark at 1366 and 760 px, every control labelled, no page error", async () => {
    for (const width of [1366, 760]) {
      await page.setViewportSize({ width, height: 900 });
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({ path: join(shotsDir, `evaluate-${scheme}-${width}.png`), fullPage: true });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1366, height: 900 });
    const unlabeled = await unlabeledControls(page);
    expect(unlabeled).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
