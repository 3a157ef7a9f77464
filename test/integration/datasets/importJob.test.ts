import Database from "better-sqlite3";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import type { EventPayload } from "../../../electron/shared/contract.js";
import type { Dataset, ExampleRow } from "../../../electron/shared/datasetContract.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

// Imports run in a worker thread: the compiled worker from `npm run build`.
const workerEntry = join(process.cwd(), "dist", "electron", "engine", "datasets", "importWorker.js");
const lima = join(sharedDataDir, "lima", "lima.en.jsonl");
const seedTasks = (lang: string): string => join(sharedDataDir, "alpaca_seed_tasks_multilingual", `seed_tasks.${lang}.jsonl`);
const hasData = prerequisite(existsSync(lima) && existsSync(seedTasks("fi")), `LIMA and the seed tasks in ${sharedDataDir}`);

const tmp = makeTempDir();
const home = join(tmp.dir, "home");
let engine: PolytuneEngine;
let seq = 0;

beforeAll(() => {
  if (!existsSync(workerEntry)) throw new Error("Run `npm run build` before the import tests.");
  engine = new PolytuneEngine({ home, importWorkerEntry: workerEntry });
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

const importFiles = (files: string[], extra: Record<string, unknown> = {}): Promise<Dataset> => engine.call("data.import", { importId: `t${++seq}`, files, ...extra });

/** All rows of a dataset, through data.show's pages. */
async function allRows(dataset: string): Promise<ExampleRow[]> {
  const rows: ExampleRow[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await engine.call("data.show", { dataset, offset, limit: 500 });
    rows.push(...(page.rows as ExampleRow[]));
    if (rows.length >= page.total) return rows;
  }
}

/** Alpaca JSONL of `n` distinct, plainly English examples. */
function writeAlpaca(path: string, n: number): void {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ instruction: `Explain in one sentence why the number ${i} is interesting to a curious student.`, input: "", output: `The number ${i} is interesting because every number has a story that a curious student can discover.` }));
  writeFileSync(path, `${lines.join("\n")}\n`);
}

