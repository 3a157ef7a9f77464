// The Data area as a person uses it: in Chromium against a real `polytune serve`, a tiny model the
// project generates and a small multilingual Alpaca file the test writes. Import it (with a broken
// line and a duplicate), see its languages, build a Multi-i ladder, see its distribution chart, and
// start a run from a mix. Assumes `npm run build` ran; it builds nothing.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../support/tempDir.js";
import { addTinyModel, PolytuneInBrowser, requireBuilt, shotsDir, type Served } from "./support/PolytuneInBrowser.js";
import { topInViewport } from "./support/topInViewport.js";
import { unlabeledControls } from "./support/unlabeledControls.js";

// Sentences long enough for language identification to be sure of them (fastText's lid.176).
const topics: Record<string, string[]> = {
  en: ["the weather", "a healthy breakfast", "public libraries", "learning to swim", "saving money", "planting trees", "reading novels", "city parks", "train travel", "good sleep", "drinking water", "museums", "bicycles", "cooking at home", "volunteering", "quiet mornings", "the ocean", "old maps", "friendly neighbours", "music lessons"],
  es: ["el tiempo", "un desayuno sano", "las bibliotecas públicas", "aprender a nadar", "ahorrar dinero", "plantar árboles", "leer novelas", "los parques de la ciudad", "viajar en tren", "dormir bien", "beber agua", "los museos"],
  de: ["das Wetter", "ein gesundes Frühstück", "öffentliche Bibliotheken", "schwimmen lernen", "Geld sparen", "Bäume pflanzen", "Romane lesen", "Stadtparks", "Bahnreisen", "guter Schlaf", "Wasser trinken", "Museen"],
  fr: ["la météo", "un petit déjeuner sain", "les bibliothèques publiques", "apprendre à nager", "économiser de l'argent", "planter des arbres", "lire des romans", "les parcs de la ville", "voyager en train", "bien dormir", "boire de l'eau", "les musées"],
};
const templates: Record<string, (t: string, i: number) => { instruction: string; output: string }> = {
  en: (t, i) =>
    i % 2
      ? { instruction: `Please explain in two sentences why ${t} matters in everyday life.`, output: `People often underestimate ${t}. It shapes how we feel during the day and how well we get along with each other.` }
      : { instruction: `Write a short note for a friend about ${t} and why you enjoy it.`, output: `I have been thinking about ${t} a lot this week. It makes me calm and I would love to share it with you soon.` },
  es: (t) => ({ instruction: `Explica en dos frases por qué ${t} es importante en la vida diaria.`, output: `Muchas personas no piensan en ${t}, pero influye en cómo nos sentimos durante el día y en cómo convivimos con los demás.` }),
  de: (t) => ({ instruction: `Erkläre bitte in zwei Sätzen, warum ${t} im Alltag wichtig ist.`, output: `Viele Menschen denken selten über ${t} nach, obwohl es beeinflusst, wie wir uns fühlen und wie wir miteinander umgehen.` }),
  fr: (t) => ({ instruction: `Explique en deux phrases pourquoi ${t} est important dans la vie de tous les jours.`, output: `Beaucoup de gens ne pensent pas à ${t}, pourtant cela influence notre humeur pendant la journée et nos relations avec les autres.` }),
};

