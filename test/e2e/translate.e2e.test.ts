// Offline translation in the Data area as a person uses it: in Chromium against a real `polytune
// serve`, a tiny random-weights model the project generates and an English Alpaca file the test
// writes. Translate the dataset into two languages (every output of a random model is flagged: the
// reasons are shown and no output dataset claims kept rows), then cancel a longer job mid-way and
// resume it to its end. Assumes `npm run build` ran; it builds nothing.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../support/tempDir.js";
import { addTinyModel, PolytuneInBrowser, requireBuilt, shotsDir, type Served } from "./support/PolytuneInBrowser.js";
import { topInViewport } from "./support/topInViewport.js";
import { unlabeledControls } from "./support/unlabeledControls.js";

// English sentences long enough for fastText's lid.176 to be sure of them.
const topics = ["the weather", "a healthy breakfast", "public libraries", "learning to swim", "saving money", "planting trees", "reading novels", "city parks", "train travel", "good sleep", "drinking water", "museums", "bicycles", "cooking at home", "volunteering", "quiet mornings", "the ocean", "old maps", "friendly neighbours", "music lessons"];

function writeEnglishAlpaca(path: string): void {
  const lines = topics.flatMap((t) => [
    { instruction: `Please explain in two sentences why ${t} matters in everyday life.`, input: "", output: `People often underestimate ${t}. It shapes how we feel during the day and how well we get along with each other.` },
    { instruction: `Write a short note for a friend about ${t} and why you enjoy it.`, input: "", output: `I have been thinking about ${t} a lot this week. It makes me calm and I would love to share it with you soon.` },
  ]);
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
}

