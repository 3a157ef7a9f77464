import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "../../../electron/shared/contentSecurityPolicy.js";
import { mimeTypes, serveStaticFile, staticFilePath } from "../../../electron/server/serveStaticFile.js";
import { makeTempDir } from "../../support/tempDir.js";

// The one static-file handler behind app:// and `polytune serve`, on a real folder.
const temp = makeTempDir("polytune-static-");
const root = join(temp.dir, "ui");
const text = (body: Uint8Array | null): string => new TextDecoder().decode(body ?? new Uint8Array());

beforeAll(() => {
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>Polytune</title>");
  for (const ext of Object.keys(mimeTypes)) writeFileSync(join(root, "assets", `file${ext.toUpperCase()}`), ext);
  writeFileSync(join(root, "assets", "blob.bin"), "x");
  writeFileSync(join(temp.dir, "secret.txt"), "secret");
  try {
    symlinkSync(join(temp.dir, "secret.txt"), join(root, "assets", "link.txt"));
  } catch {
    // Symlinks need privileges on Windows; the escape case then checks a missing file instead.
  }
});
afterAll(() => temp.cleanup());

describe("serveStaticFile", () => {
  it("sends each known extension with its MIME type, whatever its case, and the rest as bytes", async () => {
    expect(Object.keys(mimeTypes)).toHaveLength(16);
    for (const [ext, type] of Object.entries(mimeTypes)) {
      const r = await serveStaticFile(root, "GET", `/assets/file${ext.toUpperCase()}`);
      expect(r.status, ext).toBe(200);
      expect(r.headers["content-type"], ext).toBe(type);
      expect(text(r.body)).toBe(ext);
    }
    expect((await serveStaticFile(root, "GET", "/assets/blob.bin")).headers["content-type"]).toBe("application/octet-stream");
  });

  it("puts the security headers on files and refusals alike", async () => {
    for (const r of [await serveStaticFile(root, "GET", "/"), await serveStaticFile(root, "GET", "/nope.js"), await serveStaticFile(root, "POST", "/")]) {
      expect(r.headers).toMatchObject({
        "content-security-policy": contentSecurityPolicy,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
      });
    }
  });

  it("serves index.html for the root, never cached, and the assets for an hour", async () => {
    const page = await serveStaticFile(root, "GET", "/");
    expect(page).toMatchObject({ status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
    expect(text(page.body)).toContain("<title>Polytune</title>");
    expect((await serveStaticFile(root, "GET", "/assets/file.JS")).headers["cache-control"]).toBe("private, max-age=3600");
  });

  it("answers HEAD without a body and refuses other methods", async () => {
    expect(await serveStaticFile(root, "HEAD", "/index.html")).toMatchObject({ status: 200, body: null });
    expect((await serveStaticFile(root, "PUT", "/index.html")).status).toBe(405);
  });

  it("answers 404 for traversal, undecodable paths, symlink escapes, folders and missing files", async () => {
    for (const path of ["/..%2fsecret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/index.html%00.js", "/%E0%A4%A", "/assets/link.txt", "/assets", "/assets/nope.js"]) {
      const r = await serveStaticFile(root, "GET", path);
      expect(r.status, path).toBe(404);
      expect(text(r.body)).not.toContain("secret");
    }
    expect(staticFilePath(root, "/..%2fsecret.txt")).toBeNull();
    expect(staticFilePath(root, "/assets/a%20b.css")).toBe(join(root, "assets", "a b.css"));
  });

  it("says how to build the UI when it is missing", async () => {
    const r = await serveStaticFile(join(temp.dir, "missing"), "GET", "/");
    expect(r.status).toBe(500);
    expect(text(r.body)).toContain("npm run build");
  });
});
