// A GGUF cut off inside its header (an interrupted download) is reported as incomplete, with where it
// ends, never as a damaged value: 32,000 tokens is a normal vocabulary, the file is just too short.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGgufHeader } from "../../../electron/engine/gguf/readGgufHeader.js";
import { inspectModelFile } from "../../../electron/engine/models/inspectModelFile.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe("a model file cut off inside its header", () => {
  it("is incomplete at the byte it ends, inside the vocabulary array, for every cut in the header", async () => {
    const full = join(tmp.dir, "full.gguf");
    await writeTinyModel({ out: full, layers: 1, embd: 16, heads: 2, headsKv: 1, seed: 1 });
    const bytes = readFileSync(full);
    const header = readGgufHeader(full);
    expect(header.kv.get("tokenizer.ggml.tokens")).toMatchObject({ items: { length: 32000 } });

    const cut = join(tmp.dir, "cut.gguf");
    writeFileSync(cut, bytes.subarray(0, 5000));
    const inspection = await inspectModelFile(cut);
    expect(inspection.error?.code).toBe("truncated");
    expect(inspection.error?.message).toMatch(/^The file is incomplete: the file ends at byte 5000, inside the array tokenizer\.ggml\.tokens \(32000 entries from byte \d+\)\.$/);
    expect(inspection.error?.message).not.toContain("implausibly");
    expect(inspection.error?.hint).toContain("get the file again");

    // Wherever the header is cut, the answer is "incomplete", never "damaged".
    for (const length of [30, 200, 1000, 5000, 20_000, 100_000, header.dataOffset - 1]) {
      writeFileSync(cut, bytes.subarray(0, length));
      const r = await inspectModelFile(cut);
      expect(r.error?.code, `cut at ${length}`).toBe("truncated");
    }
  });
});