describe("offline translation in the browser", () => {
  let temp: { dir: string; cleanup: () => void };
  let home: string;
  let dataFile: string;
  let app: PolytuneInBrowser | undefined;
  let served: Served;
  let page: Page;
  let pageErrors: string[];
  const form = () => page.getByTestId("translate-form");
  const jobRows = () => page.getByTestId("translations-table").locator("tbody tr");
  const detail = () => page.getByTestId("translation-detail");

  beforeAll(async () => {
    requireBuilt();
    temp = makeTempDir("polytune-e2e-translate-");
    home = join(temp.dir, "home");
    addTinyModel(home, join(temp.dir, "tiny-translate.gguf"), 5);
    dataFile = join(temp.dir, "english.jsonl");
    writeEnglishAlpaca(dataFile);
    app = await PolytuneInBrowser.start(home, { viewport: { width: 1366, height: 900 } });
    ({ served, page, pageErrors } = app);
  });

  afterAll(async () => {
    await app?.close("translate-last");
    temp?.cleanup();
  });

  it("opens Data → Translations with an empty state pointing to the Translate… action", async () => {
    await page.goto(`${served.url}#/data/translations`);
    await page.getByRole("heading", { level: 1, name: "Data" }).waitFor();
    expect(await page.getByRole("tab", { name: "Translations" }).getAttribute("aria-selected")).toBe("true");
    await page.getByText("No translations yet. Choose “Translate…” on an instruction dataset", { exact: false }).waitFor();
    // Starting with nothing chosen names each missing field and sends nothing.
    await form().getByRole("button", { name: "Start translating" }).click();
    expect(await form().locator("[data-field=source]").textContent()).toBe("Choose what to translate.");
    expect(await form().locator("[data-field=model]").textContent()).toBe("Choose a model.");
    expect(await form().locator("[data-field=languages]").textContent()).toBe("Choose at least one target language.");
    expect(await page.getByTestId("translations-table").count()).toBe(0);
  });

  it("imports an English dataset and offers “Translate…” on it, which opens the form set to it", async () => {
    await page.getByRole("tab", { name: /Datasets/ }).click();
    const importPanel = page.getByTestId("import-panel");
    await importPanel.getByLabel("File path", { exact: true }).fill(dataFile);
    await importPanel.getByRole("button", { name: "Check files" }).click();
    await page.getByTestId("inspection-facts").waitFor({ timeout: 60_000 });
    await importPanel.getByLabel("Dataset name", { exact: true }).fill("English demo");
    await importPanel.getByRole("button", { name: "Import", exact: true }).click();
    const counts = page.getByTestId("import-counts");
    await counts.waitFor({ timeout: 120_000 });
    expect(await counts.textContent()).toContain("40 examples kept");
    await page.getByRole("button", { name: "Show the dataset" }).click();
    await page.getByTestId("dataset-preview").waitFor();
    await page.getByRole("button", { name: "Translate English demo with a local model" }).click();
    expect(await page.getByRole("tab", { name: "Translations" }).getAttribute("aria-selected")).toBe("true");
    expect(new URL(page.url()).hash).toBe("#/data/translations");
    const heading = form().getByRole("heading", { level: 2, name: "Translate with a local model" });
    // The form is where the user looks: in view, its heading focused.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Translate with a local model");
    expect(await topInViewport(page, heading)).toBe(true);
    expect(await form().getByLabel("Translate", { exact: true }).locator("option:checked").textContent()).toBe("Dataset English demo (40 examples)");
  });

  it("translates 3 examples into es and de with live progress; a random model's 6 outputs are all flagged, each with its reasons, and no dataset is written", async () => {
    await form().getByLabel("Model", { exact: true }).selectOption({ index: 1 });
    expect(await form().getByLabel("Model", { exact: true }).locator("option").count()).toBe(2);
    await form().getByLabel("es · español").check();
    await form().getByLabel("de · Deutsch").check();
    await form().getByLabel("Only the first N examples (optional)", { exact: true }).fill("3");
    await form().getByLabel("CPU threads (optional)", { exact: true }).fill("1");
    await form().getByLabel("Name of the new dataset (optional)", { exact: true }).fill("Demo MT");
    await form().getByRole("button", { name: "Start translating" }).click();
    const started = page.getByTestId("translate-started");
    await started.waitFor({ timeout: 120_000 });
    expect(await started.textContent()).toBe("Started: 6 items to translate. Follow it below.");
    await expect.poll(() => jobRows().count()).toBe(1);
    const row = jobRows().first();
    expect(await row.locator("td").first().textContent()).toBe("Demo MTEnglish demo");
    expect(await row.locator("td").nth(2).textContent()).toBe("es de");
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 300_000 }).toBe("completed");
    expect(await row.getByTestId("translation-progress").textContent()).toBe("6 of 6");
    expect(await row.getByTestId("translation-progress").locator("progress").evaluate((bar: HTMLProgressElement) => bar.position)).toBe(1);
    expect(await row.getByTestId("translation-flagged").textContent()).toBe("6 of 6");
    expect(await row.getByRole("button", { name: /^Resume/ }).count()).toBe(0);

    // The job's details: model, prompt, counts, per language; no output dataset, and why.
    await detail().waitFor();
    await expect.poll(() => detail().getAttribute("data-status")).toBe("completed");
    expect(await detail().getByTestId("translation-counts").textContent()).toBe("6 of 6 done · 0 kept · 6 flagged");
    expect(await detail().getByTestId("translation-output").textContent()).toBe("None: every output was flagged, so no example was kept.");
    // What every translated example records as its prompt: the paper's figure and the hash of its text.
    expect(await detail().textContent()).toMatch(/Kew et al\. 2024, Fig\. 10 \(conversations\) kew2024-fig10@[0-9a-f]{8,16}/);
    for (const language of ["es", "de"]) {
      expect(await detail().getByTestId("translation-languages").locator(`tr[data-language=${language}] td`).allTextContents()).toEqual(["3 of 3", "0", "3"]);
    }
    const reasons = detail().getByTestId("translation-reasons").locator("li");
    expect(await reasons.count()).toBeGreaterThan(0);
    const items = detail().getByTestId("translation-flagged-items").locator("tbody tr");
    await expect.poll(() => items.count()).toBe(6);
    expect(new Set(await items.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-language"))))).toEqual(new Set(["es", "de"]));
    for (const item of await items.all()) {
      const flags = item.getByTestId("item-reasons").locator("li");
      expect(await flags.count()).toBeGreaterThan(0);
      // Each reason in plain words, with the engine's own sentence under it.
      expect((await flags.first().textContent())!.length).toBeGreaterThan(10);
      expect(await flags.first().getAttribute("data-flag")).toMatch(/^[a-z-]+$/);
    }
    // Every reason the summary counts appears on some item.
    const itemFlags = new Set(await detail().getByTestId("translation-flagged-items").locator("li[data-flag]").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-flag"))));
    const summaryFlags = await reasons.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-flag")));
    for (const flag of summaryFlags) expect(itemFlags.has(flag)).toBe(true);
    await page.screenshot({ path: join(shotsDir, "data-translations-flagged-light-1366.png"), fullPage: true });

    // Nothing half-translated or flagged became a dataset.
    await page.getByRole("tab", { name: /Datasets/ }).click();
    await expect.poll(() => page.getByTestId("datasets-table").locator("tbody tr").count()).toBe(1);
    expect(await page.getByTestId("datasets-table").textContent()).not.toContain("Demo MT");
  }, 400_000);

  it("cancels a longer job mid-way, offers to resume it, and the resumed job goes on from where it stopped to its end", async () => {
    await page.getByRole("tab", { name: /Translations/ }).click();
    await form().getByLabel("es · español").uncheck();
    await form().getByLabel("de · Deutsch").uncheck();
    await form().getByLabel("fr · français").check();
    await form().getByLabel("Other languages (codes)", { exact: true }).fill("ru");
    await form().getByLabel("Only the first N examples (optional)", { exact: true }).fill("40");
    await form().getByLabel("Name of the new dataset (optional)", { exact: true }).fill("Long MT");
    await form().getByRole("button", { name: "Start translating" }).click();
    await expect.poll(() => page.getByTestId("translate-started").textContent(), { timeout: 120_000 }).toBe("Started: 80 items to translate. Follow it below.");
    const row = jobRows().filter({ hasText: "Long MT" });
    const done = async () => Number(/^(\d+) of 80/.exec((await row.getByTestId("translation-progress").textContent()) ?? "")?.[1] ?? "0");
    await expect.poll(done, { timeout: 300_000 }).toBeGreaterThan(0);
    expect(await row.getAttribute("data-status")).toBe("running");
    // A running job shows the time it has left.
    await expect.poll(async () => (await row.getByTestId("translation-progress").textContent()) ?? "").toMatch(/ · about \d+ (s|min)/);
    await row.getByRole("button", { name: "Cancel translating Long MT" }).click();
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 120_000 }).toBe("cancelled");
    const stoppedAt = await done();
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(80);
    expect(await row.getByRole("button", { name: /^Cancel/ }).count()).toBe(0);
    await page.screenshot({ path: join(shotsDir, "data-translations-cancelled-light-1366.png"), fullPage: true });

    await row.getByRole("button", { name: "Resume translating Long MT" }).click();
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 120_000 }).not.toBe("cancelled");
    // Never back to zero: the items already done keep their results.
    expect(await done()).toBeGreaterThanOrEqual(stoppedAt);
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 400_000 }).toBe("completed");
    expect(await row.getByTestId("translation-progress").textContent()).toBe("80 of 80");
    await row.getByRole("button", { name: "Show the results of translating Long MT" }).click();
    await expect.poll(() => detail().getByRole("heading", { level: 2 }).textContent()).toBe("Translation of Long MT");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Translation of Long MT");
    const counts = (await detail().getByTestId("translation-counts").textContent()) ?? "";
    expect(counts).toMatch(/^80 of 80 done · (\d+) kept · (\d+) flagged$/);
    const [, kept, flagged] = /· (\d+) kept · (\d+) flagged/.exec(counts)!;
    expect(Number(kept) + Number(flagged)).toBe(80);
    for (const language of ["fr", "ru"]) {
      expect(await detail().getByTestId("translation-languages").locator(`tr[data-language=${language}] td`).first().textContent()).toBe("40 of 40");
    }
    // Many flagged outputs come a page at a time.
    const items = detail().getByTestId("translation-flagged-items").locator("tbody tr");
    if (Number(flagged) > 20) {
      await expect.poll(() => detail().getByRole("heading", { level: 3, name: /^Flagged outputs/ }).textContent()).toBe(`Flagged outputs (first 20 of ${flagged})`);
      expect(await items.count()).toBe(20);
      await detail().getByRole("button", { name: "Show more flagged outputs" }).click();
      await expect.poll(() => items.count()).toBe(Math.min(Number(flagged), 120));
    }
    // A job whose outputs were all flagged writes no dataset; one with kept outputs links to it.
    if (Number(kept) === 0) expect(await detail().getByTestId("translation-output").textContent()).toBe("None: every output was flagged, so no example was kept.");
    else {
      await detail().getByRole("button", { name: "Show Long MT" }).click();
      await page.getByTestId("dataset-preview").getByRole("heading", { level: 2, name: "Long MT" }).waitFor();
    }
  }, 900_000);

  it("offers “Translate…” on a saved mix, and translates its English part", async () => {
    await page.getByRole("tab", { name: /Mixes/ }).click();
    const builder = page.getByTestId("mix-builder");
    await builder.getByLabel(/English demo/).check();
    await builder.getByLabel("Strategy", { exact: true }).selectOption("mono");
    await builder.getByLabel("Total examples", { exact: true }).fill("10");
    await builder.getByLabel("Mix name (optional)", { exact: true }).fill("Mono 10");
    await builder.getByRole("button", { name: "Save mix" }).click();
    await page.getByTestId("mix-notice").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Translate the English part of Mono 10 with a local model" }).click();
    expect(await page.getByRole("tab", { name: /Translations/ }).getAttribute("aria-selected")).toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Translate with a local model");
    expect(await form().getByLabel("Translate", { exact: true }).locator("option:checked").textContent()).toBe("Mix Mono 10 (10 examples)");
    await form().getByLabel("fr · français").uncheck();
    await form().getByLabel("Other languages (codes)", { exact: true }).fill("");
    await form().getByLabel("pt · português").check();
    await form().getByLabel("Only the first N examples (optional)", { exact: true }).fill("2");
    await form().getByLabel("Name of the new dataset (optional)", { exact: true }).fill("Mix MT");
    await form().getByRole("button", { name: "Start translating" }).click();
    await expect.poll(() => page.getByTestId("translate-started").textContent(), { timeout: 120_000 }).toBe("Started: 2 items to translate. Follow it below.");
    const row = jobRows().filter({ hasText: "Mix MT" });
    expect(await row.locator("td").first().textContent()).toBe("Mix MTMono 10");
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 300_000 }).toBe("completed");
    expect(await row.getByTestId("translation-progress").textContent()).toBe("2 of 2");
    await expect.poll(() => detail().getByTestId("translation-counts").textContent()).toMatch(/^2 of 2 done · \d+ kept · \d+ flagged$/);
    expect(await detail().textContent()).toContain("Mono 10 (mix)");
  }, 400_000);

  it("saves screenshots of Translations in light and dark at 1366 and 760 px, every control labelled, no page error", async () => {
    await page.getByRole("tab", { name: /Translations/ }).click();
    for (const width of [1366, 760]) {
      await page.setViewportSize({ width, height: 900 });
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.getByRole("tabpanel").waitFor();
        await page.screenshot({ path: join(shotsDir, `data-translations-${scheme}-${width}.png`), fullPage: true });
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
