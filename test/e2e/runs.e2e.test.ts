// Training runs as a person starts and watches them: in Chromium against a real `polytune serve`,
// a tiny model the project generates, the demo data it ships, and the real native trainer.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../support/tempDir.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const cli = join(repoRoot, "bin/polytune.js");
const shotsDir = join(repoRoot, "test/e2e/__screenshots__");
const demoData = join(repoRoot, "assets/demo/demo-instructions.jsonl");

describe("training runs in the browser", () => {
  let temp: { dir: string; cleanup: () => void };
  let server: ChildProcess | undefined;
  let url = "";
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, "dist/renderer/index.html"))) throw new Error("Run `npm run build` before the e2e suite.");
    temp = makeTempDir("polytune-e2e-runs-");
    const home = join(temp.dir, "home");
    const model = join(temp.dir, "tiny-runs.gguf");
    execFileSync(process.execPath, [cli, "--home", home, "models", "make-tiny", "--out", model, "--layers", "1", "--embd", "32", "--seed", "2"], { cwd: repoRoot });
    execFileSync(process.execPath, [cli, "--home", home, "models", "add", model], { cwd: repoRoot });
    server = spawn(process.execPath, [cli, "serve", "--port", "0", "--home", home, "--json"], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
    url = await new Promise<string>((resolveUrl, reject) => {
      let out = "";
      server!.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolveUrl((JSON.parse(line) as { url: string }).url);
      });
      server!.once("exit", (code) => reject(new Error(`polytune serve exited with ${code}`)));
    });
    mkdirSync(shotsDir, { recursive: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
    page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 }, colorScheme: "light" })).newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill("SIGTERM");
    temp?.cleanup();
  });

  it("shows the Runs area with the papers' defaults and an empty list that says what to do", async () => {
    await page.goto(url.replace("/?", "/?") + "#/runs");
    await page.getByRole("heading", { level: 1, name: "Runs" }).waitFor();
    await page.getByText("No runs yet.").waitFor();
    await page.getByText("Defaults: r 64, α 16, LR 1e-5 — Kew et al. 2024.").waitFor();
    expect(await page.getByLabel("LoRA rank r", { exact: true }).inputValue()).toBe("64");
    expect(await page.getByLabel("Learning rate", { exact: true }).inputValue()).toBe("0.00001");
    await page.getByRole("button", { name: /Chirkova & Nikoulina 2024/ }).click();
    expect(await page.getByLabel("Learning rate", { exact: true }).inputValue()).toBe("0.0001");
    expect(await page.getByLabel("Schedule", { exact: true }).inputValue()).toBe("inverse-sqrt");
    await page.getByTestId("run-memory").waitFor();
    await page.screenshot({ path: join(shotsDir, "runs-new-light.png"), fullPage: true });
  });

  it("a run with a missing data file fails with the engine's clear message", async () => {
    await page.getByLabel("Training data", { exact: true }).fill(join(temp.dir, "nope.jsonl"));
    await page.getByLabel("Steps", { exact: true }).fill("5");
    await page.getByRole("button", { name: "Start training" }).click();
    await expect.poll(() => page.getByTestId("run-detail").locator("[data-status]").first().getAttribute("data-status"), { timeout: 60_000 }).toBe("failed");
    await page.getByText(/training data file cannot be read/).waitFor();
  });

  it("trains for real: live steps, a loss chart, then the adapter", async () => {
    await page.getByRole("button", { name: /Kew et al. 2024/ }).click();
    await page.getByLabel("Training data", { exact: true }).fill(demoData);
    await page.getByLabel("Steps", { exact: true }).fill("30");
    await page.getByLabel("Learning rate", { exact: true }).fill("0.01");
    await page.getByLabel("LoRA rank r", { exact: true }).fill("8");
    await page.getByLabel("LoRA alpha α", { exact: true }).fill("16");
    await page.getByLabel("LoRA dropout", { exact: true }).fill("0.05");
    await page.getByLabel("Maximum sequence length", { exact: true }).fill("256");
    await page.getByLabel("Batch size", { exact: true }).fill("8");
    await page.getByLabel("Compute on", { exact: true }).selectOption("cpu");
    const merged = join(temp.dir, "merged.gguf");
    await page.getByLabel("Merged model (optional)", { exact: true }).fill(merged);
    await page.getByRole("button", { name: "Start training" }).click();
    const status = () => page.getByTestId("run-detail").locator("[data-status]").first().getAttribute("data-status");
    await expect.poll(status, { timeout: 120_000 }).toBe("completed");
    await expect.poll(() => page.getByTestId("run-progress").textContent()).toContain("Step 30 of 30");
    expect(await page.getByTestId("run-adapter").textContent()).toMatch(/\.gguf$/);
    // Where it trained, and the merged model it wrote.
    const detail = page.getByTestId("run-detail");
    await expect.poll(() => detail.textContent()).toMatch(/Where it ran\s*CPU/);
    expect(await detail.textContent()).toContain(merged);
    expect(await detail.textContent()).toMatch(/LoRA dropout\s*0\.05/);
    expect(existsSync(merged)).toBe(true);
    // The chart is an SVG with a drawn training line.
    expect(await page.getByTestId("loss-chart").locator("svg path").count()).toBeGreaterThan(0);
    expect(await page.getByTestId("runs-table").locator("tbody tr").count()).toBe(2);
    await page.screenshot({ path: join(shotsDir, "runs-completed-light.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(shotsDir, "runs-completed-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    // Every control has a name a screen reader can read.
    const unlabeled = await page.evaluate(`[...document.querySelectorAll("input, select, textarea, button")]
      .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent.trim())))
      .map((el) => el.outerHTML.slice(0, 120))`);
    expect(unlabeled).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
