// The Electron shell's entry: one sandboxed window on app://polytune, the engine in this process, and
// the contract's calls wired over IPC. All behaviour lives in the engine; this file only connects parts.
// No top-level await: with an ESM entry, `ready` waits for this module to settle.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess, type WebContents } from "electron";
import { createEngine, resolveHome } from "../engine/createEngine.js";
import type { Engine } from "../engine/Engine.js";
import { formatErrorLine, toErrorShape } from "../shared/PolytuneError.js";
import { addModelsFromDialog, type AddModelsKind } from "./addModelsFromDialog.js";
import { buildAppMenu } from "./buildAppMenu.js";
import { createMainWindow } from "./createMainWindow.js";
import { forwardEngineEvents } from "./forwardEngineEvents.js";
import { hardenSession } from "./hardenSession.js";
import { installNavigationGuards } from "./navigationGuards.js";
import { parseHomeArgument } from "./parseHomeArgument.js";
import { registerAppProtocol, registerAppSchemeAsPrivileged } from "./registerAppProtocol.js";
import { registerDesktopHandlers } from "./registerDesktopHandlers.js";
import { registerIpcHandlers } from "./registerIpcHandlers.js";
import { utilityProcessSpawner } from "./utilityProcessSpawner.js";

// dist/electron/main/main.js → dist/electron/preload/preload.cjs and dist/renderer/.
const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, "..", "preload", "preload.cjs");
const rendererDir = join(here, "..", "..", "renderer");

function fail(title: string, error: unknown): void {
  console.error(`Polytune: ${title}:`, error);
  dialog.showErrorBox(title, formatErrorLine(toErrorShape(error)));
  app.exit(1);
}

function start(home: string): void {
  let engine: Engine | null = null;
  let window: BrowserWindow | null = null;
  const stops: Array<() => void> = [];
  const liveContents = (): WebContents | null => (window && !window.isDestroyed() ? window.webContents : null);

  const openWindow = (): void => {
    window = createMainWindow(preloadPath);
    window.on("closed", () => {
      window = null;
    });
  };

  const addModels = (kind: AddModelsKind): void => {
    if (!engine) return;
    if (!window) openWindow();
    if (window) addModelsFromDialog(dialog, window, engine, kind).catch((error: unknown) => dialog.showErrorBox("Could not add models", formatErrorLine(toErrorShape(error))));
  };

  const showAbout = (): void => {
    const detail = [`Data folder: ${home}`, `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`].join("\n");
    const options = { type: "info" as const, title: "About Polytune", message: `Polytune ${app.getVersion()}`, detail };
    void (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
  };

  app.on("second-instance", () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on("web-contents-created", (_event, contents) => installNavigationGuards(contents, (url) => shell.openExternal(url)));
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
  app.on("activate", () => {
    if (engine && BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on("before-quit", (event) => {
    // The engine closes its database and stops its jobs before the process goes.
    if (!engine) return;
    event.preventDefault();
    const closing = engine;
    engine = null;
    for (const stop of stops.splice(0)) stop();
    closing
      .close()
      .catch((error: unknown) => console.error("Polytune: engine did not close cleanly:", error))
      .finally(() => app.quit());
  });

  app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession);
      registerAppProtocol(protocol, rendererDir);
      let opened: Engine;
      try {
        // Training processes as utility processes: the packaged app has the runAsNode fuse off.
        opened = await createEngine({ home, spawnTrainWorker: utilityProcessSpawner((entry, args, options) => utilityProcess.fork(entry, args, options)) });
      } catch (error) {
        fail("Polytune could not open its data folder", error);
        return;
      }
      engine = opened;
      stops.push(registerIpcHandlers(ipcMain, opened, liveContents));
      stops.push(registerDesktopHandlers(ipcMain, { engine: opened, dialog, shell, window: () => window, trustedSender: liveContents }));
      stops.push(forwardEngineEvents(opened, liveContents));
      app.setAboutPanelOptions({ applicationName: "Polytune", applicationVersion: app.getVersion() });
      Menu.setApplicationMenu(Menu.buildFromTemplate(buildAppMenu({ platform: process.platform, dev: !app.isPackaged, addModels, showAbout })));
      openWindow();
    })
    .catch((error: unknown) => fail("Polytune could not start", error));
}

// Everything below runs before `ready`, as Electron requires for these calls.
app.enableSandbox();
registerAppSchemeAsPrivileged(protocol);
const home = resolveHome(parseHomeArgument(process.argv));
// Chromium's profile lives in the data folder, so the single-instance lock is per data folder: two
// windows on one database would be two writers, while separate --home folders may run side by side.
const profileDir = join(home, "electron");
mkdirSync(profileDir, { recursive: true });
app.setPath("userData", profileDir);
if (app.requestSingleInstanceLock()) start(home);
else app.quit();
