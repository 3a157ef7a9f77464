// The Experiments area as a person uses it: in Chromium against a real `polytune serve`, a tiny
// random-weights model the project generates, two saved mixes (Mono and Multi-2) built from the shipped
// demo data through the real CLI calls, and two Chirkova et al. prompts in each of two languages. Fill
// the form, preview the queue, save the experiment as a file, create it, watch the queue reach done,
// open a run's detail (its loss chart), then cancel, retry, reorder and remove on a second experiment;
// every row is checked against what `experiments.get` answers. Assumes `npm run build` ran.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { CallInput, CallName, CallOutput } from "../../electron/shared/contract.js";
import { ExperimentSpecSchema, type Experiment } from "../../electron/shared/experimentContract.js";
import { strings } from "../../renderer/src/i18n/strings.js";
import { prerequisite, sharedDataDir } from "../support/sharedData.js";
import { makeTempDir } from "../support/tempDir.js";
import { addTinyModel, cli, PolytuneInBrowser, repoRoot, requireBuilt, shotsDir, type Served } from "./support/PolytuneInBrowser.js";
import { unlabeledControls } from "./support/unlabeledControls.js";

const chirkova = join(sharedDataDir, "chirkova2024_alpacaeval_subset");
const dataFile = (language: string) => join(chirkova, `alpacaeval_test_subset.${language}.jsonl`);
const hasChirkova = prerequisite(existsSync(dataFile("en")) && existsSync(dataFile("fr")), `the Chirkova et al. prompts (${chirkova})`);
const demo = (language: string) => join(repoRoot, "assets/demo", `instructions.${language}.jsonl`);

function polytune(home: string, args: string[]): unknown {
  try {
    return JSON.parse(execFileSync(process.execPath, [cli, "--home", home, "--json", ...args], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n").at(-1)!);
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`polytune ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** One contract call through the served WebSocket, as the page makes them. */
function call<N extends CallName>(served: Served, name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  return new Promise((resolvePromise, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`);
    const timer = setTimeout(() => (ws.terminate(), reject(new Error(`${name}: no answer in 30 s`))), 30_000);
    ws.on("open", () => ws.send(JSON.stringify({ type: "call", id: 1, name, input })));
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: number; result?: { ok: boolean; value?: unknown; error?: { message: string } } };
      if (message.type !== "result" || message.id !== 1) return;
      clearTimeout(timer);
      ws.close();
      if (message.result?.ok) resolvePromise(message.result.value as CallOutput<N>);
      else reject(new Error(`${name}: ${message.result?.error?.message}`));
    });
    ws.on("error", (error) => (clearTimeout(timer), reject(error)));
  });
}

