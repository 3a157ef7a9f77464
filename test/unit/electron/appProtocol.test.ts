import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "../../../electron/shared/contentSecurityPolicy.js";
import { createAppProtocolHandler } from "../../../electron/main/createAppProtocolHandler.js";
import { isAppUrl } from "../../../electron/main/appUrl.js";
import { staticFilePath } from "../../../electron/server/serveStaticFile.js";
import { makeTempDir } from "../../support/tempDir.js";

const temp = makeTempDir("polytune-app-protocol-");
const root = join(temp.dir, "renderer");
// What the app:// handler serves for a URL: only app://polytune/…, then the shared path check.
const resolveAppFile = (rootDir: string, url: string): string | null => (isAppUrl(url) ? staticFilePath(rootDir, new URL(url).pathname) : null);

beforeAll(() => {
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>Polytune</title>");
  writeFileSync(join(root, "assets", "index-abc.js"), "console.log(1)");
  writeFileSync(join(root, "assets", "a b.css"), "body{}");
  writeFileSync(join(temp.dir, "secret.txt"), "secret");
  try {
    symlinkSync(join(temp.dir, "secret.txt"), join(root, "assets", "link.txt"));
  } catch {
    // Symlinks need privileges on Windows; the escape test below then checks a missing file instead.
  }
});
afterAll(() => temp.cleanup());

describe("app:// path resolution", () => {
  it("maps URLs to files inside the renderer folder", () => {
    expect(resolveAppFile(root, "app://polytune/")).toBe(join(root, "index.html"));
    expect(resolveAppFile(root, "app://polytune")).toBe(join(root, "index.html"));
    expect(resolveAppFile(root, "app://polytune/assets/index-abc.js?v=1#x")).toBe(join(root, "assets", "index-abc.js"));
    expect(resolveAppFile(root, "app://polytune/assets/a%20b.css")).toBe(join(root, "assets", "a b.css"));
  });
  it("refuses traversal however it is spelled", () => {
    for (const url of [
      "app://polytune/../secret.txt",
      "app://polytune/%2e%2e/secret.txt",
      "app://polytune/..%2fsecret.txt",
      "app://polytune/..%2Fsecret.txt",
      "app://polytune/assets/..%2f..%2fsecret.txt",
      "app://polytune/..%5csecret.txt",
      "app://polytune/%2e%2e%5c%2e%2e%5csecret.txt",
      "app://polytune/index.html%00.js",
      "app://polytune/C:%5cWindows%5cwin.ini",
      "app://polytune/%2fetc%2fpasswd",
      "app://polytune/%E0%A4%A",
      "app://other/index.html",
      "file:///etc/passwd",
    ]) {
      // Either refused, or a name that stays inside the folder (URL parsing folds "/../" away).
      const file = resolveAppFile(root, url);
      if (file !== null) expect(relative(root, file).split(/[\\/]/).includes(".."), url).toBe(false);
      expect(file, url).not.toBe(join(temp.dir, "secret.txt"));
    }
  });
});

describe("app:// handler", () => {
  const handle = createAppProtocolHandler(root);

  it("serves index.html and assets with the CSP and a real content type", async () => {
    const page = await handle(new Request("app://polytune/index.html"));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toBe(contentSecurityPolicy);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await page.text()).toContain("<title>Polytune</title>");

    const script = await handle(new Request("app://polytune/assets/index-abc.js"));
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toBe("console.log(1)");
  });
  it("answers 404 for traversal, symlink escapes and missing files", async () => {
    for (const url of ["app://polytune/..%2fsecret.txt", "app://polytune/assets/link.txt", "app://polytune/assets/nope.js", "app://polytune/assets"]) {
      const res = await handle(new Request(url));
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain("secret");
    }
  });
  it("answers 404 for URLs that are not the app's own", async () => {
    for (const url of ["app://other/index.html", "app://polytune:8080/index.html"]) expect((await handle(new Request(url))).status, url).toBe(404);
  });
  it("refuses writes and answers HEAD without a body", async () => {
    expect((await handle(new Request("app://polytune/index.html", { method: "POST", body: "x" }))).status).toBe(405);
    const head = await handle(new Request("app://polytune/index.html", { method: "HEAD" }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
  it("says how to build the UI when it is missing", async () => {
    const res = await createAppProtocolHandler(join(temp.dir, "missing"))(new Request("app://polytune/"));
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("npm run build");
  });
});

describe("content security policy", () => {
  it("allows only the app's own scripts and refuses plugins, framing and base rewrites", () => {
    const directives = new Map(contentSecurityPolicy.split(";").map((d) => { const [k, ...v] = d.trim().split(/\s+/); return [k, v.join(" ")] as const; }));
    expect(directives.get("default-src")).toBe("'self'");
    expect(directives.get("script-src")).toBe("'self'");
    expect(directives.get("style-src")).toBe("'self' 'unsafe-inline'");
    expect(directives.get("connect-src")).toBe("'self'");
    expect(directives.get("img-src")).toBe("'self' data:");
    expect(directives.get("object-src")).toBe("'none'");
    expect(directives.get("base-uri")).toBe("'none'");
    expect(directives.get("frame-ancestors")).toBe("'none'");
    expect(contentSecurityPolicy).not.toMatch(/unsafe-eval|\*|http:|https:/);
  });
});
