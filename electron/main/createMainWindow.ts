import { BrowserWindow, nativeTheme } from "electron";
import { appEntryUrl } from "./appUrl.js";
import { mainWindowOptions } from "./mainWindowOptions.js";

/** The one window: sandboxed, context-isolated, showing app://polytune/index.html. */
export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions({ preloadPath, dark: nativeTheme.shouldUseDarkColors }));
  window.once("ready-to-show", () => window.show());
  window.loadURL(appEntryUrl).catch((error: unknown) => console.error("Polytune: could not load the UI:", error));
  return window;
}
