import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { completePath } from "../../../electron/engine/files/completePath.js";
import { makeTempDir } from "../../support/tempDir.js";

// A real folder: two model folders, models and other files, a hidden folder, and links that point elsewhere.
const temp = makeTempDir("polytune-complete-");
afterAll(() => temp.cleanup());
const root = join(temp.dir, "library");
const outside = join(temp.dir, "outside");
mkdirSync(join(root, "models-a"), { recursive: true });
mkdirSync(join(root, "models-b"));
mkdirSync(join(root, ".cache"));
mkdirSync(outside);
writeFileSync(join(root, "model.gguf"), "");
writeFileSync(join(root, "MODEL-UPPER.GGUF"), "");
writeFileSync(join(root, "notes.txt"), "");
writeFileSync(join(outside, "inside.gguf"), "");
symlinkSync(outside, join(root, "models-link"));
symlinkSync(join(outside, "inside.gguf"), join(root, "linked.gguf"));

describe("completePath", () => {
  it("lists folders first, then .gguf files and links in name order, leaving other files and hidden entries out", async () => {
    const found = await completePath(root + sep);
    expect(found).toEqual([
      { path: join(root, "models-a") + sep, isDirectory: true },
      { path: join(root, "models-b") + sep, isDirectory: true },
      { path: join(root, "MODEL-UPPER.GGUF"), isDirectory: false },
      { path: join(root, "linked.gguf"), isDirectory: false },
      { path: join(root, "model.gguf"), isDirectory: false },
      { path: join(root, "models-link"), isDirectory: false },
    ]);
  });

  it("keeps only entries starting with the typed name", async () => {
    const found = await completePath(join(root, "models-"));
    expect(found.map((entry) => entry.path)).toEqual([join(root, "models-a") + sep, join(root, "models-b") + sep, join(root, "models-link")]);
  });

  it("shows hidden entries when the typed name starts with a dot, and every file for kind any", async () => {
    expect(await completePath(root + sep + ".")).toEqual([{ path: join(root, ".cache") + sep, isDirectory: true }]);
    expect((await completePath(join(root, "no"), "any")).map((entry) => entry.path)).toEqual([join(root, "notes.txt")]);
  });

  it("lists a link as an entry without following it", async () => {
    const [link] = await completePath(join(root, "models-l"));
    // A followed link would read as a folder (and end with the separator).
    expect(link).toEqual({ path: join(root, "models-link"), isDirectory: false });
  });

  it("has no completions for a missing folder, a file taken as a folder, or a relative path", async () => {
    expect(await completePath(join(temp.dir, "missing", "mod"))).toEqual([]);
    expect(await completePath(join(root, "notes.txt", "x"))).toEqual([]);
    expect(await completePath("library/mod")).toEqual([]);
  });

  it("returns at most the limit", async () => {
    expect(await completePath(root + sep, "any", 2)).toHaveLength(2);
  });
});
