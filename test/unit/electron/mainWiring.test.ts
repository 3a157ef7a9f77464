// Runs electron/main/main.ts against a recording stand-in for the `electron` module (the binary cannot
// run here) and a real engine on a temp data folder: checks the order Electron requires and the wiring.
import type { EventEmitter } from "node:events";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { callNames, desktopActionNames, desktopChannel, ipcChannel } from "../../../electron/shared/contract.js";
import { makeTempDir } from "../../support/tempDir.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";

const fake = vi.hoisted(() => {
  const log: string[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  return { app: null as unknown as EventEmitter, log, ready, markReady: () => markReady(), handlers: new Map<string, (...args: unknown[]) => unknown>(), protocols: new Map<string, (r: Request) => Promise<Response>>(), windows: [] as unknown[], quits: 0, forks: [] as Array<{ modulePath: string; options: unknown; received: unknown[] }> };
});

vi.mock("electron", async () => {
  const { EventEmitter: Emitter } = await import("node:events");
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    enableSandbox: () => fake.log.push("enableSandbox"),
    setPath: (name: string, path: string) => fake.log.push(`setPath ${name} ${path}`),
    requestSingleInstanceLock: () => (fake.log.push("lock"), true),
    whenReady: () => fake.ready,
    quit: () => {
      fake.quits++;
    },
    exit: (code: number) => fake.log.push(`exit ${code}`),
    getVersion: () => "0.1.0",
    setAboutPanelOptions: () => {},
  });
  fake.app = app;
  class BrowserWindow extends Emitter {
    static getAllWindows = () => fake.windows;
    readonly webContents = { id: 7, isDestroyed: () => false, send: () => {} };
    constructor(readonly options: unknown) {
      super();
      fake.windows.push(this);
    }
    isDestroyed = () => false;
    loadURL = async (url: string) => void fake.log.push(`loadURL ${url}`);
    show = () => {};
  }
  return {
    app,
    BrowserWindow,
    nativeTheme: { shouldUseDarkColors: false },
    protocol: {
      registerSchemesAsPrivileged: (schemes: Array<{ scheme: string }>) => fake.log.push(`privileged ${schemes.map((s) => s.scheme).join()}`),
      handle: (scheme: string, handler: (r: Request) => Promise<Response>) => fake.protocols.set(scheme, handler),
    },
    session: { defaultSession: { setPermissionRequestHandler: () => fake.log.push("permissions"), setPermissionCheckHandler: () => {} } },
    ipcMain: { handle: (channel: string, listener: (...args: unknown[]) => unknown) => fake.handlers.set(channel, listener), removeHandler: (channel: string) => fake.handlers.delete(channel) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => fake.log.push("menu") },
    dialog: { showErrorBox: (title: string, text: string) => fake.log.push(`error ${title}: ${text}`), showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showMessageBox: async () => ({}) },
    shell: { openExternal: async () => {}, showItemInFolder: (path: string) => void fake.log.push(`show ${path}`) },
    // A training process that answers its first request with a refusal, then exits, as a worker does.
    utilityProcess: {
      fork: (modulePath: string, _args: string[], options: unknown) => {
        const child = Object.assign(new Emitter(), {
          pid: 4242,
          kill: () => true,
          postMessage: (message: unknown) => {
            record.received.push(message);
            setImmediate(() => {
              child.emit("message", { type: "error", error: { code: "worker-refused", message: "Refused by the stand-in worker." } });
              child.emit("exit", 0);
            });
          },
        });
        const record = { modulePath, options, received: [] as unknown[] };
        fake.forks.push(record);
        return child;
      },
    },
  };
});

const temp = makeTempDir("polytune-main-");
afterAll(() => temp.cleanup());

describe("electron/main/main.ts wiring", () => {
  it("prepares the scheme, profile and lock before ready, then wires the engine, IPC and window", async () => {
    const home = join(temp.dir, "home");
    const argv = process.argv;
    process.argv = [process.execPath, ".", "--home", home];
    try {
      // A computed specifier keeps tsc from following it: this test must type-check without electron's types.
      const entry = "../../../electron/main/main.js";
      await import(/* @vite-ignore */ entry);
    } finally {
      process.argv = argv;
    }
    expect(fake.log).toEqual(["enableSandbox", "privileged app", `setPath userData ${join(home, "electron")}`, "lock"]);

    fake.markReady();
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1), { timeout: 20_000 });
    expect(fake.log).toContain("loadURL app://polytune/index.html");
    expect(fake.log).toContain("permissions");
    expect(fake.log.filter((l) => l.startsWith("error"))).toEqual([]);
    expect([...fake.handlers.keys()].sort()).toEqual([...callNames.map(ipcChannel), ...desktopActionNames.map(desktopChannel)].sort());
    expect(fake.protocols.has("app")).toBe(true);

    const win = fake.windows[0] as { webContents: unknown; options: { webPreferences: { preload: string; sandbox: boolean } } };
    expect(win.options.webPreferences.sandbox).toBe(true);
    expect(win.options.webPreferences.preload.endsWith(join("preload", "preload.cjs"))).toBe(true);

    const info = await fake.handlers.get(ipcChannel("app.info"))!({ sender: win.webContents, senderFrame: { url: "app://polytune/index.html", parent: null } }, {});
    expect(info).toMatchObject({ ok: true, value: { home, carrier: "ipc" } });
    const foreign = await fake.handlers.get(ipcChannel("app.info"))!({ sender: { id: 99 }, senderFrame: { url: "app://polytune/index.html", parent: null } }, {});
    expect(foreign).toMatchObject({ ok: false, error: { code: "untrusted-sender" } });
    // The desktop actions are wired to the same window and engine: a foreign sender is refused, an unknown run is named.
    const reveal = fake.handlers.get(desktopChannel("desktop.showRunAdapter"))!;
    expect(await reveal({ sender: { id: 99 }, senderFrame: { url: "app://polytune/index.html", parent: null } }, { run: "r1" })).toMatchObject({ ok: false, error: { code: "untrusted-sender" } });
    expect(await reveal({ sender: win.webContents, senderFrame: { url: "app://polytune/index.html", parent: null } }, { run: "nosuchrun" })).toMatchObject({ ok: false });
    expect(fake.log.filter((l) => l.startsWith("show "))).toEqual([]);

    // Training processes start as utility processes, and their messages come back through the adapter.
    const model = join(temp.dir, "tiny.gguf");
    await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 2 });
    const data = join(process.cwd(), "assets", "demo", "demo-instructions.jsonl");
    const started = await fake.handlers.get(ipcChannel("runs.start"))!({ sender: win.webContents, senderFrame: { url: "app://polytune/index.html", parent: null } }, { model, data, steps: 1 });
    expect(started).toMatchObject({ ok: false, error: { code: "worker-refused" } });
    expect(fake.forks).toHaveLength(1);
    expect(fake.forks[0]!.modulePath.endsWith(join("engine", "train", "trainWorker.js"))).toBe(true);
    expect(fake.forks[0]!.options).toEqual({ serviceName: "Polytune training", stdio: "inherit" });
    expect(fake.forks[0]!.received).toMatchObject([{ type: "prepare", modelPath: model }]);

    // Quitting closes the engine first, then quits for real.
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    fake.app.emit("before-quit", event);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(fake.quits).toBe(1));
    expect(fake.handlers.size).toBe(0);
  });
});
