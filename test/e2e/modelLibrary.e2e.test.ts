// The model library as a person uses it: in Chromium, against a real `polytune serve` on a temp
// home, with models the project generates itself. Assumes `npm run build` ran (dist/ holds the
// engine and the renderer); it builds nothing.
import { execFileSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { hasSharedData, sharedTinyLlama } from "../support/sharedData.js";
import { makeTempDir } from "../support/tempDir.js";
import { cli, PolytuneInBrowser, repoRoot, requireBuilt, type Served } from "./support/PolytuneInBrowser.js";
import { unlabeledControls } from "./support/unlabeledControls.js";

const shotsDir = join(repoRoot, "test/e2e/__screenshots__");

// Two generated models that differ in every way the table shows, and one for the LM Studio folder.
const tinyA = { file: "tiny-a.gguf", vocab: "llama-spm", layers: 2, embd: 64, seed: 1 };
const tinyB = { file: "tiny-b.gguf", vocab: "qwen2", layers: 3, embd: 96, seed: 7 };
const tinyLms = { file: "lms-tiny.gguf", vocab: "llama-spm", layers: 2, embd: 32, seed: 3 };

function polytune(args: string[], env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(process.execPath, [cli, ...args], { cwd: repoRoot, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`polytune ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

function makeTiny(out: string, m: typeof tinyA, env: NodeJS.ProcessEnv): void {
  mkdirSync(dirname(out), { recursive: true });
  polytune(["models", "make-tiny", "--out", out, "--vocab", m.vocab, "--layers", String(m.layers), "--embd", String(m.embd), "--seed", String(m.seed)], env);
}

/** Resolves with how a WebSocket handshake ended: "open", or the HTTP status / error that refused it. */
function tryWebSocket(url: string): Promise<string> {
  return new Promise((resolvePromise) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => (ws.terminate(), resolvePromise("timeout")), 10_000);
    ws.on("open", () => (clearTimeout(timer), ws.close(), resolvePromise("open")));
    ws.on("unexpected-response", (_req, res) => (clearTimeout(timer), ws.terminate(), resolvePromise(`http ${res.statusCode}`)));
    ws.on("error", (error) => (clearTimeout(timer), resolvePromise(`error ${error.message}`)));
  });
}

// Code that runs in the page, as strings: this file is compiled for Node, without the DOM's types.
const bodyBackground = "getComputedStyle(document.body).backgroundColor";
/** Records each text the try output shows, to tell streaming from one final paint. */
const recordTryOutput = `(() => {
  window.__seen = { texts: [], live: [] };
  new MutationObserver(() => {
    const text = document.querySelector("[data-testid=try-output]")?.textContent ?? "";
    if (window.__seen.texts.at(-1) !== text) window.__seen.texts.push(text);
    const live = document.querySelector("[data-testid=try-live]")?.textContent;
    if (live) window.__seen.live.push(live);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** The table row of a model, found by its file name (names come from GGUF metadata). */
const row = (page: Page, file: string): Locator => page.locator("tbody tr", { has: page.locator(".model-file", { hasText: new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }) });

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
}

describe("model library in the browser", () => {
  let temp: { dir: string; cleanup: () => void };
  let app: PolytuneInBrowser | undefined;
  let server: ChildProcess;
  let served: Served;
  let page: Page;
  let modelsDir: string;
  let brokenFile: string;
  let expectedCount = 2;
  let pageErrors: string[];

  beforeAll(async () => {
    requireBuilt();
    temp = makeTempDir("polytune-e2e-");
    const home = join(temp.dir, "home");
    const userHome = join(temp.dir, "user");
    modelsDir = join(temp.dir, "models");
    mkdirSync(home, { recursive: true });
    mkdirSync(userHome, { recursive: true });
    // A private user folder, so discovery looks at this test's LM Studio folder, not the machine's.
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: userHome, USERPROFILE: userHome, POLYTUNE_HOME: home };
    for (const key of ["OLLAMA_MODELS", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME", "XDG_DATA_HOME"]) delete env[key];

    makeTiny(join(modelsDir, tinyA.file), tinyA, env);
    makeTiny(join(modelsDir, tinyB.file), tinyB, env);
    // A file from another converter, when the shared data is here (in CI it must be: see sharedData).
    if (hasSharedData) {
      copyFileSync(sharedTinyLlama, join(modelsDir, "llama-2-tiny-random.gguf"));
      expectedCount = 3;
    }
    makeTiny(join(userHome, ".lmstudio", "models", "polytune", "tiny", tinyLms.file), tinyLms, env);
    brokenFile = join(temp.dir, "broken", "broken.gguf");
    mkdirSync(dirname(brokenFile), { recursive: true });
    writeFileSync(brokenFile, randomBytes(4096));
    mkdirSync(shotsDir, { recursive: true });

    app = await PolytuneInBrowser.start(home, { viewport: { width: 1440, height: 1000 }, env, recordHttpErrors: true });
    ({ server, served, page, pageErrors } = app);
    expect(served.url).toContain(`token=${served.token}`);
  });

  afterAll(async () => {
    await app?.close();
    temp?.cleanup();
  });

  it("refuses requests that do not carry the token", async () => {
    const base = `http://127.0.0.1:${served.port}`;
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/?token=not-the-token`)).status).toBe(403);
    expect(await tryWebSocket(`ws://127.0.0.1:${served.port}/ws`)).not.toBe("open");
    expect(await tryWebSocket(`ws://127.0.0.1:${served.port}/ws?token=not-the-token`)).not.toBe("open");
    expect(await tryWebSocket(`ws://127.0.0.1:${served.port}/ws?token=${encodeURIComponent(served.token)}`)).toBe("open");
  });

  it("opens on Home with an empty library that points to the next step", async () => {
    await page.goto(served.url);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Welcome to Polytune");
    // The token leaves the address bar once the page has it; a reload still works through the server's cookie.
    await expect.poll(() => page.url()).not.toContain("token=");
    await page.reload();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Welcome to Polytune");
    await page.getByText("Add a GGUF file or a folder; Polytune also looks where LM Studio and Ollama keep theirs.").waitFor();
    await shot(page, "home-empty-light");

    // The empty library's button leads to the path box, cursor in it.
    await page.getByRole("button", { name: "Add a model" }).click();
    await page.getByRole("heading", { level: 1, name: "Models" }).waitFor();
    await expect.poll(() => page.evaluate("document.activeElement?.id === document.querySelector('.add-form input')?.id")).toBe(true);
    await page.locator(".empty-state").waitFor();
    expect(await page.locator(".empty-state").textContent()).toContain("Polytune also looks where LM Studio and Ollama keep theirs");
    await shot(page, "models-empty-light");
  });

  it("completes a typed path from the folder's listing, accepted with Tab", async () => {
    const field = page.getByLabel("File or folder path");
    // The native dialog is the desktop app's; the browser is not offered it.
    expect(await page.getByRole("button", { name: /^Browse/ }).count()).toBe(0);
    await field.fill("");
    await field.pressSequentially(join(temp.dir, "mod"));
    const options = page.getByRole("listbox", { name: "Matching folders and models" }).getByRole("option");
    await expect.poll(() => options.allTextContents()).toEqual([modelsDir + sep]);
    expect(await field.getAttribute("aria-expanded")).toBe("true");
    await field.press("Tab");
    expect(await field.inputValue()).toBe(modelsDir + sep);
    // An accepted folder goes on completing inside it: its models are offered next.
    await expect.poll(() => options.allTextContents()).toContain(join(modelsDir, tinyA.file));
    await field.press("Escape");
    await expect.poll(() => field.getAttribute("aria-expanded")).toBe("false");
  });

  it("adds a folder and lists its models with the metadata they were made with", async () => {
    await page.getByLabel("File or folder path").fill(modelsDir);
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.locator(".add-summary").waitFor({ timeout: 60_000 });
    expect(await page.locator(".add-summary").textContent()).toBe(`Added ${expectedCount}, updated 0, 0 failed — ${expectedCount} files scanned.`);
    await expect.poll(() => page.locator(".model-table tbody tr").count()).toBe(expectedCount);

    for (const m of [tinyA, tinyB]) {
      const cells = await row(page, m.file).locator("td").allTextContents();
      expect(cells[1]).toBe("llama");
      expect(cells[6]).toContain("Ready");
    }
    if (expectedCount === 3) expect((await row(page, "llama-2-tiny-random.gguf").locator("td").allTextContents())[1]).toBe("llama");

    // The details pane says what the generator was asked for.
    for (const m of [tinyA, tinyB]) {
      await row(page, m.file).click();
      await expect.poll(() => page.getByTestId("fact-path").textContent()).toBe(join(modelsDir, m.file));
      expect(await page.getByTestId("fact-architecture").textContent()).toBe("llama");
      expect(await page.getByTestId("fact-layers").textContent()).toBe(String(m.layers));
      expect(await page.getByTestId("fact-embedding").textContent()).toBe(String(m.embd));
      expect(await page.getByTestId("fact-vocabulary").textContent()).toMatch(/\d.*tokenizer/);
      expect(await row(page, m.file).getAttribute("aria-current")).toBe("true");
    }
  });

  it("sorts, filters and works from the keyboard", async () => {
    const sizeHeader = page.locator(".model-table thead th", { hasText: "Size" });
    await sizeHeader.getByRole("button").click();
    expect(await sizeHeader.getAttribute("aria-sort")).toBe("ascending");
    const ascending = await page.locator(".model-table tbody tr .model-file").allTextContents();
    // Ascending by size means by the files' real sizes, smallest first.
    const sizeOf = (file: string) => statSync(join(modelsDir, file)).size;
    expect(ascending).toEqual([...ascending].sort((a, b) => sizeOf(a) - sizeOf(b)));
    expect(sizeOf(ascending[0]!)).toBeLessThan(sizeOf(ascending.at(-1)!));
    await sizeHeader.getByRole("button").click();
    expect(await sizeHeader.getAttribute("aria-sort")).toBe("descending");
    expect(await page.locator(".model-table tbody tr .model-file").allTextContents()).toEqual([...ascending].reverse());
    expect(await page.locator(".model-table thead th", { hasText: "Name" }).getAttribute("aria-sort")).toBe("none");

    await page.getByLabel("Filter models").fill("tiny-b");
    await expect.poll(() => page.locator(".model-table tbody tr").count()).toBe(1);
    await page.getByLabel("Filter models").fill("");
    await expect.poll(() => page.locator(".model-table tbody tr").count()).toBe(expectedCount);

    // Tab-reachable rows: focus one, step with the arrow keys, choose with Enter or Space.
    const rows = page.locator(".model-table tbody tr");
    await rows.first().focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expect.poll(() => rows.nth(1).getAttribute("aria-current")).toBe("true");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press(" ");
    await expect.poll(() => rows.nth(0).getAttribute("aria-current")).toBe("true");
    await page.keyboard.press("ArrowDown");
    await page.screenshot({ path: join(shotsDir, "models-keyboard-focus-light.png") });
  });

  it("shows a memory estimate and computes the full SHA-256", async () => {
    await row(page, tinyA.file).click();
    await expect.poll(() => page.getByTestId("fact-path").textContent()).toBe(join(modelsDir, tinyA.file));
    const inference = page.getByTestId("estimate-inference");
    await inference.waitFor({ timeout: 30_000 });
    expect(await inference.locator(".big-number").textContent()).toMatch(/^\d+(\.\d+)? (B|KiB|MiB|GiB)$/);
    expect(await page.getByTestId("estimate-training").locator(".big-number").textContent()).toMatch(/^\d+(\.\d+)? (B|KiB|MiB|GiB)$/);
    // The context starts at the model's own (make-tiny writes 2048), never the 4096 it was not trained for.
    expect(await page.getByTestId("fact-context").textContent()).toBe("2,048");
    expect(await page.getByLabel("Context size (tokens)").inputValue()).toBe("2048");
    // A longer context re-estimates: the KV cache grows in proportion to it, and with it the total.
    const bytes = async (testId: string, inner = "") => Number(await page.getByTestId(testId).locator(inner || ":scope").getAttribute("data-bytes"));
    const kvBefore = await bytes("estimate-kv");
    const totalBefore = await bytes("estimate-inference", ".big-number");
    expect(kvBefore).toBeGreaterThan(0);
    await page.getByLabel("Context size (tokens)").fill("65536");
    await expect.poll(() => bytes("estimate-kv"), { timeout: 15_000 }).not.toBe(kvBefore);
    expect((await bytes("estimate-kv")) / kvBefore).toBeCloseTo(65536 / 2048, 0);
    expect(await bytes("estimate-inference", ".big-number")).toBeGreaterThan(totalBefore);

    await page.getByRole("button", { name: "Compute full SHA-256" }).click();
    await expect
      .poll(() => page.getByTestId("fact-sha256").locator("code").textContent(), { timeout: 30_000 })
      .toBe(sha256Of(join(modelsDir, tinyA.file)));
  });

  it("runs a greedy completion, streaming text with tokens per second", async () => {
    await page.getByLabel("Prompt").fill("The capital of France is");
    await page.getByLabel("Max tokens").fill("48");
    expect(await page.getByLabel("Repeat penalty").inputValue()).toBe("1.1");
    // Record what the output shows while it streams, to tell streaming from one final paint.
    await page.evaluate(recordTryOutput);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const result = page.getByTestId("try-result");
    await result.waitFor({ timeout: 120_000 });

    const output = (await page.getByTestId("try-output").textContent()) ?? "";
    const facts = await result.textContent();
    expect(facts).toMatch(/\d+(\.\d+)? tokens\/s/);
    expect(facts).toMatch(/\d+ generated/);
    expect(facts).toMatch(/Backend/);
    const generated = Number(/(\d+) generated/.exec(facts ?? "")?.[1]);
    if (generated > 0) expect(output.length).toBeGreaterThan(0);
    expect(generated).toBeGreaterThan(0);

    const seen = (await page.evaluate("window.__seen")) as { texts: string[]; live: string[] };
    // Streaming means the output grew through intermediate states before the final text.
    expect(seen.texts.filter((t) => t && t !== output).length, "no partial output was shown while the model generated").toBeGreaterThan(0);
    if (seen.live.length) expect(seen.live.at(-1)).toMatch(/tokens\/s/);
    await shot(page, "models-try-light");
  });

  it("stops a running completion", async () => {
    // Long enough to be still running when Stop is pressed, short of the tiny models' 2048-token context.
    await page.getByLabel("Max tokens").fill("1500");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByTestId("try-live").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    const result = page.getByTestId("try-result");
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain("you stopped it");
    const generated = Number(/(\d+) generated/.exec((await result.textContent()) ?? "")?.[1]);
    expect(generated).toBeGreaterThan(0);
    expect(generated).toBeLessThan(1500);
    await page.getByLabel("Max tokens").fill("48");
  });

  it("looks in LM Studio's folder", async () => {
    await page.getByRole("button", { name: "Look in LM Studio / Ollama / Hugging Face folders" }).click();
    await expect.poll(() => page.locator(".add-summary").textContent(), { timeout: 60_000 }).toMatch(/^Added 1, updated 0, 0 failed/);
    expect(await page.locator(".locations").textContent()).toContain(join(".lmstudio", "models"));
    await expect.poll(() => page.locator(".model-table tbody tr").count()).toBe(expectedCount + 1);
  });

  it("adds a corrupt file and says what is wrong with it", async () => {
    await page.getByLabel("File or folder path").fill(join(temp.dir, "no-such-folder"));
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.locator(".add-report .error-message").first().waitFor();
    expect(await page.locator(".add-report .error-message .error-text").first().textContent()).toMatch(/no-such-folder: .+\. .+/);

    await page.getByLabel("File or folder path").fill(brokenFile);
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const failure = page.locator(".failed-list .error-message");
    await failure.waitFor({ timeout: 30_000 });
    const sentence = (await failure.locator(".error-text").textContent()) ?? "";
    // "file: message. hint" — the file by name, a reason, and something to do.
    expect(sentence).toMatch(/^broken\.gguf: \S.+\. \S.+/);
    await failure.getByRole("button", { name: "Details" }).click();
    expect(await failure.locator(".error-details").isVisible()).toBe(true);
    expect(await failure.locator(".error-details").textContent()).toContain(brokenFile);

    const brokenRow = row(page, "broken.gguf");
    expect(await brokenRow.locator(".badge").textContent()).toContain("Error");
    expect(((await brokenRow.locator(".status-reason").textContent()) ?? "").length).toBeGreaterThan(5);
    await brokenRow.click();
    await page.locator(".details .error-message").waitFor();
    expect(await page.locator(".details .error-message .error-text").textContent()).toBe(sentence);
    expect(await page.getByRole("button", { name: "Run", exact: true }).isDisabled()).toBe(true);
    await shot(page, "models-error-light");
  });

  it("labels every control and marks sortable headers", async () => {
    const unlabeled = await unlabeledControls(page);
    expect(unlabeled).toEqual([]);
    expect(await page.locator(".model-table th[aria-sort]").count()).toBe(7);
    expect(await page.locator(".model-table tbody tr[tabindex='0']").count()).toBe(expectedCount + 2);
  });

  it("renders the Models view in light and dark themes", async () => {
    await row(page, tinyB.file).click();
    await expect.poll(() => page.getByTestId("fact-path").textContent()).toBe(join(modelsDir, tinyB.file));
    await page.getByTestId("estimate-inference").waitFor({ timeout: 30_000 });
    await shot(page, "models-light");
    const lightBg = await page.evaluate(bodyBackground);

    // The toggle overrides the system preference...
    await page.getByRole("radio", { name: "Dark" }).check();
    await expect.poll(() => page.evaluate(bodyBackground)).not.toBe(lightBg);
    await shot(page, "models-dark");

    // ...and "System" follows prefers-color-scheme.
    await page.getByRole("radio", { name: "System" }).check();
    await expect.poll(() => page.evaluate(bodyBackground)).toBe(lightBg);
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => page.evaluate(bodyBackground)).not.toBe(lightBg);
    await shot(page, "models-dark-system");
    await page.emulateMedia({ colorScheme: "light" });

    // A narrow window stacks the table over the details instead of squeezing both.
    await page.setViewportSize({ width: 900, height: 1000 });
    await shot(page, "models-narrow-light");
    await page.setViewportSize({ width: 1440, height: 1000 });
  });

  it("shows Home with the library count, and Settings with what the engine reports", async () => {
    await page.getByRole("link", { name: "Home" }).click();
    await expect.poll(() => page.getByTestId("home-model-count").textContent()).toBe(`${expectedCount + 2} models`);
    await shot(page, "home-light");

    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    await page.getByRole("heading", { name: "Compute backends" }).waitFor({ timeout: 60_000 });
    expect(await page.locator(".settings-view").textContent()).toContain("Browser, through polytune serve");
    // The trainer is built (npm ci compiles it) and says where it trains.
    expect(await page.getByTestId("doctor-trainer").textContent()).toMatch(/Yes\s*Built; it trains on the backends above/);
    await shot(page, "settings-light");
    expect(pageErrors).toEqual([]);
  });

  it("removes a model from the library, after asking", async () => {
    await page.getByRole("link", { name: "Models" }).click();
    await row(page, "broken.gguf").click();
    await page.getByRole("button", { name: "Remove from library" }).click();
    expect(await page.locator(".confirm").textContent()).toContain("The file stays on disk.");
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    await expect.poll(() => page.locator(".model-table tbody tr").count()).toBe(expectedCount + 1);
    expect(await row(page, "broken.gguf").count()).toBe(0);
    expect(existsSync(brokenFile)).toBe(true);
  });

  it("says so when the server goes away", async () => {
    await row(page, tinyB.file).click();
    await expect.poll(() => page.getByTestId("fact-path").textContent()).toBe(join(modelsDir, tinyB.file));
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
    const banner = page.locator(".banner-error");
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/Lost the connection to Polytune\. Retrying in \d+ s\./);
    await page.getByRole("button", { name: "Compute full SHA-256" }).click();
    await page.locator(".details .error-message").waitFor();
    expect(await page.locator(".details .error-message .error-text").textContent()).toContain("The connection to Polytune was lost.");
    await shot(page, "models-disconnected-light");
  });
});
