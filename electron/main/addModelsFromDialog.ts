import type { BrowserWindow, Dialog } from "electron";
import type { Engine } from "../engine/Engine.js";
import { formatErrorLine } from "../shared/PolytuneError.js";

export type AddModelsKind = "file" | "folder";

/**
 * File ▸ Add model file… / Add model folder…: a native picker, then "models.add" for each choice. The
 * engine emits "models.changed", so the open view refreshes by itself; only failures get a dialog here.
 */
export async function addModelsFromDialog(dialog: Pick<Dialog, "showOpenDialog" | "showMessageBox">, window: BrowserWindow, engine: Pick<Engine, "dispatch">, kind: AddModelsKind): Promise<void> {
  const picked = await dialog.showOpenDialog(window, {
    title: kind === "file" ? "Add model file" : "Add model folder",
    buttonLabel: "Add",
    properties: kind === "file" ? ["openFile", "multiSelections"] : ["openDirectory", "multiSelections"],
    filters: kind === "file" ? [{ name: "GGUF models", extensions: ["gguf"] }] : [],
  });
  if (picked.canceled) return;
  const problems: string[] = [];
  for (const path of picked.filePaths) {
    const result = await engine.dispatch("models.add", { path }, "ipc");
    if (!result.ok) problems.push(formatErrorLine(result.error));
    else for (const failed of result.value.failed) problems.push(`${failed.path}: ${failed.error ? formatErrorLine(failed.error) : "could not be read"}`);
  }
  if (problems.length > 0) {
    await dialog.showMessageBox(window, { type: "warning", title: "Polytune", message: "Some models could not be added.", detail: problems.join("\n") });
  }
}