describe.runIf(hasChirkova)("experiments in the browser", () => {
  let temp: { dir: string; cleanup: () => void };
  let home: string;
  let app: PolytuneInBrowser | undefined;
  let served: Served;
  let page: Page;
  let pageErrors: string[];
  let mixes: Array<{ id: string; name: string }>;
  let first: Experiment;
  const form = () => page.getByTestId("experiment-form");
  const card = (name: string) => page.getByTestId("experiment").filter({ has: page.getByRole("heading", { level: 3, name, exact: true }) });
  const itemRows = (name: string) => card(name).getByTestId("experiment-items").locator("tbody tr");

  /** Each row as the page shows it: label, state, against the engine's items in queue order. */
  async function expectRowsMatch(name: string, experiment: Experiment): Promise<void> {
    const items = [...experiment.items].sort((a, b) => a.position - b.position);
    const rows = itemRows(name);
    expect(await rows.count()).toBe(items.length);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-item-id")))).toEqual(items.map((i) => i.id));
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-state")))).toEqual(items.map((i) => i.state));
    for (const [i, item] of items.entries()) expect(await rows.nth(i).locator("td").first().textContent()).toContain(item.label);
  }

  beforeAll(async () => {
    requireBuilt();
    temp = makeTempDir("polytune-e2e-experiments-");
    home = join(temp.dir, "home");
    addTinyModel(home, join(temp.dir, "tiny-experiment.gguf"), 11);
    // The demo data in English and French, one dataset; Mono (en) and Multi-2 (en + fr) saved from it.
    const dataset = polytune(home, ["data", "import", demo("en"), demo("fr"), "--name", "demo en fr"]) as { id: string };
    const ladder = polytune(home, ["mix", "ladder", "--dataset", dataset.id, "--languages", "fr", "--total", "8", "--per-language", "4", "--save"]) as { mixes: Array<{ id: string; name: string }> };
    mixes = ladder.mixes;
    expect(mixes.map((m) => m.name)).toEqual(["Mono", "Multi-2"]);
    app = await PolytuneInBrowser.start(home, { viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    ({ served, page, pageErrors } = app);
  });

  afterAll(async () => {
    await app?.close("experiments-last");
    temp?.cleanup();
  });

  it("opens Experiments beside Compare in the areas, with an empty queue, and names each missing field", async () => {
    await page.goto(served.url);
    const nav = page.getByRole("navigation", { name: "Areas" });
    expect(await nav.getByRole("link").allTextContents()).toEqual(expect.arrayContaining(["Experiments", "Compare"]));
    // Home has its place for experiments, empty for now.
    await page.getByRole("heading", { level: 2, name: "Recent experiments" }).waitFor();
    await page.getByText("No experiments yet: create one in Experiments.").waitFor();
    await nav.getByRole("link", { name: "Experiments" }).click();
    await page.getByRole("heading", { level: 1, name: "Experiments" }).waitFor();
    expect(new URL(page.url()).hash).toBe("#/experiments");
    await page.getByText("No experiments yet", { exact: false }).waitFor();
    await form().getByRole("button", { name: "Create and start" }).click();
    expect(await form().locator("[data-field=model]").textContent()).toBe("Choose a model.");
    // The suite boxes are the Evaluate form's own (their fields keyed within the suite list).
    expect(await form().getByTestId("eval-suite").locator('[data-field="suites.0.data"]').textContent()).toBe("Give at least one data file.");
    expect(await form().locator('[data-field="mixes.mixes"]').count()).toBe(1);
    // The default learning rates are shown, and the rule reads in words.
    expect(await form().getByLabel("Learning rates, LoRA", { exact: true }).inputValue()).toBe("5e-5 1e-4 2e-4");
    expect(await form().getByTestId("experiment-rule").textContent()).toMatch(/^Rates are compared by language correctness \(Open-ended instructions\)/);
    // Reordering the criteria changes the rule's words.
    await form().getByRole("button", { name: "Move Criterion 2 up" }).click();
    expect(await form().getByTestId("experiment-rule").textContent()).toMatch(/^Rates are compared by relevance/);
    await form().getByRole("button", { name: "Move Criterion 1 down" }).click();
    expect(await unlabeledControls(page)).toEqual([]);
  });

  it("shows an experiment file's problems with their paths", async () => {
    const bad = join(temp.dir, "bad-experiment.json");
    writeFileSync(bad, JSON.stringify({ name: "bad", model: "m", mixes: { kind: "saved", mixes: [] }, eval: { suites: [{ suite: "open", data: ["/x.jsonl"] }] }, grid: { lr: { lora: [3] } } }));
    await page.getByTestId("experiment-file-input").setInputFiles(bad);
    const problems = page.getByTestId("experiment-file-problems");
    await problems.waitFor();
    const text = (await problems.textContent()) ?? "";
    expect(text).toContain("bad-experiment.json");
    expect(text).toContain("Line 1, mixes.mixes:");
    expect(text).toContain("Line 1, grid.lr.lora[0]: Write a number of at most 1.");
  });

  it("fills the form with two saved mixes × one learning rate, previews the queue, saves the file, and creates it", async () => {
    await form().getByLabel("Name", { exact: true }).fill("Mono vs Multi-2");
    await form().getByLabel("Base model", { exact: true }).selectOption({ index: 1 });
    for (const m of mixes) await form().getByTestId("experiment-saved-mixes").getByLabel(m.name, { exact: true }).check();
    await form().getByLabel("Learning rates, LoRA", { exact: true }).fill("1e-4");
    await form().getByLabel("Steps (optional)", { exact: true }).fill("2");
    await form().getByLabel("Training CPU threads (optional)", { exact: true }).fill("1");
    await form().getByLabel("Data files (one path per line)", { exact: true }).fill(`${dataFile("en")}\n${dataFile("fr")}`);
    await form().getByLabel("Languages (optional, codes)", { exact: true }).fill("en fr");
    await form().getByLabel("At most N items per language (optional)", { exact: true }).fill("2");
    await form().getByLabel("Max new tokens (optional)", { exact: true }).fill("8");
    await form().getByLabel("Evaluation CPU threads (optional)", { exact: true }).fill("1");

    await form().getByRole("button", { name: "Preview the queue" }).click();
    const plan = form().getByTestId("experiment-plan");
    await plan.waitFor({ timeout: 60_000 });
    expect(await plan.getByRole("heading").textContent()).toBe("2 runs to train and evaluate");
    const planRows = plan.getByTestId("experiment-plan-table").locator("tbody tr");
    expect(await planRows.count()).toBe(2);
    expect(await planRows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[1]?.textContent))).toEqual(["Mono", "Multi-2"]);
    expect(await planRows.evaluateAll((trs) => trs.map((tr) => [tr.querySelectorAll("td")[2]?.textContent, tr.querySelectorAll("td")[3]?.textContent]))).toEqual([
      ["LoRA", "1e-4"],
      ["LoRA", "1e-4"],
    ]);
    const planned = await planRows.evaluateAll((trs) => trs.map((tr) => tr.querySelector("td")?.textContent ?? ""));

    // "Save as file" downloads exactly the spec the schema accepts.
    const download = page.waitForEvent("download");
    await form().getByRole("button", { name: "Save as file" }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe("mono-vs-multi-2.json");
    const file = join(temp.dir, "saved-experiment.json");
    await saved.saveAs(file);
    const spec = ExperimentSpecSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    expect(spec.mixes).toEqual({ kind: "saved", mixes: mixes.map((m) => m.id) });
    expect(spec.grid.steps).toEqual([2]);
    expect(spec.eval.suites[0]!.data).toEqual([dataFile("en"), dataFile("fr")]);

    await form().getByRole("button", { name: "Create and start" }).click();
    await expect.poll(() => form().getByTestId("experiment-created").textContent(), { timeout: 120_000 }).toBe("Created Mono vs Multi-2: 2 runs queued. Follow them below.");
    const list = await call(served, "experiments.list", {});
    expect(list).toHaveLength(1);
    first = list[0]!;
    expect(first.items.map((i) => i.label)).toEqual(planned);
  });

  it("runs the queue to the end: every item's state and progress visible, the rows as experiments.get has them", async () => {
    const name = "Mono vs Multi-2";
    await expect.poll(() => itemRows(name).count()).toBe(2);
    // States the rows went through, sampled while the queue works.
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          for (const s of await itemRows(name).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-state") ?? ""))) seen.add(s);
          return card(name).getAttribute("data-status");
        },
        { timeout: 600_000, interval: 250 },
      )
      .toBe("completed");
    expect(seen.has("done")).toBe(true);
    await expect.poll(async () => (await itemRows(name).getByTestId("experiment-item-state").allTextContents()).join(",")).toBe("Done,Done");
    first = await call(served, "experiments.get", { experiment: first.id });
    expect(first.status).toBe("completed");
    await expectRowsMatch(name, first);
    for (const item of first.items) {
      expect(item.run).not.toBeNull();
      expect(item.evalJob).not.toBeNull();
    }
    expect(await card(name).getByTestId("experiment-summary").textContent()).toBe("2 of 2 runs done");
    await page.screenshot({ path: join(shotsDir, "experiments-queue-light-1366.png"), fullPage: true });
  }, 660_000);

  it("opens an item's detail: its run's loss chart and its evaluation's progress, brought into view", async () => {
    const item = [...first.items].sort((a, b) => a.position - b.position)[1]!;
    await itemRows("Mono vs Multi-2").nth(1).getByRole("button", { name: `Details of ${item.label}` }).click();
    const detail = page.getByTestId("experiment-item-detail");
    await detail.waitFor();
    expect(await detail.getAttribute("data-item-id")).toBe(item.id);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(item.label);
    await detail.getByTestId("loss-chart").locator("svg").first().waitFor({ timeout: 30_000 });
    const run = await call(served, "runs.get", { run: item.run! });
    // Two steps trained and stored; the chart draws them (its label states the last step).
    expect(run.metrics.map((m) => m.step)).toEqual([1, 2]);
    expect(await detail.getByTestId("loss-chart").getAttribute("aria-label")).toContain(strings.runs.chartSummary(2, run.metrics[0]!.loss, 2, run.metrics[1]!.loss));
    const evalJob = await call(served, "eval.get", { job: item.evalJob! });
    expect(evalJob.status).toBe("completed");
    await expect.poll(() => detail.getByTestId("experiment-item-eval-progress").textContent()).toBe(`${evalJob.done} of ${evalJob.total} outputs`);
    // "Report" writes the HTML report and says where, next to the button.
    const name = "Mono vs Multi-2";
    await card(name).getByRole("button", { name: `Write the HTML report of ${name}` }).click();
    await expect.poll(() => card(name).getByTestId("experiment-notice").textContent(), { timeout: 120_000 }).toMatch(/^Report written \(.+\): .+\.html$/);
    const reportPath = /: (.+\.html)$/.exec((await card(name).getByTestId("experiment-notice").textContent())!)![1]!;
    expect(readFileSync(reportPath, "utf8")).toContain(name);
    // "Compare its runs" opens Compare with the experiment's runs.
    await detail.getByRole("button", { name: `Compare the runs of ${name}` }).click();
    await expect.poll(() => new URL(page.url()).hash).toBe("#/compare");
    // Home lists it among the recent experiments.
    await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Home" }).click();
    expect(await page.getByTestId("home-recent-experiments").locator("li").first().textContent()).toBe("Mono vs Multi-2 Completed · 2 of 2 runs done");
    await page.getByRole("navigation", { name: "Areas" }).getByRole("link", { name: "Experiments" }).click();
  });

  it("on a second experiment: cancels a queued item, retries it, moves one up, cancels the whole experiment and removes it, each result where the user clicked", async () => {
    const name = "Long sweep";
    await form().getByLabel("Name", { exact: true }).fill(name);
    // Two rates per mix and many steps: the first run is still training while the others wait.
    await form().getByLabel("Learning rates, LoRA", { exact: true }).fill("1e-4 2e-4");
    await form().getByLabel("Steps (optional)", { exact: true }).fill("100000");
    await form().getByRole("button", { name: "Create and start" }).click();
    await expect.poll(() => form().getByTestId("experiment-created").textContent(), { timeout: 120_000 }).toBe(`Created ${name}: 4 runs queued. Follow them below.`);
    const second = (await call(served, "experiments.list", {})).find((e) => e.name === name)!;
    const rows = itemRows(name);
    await expect.poll(() => rows.count()).toBe(4);
    await expect.poll(() => rows.first().getAttribute("data-state"), { timeout: 120_000 }).toBe("training");

    // Cancel the last (queued) item: its row says so, and the engine agrees.
    const last = rows.nth(3);
    const lastId = (await last.getAttribute("data-item-id"))!;
    const lastLabel = second.items.find((i) => i.id === lastId)!.label;
    await last.getByRole("button", { name: `Cancel ${lastLabel}` }).click();
    await expect.poll(() => last.getAttribute("data-state")).toBe("cancelled");
    expect(await last.getByTestId("experiment-item-notice").textContent()).toBe(`Cancelled ${lastLabel}.`);
    await expectRowsMatch(name, await call(served, "experiments.get", { experiment: second.id }));

    // Retry it: queued again.
    await last.getByRole("button", { name: `Retry ${lastLabel}` }).click();
    await expect.poll(() => rows.nth(3).getAttribute("data-state")).toBe("queued");
    expect(await rows.nth(3).getByTestId("experiment-item-notice").textContent()).toBe(`${lastLabel} is queued again.`);

    // Move it up one place.
    await rows.nth(3).getByRole("button", { name: `Move ${lastLabel} up` }).click();
    await expect.poll(() => rows.nth(2).getAttribute("data-item-id")).toBe(lastId);
    expect(await rows.nth(2).getByTestId("experiment-item-notice").textContent()).toBe(`${lastLabel} is now number 3 in the queue.`);
    await expectRowsMatch(name, await call(served, "experiments.get", { experiment: second.id }));

    // Cancel the whole experiment: the message is next to its buttons, the status changes.
    await card(name).getByRole("button", { name: `Cancel experiment ${name}` }).click();
    await expect.poll(() => card(name).getAttribute("data-status"), { timeout: 120_000 }).toBe("cancelled");
    expect(await card(name).getByTestId("experiment-notice").textContent()).toBe(`Cancelled ${name}.`);
    const cancelled = await call(served, "experiments.get", { experiment: second.id });
    expect(cancelled.status).toBe("cancelled");
    await expectRowsMatch(name, cancelled);
    await page.screenshot({ path: join(shotsDir, "experiments-cancelled-light-1366.png"), fullPage: true });

    page.once("dialog", (dialog) => void dialog.accept());
    await card(name).getByRole("button", { name: `Remove experiment ${name}` }).click();
    await expect.poll(() => card(name).count()).toBe(0);
    await page.getByText(`Removed ${name}.`).waitFor();
    expect((await call(served, "experiments.list", {})).map((e) => e.name)).toEqual(["Mono vs Multi-2"]);
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
