// The built UI's files as both carriers serve them: the desktop app's app:// protocol and
// `polytune serve`. One MIME table, one set of security headers, one path check.
import { readFile, realpath, stat } from "node:fs/promises";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { contentSecurityPolicy } from "../shared/contentSecurityPolicy.js";

export const mimeTypes: Readonly<Record<string, string>> = {
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

/** Sent with every response, files and refusals alike. */
export const securityHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** A carrier-neutral response: app:// wraps it in a fetch Response, `serve` writes it to Node's http. */
export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

export function textResponse(status: number, text: string): StaticResponse {
  return { status, headers: { ...securityHeaders, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }, body: new TextEncoder().encode(text) };
}

/** True when `file` is `root` itself or below it. */
export function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The file under `rootDir` that a URL path (still percent-encoded) names, or null when it would leave
 * the folder (`..`, encoded separators, NUL bytes, drive letters) or cannot be decoded.
 */
export function staticFilePath(rootDir: string, urlPath: string): string | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  // NUL and backslashes never name a built asset; refusing them keeps Windows and POSIX alike.
  if (pathname.includes("\0") || pathname.includes("\\")) return null;
  const rel = pathname.replace(/^\/+/, "") || "index.html";
  const root = resolve(rootDir);
  const file = join(root, rel);
  return isInside(root, file) ? file : null;
}

/**
 * GET or HEAD of one file of the built UI. Symlinks must not lead out of the folder; index.html is never
 * cached (it names the current hashed assets), the assets for an hour.
 */
export async function serveStaticFile(rootDir: string, method: string, urlPath: string): Promise<StaticResponse> {
  if (method !== "GET" && method !== "HEAD") return textResponse(405, "Method not allowed.");
  const root = resolve(rootDir);
  const file = staticFilePath(root, urlPath);
  if (file === null) return textResponse(404, "Not found.");
  const index = join(root, "index.html");
  let real: string;
  try {
    real = await realpath(file);
    if (!isInside(await realpath(root), real) || !(await stat(real)).isFile()) return textResponse(404, "Not found.");
  } catch {
    if (file === index) return textResponse(500, `The UI is not built (no ${file}). Run \`npm run build\` first.`);
    return textResponse(404, "Not found.");
  }
  const headers = {
    ...securityHeaders,
    "content-type": mimeTypes[extname(real).toLowerCase()] ?? "application/octet-stream",
    "cache-control": file === index ? "no-store" : "private, max-age=3600",
  };
  return { status: 200, headers, body: method === "HEAD" ? null : new Uint8Array(await readFile(real)) };
}
