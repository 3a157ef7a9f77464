import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { isAppUrl } from "./appUrl.js";

/**
 * The file under `rootDir` that an app:// URL names, or null when the URL is not ours or would
 * leave the folder (`..`, encoded separators, NUL bytes, drive letters).
 */
export function resolveAppFile(rootDir: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
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

/** True when `file` is `root` itself or below it. */
export function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
