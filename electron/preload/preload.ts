// Sandboxed preload: bundled into one CommonJS file (scripts/bundle-preload.mjs), because a sandboxed
// preload can require nothing but "electron". Exposes the contract's PreloadBridge and nothing else.
import { contextBridge, ipcRenderer, webUtils } from "electron";
import { ipcEventChannel } from "../shared/contract.js";
import { createPreloadBridge } from "./createPreloadBridge.js";

const bridge = createPreloadBridge({
  invoke: (channel, input) => ipcRenderer.invoke(channel, input),
  // The IpcRendererEvent (which holds ipcRenderer itself) is dropped here, never passed to the page.
  onEventMessage: (listener) => ipcRenderer.on(ipcEventChannel, (_event, message: unknown) => listener(message)),
  // Electron ≥ 32 removed File.path; this is the only way to learn where a dropped file lives.
  getPathForFile: (file) => webUtils.getPathForFile(file),
});

contextBridge.exposeInMainWorld("polytune", bridge);
