import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unpackedPath } from "../../../electron/engine/install/unpackedPath.js";
import { makeTempDir } from "../../support/tempDir.js";

// A packaged app's resources folder, laid out as electron-builder writes it (app.asar stands in as a
// folder: only the paths matter here).
const temp = makeTempDir("polytune-asar-");
afterAll(() => temp.cleanup());
const resources = join(temp.dir, "resources");
const inAsar = (...parts: string[]): string => join(resources, "app.asar", ...parts);
const unpacked = (...parts: string[]): string => join(resources, "app.asar.unpacked", ...parts);
const addon = ["native", "build", "Release", "polytune_trainer.node"];
const worker = ["dist", "electron", "engine", "train", "trainWorker.js"];
const backends = ["node_modules", "@node-llama-cpp", "linux-x64", "bins"];
for (const file of [inAsar(...addon), unpacked(...addon), inAsar(...worker), unpacked(...backends, "x")]) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "");
}

describe("unpackedPath", () => {
  it("maps the trainer addon and node-llama-cpp's binaries to their unpacked copies", () => {
    expect(unpackedPath(inAsar(...addon))).toBe(unpacked(...addon));
    expect(unpackedPath(inAsar(...backends))).toBe(unpacked(...backends));
  });
  it("keeps a file that has no unpacked copy in the archive (the worker script)", () => {
    expect(unpackedPath(inAsar(...worker))).toBe(inAsar(...worker));
  });
  it("leaves paths outside an archive, and already unpacked ones, as they are", () => {
    expect(unpackedPath(join(temp.dir, ...addon))).toBe(join(temp.dir, ...addon));
    expect(unpackedPath(unpacked(...addon))).toBe(unpacked(...addon));
  });
  it("maps only the archive's own segment", () => {
    const seen: string[] = [];
    const mapped = unpackedPath(join("/opt", "app.asar", "a", "app.asar", "b.node"), (p) => (seen.push(p), true));
    expect(mapped).toBe(join("/opt", "app.asar", "a", "app.asar.unpacked", "b.node"));
    expect(seen).toEqual([mapped]);
  });
});