/** 20 English, 12 each of Spanish, German and French; line 10 is broken and line 30 repeats line 2. */
function writeMultilingualAlpaca(path: string): void {
  const lines: string[] = [];
  for (const [language, list] of Object.entries(topics)) for (const [i, topic] of list.entries()) lines.push(JSON.stringify({ ...templates[language]!(topic, i), input: "" }));
  lines.splice(9, 0, '{"instruction": "This line is cut off'); // line 10
  lines.splice(29, 0, lines[1]!); // line 30 = line 2
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("the Data area in the browser", () => {
  let temp: { dir: string; cleanup: () => void };
  let home: string;
  let dataFile: string;
  let bigFile: string;
  let app: PolytuneInBrowser | undefined;
  let served: Served;
  let page: Page;
  let pageErrors: string[];
  const importPanel = () => page.getByTestId("import-panel");
  const builder = () => page.getByTestId("mix-builder");

  beforeAll(async () => {
    requireBuilt();
    temp = makeTempDir("polytune-e2e-data-");
    home = join(temp.dir, "home");
    addTinyModel(home, join(temp.dir, "tiny-data.gguf"), 3);
    dataFile = join(temp.dir, "multilingual.jsonl");
    writeMultilingualAlpaca(dataFile);
    // Big enough that its import takes a while on a loaded machine: long enough to watch and cancel.
    bigFile = join(temp.dir, "big.jsonl");
    writeFileSync(bigFile, Array.from({ length: 80_000 }, (_, i) => JSON.stringify({ instruction: `Write sentence number ${i} about a quiet morning in the city.`, input: "", output: `On morning ${i} the city was quiet and the streets were still empty.` })).join("\n"));
    app = await PolytuneInBrowser.start(home, { viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    ({ served, page, pageErrors } = app);
  });

  afterAll(async () => {
    // Where the page stood at the end (after a failure, what went wrong is on it).
    await app?.close("data-last");
    temp?.cleanup();
  });

  it("opens the Data area with an empty state pointing to the import", async () => {
    await page.goto(`${served.url}#/data`);
    await page.getByRole("heading", { level: 1, name: "Data" }).waitFor();
    await page.getByText("No datasets yet. Import a file above", { exact: false }).waitFor();
    expect(await page.getByRole("tab", { name: "Datasets" }).getAttribute("aria-selected")).toBe("true");
    await page.getByRole("tab", { name: "Mixes" }).click();
    await page.getByText("Mixes are built from datasets: import one first.").waitFor();
    await page.getByRole("button", { name: "Import data" }).click();
    await importPanel().waitFor();
  });

  it("refuses an empty file with a message naming it, and imports nothing", async () => {
    const empty = join(temp.dir, "empty.jsonl");
    writeFileSync(empty, "  \n\n");
    await importPanel().getByLabel("File path", { exact: true }).fill(empty);
    await importPanel().getByRole("button", { name: "Check files" }).click();
    const error = importPanel().getByRole("alert");
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(/^empty\.jsonl: /);
    expect(await error.getAttribute("data-code")).toMatch(/^data-/);
    expect(await page.getByTestId("import-review").count()).toBe(0);
  });

  it("checks the file first: format, encoding and the first records, with the fields mapped", async () => {
    await importPanel().getByLabel("File path", { exact: true }).fill(dataFile);
    await importPanel().getByRole("button", { name: "Check files" }).click();
    const facts = page.getByTestId("inspection-facts");
    await facts.waitFor({ timeout: 60_000 });
    expect(await facts.textContent()).toContain("Alpaca");
    expect(await facts.textContent()).toMatch(/utf-8/i);
    expect(await page.getByTestId("inspection-sample").locator("tbody tr").count()).toBeGreaterThan(0);
    expect(await page.getByTestId("inspection-sample").locator("thead").textContent()).toContain("instruction");
    // The review step's heading is focused: the result of the click is where the user looks.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("What Polytune found");
    expect(await importPanel().getByLabel("Instruction", { exact: true }).inputValue()).toBe("instruction");
    expect(await importPanel().getByLabel("Response", { exact: true }).inputValue()).toBe("output");
  });

  it("imports, then says what was kept, skipped (file:line: reason) and merged, per language", async () => {
    await importPanel().getByLabel("Dataset name", { exact: true }).fill("Multilingual demo");
    await importPanel().getByRole("button", { name: "Import", exact: true }).click();
    const counts = page.getByTestId("import-counts");
    await counts.waitFor({ timeout: 120_000 });
    expect(await counts.textContent()).toBe("56 examples kept · 1 skipped as malformed · 1 duplicates merged.");
    const errors = page.getByTestId("import-errors");
    expect(await errors.textContent()).toContain("multilingual.jsonl:10:");
    const languages = page.getByTestId("import-summary").getByTestId("dataset-languages");
    for (const [language, n] of [["en", 20], ["es", 12], ["de", 12], ["fr", 12]] as const) {
      expect(await languages.locator(`tr[data-language=${language}] td`).first().textContent()).toBe(String(n));
    }
    expect(await languages.locator("tr[data-language=de] th").textContent()).toBe("de · Deutsch");
    // The list has it, with its languages.
    const row = page.getByTestId("datasets-table").locator("tbody tr");
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getByTestId("dataset-languages-cell").textContent()).toBe("en 20 · de 12 · es 12 · fr 12");
  });

  it("shows the dataset's rows, searchable and filterable by language, each with its file and line", async () => {
    await page.getByRole("button", { name: "Show the dataset" }).click();
    const preview = page.getByTestId("dataset-preview");
    const heading = preview.getByRole("heading", { level: 2, name: "Multilingual demo" });
    await heading.waitFor();
    await expect.poll(() => topInViewport(page, heading)).toBe(true);
    await expect.poll(() => page.getByTestId("preview-status").textContent()).toBe("Rows 1–50 of 56");
    await preview.getByLabel("Language", { exact: true }).selectOption("de");
    await expect.poll(() => page.getByTestId("preview-status").textContent()).toBe("Rows 1–12 of 12 matching");
    const rows = page.getByTestId("examples-table").locator("tbody tr");
    expect(new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-language"))))).toEqual(new Set(["de"]));
    await preview.getByLabel("Search", { exact: true }).fill("Bäume");
    await expect.poll(() => page.getByTestId("preview-status").textContent()).toBe("Rows 1–1 of 1 matching");
    expect(await rows.first().textContent()).toContain("Bäume pflanzen");
    expect(await rows.first().locator("td").last().textContent()).toMatch(/^multilingual\.jsonl:\d+$/);
    await preview.getByLabel("Search", { exact: true }).fill("");
    await preview.getByLabel("Language", { exact: true }).selectOption("");
    await expect.poll(() => page.getByTestId("preview-status").textContent()).toBe("Rows 1–50 of 56");
    await preview.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => page.getByTestId("preview-status").textContent()).toBe("Rows 51–56 of 56");
  });

  it("shows an import's progress (bytes, kept, rate) and cancels it: nothing of it is kept", async () => {
    await page.getByRole("button", { name: "Import another" }).click();
    await importPanel().getByLabel("File path", { exact: true }).fill(bigFile);
    await importPanel().getByRole("button", { name: "Check files" }).click();
    await page.getByTestId("inspection-facts").waitFor({ timeout: 60_000 });
    await importPanel().getByRole("button", { name: "Import", exact: true }).click();
    const progress = page.getByTestId("import-progress");
    const kept = async () => Number((/([\d,]+) kept/.exec((await progress.textContent()) ?? "")?.[1] ?? "0").replace(/,/g, ""));
    await expect.poll(kept, { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await progress.textContent()).toMatch(/^big\.jsonl: [\d.]+ \S+ of [\d.]+ MiB · [\d,]+ kept · 0 skipped · 0 duplicates/);
    await expect.poll(async () => (await progress.textContent()) ?? "").toMatch(/records\/s/);
    await expect.poll(() => progress.locator("progress").evaluate((bar: HTMLProgressElement) => bar.position), { timeout: 30_000 }).toBeGreaterThan(0);
    await progress.getByRole("button", { name: "Cancel" }).click();
    const ended = page.getByTestId("import-failed");
    await ended.waitFor({ timeout: 60_000 });
    expect(await ended.textContent()).toContain("Import cancelled. Nothing of it was kept; the other datasets are untouched.");
    expect(await page.getByTestId("import-progress").count()).toBe(0);
    await page.getByRole("link", { name: "Models" }).click();
    await page.getByRole("link", { name: "Data" }).click();
    await expect.poll(() => page.getByTestId("datasets-table").locator("tbody tr").count()).toBe(1);
    expect(await page.getByTestId("datasets-table").locator("tbody tr").first().textContent()).toContain("Multilingual demo");
  });

  it("previews a Multi-4 mix live: counts per language, provenance and the distribution chart", async () => {
    await page.getByRole("tab", { name: /Mixes/ }).click();
    // The tab is in the address: a reload comes back to it.
    expect(new URL(page.url()).hash).toBe("#/data/mixes");
    await page.reload();
    await builder().waitFor();
    expect(await page.getByRole("tab", { name: /Mixes/ }).getAttribute("aria-selected")).toBe("true");
    await builder().getByLabel(/Multilingual demo/).check();
    expect(await builder().getByLabel("Strategy", { exact: true }).inputValue()).toBe("multi");
    await builder().getByLabel("Total examples", { exact: true }).fill("20");
    await builder().getByLabel("Examples per added language", { exact: true }).fill("4");
    await builder().getByLabel("Languages, in order", { exact: true }).fill("es de fr");
    await builder().getByLabel("Count tokens with", { exact: true }).selectOption("");
    const languages = page.getByTestId("mix-languages");
    await expect.poll(async () => (await languages.locator("tbody tr").allTextContents()).join("|"), { timeout: 60_000 }).toMatch(/^en · English840\.0%–20\|es · español420\.0%–12\|de · Deutsch420\.0%–12\|fr · français420\.0%–12$/);
    expect(await page.getByTestId("mix-total").textContent()).toBe("20 examples");
    expect(await page.getByTestId("mix-provenance").textContent()).toContain("native20");
    // The chart: one bar per language, labelled axes, the languages as code and endonym.
    const chart = page.getByTestId("mix-preview-chart");
    await chart.locator("svg").waitFor();
    const svg = await chart.innerHTML();
    expect(svg).toContain("de · Deutsch");
    expect(svg).toContain("Examples");
    expect(await chart.locator("svg g[aria-label=bar] rect").count()).toBe(4);
    expect(await chart.locator("svg g[aria-label=bar] rect title").first().textContent()).toBe("en · English · native: 8");
    // A wrong knob is named next to it, and the preview says it waits for a valid recipe.
    await builder().getByLabel("Total examples", { exact: true }).fill("0");
    await builder().locator("[data-field=total]").waitFor();
    expect(await builder().locator("[data-field=total]").textContent()).toBe("Total must be a whole number of at least 1.");
    await builder().getByLabel("Total examples", { exact: true }).fill("20");
  });

  it("says next to the button why a ladder cannot be built: more English than the data has", async () => {
    await builder().getByLabel("Mix name, or the ladder's prefix (optional)", { exact: true }).fill("Demo");
    await builder().getByLabel("Total examples", { exact: true }).fill("30");
    await builder().getByRole("button", { name: /Build the ladder \(4 mixes\)/ }).click();
    const error = builder().getByRole("alert").filter({ hasText: "Demo Mono" });
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toContain("the mix needs 30, the sources have 20");
    expect(await page.getByTestId("mixes-table").count()).toBe(0);
    await builder().getByLabel("Total examples", { exact: true }).fill("20");
  });

  it("builds the ladder Mono, Multi-2 … Multi-4 in one action and charts its distribution", async () => {
    await builder().getByRole("button", { name: /Build the ladder \(4 mixes\)/ }).click();
    const notice = page.getByTestId("mix-notice");
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toMatch(/Saved 4 mixes: Demo Mono, Demo Multi-2, Demo Multi-3, Demo Multi-4/);
    const table = page.getByTestId("mixes-table");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(4);
    const perLanguage = await table.getByTestId("mix-language-counts").allTextContents();
    expect(perLanguage).toEqual(["en 8 · es 4 · de 4 · fr 4", "en 12 · es 4 · de 4", "en 16 · es 4", "en 20"]);
    const chart = page.getByTestId("mix-ladder-chart");
    await chart.locator("svg").waitFor();
    // 1 + 2 + 3 + 4 segments, the mixes on the x axis in ladder order.
    expect(await chart.locator("svg g[aria-label=bar] rect").count()).toBe(10);
    const ticks = await chart.locator("svg g[aria-label='x-axis tick label'] text").allTextContents();
    expect(ticks).toEqual(["Demo Mono", "Demo Multi-2", "Demo Multi-3", "Demo Multi-4"]);
    expect(await chart.getAttribute("aria-label")).toContain("Demo Multi-3: en 12, es 4, de 4");
    await page.screenshot({ path: join(shotsDir, "data-mixes-ladder-light-1366.png"), fullPage: true });
    // Edit brings a saved recipe back into the builder, and the builder into view.
    await page.getByRole("button", { name: "Open Demo Multi-2 in the builder" }).click();
    await expect.poll(() => builder().getByLabel("Languages, in order", { exact: true }).inputValue()).toBe("es");
    expect(await builder().getByLabel("Mix name, or the ladder's prefix (optional)", { exact: true }).inputValue()).toBe("Demo Multi-2");
    await expect.poll(() => topInViewport(page, builder().getByRole("heading", { level: 2 }))).toBe(true);
  });

  it("trains from a mix: Runs opens with the mix chosen, and the run records it", async () => {
    const row = page.getByTestId("mixes-table").locator("tbody tr", { hasText: "Demo Multi-3" });
    await row.getByRole("button", { name: "Train from this mix" }).click();
    await page.getByRole("heading", { level: 1, name: "Runs" }).waitFor();
    const form = page.getByTestId("new-run-form");
    expect(await form.getByRole("radio", { name: "A saved mix" }).isChecked()).toBe(true);
    const picker = form.getByLabel("Mix", { exact: true });
    expect(await picker.locator("option:checked").textContent()).toContain("Demo Multi-3");
    await expect.poll(() => topInViewport(page, form.getByRole("heading", { name: "New training run" }))).toBe(true);
    await page.screenshot({ path: join(shotsDir, "runs-from-mix-light-1366.png"), fullPage: true });
    await form.getByLabel("Steps", { exact: true }).fill("3");
    await form.getByRole("radio", { name: "Advanced" }).check();
    await form.getByLabel("Maximum sequence length", { exact: true }).fill("256");
    await form.getByLabel("Batch size", { exact: true }).fill("2");
    await form.getByLabel("Compute on", { exact: true }).selectOption("cpu");
    await page.getByRole("button", { name: "Start training" }).click();
    const heading = page.getByTestId("run-detail").getByRole("heading", { level: 2 }).first();
    await heading.waitFor({ timeout: 180_000 });
    expect(await heading.textContent()).toMatch(/ · Demo Multi-3 · LoRA · /);
    const runRow = page.getByTestId("runs-table").locator("tbody tr").first();
    expect(await runRow.locator("td").nth(3).textContent()).toBe("Demo Multi-3");
    await expect.poll(() => page.getByTestId("run-detail").locator("[data-status]").first().getAttribute("data-status"), { timeout: 300_000 }).toBe("completed");
    expect(await page.getByTestId("run-detail").textContent()).toContain("Demo Multi-3 — en 12 · es 4 · de 4");
  }, 600_000);

  it("removes a dataset after confirmation", async () => {
    await page.getByRole("link", { name: "Data" }).click();
    await page.getByRole("tab", { name: /Datasets/ }).click();
    await page.getByTestId("datasets-table").locator("tbody tr").first().click();
    await page.getByRole("button", { name: "Remove dataset" }).click();
    const confirm = page.getByRole("alertdialog");
    expect(await confirm.textContent()).toContain("Remove Multilingual demo and its 56 examples");
    await confirm.getByRole("button", { name: "Keep it" }).click();
    expect(await page.getByTestId("datasets-table").locator("tbody tr").count()).toBe(1);
  });

  it("saves screenshots of the Data area in light and dark at 1366 and 760 px, every control labelled, no page error", async () => {
    for (const width of [1366, 760]) {
      await page.setViewportSize({ width, height: 900 });
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const tab of ["Datasets", "Mixes"]) {
          await page.getByRole("tab", { name: new RegExp(tab) }).click();
          await page.getByRole("tabpanel").waitFor();
          await page.screenshot({ path: join(shotsDir, `data-${tab.toLowerCase()}-${scheme}-${width}.png`), fullPage: true });
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        }
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1366, height: 900 });
    for (const tab of ["Datasets", "Mixes"]) {
      await page.getByRole("tab", { name: new RegExp(tab) }).click();
      const unlabeled = await unlabeledControls(page);
      expect(unlabeled).toEqual([]);
    }
    expect(pageErrors).toEqual([]);
  });
});
