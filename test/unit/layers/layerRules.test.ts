import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layer rules keep engine code runnable without Electron, the UI free of Node, and the engine's
// folders in one direction (docs/ARCHITECTURE.md, "Layers"). Each case lints a one-line snippet as if
// it were a file at that path, so a rule that stops matching fails here.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, from: string): Promise<number> {
  const code = `import * as m from "${from}";\nexport const a = m;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").length;
}

const refused = async (filePath: string, from: string): Promise<void> => {
  expect(await restrictedImports(filePath, from), `${filePath} importing ${from}`).toBeGreaterThan(0);
};
const allowed = async (filePath: string, from: string): Promise<void> => {
  expect(await restrictedImports(filePath, from), `${filePath} importing ${from}`).toBe(0);
};

describe("process rules", () => {
  it("refuses electron in the engine, the CLI and the server", async () => {
    for (const file of ["electron/engine/x.ts", "electron/engine/train/x.ts", "electron/cli/x.ts", "electron/server/x.ts"]) await refused(file, "electron");
  });
  it("refuses Node and electron in the contract", async () => {
    await refused("electron/shared/x.ts", "node:fs");
    await refused("electron/shared/x.ts", "electron");
    await refused("electron/shared/x.ts", "../engine/createEngine.js");
  });
  it("refuses Node and engine imports in the renderer", async () => {
    await refused("renderer/src/x.ts", "path");
    await refused("renderer/src/x.ts", "../../electron/engine/createEngine.js");
  });
  it("allows the contract everywhere and electron in the shell", async () => {
    await allowed("renderer/src/x.ts", "../../electron/shared/contract.js");
    await allowed("electron/engine/infer/x.ts", "../../shared/contract.js");
    await allowed("electron/main/x.ts", "electron");
    await allowed("electron/preload/x.ts", "electron");
  });
});

describe("the engine never imports its carriers", () => {
  it("refuses the CLI, the server, the shell and the renderer from the engine's root and from every depth", async () => {
    for (const [file, up] of [["electron/engine/x.ts", "../"], ["electron/engine/models/x.ts", "../../"], ["electron/engine/db/migrations/x.ts", "../../../"]] as const) {
      for (const carrier of ["cli/main.js", "server/startServer.js", "main/main.js", "preload/preload.js"]) await refused(file, `${up}${carrier}`);
      await refused(file, `${up}../renderer/src/api.js`);
    }
  });
  it("refuses the engine's root from its folders", async () => {
    await refused("electron/engine/train/x.ts", "../createEngine.js");
    await refused("electron/engine/db/migrations/x.ts", "../../Engine.js");
  });
});

// Each forbidden direction between the engine's folders: upwards, and sideways within a layer.
const engineLayers = [
  ["db", "gguf", "home", "files", "random", "data", "runs", "install", "langid"],
  ["llamacpp", "datasets"],
  ["infer", "models", "mixes"],
  ["train", "translate"],
  ["eval", "system"],
  ["compare"],
  ["experiments"],
];

describe("engine layers", () => {
  it.each(engineLayers.flatMap((layer, level) => layer.flatMap((folder) => engineLayers.slice(level + 1).flat().map((above) => [folder, above]))))("refuses %s → %s (upwards)", async (folder, above) => {
    await refused(`electron/engine/${folder}/x.ts`, `../${above}/x.js`);
  });
  it.each(engineLayers.flatMap((layer) => layer.flatMap((folder) => layer.filter((f) => f !== folder).map((sibling) => [folder, sibling]))))("refuses %s → %s (same layer)", async (folder, sibling) => {
    await refused(`electron/engine/${folder}/x.ts`, `../${sibling}/x.js`);
  });
  it("allows every downward import, and imports inside a folder", async () => {
    for (const [level, layer] of engineLayers.entries()) {
      for (const folder of layer) for (const below of engineLayers.slice(0, level).flat()) await allowed(`electron/engine/${folder}/x.ts`, `../${below}/x.js`);
    }
    await allowed("electron/engine/db/migrations/x.ts", "../Migration.js");
    await allowed("electron/engine/train/x.ts", "./TrainerAddon.js");
  });
  it("lets the engine's root compose every folder", async () => {
    for (const folder of engineLayers.flat()) await allowed("electron/engine/createEngine.ts", `./${folder}/x.js`);
  });
});

describe("shell rules", () => {
  it("keeps the CLI, the server and the main process on the engine's root", async () => {
    for (const shell of ["cli", "server", "main"]) {
      await refused(`electron/${shell}/x.ts`, "../engine/models/writeTinyModel.js");
      await refused(`electron/${shell}/x.ts`, "../engine/train/TrainingJobs.js");
      await allowed(`electron/${shell}/x.ts`, "../engine/createEngine.js");
      await allowed(`electron/${shell}/x.ts`, "../engine/Engine.js");
    }
  });
  it("refuses the other processes' code from the main process", async () => {
    await refused("electron/main/x.ts", "../cli/main.js");
    await refused("electron/main/x.ts", "../preload/createPreloadBridge.js");
    await refused("electron/main/x.ts", "../../renderer/src/api.js");
    await allowed("electron/main/x.ts", "../server/serveStaticFile.js");
  });
  it("refuses the shell from the CLI and the CLI from the server", async () => {
    await refused("electron/cli/x.ts", "../main/main.js");
    await refused("electron/cli/x.ts", "../preload/preload.js");
    await refused("electron/server/x.ts", "../cli/main.js");
    await refused("electron/server/x.ts", "../main/main.js");
  });
  it("keeps the CLI to contract calls", async () => {
    const lint = async (code: string): Promise<number> => {
      const [result] = await eslint.lintText(code, { filePath: "electron/cli/x.ts" });
      return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-syntax").length;
    };
    for (const part of ["jobs", "models", "runs", "runner", "layout", "db"]) {
      expect(await lint(`declare const engine: Record<string, unknown>;\nexport const a = engine.${part};\n`), part).toBe(1);
    }
    expect(await lint('declare const engine: { call(n: string, i: unknown): unknown };\nexport const a = engine.call("runs.wait", { run: "r" });\n')).toBe(0);
  });
  it("keeps the sandboxed preload to Electron and the contract", async () => {
    await refused("electron/preload/x.ts", "node:fs");
    await refused("electron/preload/x.ts", "path");
    await refused("electron/preload/x.ts", "../engine/createEngine.js");
    await refused("electron/preload/x.ts", "../main/appUrl.js");
    await refused("electron/preload/x.ts", "../server/startServer.js");
    await allowed("electron/preload/x.ts", "../shared/contract.js");
  });
});
