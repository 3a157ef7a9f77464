import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openReader } from "../../../electron/engine/data/openReader.js";
import { openLanguageLabeller } from "../../../electron/engine/datasets/LanguagePool.js";
import { identificationText } from "../../../electron/engine/datasets/runImport.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";

// The identification threads run the compiled worker from `npm run build`, as the import worker does.
const identifyEntry = join(process.cwd(), "dist", "electron", "engine", "datasets", "identifyWorker.js");
const files = [join(sharedDataDir, "lima", "lima.en.jsonl"), ...["da", "en", "fi", "hu"].map((l) => join(sharedDataDir, "alpaca_seed_tasks_multilingual", `seed_tasks.${l}.jsonl`))];
const hasData = prerequisite(files.every((f) => existsSync(f)), `LIMA and the seed tasks in ${sharedDataDir}`);

/** The texts an import identifies, from LIMA and the four seed-task files. */
async function importTexts(): Promise<string[]> {
  const texts: string[] = [];
  for (const file of files) {
    for await (const r of (await openReader([file], {})).records()) if (r.kind === "conversation") texts.push(identificationText(r.turns));
  }
  return texts;
}

describe.skipIf(!hasData)("language identification in threads", () => {
  it("gives every text the same label and confidence as identification in this thread, in order", { timeout: 300_000 }, async () => {
    if (!existsSync(identifyEntry)) throw new Error("Run `npm run build` before the import tests.");
    const texts = await importTexts();
    expect(texts.length).toBeGreaterThan(1500);
    const inline = await openLanguageLabeller(0);
    const pool = await openLanguageLabeller(2, identifyEntry);
    try {
      const expected = await inline.identify(texts);
      // Uneven chunks, all out at once over two threads: answers must come back to their own texts.
      const chunks: string[][] = [];
      for (let i = 0, size = 1; i < texts.length; i += size, size = (size * 7) % 331 + 1) chunks.push(texts.slice(i, i + size));
      const threaded = (await Promise.all(chunks.map((c) => pool.identify(c)))).flat();
      expect(threaded).toEqual(expected);
      const languages = new Set(expected.map((g) => g.language));
      for (const l of ["en", "da", "fi", "hu"]) expect(languages).toContain(l);
    } finally {
      await pool.close();
      await inline.close();
    }
  });

  it("rejects what is still pending when closed, and refuses new work", { timeout: 120_000 }, async () => {
    const pool = await openLanguageLabeller(1, identifyEntry);
    const pending = pool.identify(Array.from({ length: 20_000 }, (_, i) => `This is English sentence number ${i}, long enough to identify.`));
    const stopped = expect(pending).rejects.toThrow(/stopped/);
    await pool.close();
    await stopped;
    await expect(pool.identify(["Hallo Welt, wie geht es dir heute?"])).rejects.toThrow(/closed/);
  });
});
