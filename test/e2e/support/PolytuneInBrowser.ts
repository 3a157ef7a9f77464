// What every browser suite sets up around its tests: a real `polytune serve` on the suite's temp
// home (its address carries the token), Chromium on one page, the page's errors collected, and the
// teardown. Assumes `npm run build` ran; it builds nothing.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const cli = join(repoRoot, "bin/polytune.js");
export const shotsDir = join(repoRoot, "test-results/screenshots");
const rendererIndex = join(repoRoot, "dist/renderer/index.html");

/** The JSON line `polytune serve --json` prints. */
export interface Served {
  url: string;
  port: number;
  token: string;
}

/** A sentence each for the things that would make a browser suite meaningless if missing. */
export function requireBuilt(): void {
  if (!existsSync(rendererIndex)) throw new Error(`${rendererIndex} is missing. Run \`npm run build\` before the e2e suite.`);
  if (!existsSync(cli)) throw new Error(`${cli} is missing; the polytune CLI is needed to make models and serve.`);
}

/** Generates a one-layer random-weights model at `model` and adds it to the library of `home`. */
export function addTinyModel(home: string, model: string, seed: number): void {
  execFileSync(process.execPath, [cli, "--home", home, "models", "make-tiny", "--out", model, "--layers", "1", "--embd", "32", "--seed", String(seed)], { cwd: repoRoot });
  execFileSync(process.execPath, [cli, "--home", home, "models", "add", model], { cwd: repoRoot });
}

/** Starts the server and resolves with the JSON line it prints; rejects with its stderr if it dies first. */
function startServer(home: string, port: number, env: NodeJS.ProcessEnv | undefined): Promise<{ child: ChildProcess; served: Served }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, "serve", "--port", String(port), "--home", home, "--json"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`polytune serve printed no address within 60 s.\nstdout: ${stdout}\nstderr: ${stderr}`)), 60_000);
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split("\n").find((l) => l.trim().startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      try {
        resolvePromise({ child, served: JSON.parse(line) as Served });
      } catch (error) {
        reject(new Error(`polytune serve --json printed a line that is not JSON: ${line} (${String(error)})`));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`polytune serve exited with ${code} before printing its address.\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Signals the server and waits up to 10 s for it to exit; one that is still there then is killed. */
async function stopServer(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const running = () => child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (running()) child.kill("SIGKILL");
}

export interface PolytuneInBrowserOptions {
  viewport: { width: number; height: number };
  /** The server's environment (a suite that isolates the user's folders passes its own). */
  env?: NodeJS.ProcessEnv;
  acceptDownloads?: boolean;
  /** Also count HTTP responses of 400 and above as page errors. */
  recordHttpErrors?: boolean;
}

/** A served temp home and a Chromium page on it; `close` takes both down (the temp folder is the suite's). */
export class PolytuneInBrowser {
  /** Uncaught page errors and console errors (and refused requests, when asked), for a suite to assert none. */
  readonly pageErrors: string[] = [];
  /** Off while a test makes the server refuse on purpose. */
  recordErrors = true;

  private constructor(
    readonly home: string,
    private readonly env: NodeJS.ProcessEnv | undefined,
    public server: ChildProcess,
    public served: Served,
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async start(home: string, options: PolytuneInBrowserOptions): Promise<PolytuneInBrowser> {
    const { child, served } = await startServer(home, 0, options.env);
    mkdirSync(shotsDir, { recursive: true });
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
      });
      const context = await browser.newContext({ viewport: options.viewport, colorScheme: "light", ...(options.acceptDownloads ? { acceptDownloads: true } : {}) });
      const page = await context.newPage();
      const app = new PolytuneInBrowser(home, options.env, child, served, browser, context, page);
      page.on("pageerror", (error) => app.recordErrors && app.pageErrors.push(error.message));
      page.on("console", (message) => app.recordErrors && message.type() === "error" && app.pageErrors.push(message.text()));
      if (options.recordHttpErrors) page.on("response", (response) => app.recordErrors && response.status() >= 400 && app.pageErrors.push(`HTTP ${response.status()} for ${response.url()}`));
      return app;
    } catch (error) {
      // Nothing is left running when the suite cannot start: its afterAll has no handle to close.
      await browser?.close();
      await stopServer(child, "SIGTERM");
      throw error;
    }
  }

  /** Stops the server (SIGKILL to stand for a crash); the page stays open. */
  async stopServer(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await stopServer(this.server, signal);
  }

  /** Starts a new server on the home and port of the last one: a new token, the same address otherwise. */
  async serveAgain(): Promise<Served> {
    ({ child: this.server, served: this.served } = await startServer(this.home, this.served.port, this.env));
    return this.served;
  }

  /** Keeps where the page stood as `lastShot`.png (after a failure, what went wrong is on it), then takes everything down. */
  async close(lastShot?: string): Promise<void> {
    if (lastShot) await this.page.screenshot({ path: join(shotsDir, `${lastShot}.png`), fullPage: true }).catch(() => undefined);
    await this.browser.close();
    await stopServer(this.server, "SIGTERM");
  }
}
