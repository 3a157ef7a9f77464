import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../../electron/engine/createEngine.js";
import { TrainConfigSchema } from "../../../electron/shared/contract.js";
import { makeTempDir } from "../../support/tempDir.js";

let tmp = makeTempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = makeTempDir();
});

describe("runs.delete", () => {
  it("removes the run's row, its checkpoints and the adapter Polytune named, never a file the user named", async () => {
    const engine = await createEngine({ home: join(tmp.dir, "home") });
    try {
      engine.db.prepare("INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES ('m1', '/x.gguf', 'x', 'file', 'ok', 10, 0, 'a', 'b')").run();
      const finished = (out?: string) => {
        const run = engine.runs.create(TrainConfigSchema.parse({ model: "m1", data: "/d.jsonl", ...(out ? { out } : {}) }), "m1", (id) => join(engine.layout.checkpoints, id), 10);
        const adapterPath = out ?? join(engine.layout.adapters, `${run.id}.gguf`);
        mkdirSync(engine.runs.runDir(run.id), { recursive: true });
        writeFileSync(join(engine.runs.runDir(run.id), "step-10.gguf"), "checkpoint");
        writeFileSync(adapterPath, "adapter");
        engine.runs.setStatus(run.id, "completed", { adapterPath });
        return { id: run.id, adapterPath, dir: engine.runs.runDir(run.id) };
      };
      const own = finished();
      const userFile = join(tmp.dir, "shared-adapter.gguf");
      const named = finished(userFile);

      const deletedOwn = await engine.call("runs.delete", { run: own.id });
      expect(deletedOwn.removedFiles).toEqual([own.dir, own.adapterPath]);
      expect(existsSync(own.adapterPath)).toBe(false);
      expect(existsSync(own.dir)).toBe(false);

      const deletedNamed = await engine.call("runs.delete", { run: named.id });
      expect(deletedNamed.removedFiles).toEqual([named.dir]);
      expect(existsSync(userFile)).toBe(true);
      expect((await engine.call("runs.list", {})).map((r) => r.id)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
