import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layer rules are what keep engine code runnable without Electron and the UI free of Node.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").length;
}

describe("layer lint rules", () => {
  it("refuses electron in the engine", async () => {
    expect(await restrictedImports("electron/engine/x.ts", 'import { app } from "electron";\nexport const a = app;\n')).toBeGreaterThan(0);
  });
  it("refuses Node and electron in the contract", async () => {
    expect(await restrictedImports("electron/shared/x.ts", 'import { readFileSync } from "node:fs";\nexport const a = readFileSync;\n')).toBeGreaterThan(0);
    expect(await restrictedImports("electron/shared/x.ts", 'import { app } from "electron";\nexport const a = app;\n')).toBeGreaterThan(0);
  });
  it("refuses Node and engine imports in the renderer", async () => {
    expect(await restrictedImports("renderer/src/x.ts", 'import { join } from "path";\nexport const a = join;\n')).toBeGreaterThan(0);
    expect(await restrictedImports("renderer/src/x.ts", 'import { createEngine } from "../../electron/engine/createEngine.js";\nexport const a = createEngine;\n')).toBeGreaterThan(0);
  });
  it("allows the contract everywhere and electron in the shell", async () => {
    expect(await restrictedImports("renderer/src/x.ts", 'import { calls } from "../../electron/shared/contract.js";\nexport const a = calls;\n')).toBe(0);
    expect(await restrictedImports("electron/main/x.ts", 'import { app } from "electron";\nexport const a = app;\n')).toBe(0);
  });
});
