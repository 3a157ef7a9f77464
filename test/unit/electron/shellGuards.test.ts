// The shell's guards as main.ts wires them, through a recording stand-in for the `electron` module (the
// binary cannot run here): every WebContents gets the navigation guards, the default session the
// permission handlers. Each decision is asked of the handlers main.ts registered, not of the helpers.
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeTempDir } from "../../support/tempDir.js";

type RequestHandler = (contents: { getURL(): string }, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void;
type CheckHandler = (contents: unknown, permission: string, requestingOrigin: string) => boolean;

const fake = vi.hoisted(() => {
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  return {
    app: null as unknown as EventEmitter,
    ready,
    markReady: () => markReady(),
    windows: [] as unknown[],
    opened: [] as string[],
    quits: 0,
    requestHandler: null as RequestHandler | null,
    checkHandler: null as CheckHandler | null,
  };
});

vi.mock("electron", async () => {
  const { EventEmitter: Emitter } = await import("node:events");
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    enableSandbox: () => {},
    setPath: () => {},
    requestSingleInstanceLock: () => true,
    whenReady: () => fake.ready,
    quit: () => void fake.quits++,
    exit: () => {},
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
    loadURL = async () => {};
    show = () => {};
  }
  return {
    app,
    BrowserWindow,
    nativeTheme: { shouldUseDarkColors: false },
    protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: RequestHandler) => (fake.requestHandler = h),
        setPermissionCheckHandler: (h: CheckHandler) => (fake.checkHandler = h),
      },
    },
    ipcMain: { handle: () => {}, removeHandler: () => {} },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => {} },
    dialog: { showErrorBox: (title: string, text: string) => console.error(title, text), showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showMessageBox: async () => ({}) },
    shell: { openExternal: async (url: string) => void fake.opened.push(url) },
    utilityProcess: { fork: () => { throw new Error("no training in this test"); } },
  };
});

/** A WebContents as far as the guards see it: events, and the window-open handler they install. */
class FakeContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Emits `name` with an event the guard may prevent; returns whether it did. */
  attempt(name: string, fields: Record<string, unknown> = {}): boolean {
    const event = { ...fields, prevented: false, preventDefault() { this.prevented = true; } };
    this.emit(name, event, ...(name === "will-attach-webview" ? [{}, {}] : []));
    return event.prevented;
  }
}

const temp = makeTempDir("polytune-shell-");
let contents: FakeContents;

beforeAll(async () => {
  const argv = process.argv;
  process.argv = [process.execPath, ".", "--home", join(temp.dir, "home")];
  try {
    // A computed specifier keeps tsc from following it: this test must type-check without electron's types.
    const entry = "../../../electron/main/main.js";
    await import(/* @vite-ignore */ entry);
  } finally {
    process.argv = argv;
  }
  fake.markReady();
  await vi.waitFor(() => expect(fake.windows).toHaveLength(1), { timeout: 20_000 });
  contents = new FakeContents();
  fake.app.emit("web-contents-created", {}, contents);
});

afterAll(async () => {
  const event = { preventDefault() {} };
  fake.app.emit("before-quit", event);
  await vi.waitFor(() => expect(fake.quits).toBe(1));
  temp.cleanup();
});

describe("the Electron shell's navigation guards", () => {
  it("denies every window.open, handing only a plain http(s) address to the OS browser", () => {
    expect(contents.windowOpenHandler, "main.ts installs a window-open handler on every WebContents").not.toBeNull();
    const open = (url: string) => contents.windowOpenHandler!({ url });
    expect(open("https://example.org/paper")).toEqual({ action: "deny" });
    expect(open("app://polytune/index.html")).toEqual({ action: "deny" });
    expect(open("file:///etc/passwd")).toEqual({ action: "deny" });
    expect(open("https://user:secret@example.org/")).toEqual({ action: "deny" });
    expect(fake.opened).toEqual(["https://example.org/paper"]);
    fake.opened.length = 0;
  });

  it("lets the page move within app://polytune and refuses every navigation off the app", () => {
    expect(contents.attempt("will-frame-navigate", { url: "app://polytune/index.html#/runs", isMainFrame: true })).toBe(false);
    for (const url of ["https://example.org/", "http://127.0.0.1:8080/", "file:///etc/passwd", "javascript:alert(1)", "app://polytune.evil/", "app://user@polytune/", "not a url"]) {
      expect(contents.attempt("will-frame-navigate", { url, isMainFrame: true }), url).toBe(true);
      expect(contents.attempt("will-redirect", { url }), url).toBe(true);
    }
    // A link off the app opens in the OS browser, from the top frame only; nothing else leaves the app.
    expect(fake.opened).toEqual(["https://example.org/", "http://127.0.0.1:8080/"]);
    expect(contents.attempt("will-frame-navigate", { url: "https://example.org/frame", isMainFrame: false })).toBe(true);
    expect(fake.opened).toHaveLength(2);
    expect(contents.attempt("will-redirect", { url: "app://polytune/index.html" })).toBe(false);
  });

  it("refuses to attach a <webview>", () => {
    expect(contents.attempt("will-attach-webview")).toBe(true);
  });
});

describe("the Electron shell's permission handlers", () => {
  const request = (permission: string, requestingUrl: string, pageUrl = "app://polytune/index.html"): boolean => {
    let granted: boolean | null = null;
    fake.requestHandler!({ getURL: () => pageUrl }, permission, (g) => (granted = g), { requestingUrl });
    expect(granted, "the handler answers at once").not.toBeNull();
    return granted!;
  };

  it("grants our own pages only what the UI uses: writing the clipboard and full screen", () => {
    expect(fake.requestHandler, "main.ts installs a permission request handler on the default session").not.toBeNull();
    expect(request("clipboard-sanitized-write", "app://polytune/index.html")).toBe(true);
    expect(request("fullscreen", "app://polytune/index.html")).toBe(true);
    for (const permission of ["media", "geolocation", "notifications", "clipboard-read", "openExternal", "midi", "pointerLock"]) {
      expect(request(permission, "app://polytune/index.html"), permission).toBe(false);
    }
  });

  it("denies everything to any other origin, and falls back to the page's address when none is given", () => {
    expect(request("clipboard-sanitized-write", "https://example.org/")).toBe(false);
    expect(request("fullscreen", "http://127.0.0.1:8080/")).toBe(false);
    expect(request("fullscreen", "", "https://example.org/")).toBe(false);
    expect(request("fullscreen", "", "app://polytune/index.html")).toBe(true);
  });

  it("answers permission checks the same way", () => {
    expect(fake.checkHandler, "main.ts installs a permission check handler").not.toBeNull();
    expect(fake.checkHandler!(null, "clipboard-sanitized-write", "app://polytune")).toBe(true);
    expect(fake.checkHandler!(null, "fullscreen", "app://polytune")).toBe(true);
    expect(fake.checkHandler!(null, "media", "app://polytune")).toBe(false);
    expect(fake.checkHandler!(null, "fullscreen", "https://example.org")).toBe(false);
    expect(fake.checkHandler!(null, "clipboard-sanitized-write", "file://")).toBe(false);
  });
});
