import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../electron/engine/db/openDatabase.js";
import { RunStore } from "../../../electron/engine/runs/RunStore.js";
import { TrainConfigSchema, trainConfigVersion } from "../../../electron/shared/contract.js";
import { makeTempDir } from "../../support/tempDir.js";

let tmp = makeTempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = makeTempDir();
});

function openStore() {
  const db = openDatabase(join(tmp.dir, "p.db"));
  db.prepare("INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES ('m1', '/x.gguf', 'x', 'file', 'ok', 10, 0, 'a', 'b')").run();
  return { db, store: new RunStore(db) };
}

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("nothing was thrown");
};

describe("RunStore's stored settings", () => {
  it("are written with their version and read back as written", () => {
    const { db, store } = openStore();
    const config = TrainConfigSchema.parse({ model: "m1", data: "/d.jsonl", lr: 3e-4, schedule: "linear", beta2: 0.95 });
    const run = store.create(config, "m1", (id) => join(tmp.dir, id), 10);
    const row = db.prepare("SELECT config_json, config_version FROM runs WHERE id = ?").get(run.id) as { config_json: string; config_version: number };
    expect(row.config_version).toBe(trainConfigVersion);
    expect(JSON.parse(row.config_json)).toEqual(config);
    expect(store.get(run.id).config).toEqual(config);
    db.close();
  });

  it("that no longer parse are reported with the run and the field, never passed on as they are", () => {
    const { db, store } = openStore();
    const run = store.create(TrainConfigSchema.parse({ model: "m1", data: "/d.jsonl" }), "m1", (id) => join(tmp.dir, id), 10);
    const setJson = (json: string) => db.prepare("UPDATE runs SET config_json = ? WHERE id = ?").run(json, run.id);

    setJson(JSON.stringify({ ...store.get(run.id).config, rank: "big", schedule: "step" }));
    const invalid = thrown(() => store.get(run.id));
    expect(invalid).toMatchObject({ code: "run-config-invalid", where: `run ${run.id}`, message: expect.stringMatching(new RegExp(`run ${run.id} do not parse: rank: .*; schedule: `)) });
    expect(() => store.list()).toThrow(/do not parse/);

    setJson('{"model": ');
    expect(thrown(() => store.get(run.id))).toMatchObject({ code: "run-config-invalid", message: expect.stringMatching(/are not JSON/) });

    setJson(JSON.stringify(TrainConfigSchema.parse({ model: "m1", data: "/d.jsonl" })));
    db.prepare("UPDATE runs SET config_version = ? WHERE id = ?").run(trainConfigVersion + 1, run.id);
    expect(thrown(() => store.get(run.id))).toMatchObject({ code: "run-config-version", message: expect.stringMatching(/newer Polytune/) });
    db.close();
  });

  it("do not stop a gone run from being marked interrupted when they cannot be read", () => {
    const { db, store } = openStore();
    const run = store.create(TrainConfigSchema.parse({ model: "m1", data: "/d.jsonl" }), "m1", (id) => join(tmp.dir, id), 10);
    db.prepare("UPDATE runs SET status = 'running', pid = NULL, config_json = '{}' WHERE id = ?").run(run.id);
    expect(store.markInterrupted([run.id])).toEqual([{ id: run.id, status: "interrupted" }]);
    expect((db.prepare("SELECT status FROM runs WHERE id = ?").get(run.id) as { status: string }).status).toBe("interrupted");
    db.close();
  });
});
