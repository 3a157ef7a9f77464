import { readFile, realpath, stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { contentSecurityPolicy } from "../shared/contentSecurityPolicy.js";
import { isInside, resolveAppFile } from "./resolveAppFile.js";

const mimeTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

const securityHeaders: Record<string, string> = {
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...securityHeaders, "content-type": "text/plain; charset=utf-8" } });
}

/**
 * The app:// handler (for Electron's `protocol.handle`): serves files from the built renderer folder,
 * GET/HEAD only, with the strict CSP on every response. Plain fetch Request → Response, so it runs
 * under Node in tests.
 */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = resolve(rendererDir);
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return textResponse(405, "Method not allowed.");
    const file = resolveAppFile(root, request.url);
    if (file === null) return textResponse(404, "Not found.");
    let real: string;
    try {
      // A symlink inside the folder must not lead out of it.
      real = await realpath(file);
      if (!isInside(await realpath(root), real) || !(await stat(real)).isFile()) return textResponse(404, "Not found.");
    } catch {
      if (file === resolve(root, "index.html")) return textResponse(500, `The UI is not built (no ${file}). Run \`npm run build\` first.`);
      return textResponse(404, "Not found.");
    }
    const headers = { ...securityHeaders, "content-type": mimeTypes[extname(real).toLowerCase()] ?? "application/octet-stream" };
    if (request.method === "HEAD") return new Response(null, { status: 200, headers });
    return new Response(new Uint8Array(await readFile(real)), { status: 200, headers });
  };
}
