import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { tensorBytes } from "../../../electron/engine/gguf/ggmlTypes.js";
import { GgufType, type GgufValue } from "../../../electron/engine/gguf/GgufValue.js";
import { GgufFormatError, readGgufHeader } from "../../../electron/engine/gguf/readGgufHeader.js";
import { writeGguf, type GgufTensorToWrite } from "../../../electron/engine/gguf/writeGguf.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

// Damaged files made the way a user meets them: a sound tiny model, rewritten with one thing wrong.
const tmp = makeTempDir();
const good = join(tmp.dir, "good.gguf");
let engine: PolytuneEngine;

function rewrite(out: string, edit: (kv: Map<string, GgufValue>) => void, withTensors = true): void {
  const header = readGgufHeader(good);
  const bytes = readFileSync(good);
  const kv = new Map(header.kv);
  edit(kv);
  const tensors: GgufTensorToWrite[] = withTensors
    ? header.tensors.map((t) => {
        const start = header.dataOffset + Number(t.offset);
        return { name: t.name, dims: t.dims, type: t.type, data: bytes.subarray(start, start + tensorBytes(t.type, t.dims)!) };
      })
    : [];
  writeGguf(out, kv, tensors);
}

function headerError(path: string): GgufFormatError {
  try {
    readGgufHeader(path);
  } catch (error) {
    if (error instanceof GgufFormatError) return error;
    throw error;
  }
  throw new Error(`${path} was read without complaint`);
}

async function addFailed(path: string) {
  const result = await engine.call("models.add", { path });
  expect(result.added).toHaveLength(0);
  expect(result.failed).toHaveLength(1);
  return result.failed[0]!;
}

beforeAll(async () => {
  await writeTinyModel({ out: good, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 3 });
  engine = new PolytuneEngine({ home: join(tmp.dir, "home"), discoveryEnv: { home: join(tmp.dir, "user"), env: {}, platform: "linux" } });
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe("damaged model files", () => {
  it("refuses a metadata key written twice, naming it, and no run can start on that model", async () => {
    const path = join(tmp.dir, "twice.gguf");
    // A stand-in key of the same length, renamed in place: the file then holds llama.context_length twice.
    rewrite(path, (kv) => {
      kv.set("llama.context_length", { type: GgufType.U32, value: 64 });
      kv.set("llama.context_lengtX", { type: GgufType.U32, value: 4096 });
    });
    const bytes = readFileSync(path);
    const at = bytes.indexOf("llama.context_lengtX");
    expect(at).toBeGreaterThan(0);
    bytes.write("llama.context_length", at, "latin1");
    writeFileSync(path, bytes);

    const error = headerError(path);
    expect(error.reason).toBe("duplicate-key");
    expect(error.message).toBe('the metadata key "llama.context_length" is written twice');

    const failed = await addFailed(path);
    expect(failed.status).toBe("error");
    expect(failed.error).toMatchObject({ code: "duplicate-key", where: path });
    expect(failed.error!.message).toContain('"llama.context_length" is written twice');
    const listed = (await engine.call("models.list", {})).find((m) => m.path === path);
    expect(listed?.status).toBe("error");

    const refused = await engine.dispatch("runs.start", { model: failed.id, data: join(process.cwd(), "assets", "demo", "demo-instructions.jsonl"), format: "alpaca", steps: 1 }, "ipc");
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain("llama.context_length");
    expect(await engine.call("runs.list", {})).toHaveLength(0);
  });

  it.each([
    [0, "general.alignment is 0, not a power of two"],
    [3, "general.alignment is 3, not a power of two"],
  ])("refuses general.alignment = %i as not a power of two", async (alignment, message) => {
    const path = join(tmp.dir, `align-${alignment}.gguf`);
    rewrite(path, (kv) => kv.set("general.alignment", { type: GgufType.U32, value: alignment }));
    const error = headerError(path);
    expect(error.reason).toBe("bad-alignment");
    expect(error.message).toBe(message);
    const failed = await addFailed(path);
    expect(failed.error).toMatchObject({ code: "bad-alignment", message: `The GGUF header is damaged: ${message}.` });
    expect(failed.error!.message).not.toMatch(/NaN|BigInt/);
  });

  it("calls a file with metadata but no tensors vocabulary-only, not an interrupted download", async () => {
    const path = join(tmp.dir, "vocab-only.gguf");
    // Ends right after its last value (a non-zero byte), without padding, as llama.cpp's vocab files do.
    rewrite(path, (kv) => {
      const arch = kv.get("general.architecture")!;
      kv.delete("general.architecture");
      kv.set("general.architecture", arch);
    }, false);
    const padded = readFileSync(path);
    let end = padded.length;
    while (padded[end - 1] === 0) end--;
    writeFileSync(path, padded.subarray(0, end));
    const header = readGgufHeader(path);
    expect(header.tensors).toHaveLength(0);
    expect(header.dataOffset).toBeGreaterThan(end);

    const failed = await addFailed(path);
    expect(failed.error).toMatchObject({ code: "no-weights", message: "The file contains no tensors (vocabulary only?)." });
    expect(failed.vocabSize).toBe(32000);
  });

  it("says a symbolic link that points at itself loops, when added directly and inside a folder", async () => {
    const dir = join(tmp.dir, "loop");
    mkdirSync(dir);
    const link = join(dir, "self.gguf");
    symlinkSync(link, link);
    const direct = await engine.dispatch("models.add", { path: link }, "ipc");
    expect(direct.ok).toBe(false);
    if (!direct.ok) {
      expect(direct.error).toMatchObject({ code: "symlink-loop", where: link });
      expect(direct.error.message).toMatch(/^Too many levels of symbolic links/);
      expect(direct.error.hint).not.toMatch(/spelling/);
    }
    const inFolder = await engine.call("models.add", { path: dir });
    expect(inFolder.failed).toHaveLength(1);
    expect(inFolder.failed[0]!.error).toMatchObject({ code: "symlink-loop", where: link });
  });

  it("refuses to train on a file damaged after it was added, before recording a run", async () => {
    const path = join(tmp.dir, "later.gguf");
    writeFileSync(path, readFileSync(good));
    const added = await engine.call("models.add", { path });
    expect(added.added[0]!.status).toBe("ok");
    writeFileSync(path, readFileSync(join(tmp.dir, "twice.gguf")));
    const refused = await engine.dispatch("runs.start", { model: added.added[0]!.id, data: join(process.cwd(), "assets", "demo", "demo-instructions.jsonl"), format: "alpaca", steps: 1 }, "ipc");
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error).toMatchObject({ code: "model-changed", where: path });
      expect(refused.error.message).toContain('"llama.context_length" is written twice');
    }
    expect(await engine.call("runs.list", {})).toHaveLength(0);
  });

  it("still reads the sound file it was made from", async () => {
    const result = await engine.call("models.add", { path: good });
    expect(result.added).toHaveLength(1);
    expect(result.added[0]!.status).toBe("ok");
  });
});
