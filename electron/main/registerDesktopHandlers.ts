import { existsSync } from "node:fs";
import type { BrowserWindow, Dialog, Shell } from "electron";
import { desktopActionNames, desktopActions, desktopChannel, type DesktopActionName, type DesktopResult } from "../shared/contract.js";
import { toErrorShape } from "../shared/PolytuneError.js";
import type { Engine } from "../engine/Engine.js";
import { addModelsFromDialog } from "./addModelsFromDialog.js";
import { isTrustedSender } from "./ipcSender.js";
import type { IpcMainLike } from "./registerIpcHandlers.js";

export interface DesktopPorts {
  engine: Pick<Engine, "dispatch">;
  dialog: Pick<Dialog, "showOpenDialog" | "showMessageBox">;
  shell: Pick<Shell, "showItemInFolder">;
  /** The window the page lives in, for the dialog's parent; null before it opens. */
  window: () => BrowserWindow | null;
  trustedSender: () => unknown;
}

const refusal = (code: string, message: string, hint?: string): DesktopResult => ({ ok: false, error: { code, message, ...(hint ? { hint } : {}) } });

/**
 * One `ipcMain.handle` per desktop action, checked as the contract calls are: the sender first, then the
 * input against the action's zod schema. A path to reveal is looked up from the run in the engine, never
 * taken from the page. Returns an undo.
 */
export function registerDesktopHandlers(ipcMain: IpcMainLike, ports: DesktopPorts): () => void {
  const actions: { [A in DesktopActionName]: (input: ReturnType<(typeof desktopActions)[A]["parse"]>) => Promise<DesktopResult> } = {
    "desktop.addModelsFromDialog": async ({ kind }) => {
      const window = ports.window();
      if (!window) return refusal("no-window", "Polytune's window is not open.");
      await addModelsFromDialog(ports.dialog, window, ports.engine, kind);
      return { ok: true };
    },
    "desktop.showRunAdapter": async ({ run }) => {
      const found = await ports.engine.dispatch("runs.get", { run }, "ipc");
      if (!found.ok) return { ok: false, error: found.error };
      const adapter = found.value.adapterPath;
      if (!adapter) return refusal("no-adapter", `Run ${run} has no adapter yet.`, "A run writes its adapter when it finishes.");
      if (!existsSync(adapter)) return refusal("adapter-missing", `The adapter of run ${run} is no longer at ${adapter}.`, "It was moved or deleted outside Polytune.");
      ports.shell.showItemInFolder(adapter);
      return { ok: true };
    },
  };
  for (const name of desktopActionNames) {
    ipcMain.handle(desktopChannel(name), async (event, input): Promise<DesktopResult> => {
      if (!isTrustedSender(event, ports.trustedSender())) return refusal("untrusted-sender", "This request did not come from Polytune's own window and was refused.");
      const parsed = desktopActions[name].safeParse(input);
      if (!parsed.success) return refusal("invalid-input", `The input of ${name} is not valid: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ")}.`);
      try {
        return await (actions[name] as (input: unknown) => Promise<DesktopResult>)(parsed.data);
      } catch (error) {
        return { ok: false, error: toErrorShape(error) };
      }
    });
  }
  return () => {
    for (const name of desktopActionNames) ipcMain.removeHandler(desktopChannel(name));
  };
}
