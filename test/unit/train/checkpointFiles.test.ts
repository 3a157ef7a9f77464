import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkpointSteps, pruneCheckpoints } from "../../../electron/engine/train/checkpointFiles.js";
import { makeTempDir } from "../../support/tempDir.js";

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => (tmp = makeTempDir()));
afterEach(() => tmp.cleanup());

const write = (...names: string[]): void => names.forEach((n) => writeFileSync(join(tmp.dir, n), n));

describe("a run's checkpoints folder", () => {
  it("orders checkpoints by step as a number, ignoring other files", () => {
    write("step-10.gguf", "step-9.gguf", "step-100.gguf", "step-11.gguf.tmp", "notes.txt");
    expect(checkpointSteps(tmp.dir)).toEqual([9, 10, 100]);
    expect(checkpointSteps(join(tmp.dir, "absent"))).toEqual([]);
  });

  it("keeps the two newest checkpoints and removes older ones and any .tmp a kill left", () => {
    write("step-2.gguf", "step-4.gguf", "step-10.gguf", "step-8.gguf", "step-12.gguf.tmp", "step-6.gguf");
    pruneCheckpoints(tmp.dir);
    expect(readdirSync(tmp.dir).sort()).toEqual(["step-10.gguf", "step-8.gguf"]);
    pruneCheckpoints(tmp.dir);
    expect(readdirSync(tmp.dir).sort()).toEqual(["step-10.gguf", "step-8.gguf"]);
  });

  it("keeps what it has when there are no more than asked, and removes all when asked to keep none", () => {
    write("step-3.gguf");
    pruneCheckpoints(tmp.dir);
    expect(readdirSync(tmp.dir)).toEqual(["step-3.gguf"]);
    pruneCheckpoints(tmp.dir, 0);
    expect(readdirSync(tmp.dir)).toEqual([]);
    expect(() => pruneCheckpoints(join(tmp.dir, "absent"))).not.toThrow();
  });
});
