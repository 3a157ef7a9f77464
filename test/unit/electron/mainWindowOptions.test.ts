import { describe, expect, it } from "vitest";
import { mainWindowOptions } from "../../../electron/main/mainWindowOptions.js";

describe("main window options", () => {
  it("keeps every renderer security switch on", () => {
    const { webPreferences } = mainWindowOptions({ preloadPath: "/app/dist/electron/preload/preload.cjs", dark: false });
    expect(webPreferences).toMatchObject({
      preload: "/app/dist/electron/preload/preload.cjs",
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
  });
  it("waits for ready-to-show and matches the OS theme's background", () => {
    expect(mainWindowOptions({ preloadPath: "p", dark: true }).show).toBe(false);
    expect(mainWindowOptions({ preloadPath: "p", dark: true }).backgroundColor).not.toBe(mainWindowOptions({ preloadPath: "p", dark: false }).backgroundColor);
  });
});
