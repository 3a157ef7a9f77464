// A run's record of its mix (m0006's runs.mix_json): stored, read back, absent for older runs, and a
// damaged row reported with its run rather than guessed.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../electron/engine/db/openDatabase.js";
import { RunStore } from "../../../electron/engine/runs/RunStore.js";
import { TrainConfigSchema } from "../../../electron/shared/contract.js";
import { MixRecipeSchema, type RunMix } from "../../../electron/shared/mixContract.js";
import { makeTempDir } from "../../support/tempDir.js";

let tmp = makeTempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = makeTempDir();
});

const recipe = MixRecipeSchema.parse({ version: 1, sources: [{ dataset: "d1", fingerprint: "f1" }], strategy: { kind: "multi", total: 3200, perLanguage: 200, languages: ["es", "ru"] } });
const mix: RunMix = {
  id: "m1x",
  name: "Multi-3",
  fingerprint: "abc",
  recipe,
  counts: { total: 3200, languages: [{ language: "en", examples: 2800 }, { language: "es", examples: 200 }, { language: "ru", examples: 200 }], provenance: [{ provenance: "native", examples: 3200 }], sources: [{ dataset: "d1", examples: 3200 }], directions: [] },
};

function openStore() {
  const db = openDatabase(join(tmp.dir, "p.db"));
  db.prepare("INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES ('m1', '/x.gguf', 'x', 'file', 'ok', 10, 0, 'a', 'b')").run();
  return { db, store: new RunStore(db) };
}

describe("a run's mix", () => {
  it("is null for a run trained on a data file, and kept with recipe and counts when set", () => {
    const { db, store } = openStore();
    const plain = store.create(TrainConfigSchema.parse({ model: "m1", data: "/d.jsonl" }), "m1", (id) => join(tmp.dir, id), 10);
    expect(plain.mix).toBeNull();
    const run = store.create(TrainConfigSchema.parse({ model: "m1", mix: "m1x", data: "/mixes/m1x.jsonl" }), "m1", (id) => join(tmp.dir, id), 10);
    expect(store.setMix(run.id, mix).mix).toEqual(mix);
    expect(store.list().find((r) => r.id === run.id)?.mix?.counts.languages).toEqual(mix.counts.languages);
    db.close();
  });

  it("reports a damaged stored mix with its run", () => {
    const { db, store } = openStore();
    const run = store.create(TrainConfigSchema.parse({ model: "m1", data: "/d.jsonl" }), "m1", (id) => join(tmp.dir, id), 10);
    db.prepare("UPDATE runs SET mix_json = ? WHERE id = ?").run('{"id": "x"', run.id);
    expect(() => store.get(run.id)).toThrow(expect.objectContaining({ code: "run-mix-invalid", where: `run ${run.id}` }));
    db.prepare("UPDATE runs SET mix_json = ? WHERE id = ?").run('{"id": "x"}', run.id);
    expect(() => store.get(run.id)).toThrow(/stored mix of run .* does not parse: name/);
    db.close();
  });
});
