// Training runs as a person starts and watches them: in Chromium against a real `polytune serve`,
// a tiny model the project generates, the demo data it ships, and the real native trainer.
// Assumes `npm run build` ran; it builds nothing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../support/tempDir.js";
import { addTinyModel, PolytuneInBrowser, repoRoot, requireBuilt, shotsDir, type Served } from "./support/PolytuneInBrowser.js";
import { topInViewport } from "./support/topInViewport.js";
import { unlabeledControls } from "./support/unlabeledControls.js";

const demoData = join(repoRoot, "assets/demo/demo-instructions.jsonl");

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The texts of the <text> elements inside the group Plot labels `label` (its axes are labelled this way). */
function groupTexts(svg: string, label: string): string[] {
  const group = new RegExp(`<g aria-label="${label}"[^>]*>([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? "";
  return [...group.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.trim());
}

async function download(page: Page, button: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  return readFileSync((await file.path())!);
}

describe("training runs in the browser", () => {
  let temp: { dir: string; cleanup: () => void };
  let home: string;
  let app: PolytuneInBrowser | undefined;
  let served: Served;
  let page: Page;
  let pageErrors: string[];

  const status = () => page.getByTestId("run-detail").locator("[data-status]").first().getAttribute("data-status");
  const progress = async () => (await page.getByTestId("run-progress").textContent()) ?? "";
  const stepOf = async () => Number(/Step (\d+) of/.exec(await progress())?.[1] ?? -1);
  const form = () => page.getByTestId("new-run-form");
  const runRows = () => page.getByTestId("runs-table").locator("tbody tr");

  beforeAll(async () => {
    requireBuilt();
    temp = makeTempDir("polytune-e2e-runs-");
    home = join(temp.dir, "home");
    addTinyModel(home, join(temp.dir, "tiny-runs.gguf"), 2);
    app = await PolytuneInBrowser.start(home, { viewport: { width: 1366, height: 900 }, acceptDownloads: true, recordHttpErrors: true });
    ({ served, page, pageErrors } = app);
  });

  afterAll(async () => {
    await app?.close();
    temp?.cleanup();
  });

  it("opens the form in its basic view with the papers' defaults, the active preset marked", async () => {
    await page.goto(`${served.url}#/runs`);
    await page.getByRole("heading", { level: 1, name: "Runs" }).waitFor();
    await page.getByText("No runs yet.", { exact: false }).waitFor();
    await page.getByText("Defaults: r 64, α 16, LR 1e-5 — Kew et al. 2024.").waitFor();
    // Basic: model, data, steps and learning rate; the rest is stated, not asked.
    for (const label of ["Base model", "Training data", "Steps", "Learning rate"]) expect(await form().getByLabel(label, { exact: true }).count()).toBe(1);
    expect(await form().getByLabel("LoRA rank r", { exact: true }).count()).toBe(0);
    expect(await page.getByTestId("basic-summary").textContent()).toContain("r 64, α 16");
    expect(await form().getByLabel("Learning rate", { exact: true }).inputValue()).toBe("0.00001");
    expect(await form().getByLabel("Steps", { exact: true }).inputValue()).toBe("2000");
    expect(await page.getByTestId("steps-time").textContent()).toContain("once a run on this model has finished");
    const kew = form().getByRole("button", { name: /Kew et al. 2024/ });
    const chirkova = form().getByRole("button", { name: /Chirkova & Nikoulina 2024/ });
    expect(await kew.getAttribute("aria-pressed")).toBe("true");
    expect(await chirkova.getAttribute("aria-pressed")).toBe("false");
    await chirkova.click();
    expect(await form().getByLabel("Learning rate", { exact: true }).inputValue()).toBe("0.0001");
    expect(await chirkova.getAttribute("aria-pressed")).toBe("true");
    expect(await kew.getAttribute("aria-pressed")).toBe("false");
    // Advanced: every setting, in sections, with its help.
    await form().getByRole("radio", { name: "Advanced" }).check();
    expect(await form().getByLabel("Schedule", { exact: true }).inputValue()).toBe("inverse-sqrt");
    expect(await form().getByLabel("LoRA rank r", { exact: true }).inputValue()).toBe("64");
    for (const label of ["Adam β1", "Weight decay", "Checkpoint every", "Run name", "Validation data (optional)"]) expect(await form().getByLabel(label, { exact: true }).count()).toBe(1);
    await kew.click();
    expect(await kew.getAttribute("aria-pressed")).toBe("true");
    await page.getByTestId("run-memory").waitFor();
  });

  it("checks fields as they are typed and shows the error next to its field, naming the range", async () => {
    const rank = form().getByLabel("LoRA rank r", { exact: true });
    await rank.fill("0");
    const error = form().locator("[data-field=rank]");
    await error.waitFor();
    expect(await error.textContent()).toBe("LoRA rank r must be a whole number from 1 to 1024.");
    expect(await rank.getAttribute("aria-invalid")).toBe("true");
    expect((await rank.getAttribute("aria-describedby"))!.split(" ")).toContain(await error.getAttribute("id"));
    // Right under the field it is about.
    const [fieldBox, errorBox] = [(await rank.boundingBox())!, (await error.boundingBox())!];
    expect(errorBox.y).toBeGreaterThanOrEqual(fieldBox.y + fieldBox.height - 1);
    expect(errorBox.y - (fieldBox.y + fieldBox.height)).toBeLessThan(30);
    expect(Math.abs(errorBox.x - fieldBox.x)).toBeLessThan(5);

    await form().getByLabel("Steps", { exact: true }).fill("0");
    expect(await form().locator("[data-field=steps]").textContent()).toBe("Steps must be a whole number from 1 to 10000000.");
    await form().getByLabel("Learning rate", { exact: true }).fill("0");
    expect(await form().locator("[data-field=lr]").textContent()).toBe("Learning rate must be a number above 0, at most 1.");
    // Start sends nothing while a field is wrong; it says how many need a change and focuses the first.
    await page.getByRole("button", { name: "Start training" }).click();
    // Rank, steps, learning rate, and the training data not given yet.
    await page.getByText("4 fields need a change before the run can start (marked above).").waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest(".field")?.querySelector("label")?.textContent)).toBe("Training data");
    expect(await runRows().count()).toBe(0);
    await rank.fill("8");
    expect(await form().locator("[data-field=rank]").count()).toBe(0);
    expect(await rank.getAttribute("aria-invalid")).toBeNull();
  });

  it("refuses a missing training file before creating a run: no run row, the reason next to the field", async () => {
    await form().getByLabel("Steps", { exact: true }).fill("5");
    await form().getByLabel("Learning rate", { exact: true }).fill("0.01");
    await form().getByLabel("Training data", { exact: true }).fill(join(temp.dir, "nope.jsonl"));
    await page.getByRole("button", { name: "Start training" }).click();
    const error = form().locator("[data-field=data]");
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(/cannot be read|does not exist|not found/i);
    expect(await form().getByLabel("Training data", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await page.getByText("No runs yet.", { exact: false }).waitFor();
    expect(await runRows().count()).toBe(0);
  });

  it("keeps what was typed in the form across areas and reloads", async () => {
    await form().getByLabel("Training data", { exact: true }).fill(demoData);
    await form().getByLabel("Steps", { exact: true }).fill("30");
    await form().getByLabel("Maximum sequence length", { exact: true }).fill("256");
    await form().getByLabel("Batch size", { exact: true }).fill("2");
    await form().getByLabel("LoRA dropout", { exact: true }).fill("0.05");
    await form().getByLabel("Compute on", { exact: true }).selectOption("cpu");
    await page.getByRole("link", { name: "Models" }).click();
    await page.getByRole("heading", { level: 1, name: "Models" }).waitFor();
    await page.getByRole("link", { name: "Runs" }).click();
    await page.getByRole("heading", { level: 1, name: "Runs" }).waitFor();
    expect(await form().getByLabel("Training data", { exact: true }).inputValue()).toBe(demoData);
    expect(await form().getByLabel("Steps", { exact: true }).inputValue()).toBe("30");
    expect(await form().getByLabel("LoRA rank r", { exact: true }).inputValue()).toBe("8");
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Runs" }).waitFor();
    expect(await form().getByLabel("Training data", { exact: true }).inputValue()).toBe(demoData);
    expect(await form().getByLabel("Compute on", { exact: true }).inputValue()).toBe("cpu");
    expect(await form().getByLabel("Batch size", { exact: true }).inputValue()).toBe("2");
  });

  it("trains for real: the run comes into view, steps, rate and chart update live, then the adapter", async () => {
    const merged = join(temp.dir, "merged.gguf");
    await form().getByLabel("Merged model (optional)", { exact: true }).fill(merged);
    // Every text the progress line shows and every drawing of the chart's training line, as they happen.
    await page.evaluate(() => {
      const seen = { progress: [] as string[], lines: [] as string[] };
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      new MutationObserver(() => {
        const text = document.querySelector("[data-testid=run-progress]")?.textContent ?? "";
        if (text && seen.progress.at(-1) !== text) seen.progress.push(text);
        const d = document.querySelector("[data-testid=loss-chart] g[aria-label=line] path")?.getAttribute("d") ?? "";
        if (d && seen.lines.at(-1) !== d) seen.lines.push(d);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByRole("button", { name: "Start training" }).click();
    // The run's page, not the bottom of the form: its heading on screen and focused.
    const heading = page.getByTestId("run-detail").getByRole("heading", { level: 2 }).first();
    // runs.start reads the data and opens the model before it creates the run: that takes a moment.
    await heading.waitFor({ timeout: 120_000 });
    await expect.poll(() => topInViewport(page, heading)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("run-heading");
    // A meaningful default name: model · data · method · LR · rank.
    expect(await heading.textContent()).toMatch(/tiny.* · demo-instructions · LoRA · LR 1e-2 · r 8/i);

    await expect.poll(status, { timeout: 400_000 }).toBe("completed");
    expect(await progress()).toContain("Step 30 of 30");
    const seen = await page.evaluate(() => (window as unknown as { __seen: { progress: string[]; lines: string[] } }).__seen);
    const liveSteps = seen.progress.map((t) => Number(/Step (\d+) of 30/.exec(t)?.[1] ?? -1)).filter((n) => n > 0 && n < 30);
    expect(new Set(liveSteps).size).toBeGreaterThan(3);
    expect(seen.progress.some((t) => /Step \d+ of 30 .*estimating/.test(t))).toBe(true);
    expect(seen.progress.some((t) => /Step \d+ of 30 .*\d+ tokens\/s · about .* left/.test(t))).toBe(true);
    expect(seen.lines.length).toBeGreaterThan(3);

    expect(await page.getByTestId("run-adapter").textContent()).toMatch(/\.gguf$/);
    const detail = page.getByTestId("run-detail");
    await expect.poll(() => detail.textContent()).toMatch(/Where it ran\s*CPU/);
    expect(await detail.textContent()).toContain(merged);
    expect(await detail.textContent()).toMatch(/LoRA dropout\s*0\.05/);
    expect(existsSync(merged)).toBe(true);
    expect(await runRows().count()).toBe(1);
  }, 600_000);

  it("draws the chart at its shown size with whole-number steps, no validation entry without validation, and a smoothed line", async () => {
    const chart = page.getByTestId("loss-chart");
    const svg = chart.locator("svg").first();
    const holderWidth = Math.floor((await chart.boundingBox())!.width);
    expect(Number(await svg.getAttribute("width"))).toBe(holderWidth);
    expect((await svg.boundingBox())!.width).toBeCloseTo(holderWidth, 0);
    // Tick labels at their drawn size, not shrunk.
    const tickFont = await chart.locator("g[aria-label='x-axis tick label'] text").first().evaluate((t) => parseFloat(getComputedStyle(t).fontSize));
    expect(tickFont).toBeGreaterThanOrEqual(12);
    const ticks = await chart.locator("g[aria-label='x-axis tick label'] text").allTextContents();
    expect(ticks.length).toBeGreaterThan(2);
    for (const t of ticks) expect(t).toMatch(/^\d+$/);
    const legend = await page.getByRole("list", { name: "Lines in the chart" }).textContent();
    expect(legend).toContain("training, smoothed");
    expect(legend).not.toContain("validation");
    expect(await chart.getAttribute("aria-label")).toMatch(/^Training and validation loss by step\. 30 steps recorded; training loss [\d.]+ at the first step, [\d.]+ at step 30\.$/);
    // Raw and smoothed training lines; smoothing 0 leaves the raw line only.
    expect(await chart.locator("g[aria-label=line]").count()).toBe(2);
    await page.getByLabel("Smoothing").fill("0");
    await expect.poll(() => page.getByRole("list", { name: "Lines in the chart" }).textContent()).not.toContain("smoothed");
    await page.getByLabel("Smoothing").fill("0.6");
  });

  it("downloads the loss chart itself as SVG and PNG, and the metrics as CSV", async () => {
    const shownWidth = Number(await page.getByTestId("loss-chart").locator("svg").first().getAttribute("width"));
    const svg = (await download(page, "Download SVG")).toString("utf8");
    const size = /^<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"/.exec(svg);
    expect(size, svg.slice(0, 300)).not.toBeNull();
    expect(Number(size![1])).toBe(shownWidth);
    expect(Number(size![2])).toBe(280);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(groupTexts(svg, "x-axis tick label")).toContain("30");
    expect(groupTexts(svg, "y-axis tick label").length).toBeGreaterThan(2);
    expect(svg).toMatch(/aria-label="x-axis label"[\s\S]*?Step/);
    // The training line: a path through all 30 steps.
    const line = /<g aria-label="line"[^>]*>\s*<path[^>]*\bd="([^"]+)"/.exec(svg);
    expect(line).not.toBeNull();
    expect(line![1]!.split("L").length).toBeGreaterThanOrEqual(30);

    const png = await download(page, "Download PNG");
    expect(pngSize(png)).toEqual({ width: 2 * shownWidth, height: 560 });
    // The picture has the blue training line and dark axis text on white, not a blank or a swatch.
    const pixels = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      let blue = 0;
      let dark = 0;
      let white = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        if (b > 140 && r < 80 && g > 80 && g < 150) blue++;
        else if (r < 90 && g < 90 && b < 90) dark++;
        else if (r > 245 && g > 245 && b > 245) white++;
      }
      return { blue, dark, white, total: data.length / 4 };
    }, png.toString("base64"));
    expect(pixels.blue).toBeGreaterThan(500);
    expect(pixels.dark).toBeGreaterThan(500);
    expect(pixels.white / pixels.total).toBeGreaterThan(0.5);

    const csv = (await download(page, "Download metrics (CSV)")).toString("utf8").trim().split("\n");
    expect(csv[0]).toBe("step,loss,val_loss,scheduled_lr,tokens,tokens_per_second,elapsed_ms");
    expect(csv).toHaveLength(31);
    expect(csv[30]!.split(",")[0]).toBe("30");
  });

  it("runs again with changes: the form takes the run's settings and comes into view", async () => {
    await form().getByLabel("Steps", { exact: true }).fill("7");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole("button", { name: "Run again with changes" }).click();
    const heading = form().getByRole("heading", { name: "New training run" });
    await expect.poll(() => topInViewport(page, heading)).toBe(true);
    expect(await form().getByLabel("Steps", { exact: true }).inputValue()).toBe("30");
    expect(await form().getByLabel("Learning rate", { exact: true }).inputValue()).toBe("0.01");
    expect(await form().getByLabel("LoRA rank r", { exact: true }).inputValue()).toBe("8");
    expect(await form().getByLabel("Run name", { exact: true }).inputValue()).toBe("");
    // The step count comes with a time measured on this computer: the finished run's speed.
    expect(await page.getByTestId("steps-time").textContent()).toMatch(/^About \d+ (s|min).* on this computer, judging by the speed of “.+”\.$/);
  });

  it("pauses, resumes and cancels from the page, with an ETA once the rate is known", async () => {
    await form().getByLabel("Steps", { exact: true }).fill("100000");
    await form().getByLabel("Checkpoint every", { exact: true }).fill("5");
    await form().getByLabel("Merged model (optional)", { exact: true }).fill("");
    await page.getByRole("button", { name: "Start training" }).click();
    await expect.poll(status, { timeout: 120_000 }).toBe("running");
    await expect.poll(stepOf, { timeout: 60_000 }).toBeGreaterThan(5);
    await expect.poll(progress).toMatch(/\d+ tokens\/s · about .* left/);
    await page.getByRole("button", { name: "Pause" }).click();
    await expect.poll(status, { timeout: 60_000 }).toBe("paused");
    const pausedAt = await stepOf();
    expect(pausedAt).toBeGreaterThan(5);
    expect(await progress()).not.toContain("tokens/s");
    expect(await page.getByRole("button", { name: "Pause" }).count()).toBe(0);
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(status, { timeout: 120_000 }).toBe("running");
    await expect.poll(stepOf, { timeout: 60_000 }).toBeGreaterThan(pausedAt + 3);
    await expect.poll(progress).toMatch(/about .* left/);
    await page.getByRole("button", { name: "Cancel run" }).click();
    await expect.poll(status, { timeout: 60_000 }).toBe("cancelled");
    expect(await page.getByRole("button", { name: "Resume" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Run again with changes" }).count()).toBe(1);
  }, 600_000);

  it("compares runs in a list: model, data, steps, LR, rank, losses, duration, where it ran; sorted and filtered", async () => {
    const headers = await page.getByTestId("runs-table").locator("thead th").allTextContents();
    for (const h of ["Run", "Status", "Model", "Data", "Steps", "LR", "Rank", "Train loss", "Val. loss", "Duration", "Ran on", "Created"]) expect(headers.join("|")).toContain(h);
    expect(await runRows().count()).toBe(2);
    const completed = runRows().filter({ has: page.locator("[data-status=completed]") });
    const cells = await completed.locator("td").allTextContents();
    expect(cells[2]).toMatch(/tiny/i);
    expect(cells[3]).toBe("demo-instructions.jsonl");
    expect(cells[4]).toBe("30/30");
    expect(cells[5]).toBe("1e-2");
    expect(cells[6]).toBe("8");
    expect(cells[7]).toMatch(/^\d+\.\d{3}$/);
    expect(cells[8]).toBe("–");
    expect(cells[9]).toMatch(/\d+ (s|min)/);
    expect(cells[10]).toBe("CPU");
    // Sorting by steps puts the 30-step run first, then last; every row by its own value.
    const stepsHeader = page.getByTestId("runs-table").locator("thead th", { hasText: "Steps" });
    await stepsHeader.getByRole("button").click();
    expect(await stepsHeader.getAttribute("aria-sort")).toBe("ascending");
    expect(await runRows().first().locator("td").nth(4).textContent()).toBe("30/30");
    await stepsHeader.getByRole("button").click();
    expect(await stepsHeader.getAttribute("aria-sort")).toBe("descending");
    expect(await runRows().first().locator("td").nth(4).textContent()).toMatch(/\/100000$/);
    await page.getByLabel("Filter runs").fill("cancelled");
    await expect.poll(() => runRows().count()).toBe(1);
    expect(await runRows().first().locator("[data-status]").getAttribute("data-status")).toBe("cancelled");
    await page.getByLabel("Filter runs").fill("");
    await expect.poll(() => runRows().count()).toBe(2);
  });

  it("renames a run, and the new name shows in the list and its page", async () => {
    await runRows().filter({ has: page.locator("[data-status=cancelled]") }).click();
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("New name").fill("long run, cancelled");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect.poll(() => page.getByTestId("run-detail").getByRole("heading", { level: 2 }).first().textContent()).toBe("long run, cancelled");
    await expect.poll(() => runRows().filter({ hasText: "long run, cancelled" }).count()).toBe(1);
  });

  it("tries the finished run's adapter in the same streaming panel the model page has", async () => {
    await runRows().filter({ has: page.locator("[data-status=completed]") }).click();
    const panel = page.getByRole("region", { name: "Try it with this adapter" });
    await panel.waitFor();
    expect(await panel.textContent()).toContain("random by design");
    await panel.getByLabel("Prompt").fill("Wie heißt die Hauptstadt von Frankreich?");
    await panel.getByLabel("Max tokens").fill("8");
    await panel.getByRole("button", { name: "Run", exact: true }).click();
    const result = panel.getByTestId("try-result");
    await result.waitFor({ timeout: 180_000 });
    expect(await result.textContent()).toMatch(/\d+ generated/);
  }, 300_000);

  it("deletes a run with its files after confirmation", async () => {
    const row = runRows().filter({ hasText: "long run, cancelled" });
    const id = (await row.getAttribute("data-run-id"))!;
    const checkpoints = join(home, "checkpoints", id);
    expect(existsSync(checkpoints)).toBe(true);
    await row.click();
    await page.getByRole("button", { name: "Delete run" }).click();
    const confirm = page.getByRole("alertdialog");
    expect(await confirm.textContent()).toContain("Delete long run, cancelled?");
    await confirm.getByRole("button", { name: "Keep it" }).click();
    expect(await runRows().count()).toBe(2);
    await page.getByRole("button", { name: "Delete run" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete", exact: true }).click();
    await expect.poll(() => runRows().count()).toBe(1);
    expect(existsSync(checkpoints)).toBe(false);
    expect(await page.getByText("Select a run to see its loss curve and settings.").count()).toBe(1);
  });

  it("works at 760 px: the sidebar goes on top, nothing is cut off, a clicked run's details come into view", async () => {
    await page.setViewportSize({ width: 760, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(760);
    const nav = (await page.getByRole("navigation").boundingBox())!;
    expect(nav.width).toBeGreaterThan(700);
    expect(nav.height).toBeLessThan(80);
    await runRows().first().click();
    const heading = page.getByTestId("run-detail").getByRole("heading", { level: 2 }).first();
    await expect.poll(() => topInViewport(page, heading)).toBe(true);
    // The models table shows all its columns inside its box.
    await page.getByRole("link", { name: "Models" }).click();
    const table = page.locator(".model-table");
    await table.waitFor();
    const box = (await page.locator(".models-list .table-scroll").boundingBox())!;
    for (const th of await table.locator("thead th").all()) {
      const b = (await th.boundingBox())!;
      expect(b.x + b.width).toBeLessThanOrEqual(box.x + box.width + 1);
    }
    await page.locator(".model-table tbody tr").first().click();
    await expect.poll(() => topInViewport(page, page.locator(".models-details h2").first())).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(760);
  });

  it("saves a screenshot of every area in light and dark at 1366 and 760 px, without a page error", async () => {
    for (const width of [1366, 760]) {
      await page.setViewportSize({ width, height: 900 });
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const area of ["Home", "Models", "Runs", "Settings"]) {
          await page.getByRole("link", { name: area }).click();
          await page.getByRole("heading", { level: 1 }).first().waitFor();
          await page.screenshot({ path: join(shotsDir, `${area.toLowerCase()}-${scheme}-${width}.png`), fullPage: true });
        }
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1366, height: 900 });
    // Every control has a name a screen reader can read.
    await page.getByRole("link", { name: "Runs" }).click();
    await form().getByRole("radio", { name: "Advanced" }).check();
    const unlabeled = await unlabeledControls(page);
    expect(unlabeled).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("says Polytune was restarted when it comes back with a new token, and offers to resume the interrupted run", async () => {
    await runRows().first().click();
    await page.getByRole("button", { name: "Run again with changes" }).click();
    await form().getByLabel("Steps", { exact: true }).fill("100000");
    await form().getByLabel("Checkpoint every", { exact: true }).fill("5");
    await form().getByLabel("Merged model (optional)", { exact: true }).fill("");
    await page.getByRole("button", { name: "Start training" }).click();
    await expect.poll(status, { timeout: 120_000 }).toBe("running");
    await expect.poll(stepOf, { timeout: 60_000 }).toBeGreaterThan(2);
    // From here the page sees refused requests on purpose.
    app!.recordErrors = false;
    await app!.stopServer("SIGKILL");
    await page.getByRole("alert").filter({ hasText: /not answering|Retrying/ }).first().waitFor({ timeout: 30_000 });
    // The training process pauses at a checkpoint once its engine is gone; then a new server starts, new token.
    await new Promise((r) => setTimeout(r, 3000));
    served = await app!.serveAgain();
    const banner = page.getByRole("alert").filter({ hasText: "Polytune was restarted" });
    await banner.waitFor({ timeout: 60_000 });
    expect(await banner.textContent()).toContain("new address");
    expect(await banner.textContent()).not.toMatch(/Retrying in/);

    await page.goto(`${served.url}#/runs`);
    await runRows().first().click();
    await expect.poll(status, { timeout: 30_000 }).toBe("interrupted");
    expect(await page.getByTestId("run-interrupted").textContent()).toContain("Resume it to continue from its last checkpoint");
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(status, { timeout: 120_000 }).toBe("running");
    await page.getByRole("button", { name: "Cancel run" }).click();
    await expect.poll(status, { timeout: 60_000 }).toBe("cancelled");
  }, 600_000);
});
