// `mixes.build` with an `out` path never destroys data: an existing file is replaced only with
// overwrite: true, and a file a dataset was imported from is refused always (also through a link).
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../../electron/shared/datasetContract.js";
import type { Mix } from "../../../electron/shared/mixContract.js";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { makeTempDir } from "../../support/tempDir.js";
import { recipeOver, writtenExamples } from "./mixDatasets.js";

const tmp = makeTempDir();
let engine: PolytuneEngine;
let source: string;
let dataset: Dataset;
let mix: Mix;

beforeAll(async () => {
  engine = new PolytuneEngine({ home: join(tmp.dir, "home") });
  // The file the dataset was imported from, as the import records it: a path with its bytes.
  source = join(tmp.dir, "questions.en.jsonl");
  const rows = writtenExamples("en", 12);
  writeFileSync(source, rows.map((r) => JSON.stringify({ instruction: r.turns[0]!.content, output: r.turns[1]!.content })).join("\n") + "\n");
  const id = engine.datasets.beginDataset({ name: "questions", kind: "instructions", format: "alpaca", files: [{ path: source, bytes: readFileSync(source).length, sha256: "" }], encoding: "utf-8", notes: [] });
  engine.datasets.insertExamples(id, rows.map((r) => ({ ...r, file: source })));
  dataset = engine.datasets.finishDataset(id, { skipped: 0, errors: [], errorCount: 0 });
  mix = await engine.call("mixes.save", { recipe: recipeOver([dataset], { kind: "mono", total: 10 }, { name: "out test" }) });
}, 120_000);
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

async function refusal(input: { mix: string; out: string; overwrite?: boolean }) {
  const result = await engine.dispatch("mixes.build", input, "ipc");
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error("built");
  return result.error;
}

describe("mixes.build --out", () => {
  it("writes a new file, refuses it the second time, and replaces it with overwrite", async () => {
    const out = join(tmp.dir, "mono.jsonl");
    const first = await engine.call("mixes.build", { mix: mix.id, out });
    expect(first.examples).toBe(10);
    writeFileSync(out, "the user's own notes\n");
    const error = await refusal({ mix: mix.id, out });
    expect(error).toMatchObject({ code: "mix-out-exists", where: out });
    expect(error.hint).toContain("--force");
    expect(readFileSync(out, "utf8")).toBe("the user's own notes\n");
    const again = await engine.call("mixes.build", { mix: mix.id, out, overwrite: true });
    expect(again.path).toBe(out);
    const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { lang: string });
    expect(lines).toHaveLength(10);
    expect(lines.every((l) => l.lang === "en")).toBe(true);
  });

  it("never writes over a file a dataset was imported from, even with overwrite, naming it and the dataset", async () => {
    const before = readFileSync(source, "utf8");
    const error = await refusal({ mix: mix.id, out: source, overwrite: true });
    expect(error).toMatchObject({ code: "mix-out-is-dataset-file", where: source });
    expect(error.message).toContain(source);
    expect(error.message).toContain(dataset.id);
    expect(readFileSync(source, "utf8")).toBe(before);
  });

  it("sees through a link to a dataset's file", async () => {
    const link = join(tmp.dir, "link.jsonl");
    symlinkSync(source, link);
    const error = await refusal({ mix: mix.id, out: link, overwrite: true });
    expect(error.code).toBe("mix-out-is-dataset-file");
    expect(existsSync(`${source}.partial-${process.pid}`)).toBe(false);
  });

  it("rebuilds into its own default file without asking", async () => {
    const a = await engine.call("mixes.build", { mix: mix.id });
    const b = await engine.call("mixes.build", { mix: mix.id });
    expect(b.path).toBe(a.path);
    expect(readFileSync(b.path, "utf8").trim().split("\n")).toHaveLength(10);
  });
});