function countRows(sql: string): number {
  const db = new Database(join(home, "polytune.db"), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe.skipIf(!hasData)("importing the shared data", () => {
  it("imports LIMA: every conversation but the unanswered one, labelled English", { timeout: 300_000 }, async () => {
    const progress: Array<EventPayload<"data.importProgress">> = [];
    const off = engine.onEvent((name, payload) => {
      if (name === "data.importProgress") progress.push(payload as EventPayload<"data.importProgress">);
    });
    const d = await importFiles([lima]).finally(off);
    expect(d).toMatchObject({ kind: "instructions", format: "lima", examples: 1029, skipped: 1, errorCount: 1 });
    expect(d.errors).toEqual([{ file: lima, line: 1022, reason: expect.stringMatching(/user turn/) }]);
    expect(d.files).toEqual([{ path: lima, bytes: 2972419, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    const english = d.languages.find((l) => l.language === "en")!;
    expect(english.examples / d.examples).toBeGreaterThan(0.95);
    // The file name claims English: the handful of non-English conversations are shown as mismatched.
    expect(d.languages.filter((l) => l.language !== "en").every((l) => l.mismatched === l.examples)).toBe(true);
    const rows = await allRows(d.id);
    expect(rows[0]).toMatchObject({ ordinal: 0, line: 1, file: lima, language: "en", claimedLanguage: "en", provenance: "native" });
    expect(rows[0]!.turns.map((t) => t.role)).toEqual(["user", "assistant"]);
    // A multi-turn conversation stays one example with all its turns.
    expect(rows.some((r) => r.turns.length > 2)).toBe(true);
    // Progress: this import's id, bytes never going back, ending at the whole file.
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.importId === `t${seq}`)).toBe(true);
    expect(progress.map((p) => p.bytesDone)).toEqual([...progress.map((p) => p.bytesDone)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ bytesDone: 2972419, bytesTotal: 2972419, records: 1030, kept: 1029, skipped: 1 });
  });

  it("inspects before importing: format, fields, the suggested mapping and the first records", { timeout: 120_000 }, async () => {
    const inspection = await engine.call("data.inspect", { files: [lima] });
    expect(inspection).toMatchObject({ format: "lima", kind: "instructions", encoding: "utf-8", mappingRequired: false, files: [{ path: lima, bytes: 2972419 }] });
    expect(inspection.fields).toContain("conversations");
    expect(inspection.sample).toHaveLength(5);
    expect(inspection.sample[0]!.conversations).toContain("Can brain cells move?");
  });

  it("labels the four-language seed tasks, and shows where the Finnish file is really English", { timeout: 300_000 }, async () => {
    for (const lang of ["da", "en", "hu"]) {
      const d = await importFiles([seedTasks(lang)]);
      const own = d.languages.find((l) => l.language === lang)!;
      expect(own.examples / d.examples, lang).toBeGreaterThan(0.9);
    }
    const fi = await importFiles([seedTasks("fi")]);
    expect(fi.examples).toBe(175);
    const rows = await allRows(fi.id);
    // The Finnish translation stops after its first tasks; the rest of the file is the English original.
    const finnish = rows.filter((r) => r.language === "fi");
    const english = rows.filter((r) => r.language === "en");
    expect(finnish.length).toBeGreaterThan(50);
    expect(english.length).toBeGreaterThan(100);
    expect(finnish.every((r) => r.line <= 60)).toBe(true);
    expect(english.every((r) => r.claimedLanguage === "fi")).toBe(true);
    expect(fi.languages.find((l) => l.language === "en")!.mismatched).toBe(english.length);
    const mismatched = await engine.call("data.show", { dataset: fi.id, mismatched: true, limit: 1 });
    expect(mismatched.total).toBe(rows.filter((r) => r.language !== "fi").length);
  });
});

describe.skipIf(!hasData)("importing parallel text", () => {
  it("imports Tatoeba deu-eng as pairs, each side labelled, with the file names' languages as claims", { timeout: 300_000 }, async () => {
    const base = join(sharedDataDir, "tatoeba_laser", "tatoeba.deu-eng");
    const d = await importFiles([`${base}.deu`, `${base}.eng`]);
    expect(d).toMatchObject({ kind: "parallel", format: "moses", examples: 1000, skipped: 0 });
    expect(d.languages.find((l) => l.language === "de")!.examples).toBeGreaterThan(950);
    expect(d.languages.find((l) => l.language === "en")!.examples).toBeGreaterThan(950);
    const page = await engine.call("data.show", { dataset: d.id, limit: 3 });
    expect(page.total).toBe(1000);
    expect(page.rows[0]).toMatchObject({ kind: "pair", ordinal: 0, line: 1, claimedSourceLanguage: "de", claimedTargetLanguage: "en" });
    // A side identified as another language than its file claims is shown as mismatched.
    const mismatched = await engine.call("data.show", { dataset: d.id, mismatched: true, limit: 500 });
    expect(mismatched.rows.every((r) => r.kind === "pair" && (r.sourceLanguage !== "de" || r.targetLanguage !== "en"))).toBe(true);
    expect(mismatched.total).toBeLessThan(50);
  });
});

describe("the import job", () => {
  it("counts duplicates, reports a malformed line with file and line, and keeps the others on their own lines", { timeout: 120_000 }, async () => {
    const file = join(tmp.dir, "small_de.jsonl");
    const good = (i: number, text: string): string => JSON.stringify({ instruction: text, input: "", output: `Antwort ${i}: ${text}` });
    writeFileSync(
      file,
      [
        good(1, "Erkläre, warum der Himmel am Tag blau erscheint."),
        good(2, "Nenne drei Gründe, warum Bäume für die Umwelt wichtig sind."),
        '{"instruction": "kaputt", "output": ',
        good(1, "Erkläre, warum der Himmel am Tag blau erscheint."),
        good(5, "Beschreibe den Unterschied zwischen Wetter und Klima."),
      ].join("\n") + "\n",
    );
    const d = await importFiles([file]);
    expect(d).toMatchObject({ examples: 3, duplicates: 1, skipped: 1, errorCount: 1 });
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]).toMatchObject({ file, line: 3 });
    const rows = await allRows(d.id);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 5]);
    expect(rows.every((r) => r.language === "de" && r.claimedLanguage === "de")).toBe(true);
  });

  it("refuses a file it cannot read, naming it, and stores nothing", { timeout: 60_000 }, async () => {
    const empty = join(tmp.dir, "empty.jsonl");
    writeFileSync(empty, "  \n\n");
    const before = (await engine.call("data.list", {})).length;
    await expect(importFiles([empty])).rejects.toMatchObject({ where: expect.stringContaining("empty.jsonl") });
    await expect(importFiles([join(tmp.dir, "missing.jsonl")])).rejects.toMatchObject({ where: expect.stringContaining("missing.jsonl") });
    expect(await engine.call("data.list", {})).toHaveLength(before);
    expect(countRows("SELECT COUNT(*) AS n FROM datasets WHERE status != 'ready'")).toBe(0);
  });

  it("cancelled mid-way, leaves no rows and keeps earlier datasets", { timeout: 300_000 }, async () => {
    const small = join(tmp.dir, "earlier.jsonl");
    writeAlpaca(small, 50);
    const earlier = await importFiles([small]);
    const big = join(tmp.dir, "big.jsonl");
    writeAlpaca(big, 200_000);
    const importId = "cancel-me";
    let cancelled: boolean | null = null;
    const off = engine.onEvent((name, payload) => {
      const p = payload as EventPayload<"data.importProgress">;
      // Once rows are stored, so the cancel has something to clean up.
      if (name === "data.importProgress" && p.importId === importId && p.kept > 0 && cancelled === null) {
        cancelled = false;
        void engine.call("data.cancelImport", { importId }).then((r) => (cancelled = r.cancelled));
      }
    });
    await expect(engine.call("data.import", { importId, files: [big] }).finally(off)).rejects.toMatchObject({ code: "data-import-cancelled" });
    expect(cancelled).toBe(true);
    expect(await engine.call("data.cancelImport", { importId })).toEqual({ cancelled: false });
    expect((await engine.call("data.list", {})).map((d) => d.id)).toContain(earlier.id);
    expect(await engine.call("data.show", { dataset: earlier.id })).toMatchObject({ total: 50 });
    expect(countRows("SELECT COUNT(*) AS n FROM datasets WHERE status != 'ready'")).toBe(0);
    expect(countRows(`SELECT COUNT(*) AS n FROM examples WHERE dataset_id NOT IN (SELECT id FROM datasets)`)).toBe(0);
    expect(countRows(`SELECT COUNT(*) AS n FROM examples WHERE source_file = '${big}'`)).toBe(0);
  });

  it("failing after rows were stored, removes them and keeps earlier datasets", { timeout: 300_000 }, async () => {
    const earlierFile = join(tmp.dir, "earlier2.jsonl");
    writeAlpaca(earlierFile, 30);
    const earlier = await importFiles([earlierFile]);
    const file = join(tmp.dir, "fails.jsonl");
    writeAlpaca(file, 25_000);
    // The database itself refuses the 12,501st example: the first transaction of 10,000 is committed by then.
    const db = new Database(join(home, "polytune.db"));
    db.exec(`CREATE TRIGGER fail_import AFTER INSERT ON examples WHEN NEW.source_file = '${file}' AND NEW.ordinal = 12500 BEGIN SELECT RAISE(ABORT, 'the disk is full (test)'); END;`);
    db.close();
    try {
      await expect(importFiles([file])).rejects.toThrow(/disk is full/);
    } finally {
      const fix = new Database(join(home, "polytune.db"));
      fix.exec("DROP TRIGGER fail_import");
      fix.close();
    }
    expect(countRows(`SELECT COUNT(*) AS n FROM examples WHERE source_file = '${file}'`)).toBe(0);
    expect(countRows("SELECT COUNT(*) AS n FROM datasets WHERE status != 'ready'")).toBe(0);
    expect(await engine.call("data.show", { dataset: earlier.id })).toMatchObject({ total: 30 });
  });

  it("keeps the engine's thread free while importing", { timeout: 300_000 }, async () => {
    const file = join(tmp.dir, "lag.jsonl");
    writeAlpaca(file, 40_000);
    let last = Date.now();
    let worst = 0;
    const timer = setInterval(() => {
      const t = Date.now();
      worst = Math.max(worst, t - last);
      last = t;
    }, 10);
    try {
      const d = await importFiles([file]);
      expect(d.examples).toBe(40_000);
    } finally {
      clearInterval(timer);
    }
    // Parsing, identification and SQLite all happen in the worker; a loaded test machine still jitters.
    expect(worst).toBeLessThan(750);
  });

  it("removes a dataset with its examples", { timeout: 60_000 }, async () => {
    const file = join(tmp.dir, "remove_me.jsonl");
    writeAlpaca(file, 20);
    const d = await importFiles([file], { name: "to remove", provenance: "user-written" });
    expect(d).toMatchObject({ name: "to remove", provenance: { "user-written": 20, native: 0 } });
    expect(await engine.call("data.remove", { dataset: d.id })).toEqual({ removed: true });
    expect(await engine.call("data.remove", { dataset: d.id })).toEqual({ removed: false });
    await expect(engine.call("data.show", { dataset: d.id })).rejects.toMatchObject({ code: "dataset-not-found" });
    expect(countRows(`SELECT COUNT(*) AS n FROM examples WHERE dataset_id = '${d.id}'`)).toBe(0);
  });
});
