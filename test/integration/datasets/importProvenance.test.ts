// data.import refuses provenance "machine-translated": such examples must record the model and prompt
// that made them, which only the translation job knows. Nothing is stored; the other provenances import.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { importProvenances } from "../../../electron/shared/datasetContract.js";
import { makeTempDir } from "../../support/tempDir.js";

// Imports run in a worker thread: the compiled worker from `npm run build`.
const workerEntry = join(process.cwd(), "dist", "electron", "engine", "datasets", "importWorker.js");
const tmp = makeTempDir();
let engine: PolytuneEngine;
let file: string;

beforeAll(() => {
  if (!existsSync(workerEntry)) throw new Error("Run `npm run build` before the import tests.");
  engine = new PolytuneEngine({ home: join(tmp.dir, "home"), importWorkerEntry: workerEntry });
  file = join(tmp.dir, "translated.es.jsonl");
  writeFileSync(file, JSON.stringify({ instruction: "Explica en una frase por qué el cielo es azul durante el día.", input: "", output: "El cielo es azul porque el aire dispersa más la luz azul del sol que la roja." }) + "\n");
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe("data.import provenance", () => {
  it("refuses machine-translated with what to do instead, storing nothing", async () => {
    const result = await engine.dispatch("data.import", { importId: "mt", files: [file], provenance: "machine-translated" }, "ipc");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: "data-provenance-machine-translated", where: "provenance" });
    expect(result.error.message).toContain("model and prompt");
    expect(result.error.hint).toContain("polytune data translate");
    expect(result.error.hint).toContain("user-written");
    expect(await engine.call("data.list", {})).toEqual([]);
  });

  it("imports with each provenance an import may claim", async () => {
    expect(importProvenances).not.toContain("machine-translated");
    for (const provenance of importProvenances) {
      const dataset = await engine.call("data.import", { importId: `p-${provenance}`, files: [file], provenance, name: provenance });
      expect(dataset.provenance[provenance]).toBe(1);
      await engine.call("data.remove", { dataset: dataset.id });
    }
  }, 120_000);
});
